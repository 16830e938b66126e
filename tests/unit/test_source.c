/* Unit tests: the source table (source/source.h) - every row complete,
 * found by name, placing and rejecting positional arguments as the
 * commands always have, and sources that are not git open nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "source/source.h"
#include "util/error.h"

static const char *const names[] = { "dir",        "stdin",    "git",         "staged",
				     "pre-commit", "pre-push", "pre-receive", "commit-msg" };

static void every_row_is_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const sfmc_source_type *t = sfmc_source_find(names[i]);
		assert_non_null(t);
		assert_string_equal(t->name, names[i]);
		assert_non_null(t->unit);
		assert_non_null(t->units);
		assert_non_null(t->check_args);
		assert_non_null(t->describe);
		assert_non_null(t->scan);
		/* Only a repository has a current state (HEAD) for --group. */
		assert_true((t->scan_current != NULL) == t->git);
	}
	assert_false(sfmc_source_find("dir")->git);
	assert_false(sfmc_source_find("stdin")->git);
	assert_string_equal(sfmc_source_find("dir")->units, "files");
	assert_string_equal(sfmc_source_find("stdin")->units, "blobs");
	assert_null(sfmc_source_find("check"));
	assert_null(sfmc_source_find("DIR"));
	assert_null(sfmc_source_find(""));
}

static int check(const char *name, sfmc_source_ctx *ctx, const char *const *args, size_t nargs)
{
	memset(ctx, 0, sizeof(*ctx));
	return sfmc_source_find(name)->check_args(ctx, args, nargs);
}

static void arguments_are_placed(void **state)
{
	static const char *const two[] = { "a", "b" }, *const three[] = { "origin", "url", "x" };
	sfmc_source_ctx ctx;

	(void)state;
	assert_int_equal(check("dir", &ctx, two, 2), SFMC_OK);
	assert_int_equal(ctx.nroots, 2);
	assert_int_equal(check("git", &ctx, two, 1), SFMC_OK);
	assert_string_equal(sfmc_source_repo_path(&ctx), "a");
	assert_int_equal(check("git", &ctx, two, 2), SFMC_EUSAGE);
	assert_int_equal(check("staged", &ctx, NULL, 0), SFMC_OK);
	assert_null(sfmc_source_repo_path(&ctx));
	/* pre-push's arguments are the remote and its URL, not a repository */
	assert_int_equal(check("pre-push", &ctx, three, 2), SFMC_OK);
	assert_string_equal(ctx.remote, "origin");
	assert_int_equal(ctx.nroots, 0);
	assert_int_equal(check("pre-push", &ctx, three, 3), SFMC_EUSAGE);
	assert_non_null(strstr(sfmc_error_last(), "REMOTE and URL"));
	assert_int_equal(check("stdin", &ctx, two, 1), SFMC_EUSAGE);
	assert_int_equal(check("pre-commit", &ctx, two, 1), SFMC_EUSAGE);
	assert_int_equal(check("pre-receive", &ctx, two, 1), SFMC_EUSAGE);
	/* commit-msg's one argument is the message file git passes, not a repository */
	assert_int_equal(check("commit-msg", &ctx, two, 1), SFMC_OK);
	assert_string_equal(ctx.message_file, "a");
	assert_null(sfmc_source_repo_path(&ctx));
	assert_int_equal(check("commit-msg", &ctx, NULL, 0), SFMC_EUSAGE);
	assert_int_equal(check("commit-msg", &ctx, two, 2), SFMC_EUSAGE);
}

static void git_options_are_checked(void **state)
{
	const sfmc_source_type *git = sfmc_source_find("git"), *staged = sfmc_source_find("staged");
	sfmc_source_ctx ctx = { .range = "HEAD~1..HEAD", .all_objects = true };

	(void)state;
	assert_int_equal(git->check_args(&ctx, NULL, 0), SFMC_EUSAGE);
	assert_non_null(strstr(sfmc_error_last(), "cannot be combined"));
	ctx.all_objects = false;
	assert_int_equal(git->check_args(&ctx, NULL, 0), SFMC_OK);
	assert_int_equal(staged->check_args(&ctx, NULL, 0), SFMC_EUSAGE);
	assert_non_null(strstr(sfmc_error_last(), "not `staged`"));
}

static void non_git_sources_open_nothing(void **state)
{
	static const char *const none[] = { "/nonexistent/sfmc-scan-test" };
	sfmc_source_ctx ctx = { .roots = none, .nroots = 1 };
	sfmc_source_desc desc;

	(void)state;
	assert_int_equal(sfmc_source_open(&ctx, sfmc_source_find("dir")), SFMC_OK);
	assert_null(ctx.repo);
	memset(&desc, 0, sizeof(desc));
	sfmc_source_find("dir")->describe(&ctx, &desc);
	assert_string_equal(desc.config_root, none[0]);
	assert_null(desc.workdir);
	assert_string_equal(desc.head_commit, "");
	sfmc_source_close(&ctx);
	/* A git source that cannot open its repository says so (the app records it). */
	assert_int_equal(sfmc_source_open(&ctx, sfmc_source_find("git")), SFMC_ERROR);
	assert_null(ctx.repo);
	assert_non_null(strstr(sfmc_error_last(), "not a git repository"));
	sfmc_source_close(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_row_is_complete),
		cmocka_unit_test(arguments_are_placed),
		cmocka_unit_test(git_options_are_checked),
		cmocka_unit_test(non_git_sources_open_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
