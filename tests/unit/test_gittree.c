/* Unit tests: raw trees and commits of real repositories made with the git
 * CLI (entries checked against `git ls-tree -z`, commits against rev-parse),
 * git's order with '/' after directory names, the tree diff against a
 * brute-force comparison (rename, mode change, file <-> directory swaps,
 * submodules, merges with 2 and 3 parents, missing parents), malformed
 * trees, and the reader's cache under eviction, loose and packed. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "git/object.h"
#include "util/bounds.h"
#include "shell.h"
#include "util/error.h"

#define MAXENT 64

static char dir[64];
static git_repository *repo;
static sfmc_packset *packs; /* the last open_reader's (each reader indexes the packs as they are then) */

/* Runs a command in the repository and returns its first output line. */
static void out1(char *buf, size_t n, const char *fmt, ...)
{
	char cmd[2048], full[2300];
	va_list ap;
	FILE *p;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd %s/r && %s", dir, cmd);
	assert_non_null(p = popen(full, "r"));
	assert_non_null(fgets(buf, (int)n, p));
	buf[strcspn(buf, "\n")] = '\0';
	pclose(p);
}

static void oid_of(git_oid *id, const char *rev)
{
	char hex[128];
	out1(hex, sizeof(hex), "git rev-parse '%s'", rev);
	assert_int_equal(git_oid_fromstr(id, hex), 0);
}

/* One line of `git ls-tree -z`. */
typedef struct lsent {
	unsigned mode;
	char type[8];
	git_oid id;
	char name[256];
} lsent;

static size_t ls_tree(const char *rev, lsent *v)
{
	char cmd[512], *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "cd %s/r && git ls-tree -z '%s'", dir, rev);
	assert_non_null(p = popen(cmd, "r"));
	while ((len = getdelim(&line, &cap, '\0', p)) > 0) {
		char hex[41];
		assert_true(n < MAXENT);
		assert_int_equal(sscanf(line, "%o %7s %40s\t%255[^\n]", &v[n].mode, v[n].type, hex, v[n].name), 4);
		assert_int_equal(git_oid_fromstr(&v[n].id, hex), 0);
		n++;
	}
	free(line);
	pclose(p);
	return n;
}

static sfmc_gittree_kind kind_of_type(const char *type)
{
	if (!strcmp(type, "tree"))
		return SFMC_GITTREE_TREE;
	return !strcmp(type, "commit") ? SFMC_GITTREE_GITLINK : SFMC_GITTREE_BLOB;
}

static const sfmc_gitobj *read_tree(sfmc_gittree_reader *r, const char *rev)
{
	const sfmc_gitobj *t = NULL;
	git_oid id;
	oid_of(&id, rev);
	assert_int_equal(sfmc_gittree_read_tree(r, &id, &t), 0);
	assert_non_null(t);
	return t;
}

/* A repository whose commits exercise every case of the diff:
 *   base: files, a directory, names around '/' in git's order, an
 *         executable, a symlink and a submodule;
 *   two:  rename, mode change, file -> directory, directory -> file,
 *         submodule moved to another commit;
 *   side: a branch from base with its own change (merges take base, two, side). */
static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s", "/tmp/sfmc-gittree.XXXXXX");
	assert_non_null(mkdtemp(dir));
	git_libgit2_init();
	sh("cd %s && git init -q r && cd r && git config user.name t && git config user.email t@e &&"
	   "mkdir -p a d && echo 1 > a/x && echo 2 > a.b && echo 3 > a-b && echo 4 > a0 && echo 5 > d/y &&"
	   "echo 6 > name && echo 6 > name.c && echo 9 > 'sp ace' && chmod +x a0 && ln -s a.b link && git add . &&"
	   "git update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,sub &&"
	   "git commit -qm base && git tag base && git checkout -q -b side && echo s > a/x && git add . &&"
	   "git commit -qm side && git checkout -q - &&"
	   "git mv a.b a.c && rm -rf d && echo 7 > d && rm name && mkdir name && echo 8 > name/z && chmod -x a0 &&"
	   "git update-index --cacheinfo 160000,2222222222222222222222222222222222222222,sub &&"
	   "git add -A && git commit -qm two && git tag two &&"
	   "git cat-file -p two^{tree} > /dev/null &&"
	   "m=$(git commit-tree -p base -p two -p side -m m3 side^{tree}) && git tag m3 $m &&"
	   "m=$(git commit-tree -p two -p side -m m2 two^{tree}) && git tag m2 $m",
	   dir);
	sh("cd %s/r && test $(git rev-list --parents -1 m3 | wc -w) = 4", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sfmc_packset_free(packs);
	packs = NULL;
	git_repository_free(repo);
	repo = NULL;
	sh("rm -rf %s", dir);
	git_libgit2_shutdown();
	return 0;
}

static sfmc_gittree_reader *open_reader(size_t cache, bool pack)
{
	sfmc_gittree_reader *r = NULL;
	char path[128];
	snprintf(path, sizeof(path), "%s/r", dir);
	if (!repo)
		assert_int_equal(git_repository_open(&repo, path), 0);
	sfmc_packset_free(packs); /* the previous reader was freed */
	packs = NULL;
	if (pack)
		assert_int_equal(sfmc_packset_new(&packs, repo), 0);
	assert_int_equal(sfmc_gittree_reader_new(&r, repo, cache, packs, pack ? SFMC_PACK_CACHE_BYTES : 0), 0);
	return r;
}

/* Every entry as `git ls-tree` lists it, in the same order, each after the previous in git order. */
static void check_entries(sfmc_gittree_reader *r, const char *rev)
{
	lsent v[MAXENT];
	size_t n = ls_tree(rev, v), i = 0, off = 0;
	const sfmc_gitobj *t = read_tree(r, rev);
	sfmc_gittree_entry e, prev;

	for (; sfmc_gittree_next(&e, t->data, t->data + off, t->data + t->len) == SFMC_OK; off += e.size, i++) {
		assert_true(i < n);
		assert_int_equal(e.mode, v[i].mode);
		assert_int_equal(sfmc_gittree_kind_of(e.mode), kind_of_type(v[i].type));
		assert_memory_equal(e.id, v[i].id.id, GIT_OID_RAWSZ);
		assert_int_equal(e.namelen, strlen(v[i].name));
		assert_memory_equal(e.name, v[i].name, e.namelen);
		if (i)
			assert_true(sfmc_gittree_cmp(&prev, &e) < 0 && sfmc_gittree_cmp(&e, &prev) > 0);
		assert_int_equal(sfmc_gittree_cmp(&e, &e), 0);
		prev = e;
	}
	assert_int_equal(off, t->len);
	assert_int_equal(i, n);
	sfmc_gittree_release(r, t);
}

static void test_entries_match_ls_tree(void **state)
{
	(void)state;
	for (int pack = 0; pack < 2; pack++) {
		sfmc_gittree_reader *r = open_reader((size_t)1 << 20, pack);
		check_entries(r, "base^{tree}");
		check_entries(r, "two^{tree}");
		check_entries(r, "two:name");
		sfmc_gittree_reader_free(r);
		if (!pack) { /* again from a pack, through the pack reader */
			sh("cd %s/r && git gc -q && test -z \"$(find .git/objects -type f -path '*/[0-9a-f][0-9a-f]/*')\"", dir);
			git_repository_free(repo);
			repo = NULL;
		}
	}
}

static sfmc_gittree_entry entry(const char *name, unsigned mode)
{
	static const unsigned char id[GIT_OID_RAWSZ];
	sfmc_gittree_entry e = { name, strlen(name), id, mode, 0 };
	return e;
}

/* git's order: a directory sorts as if its name ended in '/'. */
static void test_order(void **state)
{
	sfmc_gittree_entry v[] = { entry("foo", 0100644), entry("foo-bar", 0100644), entry("foo.c", 0100644),
				   entry("foo", 040000), entry("foo0", 0160000), entry("foo0", 040000),
				   entry("fop", 0100644) };
	size_t n = sizeof(v) / sizeof(v[0]);
	(void)state;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = sfmc_gittree_cmp(&v[i], &v[j]);
			assert_true(i < j ? c < 0 : i > j ? c > 0 : c == 0);
		}
}

/* Brute force: the entries of t (by ls-tree) that no parent holds with the
 * same name, type and id, joined by ','. */
static void expected_changed(const char *t, const char *const *parents, size_t np, char *out, size_t cap)
{
	lsent tv[MAXENT], pv[4][MAXENT];
	size_t tn = ls_tree(t, tv), pn[4];

	out[0] = '\0';
	for (size_t i = 0; i < np; i++)
		pn[i] = parents[i] ? ls_tree(parents[i], pv[i]) : 0;
	for (size_t k = 0; k < tn; k++) {
		bool held = false;
		for (size_t i = 0; i < np; i++)
			for (size_t j = 0; j < pn[i]; j++)
				held |= !strcmp(pv[i][j].name, tv[k].name) && !strcmp(pv[i][j].type, tv[k].type) &&
					git_oid_equal(&pv[i][j].id, &tv[k].id);
		if (!held)
			snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? "," : "", tv[k].name);
	}
}

typedef struct got {
	char names[1024];
	size_t np;
	const char *const *parents;
} got;

/* Records the name, and checks same_name against ls-tree: the parent's entry
 * of that name that is a directory exactly when e is one. */
static int on_changed(void *ctx, const sfmc_gittree_entry *e, const sfmc_gittree_entry *const *same_name)
{
	got *g = ctx;
	size_t len = strlen(g->names);
	snprintf(g->names + len, sizeof(g->names) - len, "%s%.*s", len ? "," : "", (int)e->namelen, e->name);
	for (size_t i = 0; i < g->np; i++) {
		lsent pv[MAXENT];
		size_t pn = g->parents[i] ? ls_tree(g->parents[i], pv) : 0;
		const lsent *want = NULL;
		for (size_t j = 0; j < pn; j++)
			if (strlen(pv[j].name) == e->namelen && !memcmp(pv[j].name, e->name, e->namelen) &&
			    (kind_of_type(pv[j].type) == SFMC_GITTREE_TREE) ==
				    (sfmc_gittree_kind_of(e->mode) == SFMC_GITTREE_TREE))
				want = &pv[j];
		if (!want) {
			assert_null(same_name[i]);
		} else {
			assert_non_null(same_name[i]);
			assert_memory_equal(same_name[i]->id, want->id.id, GIT_OID_RAWSZ);
			assert_int_equal(same_name[i]->mode, want->mode);
		}
	}
	return 0;
}

/* Records the name only. */
static int on_changed_plain(void *ctx, const sfmc_gittree_entry *e, const sfmc_gittree_entry *const *same_name)
{
	got *g = ctx;
	size_t len = strlen(g->names);
	(void)same_name;
	snprintf(g->names + len, sizeof(g->names) - len, "%s%.*s", len ? "," : "", (int)e->namelen, e->name);
	return 0;
}

static void check_diff(sfmc_gittree_reader *r, const char *t, const char *const *parents, size_t np)
{
	const sfmc_gitobj *tt = read_tree(r, t), *pt[4] = { 0 };
	char want[1024];
	got g = { .np = np, .parents = parents };

	for (size_t i = 0; i < np; i++)
		pt[i] = parents[i] ? read_tree(r, parents[i]) : NULL;
	expected_changed(t, parents, np, want, sizeof(want));
	assert_int_equal(sfmc_gittree_diff(tt, pt, np, on_changed, &g), 0);
	assert_string_equal(g.names, want);
	for (size_t i = 0; i < np; i++)
		sfmc_gittree_release(r, pt[i]);
	sfmc_gittree_release(r, tt);
}

static void test_diff_cases(void **state)
{
	const char *one[] = { "base^{tree}" }, *back[] = { "two^{tree}" }, *self[] = { "two^{tree}" };
	const char *m2[] = { "two^{tree}", "side^{tree}" }, *m3[] = { "base^{tree}", "two^{tree}", "side^{tree}" };
	const char *holes[] = { NULL, "base^{tree}", NULL };
	const char *sub[] = { "base:a" };
	(void)state;
	for (int pack = 0; pack < 2; pack++) {
		sfmc_gittree_reader *r = open_reader((size_t)1 << 20, pack);
		char want[1024];
		check_diff(r, "two^{tree}", one, 1);    /* rename, mode change, swaps, submodule */
		check_diff(r, "base^{tree}", back, 1);  /* the same backwards */
		check_diff(r, "two^{tree}", self, 1);   /* nothing differs */
		check_diff(r, "side^{tree}", m2, 2);    /* a merge taking side's tree */
		check_diff(r, "two^{tree}", m2, 2);     /* a merge taking two's tree */
		check_diff(r, "side^{tree}", m3, 3);    /* an octopus */
		check_diff(r, "two^{tree}", holes, 3);  /* missing parents (shallow, unreadable) */
		check_diff(r, "two^{tree}", NULL, 0);   /* a root commit */
		check_diff(r, "side:a", sub, 1);        /* a subtree */
		/* The brute force itself: what changed from base to two, by name. */
		expected_changed("two^{tree}", one, 1, want, sizeof(want));
		assert_string_equal(want, "a.c,d,name,sub");
		sfmc_gittree_reader_free(r);
	}
}

static void test_commits(void **state)
{
	sfmc_gittree_reader *r = open_reader((size_t)1 << 20, true);
	const char *revs[] = { "base", "two", "m2", "m3" };
	(void)state;
	for (size_t k = 0; k < sizeof(revs) / sizeof(revs[0]); k++) {
		git_oid id, tree, want, *parents = NULL;
		char line[512], *tok, *save = NULL, rev[64];
		size_t np = 0, i = 0;
		oid_of(&id, revs[k]);
		assert_int_equal(sfmc_gittree_read_commit(r, &id, &tree, &parents, &np), 0);
		snprintf(rev, sizeof(rev), "%s^{tree}", revs[k]);
		oid_of(&want, rev);
		assert_true(git_oid_equal(&tree, &want));
		out1(line, sizeof(line), "git log -1 --format=%%P%%x20. %s", revs[k]);
		for (tok = strtok_r(line, " ", &save); tok && strcmp(tok, "."); tok = strtok_r(NULL, " ", &save), i++) {
			assert_true(i < np);
			assert_int_equal(git_oid_fromstr(&want, tok), 0);
			assert_true(git_oid_equal(&parents[i], &want));
		}
		assert_int_equal(i, np);
		free(parents);
		/* The fast path gives the same, with the committer time git prints. */
		{
			int64_t t = -1;
			out1(line, sizeof(line), "git log -1 --format=%%ct %s", revs[k]);
			assert_int_equal(sfmc_gittree_read_commit_fast(r, &id, &tree, &parents, &np, &t), SFMC_OK);
			assert_int_equal(t, strtoll(line, NULL, 10));
			oid_of(&want, rev);
			assert_true(git_oid_equal(&tree, &want));
			free(parents);
		}
	}
	sfmc_gittree_reader_free(r);
}

static int commit_time(const char *raw, int64_t *t)
{
	return sfmc_gittree_commit_time((const unsigned char *)raw, strlen(raw), t);
}

/* Only git's canonical signature lines get a time; anything else is left to libgit2. */
static void test_commit_time_forms(void **state)
{
	static const char *tree = "tree 3d973fc783a61185810ae804e86a8b365a2879ed\n";
	static const char *odd[] = {
		"author A <a@b> 1 +0000\nauthor B <b@c> 2 +0000\ncommitter C <c@d> 3 +0000\n", /* two authors */
		"author A <a@b> 1 +0000\ncommitter C <c@d> -3 +0000\n",                       /* negative */
		"author A <a@b> 1 +0000\ncommitter C c@d 3 +0000\n",                          /* no email */
		"author A <a@b> 1 +0000\ncommitter C <c@d> 3\n",                              /* no zone */
		"author A <a@b> 1 +0000\ncommitter C <c@d>  3 +0000\n",                       /* two spaces */
		"author A <a@b> 1 +0000\ncommitter C <c@d> 1234567890123456789 +0000\n",      /* 19 digits */
		"author A <a@b> 1 +0000\ncommitter <c@d> 3 +0000\n",                          /* no name */
		"author A <a@b> 1 +0000\ncommitter C <c@d> 3 +0000",                           /* no newline */
		"committer C <c@d> 3 +0000\n",                                                 /* no author */
	};
	char buf[512];
	int64_t t = 0;
	(void)state;

	snprintf(buf, sizeof(buf), "%sparent %.40s\nauthor A B <a@b> 7 +0100\ncommitter C <x> y> <c@d> 1787236252 -0700\n\nm\n",
		 tree, tree + 5);
	assert_int_equal(commit_time(buf, &t), SFMC_OK);
	assert_int_equal(t, 1787236252);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", tree, odd[i]);
		assert_int_equal(commit_time(buf, &t), SFMC_EDECLINED);
	}
}

static int check_bytes(const char *bytes, size_t len)
{
	return sfmc_gittree_check((const unsigned char *)bytes, len);
}

static void test_malformed(void **state)
{
	static const char ok[] = "100644 a\0aaaaaaaaaaaaaaaaaaaa40000 b\0bbbbbbbbbbbbbbbbbbbb";
	sfmc_gittree_reader *r;
	const sfmc_gitobj *t = NULL;
	git_oid id, tree, *parents = NULL;
	size_t np;
	char hex[64];
	got g = { .np = 0 };
	static const char two_entries[] = "100644 a\0aaaaaaaaaaaaaaaaaaaa100644 x\0xxxxxxxxxxxxxxxxxxxx";
	sfmc_gitobj two = { (const unsigned char *)two_entries, sizeof(two_entries) - 1 };
	(void)state;

	assert_int_equal(check_bytes(ok, sizeof(ok) - 1), SFMC_OK);
	assert_int_equal(check_bytes("", 0), SFMC_OK);
	for (size_t cut = 1; cut < sizeof(ok) - 1; cut++)
		if (cut != 29) /* the end of the first entry */
			assert_int_equal(check_bytes(ok, cut), SFMC_EINVALID);
	assert_int_equal(check_bytes(" a\0aaaaaaaaaaaaaaaaaaaa", 23), SFMC_EINVALID);        /* no mode */
	assert_int_equal(check_bytes("10x644 a\0aaaaaaaaaaaaaaaaaaaa", 29), SFMC_EINVALID);  /* not octal */
	assert_int_equal(check_bytes("1777777 a\0aaaaaaaaaaaaaaaaaaaa", 30), SFMC_EINVALID); /* too large */
	assert_int_equal(check_bytes("100644a\0aaaaaaaaaaaaaaaaaaaa", 28), SFMC_EINVALID);   /* no space */
	assert_non_null(strstr(sfmc_error_last(), "bad mode"));
	assert_int_equal(check_bytes("100644 a", 8), SFMC_EINVALID);
	assert_non_null(strstr(sfmc_error_last(), "not terminated"));
	assert_int_equal(sfmc_gittree_commit_parse((const unsigned char *)"tree zz\n", 8, &tree, &parents, &np), -1);
	assert_int_equal(sfmc_gittree_commit_parse((const unsigned char *)"parent x", 8, &tree, &parents, &np), -1);

	/* A stored tree whose second entry is cut short: the diff sees the first, then fails. */
	sh("cd %s/r && printf '100644 a\\0aaaaaaaaaaaaaaaaaaaa100644 x\\0short' > ../bad &&"
	   "git hash-object -t tree --literally -w ../bad > ../badid", dir);
	out1(hex, sizeof(hex), "cat ../badid");
	assert_int_equal(git_oid_fromstr(&id, hex), 0);
	r = open_reader((size_t)1 << 20, true);
	assert_int_equal(sfmc_gittree_read_tree(r, &id, &t), 0);
	assert_int_equal(sfmc_gittree_diff(t, NULL, 0, on_changed, &g), SFMC_EINVALID);
	assert_non_null(strstr(sfmc_error_last(), "truncated id"));
	assert_string_equal(g.names, "a");
	/* As a parent it holds what parses ("a"), nothing after. */
	g.names[0] = '\0';
	assert_int_equal(sfmc_gittree_diff(&two, &t, 1, on_changed_plain, &g), 0);
	assert_string_equal(g.names, "x");
	sfmc_gittree_release(r, t);
	/* A blob asked for as a tree or a commit. */
	oid_of(&id, "base:a.b");
	assert_int_equal(sfmc_gittree_read_tree(r, &id, &t), -1);
	assert_non_null(strstr(sfmc_error_last(), "does not match"));
	assert_int_equal(sfmc_gittree_read_commit(r, &id, &tree, &parents, &np), -1);
	sfmc_gittree_reader_free(r);
}

/* ---- in-memory trees against a brute-force diff ---- */

/* Names that are prefixes of each other, and long ones (runs of equal
 * bytes over 16 and 32 bytes end inside them). */
static const char *const pool[] = { "a", "a-b", "a.b", "a0", "ab", "abc", "b", "bb",
				    "long-name-of-a-file-that-spans-many-vector-widths.c",
				    "long-name-of-a-file-that-spans-many-vector-widths.h", "z" };
#define NPOOL (sizeof(pool) / sizeof(pool[0]))

typedef struct mement {
	const char *name;
	uint32_t mode;
	unsigned char id[GIT_OID_RAWSZ];
} mement;

static int mement_cmp(const void *a, const void *b)
{
	const mement *x = a, *y = b;
	sfmc_gittree_entry ex = { .name = x->name, .namelen = strlen(x->name), .mode = x->mode };
	sfmc_gittree_entry ey = { .name = y->name, .namelen = strlen(y->name), .mode = y->mode };
	return sfmc_gittree_cmp(&ex, &ey);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* A sorted tree of some pool names (each once) with random modes and ids. */
static size_t random_tree(uint32_t *s, mement *v)
{
	static const uint32_t modes[] = { 0100644, 0100755, 040000, 0120000, 0160000 };
	size_t n = 0;
	for (size_t i = 0; i < NPOOL; i++) {
		if (lcg(s) % 3 == 0)
			continue;
		v[n].name = pool[i];
		v[n].mode = modes[lcg(s) % 5];
		for (size_t j = 0; j < GIT_OID_RAWSZ; j++)
			v[n].id[j] = (unsigned char)(lcg(s) % 3); /* small alphabet: ids share prefixes */
		n++;
	}
	qsort(v, n, sizeof(*v), mement_cmp);
	return n;
}

/* One small change: an id's byte (often the last), a mode, an entry dropped or added. */
static size_t mutate(uint32_t *s, const mement *from, size_t n, mement *v)
{
	size_t k;
	memcpy(v, from, n * sizeof(*v));
	if (!n)
		return random_tree(s, v);
	k = lcg(s) % n;
	switch (lcg(s) % 4) {
	case 0:
		v[k].id[lcg(s) % 2 ? GIT_OID_RAWSZ - 1 : lcg(s) % GIT_OID_RAWSZ] ^= 1;
		break;
	case 1: /* a file's mode only: another kind would sort elsewhere */
		if (v[k].mode == 0100644 || v[k].mode == 0100755)
			v[k].mode ^= 0100644 ^ 0100755;
		else
			v[k].id[0] ^= 2;
		break;
	case 2:
		memmove(&v[k], &v[k + 1], (n - k - 1) * sizeof(*v));
		return n - 1;
	default:
		v[n] = v[k];
		v[n].name = pool[lcg(s) % NPOOL];
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].name, v[n].name))
				return n; /* already there: no change */
		qsort(v, n + 1, sizeof(*v), mement_cmp);
		return n + 1;
	}
	return n;
}

static size_t serialize(const mement *v, size_t n, unsigned char *out, size_t cap)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf((char *)out + len, cap - len, "%o %s", v[i].mode, v[i].name) + 1;
		memcpy(out + len, v[i].id, GIT_OID_RAWSZ);
		len += GIT_OID_RAWSZ;
	}
	return len;
}

/* The names of t's entries no parent holds with the same name, kind and id. */
static void brute_changed(const mement *t, size_t nt, const mement *const *p, const size_t *npe, size_t np, char *out,
			  size_t cap)
{
	out[0] = '\0';
	for (size_t i = 0; i < nt; i++) {
		bool held = false;
		for (size_t j = 0; j < np && !held; j++)
			for (size_t k = 0; k < npe[j] && !held; k++)
				held = !strcmp(p[j][k].name, t[i].name) &&
				       sfmc_gittree_kind_of(p[j][k].mode) == sfmc_gittree_kind_of(t[i].mode) &&
				       !memcmp(p[j][k].id, t[i].id, GIT_OID_RAWSZ);
		if (!held)
			snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? "," : "", t[i].name);
	}
}

/* Trees one to four changes apart (so most bytes are equal and the equal
 * runs end anywhere inside an entry), with one and two parents. */
static void test_diff_equal_runs(void **state)
{
	mement base[NPOOL + 1], t[NPOOL + 1], p2[NPOOL + 1];
	unsigned char tb[2048], pb[2048], p2b[2048];
	char want[1024];
	uint32_t s = 12345;
	(void)state;

	for (int round = 0; round < 3000; round++) {
		size_t nb = random_tree(&s, base), nt = mutate(&s, base, nb, t), n2 = mutate(&s, t, nt, p2);
		size_t np = round % 3 == 0 ? 2 : 1, npe[2];
		/* more changes apart: equal runs between them, after the trees line up again */
		for (uint32_t k = lcg(&s) % 3; k; k--) {
			memcpy(p2, t, sizeof(t));
			nt = mutate(&s, p2, nt, t);
		}
		n2 = mutate(&s, t, nt, p2);
		npe[0] = nb;
		npe[1] = n2;
		const mement *pv[2] = { base, p2 };
		sfmc_gitobj to = { tb, serialize(t, nt, tb, sizeof(tb)) },
			    po = { pb, serialize(base, nb, pb, sizeof(pb)) };
		sfmc_gitobj p2o = { p2b, serialize(p2, n2, p2b, sizeof(p2b)) };
		const sfmc_gitobj *parents[2] = { &po, &p2o };
		got g = { .np = 0 };

		brute_changed(t, nt, pv, npe, np, want, sizeof(want));
		assert_int_equal(sfmc_gittree_diff(&to, parents, np, on_changed_plain, &g), 0);
		assert_string_equal(g.names, want);
	}
}

/* A malformed entry inside a run of bytes equal to the parent's still stops the diff. */
static void test_diff_malformed_in_equal_run(void **state)
{
	static const char bad[] = "100644 a\0aaaaaaaaaaaaaaaaaaaa100648 b\0bbbbbbbbbbbbbbbbbbbb100644 c\0cccccccccccccccccccc";
	static const char parent[] = "100644 a\0aaaaaaaaaaaaaaaaaaaa100648 b\0bbbbbbbbbbbbbbbbbbbb100644 c\0ccccccccccccccccccc!";
	sfmc_gitobj t = { (const unsigned char *)bad, sizeof(bad) - 1 }, p = { (const unsigned char *)parent, sizeof(parent) - 1 };
	const sfmc_gitobj *parents[1] = { &p };
	got g = { .np = 0 };
	(void)state;

	assert_int_equal(sfmc_gittree_diff(&t, parents, 1, on_changed_plain, &g), SFMC_EINVALID);
	assert_non_null(strstr(sfmc_error_last(), "at byte 29: bad mode"));
	assert_string_equal(g.names, "");
}

/* A one-byte cache evicts every tree nobody holds; held trees stay valid. */
static void test_cache_eviction(void **state)
{
	sfmc_gittree_reader *r = open_reader(1, true);
	const sfmc_gitobj *held, *t;
	unsigned char copy[4096];
	size_t len;
	(void)state;

	held = read_tree(r, "two^{tree}");
	len = held->len;
	assert_true(len <= sizeof(copy));
	memcpy(copy, held->data, len);
	for (int i = 0; i < 3; i++) {
		t = read_tree(r, "base^{tree}");
		sfmc_gittree_release(r, t);
		t = read_tree(r, "two^{tree}"); /* the held one, shared */
		assert_ptr_equal(t, held);
		sfmc_gittree_release(r, t);
	}
	assert_memory_equal(held->data, copy, len);
	sfmc_gittree_release(r, held);
	check_entries(r, "two^{tree}");
	sfmc_gittree_reader_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_match_ls_tree),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_diff_cases),
		cmocka_unit_test(test_diff_equal_runs),
		cmocka_unit_test(test_diff_malformed_in_equal_run),
		cmocka_unit_test(test_commits),
		cmocka_unit_test(test_commit_time_forms),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_cache_eviction),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
