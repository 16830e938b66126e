/* Unit tests: the staged blobs found by reading the index file directly
 * (cache-tree shortcut) equal those of libgit2's whole-index diff, on real
 * repositories made with the git CLI in every staged-change shape; shapes
 * the fast way does not handle are refused and left to libgit2. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "git/repo.h"
#include "shell.h"
#include "source/staged.h"
#include "util/buf.h"

static char dir[64];

#define GIT "git -c user.name=t -c user.email=t@e -c init.defaultBranch=main -c advice.detachedHead=false"

/* A committed tree with nested directories, names that sort around '/',
 * a symlink and an executable; every cache-tree node valid after the commit. */
static const char *base_script =
	GIT " init -q . && mkdir -p a/b/c b c && echo 1 > a.txt && echo 2 > a-b && echo 3 > a0 && echo 4 > a/x &&"
	" echo 5 > a/b/y && echo 6 > a/b/c/z && for i in 1 2 3 4 5; do echo b$i > b/$i; done && echo f > c/f &&"
	" ln -s a.txt link && echo '#!/bin/sh' > exe && chmod +x exe && " GIT " add -A && " GIT " commit -qm base";

typedef struct shape {
	const char *name;
	const char *script;   /* run in a copy of the base repository */
	const char *expected; /* staged paths, sorted, one per blob and path */
	bool fast;            /* the fast way handles it */
	bool alt_index;       /* collect with GIT_INDEX_FILE=.git/alt */
	const char *at;       /* collect in this subdirectory (a linked worktree) */
} shape;

static const shape shapes[] = {
	{ "clean", "true", "", true, false, NULL },
	{ "add", "echo n > new.txt && mkdir -p n/m && echo n > n/m/f && echo n > a/b/n && git add -A", "a/b/n n/m/f new.txt",
	  true, false, NULL },
	{ "modify_deep", "echo m >> a/b/c/z && git add a/b/c/z", "a/b/c/z", true, false, NULL },
	{ "written_tree", "echo m >> a/b/y && git add a/b/y && git write-tree >/dev/null", "a/b/y", true, false, NULL },
	{ "delete", "git rm -q b/1 a/b/c/z", "", true, false, NULL },
	{ "rename", "mkdir d && git mv b/2 d/2 && git mv a/x a/b/x2", "a/b/x2 d/2", true, false, NULL },
	{ "chmod", "git update-index --chmod=+x c/f", "c/f", true, false, NULL },
	{ "file_to_dir", "git rm -q a/x && mkdir a/x && echo y > a/x/y && git add a/x/y", "a/x/y", true, false, NULL },
	{ "dir_to_file", "git rm -rq a/b && echo f > a/b && git add a/b", "a/b", true, false, NULL },
	{ "symlinks", "rm exe && ln -s c/f exe && ln -s b newlink && git add -A", "exe newlink", true, false, NULL },
	{ "names_around_slash", "echo m >> a.txt && echo m >> a-b && echo m >> a0 && echo m >> a/x && git add -A",
	  "a-b a.txt a/x a0", true, false, NULL },
	{ "intent_to_add", "echo x > ita && git add -N ita && echo y > a/b/ita2 && git add -N a/b/ita2", "a/b/ita2 ita", true,
	  false, NULL },
	{ "conflict",
	  "git checkout -qb side && echo side >> b/3 && echo side >> b/4 && git rm -q c/f && " GIT " commit -qam side &&"
	  " git checkout -q main && echo main >> b/3 && echo main >> c/f && " GIT " commit -qam main &&"
	  " ! " GIT " merge -q side >/dev/null 2>&1",
	  "b/3 b/3 b/4 c/f", true, false, NULL },
	{ "submodule",
	  "git update-index --add --cacheinfo 160000,$(git rev-parse HEAD),sub && echo s > s.txt && git add s.txt", "s.txt",
	  true, false, NULL },
	{ "index_v4", "echo m >> a/b/y && echo n > a/b/c/new && git add -A && git update-index --index-version 4",
	  "a/b/c/new a/b/y", true, false, NULL },
	{ "no_cache_tree", "rm .git/index && echo m >> b/5 && git add -A && ! LC_ALL=C grep -aq TREE .git/index", "b/5", true,
	  false, NULL },
	{ "unborn", "rm -rf .git && " GIT " init -q . && git add a.txt a/b/y", "a.txt a/b/y", true, false, NULL },
	{ "sparse_checkout", "git sparse-checkout set a && echo m >> a/x && git add a/x", "a/x", true, false, NULL },
	{ "alt_index", "cp .git/index .git/alt && echo q > q && GIT_INDEX_FILE=.git/alt git add q", "q", true, true, NULL },
	{ "alt_index_missing", "true", "", false, true, NULL },
	{ "worktree", "git worktree add -q wt && cd wt && echo m >> a/x && echo n > a/b/n && git add -A", "a/b/n a/x", true,
	  false, "wt" },
	{ "remove_all", "git rm -rq --cached .", "", true, false, NULL },
	{ "assume_unchanged", "echo m >> a/x && git add a/x && git update-index --assume-unchanged a/x b/1", "a/x", true, false, NULL },
	{ "untracked_cache",
	  "echo u > untracked && echo m >> c/f && git add c/f && git update-index --untracked-cache && git status -uall >/dev/null &&"
	  " LC_ALL=C grep -aq UNTR .git/index",
	  "c/f", true, false, NULL },
	{ "end_of_entries",
	  "echo m >> a/b/y && git -c index.threads=2 -c index.recordEndOfIndexEntries=true -c index.recordOffsetTable=true"
	  " add a/b/y && LC_ALL=C grep -aq EOIE .git/index",
	  "a/b/y", true, false, NULL },
	{ "resolve_undo",
	  "git checkout -qb side && echo side >> b/3 && " GIT " commit -qam side && git checkout -q main && echo main >> b/3 &&"
	  " " GIT " commit -qam main && ! " GIT " merge -q side >/dev/null 2>&1; echo resolved > b/3 && git add b/3 &&"
	  " LC_ALL=C grep -aq REUC .git/index",
	  "b/3", true, false, NULL },
	{ "split_index", "echo m >> a/x && git add a/x && git update-index --split-index", NULL, false, false, NULL },
	{ "sparse_index", "git sparse-checkout set --sparse-index a && echo m >> a/x && git add a/x", NULL, false, false, NULL },
	{ "ignorecase", "git config core.ignorecase true && echo m >> a/x && git add a/x", "a/x", false, false, NULL },
};

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "path oid" lines of every (blob, path) in set, sorted; owned by the caller. */
static char *describe(const sfmc_blobset *set)
{
	char **lines = calloc(set->nocc + 1, sizeof(*lines));
	sfmc_buf out = SFMC_BUF_INIT;

	assert_non_null(lines);
	for (size_t i = 0; i < set->nocc; i++) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &set->oids[set->occs[i].blob]);
		assert_true(asprintf(&lines[i], "%s %s", sfmc_strtab_get(&set->paths, set->occs[i].path, NULL), hex) > 0);
	}
	qsort(lines, set->nocc, sizeof(*lines), cmp_lines);
	sfmc_buf_puts(&out, "");
	for (size_t i = 0; i < set->nocc; i++) {
		sfmc_buf_printf(&out, "%s%s", i ? "\n" : "", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return sfmc_buf_detach(&out);
}

/* The paths alone, space-separated, from describe()'s lines. */
static char *paths_of(const char *described)
{
	size_t cap = strlen(described) + 1, len = 0;
	char *copy = strdup(described), *save = NULL, *paths = calloc(1, cap);
	assert_true(copy && paths);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		len += (size_t)snprintf(paths + len, cap - len, "%s%.*s", len ? " " : "", (int)strcspn(line, " "),
					line);
	free(copy);
	return paths;
}

static int collect(const char *repo_path, sfmc_index_way way, char **out)
{
	git_repository *repo = NULL;
	sfmc_blobset set;
	int rc;

	sfmc_blobset_init(&set);
	assert_int_equal(sfmc_gitrepo_open(&repo, repo_path), 0);
	rc = sfmc_source_index_collect(repo, way, &set);
	*out = rc == 0 ? describe(&set) : NULL;
	sfmc_blobset_dispose(&set);
	sfmc_gitrepo_close(repo);
	return rc;
}

static void check_shape(const shape *s)
{
	char repo[160], alt[200];
	char *slow = NULL, *fast = NULL, *aut = NULL;
	int slow_rc, fast_rc, auto_rc;

	snprintf(repo, sizeof(repo), "%s/%s", dir, s->name);
	sh("cp -a %s/base %s && cd %s && { %s; } >/dev/null 2>&1", dir, repo, repo, s->script);
	if (s->at)
		snprintf(repo + strlen(repo), sizeof(repo) - strlen(repo), "/%s", s->at);
	snprintf(alt, sizeof(alt), "%s/.git/alt", repo);
	if (s->alt_index)
		setenv("GIT_INDEX_FILE", alt, 1);
	slow_rc = collect(repo, SFMC_INDEX_LIBGIT2, &slow);
	fast_rc = collect(repo, SFMC_INDEX_FAST, &fast);
	auto_rc = collect(repo, SFMC_INDEX_AUTO, &aut);
	unsetenv("GIT_INDEX_FILE");
	print_message("%s: libgit2 %d, fast %d, auto %d\n", s->name, slow_rc, fast_rc, auto_rc);
	assert_int_equal(fast_rc, s->fast ? 0 : -1);
	assert_int_equal(auto_rc, slow_rc); /* a refused index falls back, never reads as clean */
	if (slow_rc == 0)
		assert_string_equal(aut, slow);
	if (s->fast)
		assert_string_equal(fast, slow);
	if (s->expected) {
		char *paths;
		assert_int_equal(slow_rc, 0);
		paths = paths_of(slow);
		assert_string_equal(paths, s->expected);
		free(paths);
	}
	free(slow);
	free(fast);
	free(aut);
}

static void test_shapes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		check_shape(&shapes[i]);
}

/* Many directories, one change deep inside: every other directory is
 * skipped by its cache-tree, and the result still equals libgit2's. */
static void test_wide(void **state)
{
	char repo[128], *slow = NULL, *fast = NULL;
	(void)state;
	snprintf(repo, sizeof(repo), "%s/wide", dir);
	sh("mkdir %s && cd %s && " GIT " init -q . && for d in $(seq 10 40); do mkdir -p d$d/e; echo $d > d$d/e/f;"
	   " echo $d > d$d/g; done && " GIT " add -A && " GIT " commit -qm wide && echo x >> d25/e/f && git add d25/e/f",
	   repo, repo);
	assert_int_equal(collect(repo, SFMC_INDEX_LIBGIT2, &slow), 0);
	assert_int_equal(collect(repo, SFMC_INDEX_FAST, &fast), 0);
	assert_string_equal(fast, slow);
	assert_non_null(strstr(fast, "d25/e/f "));
	assert_null(strchr(fast, '\n'));
	free(slow);
	free(fast);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s", "/tmp/sfmc-gitindex.XXXXXX");
	assert_non_null(mkdtemp(dir));
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_DIR");
	sh("mkdir %s/base && cd %s/base && { %s; } >/dev/null", dir, dir, base_script);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_wide),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
