/* fuzz_gittree.c - the raw tree parser and the tree diff on arbitrary bytes:
 * the input is a tree, then up to three parent trees, separated by "\n--\n"
 * (an empty part is a missing parent). Checks that every entry the diff does
 * not report (up to where the tree stops parsing) is held by some parent
 * (same name, kind and id, among the entries before it stops parsing), and
 * that same_name points at a parent entry of that name. The whole input also
 * goes through the commit header parser and the tree checker. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "git/object.h"

#define MAX_PARTS 4
#define SEP "\n--\n"

typedef struct oracle {
	const sfmc_gitobj *parents[MAX_PARTS - 1];
	size_t np;
	unsigned char *seen;           /* per byte of t: an entry starting there was reported */
	const unsigned char *t;
} oracle;

static bool held_by(const sfmc_gitobj *p, const sfmc_gittree_entry *e)
{
	sfmc_gittree_entry pe;
	for (size_t off = 0; p && sfmc_gittree_next(&pe, p->data, p->data + off, p->data + p->len) == SFMC_OK;
	     off += pe.size)
		if (pe.namelen == e->namelen && !memcmp(pe.name, e->name, e->namelen) &&
		    sfmc_gittree_kind_of(pe.mode) == sfmc_gittree_kind_of(e->mode) && !memcmp(pe.id, e->id, 20))
			return true;
	return false;
}

static int on_changed(void *ctx, const sfmc_gittree_entry *e, const sfmc_gittree_entry *const *same_name)
{
	oracle *o = ctx;
	o->seen[(const unsigned char *)e->name - o->t] = 1;
	for (size_t i = 0; i < o->np; i++) {
		const sfmc_gitobj *p = o->parents[i];
		if (!same_name[i])
			continue;
		if (!p || (const unsigned char *)same_name[i]->name < p->data ||
		    (const unsigned char *)same_name[i]->id + 20 > p->data + p->len || sfmc_gittree_cmp(same_name[i], e))
			abort();
	}
	return 0;
}

static void check_diff(const sfmc_gitobj *t, oracle *o)
{
	sfmc_gittree_entry e;

	if (!(o->seen = calloc(t->len + 1, 1)))
		return;
	o->t = t->data;
	if (sfmc_gittree_diff(t, o->parents, o->np, on_changed, o) == -1)
		abort(); /* on_changed never fails */
	for (size_t off = 0; sfmc_gittree_next(&e, t->data, t->data + off, t->data + t->len) == SFMC_OK;
	     off += e.size) {
		bool held = false;
		for (size_t i = 0; i < o->np && !held; i++)
			held = held_by(o->parents[i], &e);
		if (!o->seen[(const unsigned char *)e.name - t->data] && !held)
			abort(); /* an entry no parent holds went unreported */
	}
	free(o->seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sfmc_gitobj parts[MAX_PARTS];
	size_t n = 0, start = 0;
	oracle o = { 0 };
	git_oid tree, *parents = NULL;
	size_t nparents;
	int64_t when;

	if (sfmc_gittree_commit_parse(data, size, &tree, &parents, &nparents) == 0)
		free(parents);
	(void)sfmc_gittree_commit_time(data, size, &when);
	while (n < MAX_PARTS) {
		const unsigned char *sep = n + 1 < MAX_PARTS ? memmem(data + start, size - start, SEP, 4) : NULL;
		size_t end = sep ? (size_t)(sep - data) : size;
		parts[n].data = data + start;
		parts[n].len = end - start;
		n++;
		if (!sep)
			break;
		start = end + 4;
	}
	(void)sfmc_gittree_check(data, size);
	for (size_t i = 1; i < n; i++)
		o.parents[o.np++] = parts[i].len ? &parts[i] : NULL;
	check_diff(&parts[0], &o);
	return 0;
}
