/* Unit tests: the redaction choke point (sfmc_redact, sfmc_report_str) on
 * names holding tokens - alone, inside longer words, several, near-misses,
 * invalid UTF-8 - and baseline matching of the paths it redacted. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/finding.h"
#include "harness.h"
#include "report/report.h"
#include "triage/baseline.h"

#define V1 "SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953"
#define SHOWN "SFMC_0123\xe2\x80\xa6"

static sfmc_ruleset rules;

static int setup(void **state)
{
	(void)state;
	return harness_open(&rules, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	harness_close(&rules, NULL, NULL);
	return 0;
}

static void expect(const char *in, size_t len, const char *want)
{
	size_t n = 0;
	char *got = sfmc_redact(&rules, in, len, &n);

	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
	free(got);
}

static void redacts_names(void **state)
{
	(void)state;
	expect("src/" V1 "/a.env", strlen("src/" V1 "/a.env"), "src/" SHOWN "/a.env");
	expect("Dev " V1 " <" V1 "@example.com>", strlen("Dev " V1 " <" V1 "@example.com>"),
	       "Dev " SHOWN " <" SHOWN "@example.com>");
	/* Inside a longer word, where the rule's boundaries would not match it. */
	expect("x" V1 "y", strlen("x" V1 "y"), "x" SHOWN "y");
	expect("SFMC_SFMC_" V1 "Z", strlen("SFMC_SFMC_" V1 "Z"), "SFMC_SFMC_" SHOWN "Z");
	/* Not tokens: unchanged. */
	expect("docs/SFMC_README.md", strlen("docs/SFMC_README.md"), "docs/SFMC_README.md");
	expect("SFMC_", 5, "SFMC_");
	expect(NULL, 0, "");
	/* Bytes around it stay as they were (invalid UTF-8 included); len, not NUL, ends s. */
	expect("\xff" V1 "\xfe/tail", 1 + 64 + 1, "\xff" SHOWN "\xfe");
}

static void show_secrets_keeps_them(void **state)
{
	sfmc_scan_meta meta = { .rules = &rules };
	sfmc_report_opts opts = { .show_secrets = true };
	sfmc_reporter r = { .meta = &meta, .opts = &opts };
	char *got = sfmc_report_str(&r, "a/" V1, 2 + 64, NULL);

	(void)state;
	assert_string_equal(got, "a/" V1);
	free(got);
	opts.show_secrets = false;
	got = sfmc_report_str(&r, "a/" V1, 2 + 64, NULL);
	assert_string_equal(got, "a/" SHOWN);
	free(got);
}

static void baseline_matches_redacted_paths(void **state)
{
	sfmc_baseline b;
	sfmc_finding f = { .rule = &rules.rules[0], .secret = (char *)V1, .secret_len = 64 };
	char json[512];

	(void)state;
	assert_int_equal(sfmc_finding_fingerprint(&f), 0);
	snprintf(json, sizeof(json), "{\"findings\": [{\"fingerprint\": \"%s\", \"path\": \"conf-%s/a.env\"}]}",
		 f.fingerprint, SHOWN);
	sfmc_baseline_init(&b);
	assert_int_equal(sfmc_baseline_load_buffer(&b, json, strlen(json), "base.json"), 0);
	f.path = "conf-" V1 "/a.env";
	f.path_len = strlen(f.path);
	assert_true(sfmc_baseline_has(&b, &f));
	f.path = "conf-" V1 "/b.env"; /* another file */
	f.path_len = strlen(f.path);
	assert_false(sfmc_baseline_has(&b, &f));
	f.path = "conf-SFMC_0123/a.env"; /* "…" stands for at least one byte */
	f.path_len = strlen(f.path);
	assert_false(sfmc_baseline_has(&b, &f));
	f.path = "conf-" V1 "/a.env";
	f.path_len = strlen(f.path);
	f.fingerprint[0] = f.fingerprint[0] == '0' ? '1' : '0'; /* another secret */
	assert_false(sfmc_baseline_has(&b, &f));
	sfmc_baseline_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(redacts_names),
		cmocka_unit_test(show_secrets_keeps_them),
		cmocka_unit_test(baseline_matches_redacted_paths),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
