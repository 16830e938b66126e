/* Unit tests: remote repositories (git/clone.h) - what a `git` argument
 * names (an existing local path always wins), URLs as messages and reports
 * show them (no userinfo), as SARIF URIs, and libgit2 messages scrubbed of
 * every form of the credentials. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "git/clone.h"
#include "util/error.h"

static bool is_url(const char *arg)
{
	bool url = true;

	assert_int_equal(sfmc_gitclone_classify(arg, &url), SFMC_OK);
	return url;
}

static void classify(void **state)
{
	char dir[] = "/tmp/sfmc-unit-clone.XXXXXX", cwd[4096];
	bool url;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(mkdir("host:app.git", 0700), 0);
	assert_false(is_url("host:app.git")); /* an existing local path wins */
	assert_true(is_url("host:other.git"));
	assert_true(is_url("git@github.com:org/app.git"));
	assert_true(is_url("https://github.com/org/app.git"));
	assert_true(is_url("http://127.0.0.1:8080/app.git"));
	assert_true(is_url("ssh://git@host:2222/app.git"));
	assert_true(is_url("git+ssh://host/app.git"));
	assert_true(is_url("git://127.0.0.1/app.git"));
	assert_true(is_url("file:///srv/app.git"));
	assert_false(is_url("./dir:x"));    /* a '/' before the ':' */
	assert_false(is_url("/no/such:x")); /* a path */
	assert_false(is_url(":x"));
	assert_false(is_url("plain"));
	assert_false(is_url(NULL));
	assert_int_equal(sfmc_gitclone_classify("ftp://host/app.git", &url), SFMC_EUSAGE);
	assert_non_null(strstr(sfmc_error_last(), "ftp://"));
	assert_int_equal(sfmc_gitclone_classify("HTTPS://host/app.git", &url), SFMC_EUSAGE); /* as git: case matters */
	assert_int_equal(rmdir("host:app.git"), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void expect_shown(const char *url, const char *want)
{
	char *got = sfmc_gitclone_shown_url(url);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void shown(void **state)
{
	(void)state;
	expect_shown("https://github.com/org/app.git", "https://github.com/org/app.git");
	expect_shown("https://user:pw@github.com/org/app.git", "https://github.com/org/app.git");
	expect_shown("https://ghp_token@github.com/org/app.git", "https://github.com/org/app.git");
	expect_shown("https://user:p@ss@host:8443/a?b@c", "https://host:8443/a?b@c"); /* a raw '@' in the password */
	expect_shown("http://u:p@host", "http://host");
	expect_shown("ssh://git@host:2222/app.git", "ssh://host:2222/app.git");
	expect_shown("git@github.com:org/app.git", "github.com:org/app.git");
	expect_shown("host:dir/x@y", "host:dir/x@y");
	expect_shown("git://127.0.0.1:9418/app.git", "git://127.0.0.1:9418/app.git");
	expect_shown("file:///srv/a@b/app.git", "file:///srv/a@b/app.git");
}

static void expect_uri(const char *url, const char *want)
{
	char *got = sfmc_gitclone_uri(url);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void uri(void **state)
{
	(void)state;
	expect_uri("https://user:pw@github.com/org/app.git", "https://github.com/org/app.git");
	expect_uri("git@github.com:org/app.git", "ssh://github.com/org/app.git");
	expect_uri("host:/srv/app.git", "ssh://host/srv/app.git");
	expect_uri("file:///srv/my repo/\"x\".git", "file:///srv/my%20repo/%22x%22.git");
	expect_uri("https://host/\xc3\xa9", "https://host/%C3%A9");
}

static void expect_scrub(const char *msg, const char *url, const char *token, const char *want)
{
	char *got = sfmc_gitclone_scrub(msg, url, token);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void scrub(void **state)
{
	(void)state;
	expect_scrub("failed: https://alice:s3cret@host/x\n", "https://alice:s3cret@host/x", NULL,
		     "failed: https://***@host/x");
	/* percent-encoded in the URL, decoded in a message; the longest form first, nothing of it left */
	expect_scrub("user alice pass p@ss:w and p%40ss", "https://alice:p%40ss@host/x", NULL,
		     "user alice pass ***:w and ***");
	expect_scrub("sent ghs_0123456789 to host", "https://host/x", "ghs_0123456789", "sent *** to host");
	expect_scrub("a token as user: ghp_abc@host", "https://ghp_abc@host/x", NULL, "a token as user: ***@host");
	expect_scrub("two\tlines\r\nhere  \n", "https://host/x", NULL, "two lines  here");
	expect_scrub("", "https://host/x", NULL, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classify),
		cmocka_unit_test(shown),
		cmocka_unit_test(uri),
		cmocka_unit_test(scrub),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
