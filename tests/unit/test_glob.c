/* Unit tests: gitignore-style globs (config `paths` and allow `path`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/error.h"
#include "util/glob.h"

static bool match1(const char *pattern, const char *path, bool is_dir)
{
	sfmc_glob g;
	bool m;
	assert_int_equal(sfmc_glob_compile(&g, pattern), 0);
	m = sfmc_glob_match(&g, path, is_dir);
	sfmc_glob_dispose(&g);
	return m;
}

static void gitignore_semantics(void **state)
{
	static const struct {
		const char *pattern, *path;
		bool is_dir, match;
	} cases[] = {
		/* no inner '/': a name at any depth */
		{ "*.min.js", "app.min.js", false, true },
		{ "*.min.js", "web/static/app.min.js", false, true },
		{ "*.min.js", "web/app.js", false, false },
		{ "secrets", "a/b/secrets/key.txt", false, true },
		/* an inner or leading '/': anchored at the root */
		{ "docs/*.md", "docs/a.md", false, true },
		{ "docs/*.md", "docs/sub/a.md", false, false }, /* '*' stays in one segment */
		{ "docs/*.md", "x/docs/a.md", false, false },
		{ "/build", "build/out.txt", false, true },
		{ "/build", "src/build/out.txt", false, false },
		/* '**' spans segments */
		{ "fixtures/**", "fixtures/a/b/c.txt", false, true },
		{ "fixtures/**", "fixturesx/a", false, false },
		{ "**/test/*.py", "test/t.py", false, true },
		{ "**/test/*.py", "a/b/test/t.py", false, true },
		{ "a/**/z", "a/z", false, true },
		{ "a/**/z", "a/b/c/z", false, true },
		{ "a/**/z", "a/b/c/y", false, false },
		/* trailing '/': directories only (and so everything in them) */
		{ "node_modules/", "node_modules", true, true },
		{ "node_modules/", "node_modules", false, false },
		{ "node_modules/", "x/node_modules/y.js", false, true },
		/* brackets, '?' and escapes, via fnmatch */
		{ "file[0-9].txt", "file7.txt", false, true },
		{ "file[!0-9].txt", "file7.txt", false, false },
		{ "?.env", "a.env", false, true },
		{ "\\*.txt", "*.txt", false, true },
		{ "\\*.txt", "a.txt", false, false },
		{ "*.env", ".env", false, true }, /* dotfiles are not special */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool m = match1(cases[i].pattern, cases[i].path, cases[i].is_dir);
		if (m != cases[i].match)
			fail_msg("'%s' vs '%s': got %d", cases[i].pattern, cases[i].path, m);
	}
}

static void negation_last_wins(void **state)
{
	sfmc_glob g[3];
	(void)state;
	assert_int_equal(sfmc_glob_compile(&g[0], "*.txt"), 0);
	assert_int_equal(sfmc_glob_compile(&g[1], "!keep.txt"), 0);
	assert_int_equal(sfmc_glob_compile(&g[2], "vendor/"), 0);
	assert_true(sfmc_glob_list_excludes(g, 3, "a/drop.txt", false));
	assert_false(sfmc_glob_list_excludes(g, 3, "a/keep.txt", false));
	/* nothing inside an excluded directory comes back */
	assert_true(sfmc_glob_list_excludes(g, 3, "vendor/keep.txt", false));
	assert_false(sfmc_glob_list_excludes(g, 3, "src/main.c", false));
	for (int i = 0; i < 3; i++)
		sfmc_glob_dispose(&g[i]);
}

static void invalid_globs(void **state)
{
	static const struct {
		const char *pattern, *message;
	} cases[] = {
		{ "[abc", "invalid glob '[abc': unclosed '['" },
		{ "a/[[:alpha:]", "invalid glob 'a/[[:alpha:]': unclosed '['" },
		{ "a/[[:alp", "invalid glob 'a/[[:alp': unclosed '['" },
		{ "x\\", "invalid glob 'x\\': ends with a backslash" },
		{ "a//b", "invalid glob 'a//b': empty path segment" },
		{ "../secrets", "invalid glob '../secrets': '.' and '..' segments are not allowed" },
		{ "/", "invalid glob '/': matches nothing" },
		{ "!", "invalid glob '!': matches nothing" },
		{ "", "invalid glob '': matches nothing" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sfmc_glob g;
		assert_int_equal(sfmc_glob_compile(&g, cases[i].pattern), -1);
		assert_string_equal(sfmc_error_last(), cases[i].message);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gitignore_semantics),
		cmocka_unit_test(negation_last_wins),
		cmocka_unit_test(invalid_globs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
