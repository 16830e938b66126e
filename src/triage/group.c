#include "triage/group.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static int64_t commit_time(const sfmc_finding *f)
{
	return f->commit ? f->commit->time : INT64_MAX;
}

static int cmp_item(const void *pa, const void *pb)
{
	const sfmc_finding *a = *(const sfmc_finding *const *)pa, *b = *(const sfmc_finding *const *)pb;
	int64_t ta = commit_time(a), tb = commit_time(b);
	int c = strcmp(a->fingerprint, b->fingerprint);

	if (!c)
		c = (ta > tb) - (ta < tb);
	if (!c) /* one commit's locations side by side: distinct commits are counted in one pass */
		c = strcmp(a->commit ? a->commit->commit : "", b->commit ? b->commit->commit : "");
	if (!c) /* forks share commits: the repository tells their locations apart */
		c = strcmp(a->repository ? a->repository : "", b->repository ? b->repository : "");
	if (!c)
		c = strcmp(a->path, b->path);
	if (!c)
		c = (a->line > b->line) - (a->line < b->line);
	if (!c)
		c = (a->column > b->column) - (a->column < b->column);
	return c;
}

bool sfmc_group_new_commit(const sfmc_group *g, size_t i)
{
	const sfmc_commit_info *c = g->items[i]->commit, *prev = i ? g->items[i - 1]->commit : NULL;
	return c && (!prev || strcmp(prev->commit, c->commit));
}

/* Fills the summary fields of a group whose items are set. */
static void summarize(sfmc_group *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const sfmc_finding *f = g->items[i];
		if (f->level > g->level)
			g->level = f->level;
		g->nsuppressed += f->suppressed != SFMC_SUPPRESS_NONE;
		if (!f->commit)
			continue;
		if (!g->first_seen)
			g->first_seen = f; /* items are oldest first */
		if (!g->last_seen || f->commit->time >= g->last_seen->commit->time)
			g->last_seen = f;
		g->ncommits += sfmc_group_new_commit(g, i);
	}
}

int sfmc_groups_build(sfmc_groups *g, const sfmc_results *res)
{
	memset(g, 0, sizeof(*g));
	if (!res->nfindings)
		return 0;
	g->items = malloc(res->nfindings * sizeof(*g->items));
	g->v = calloc(res->nfindings, sizeof(*g->v));
	if (!g->items || !g->v) {
		sfmc_groups_dispose(g);
		return sfmc_error_set("out of memory");
	}
	for (size_t i = 0; i < res->nfindings; i++)
		g->items[i] = &res->findings[i];
	qsort(g->items, res->nfindings, sizeof(*g->items), cmp_item);
	for (size_t i = 0; i < res->nfindings; i++) {
		if (!i || strcmp(g->items[i]->fingerprint, g->items[i - 1]->fingerprint)) {
			g->v[g->n].items = &g->items[i];
			g->v[g->n].at_head = SFMC_AT_HEAD_UNKNOWN;
			g->n++;
		}
		g->v[g->n - 1].n++;
	}
	for (size_t i = 0; i < g->n; i++)
		summarize(&g->v[i]);
	return 0;
}

void sfmc_groups_dispose(sfmc_groups *g)
{
	free(g->items);
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static int cmp_group_fp(const void *key, const void *elem)
{
	return strcmp(key, ((const sfmc_group *)elem)->items[0]->fingerprint);
}

void sfmc_groups_set_at_head(sfmc_groups *g, sfmc_at_head at_head)
{
	for (size_t i = 0; i < g->n; i++)
		g->v[i].at_head = at_head;
}

void sfmc_groups_mark_held(const sfmc_finding *f, void *groups)
{
	sfmc_groups *g = groups;
	sfmc_group *hit = bsearch(f->fingerprint, g->v, g->n, sizeof(*g->v), cmp_group_fp);

	if (hit)
		hit->at_head = SFMC_AT_HEAD_YES;
}
