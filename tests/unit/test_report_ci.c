/* Unit tests: SARIF and GitLab reporters on hand-made findings - URIs for
 * paths a URI reference cannot hold as they are, exclusive endColumn,
 * ruleIndex, line-hash occurrences, suppressions, the GitLab commit
 * fallback chain and its UUIDs. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/finding.h"
#include "harness.h"
#include "report/report.h"
#include "core/rules.h"

#define V1 "SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953"

typedef struct fixture {
	sfmc_ruleset rules;
	sfmc_results res;
	sfmc_commit_info commit;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	if (harness_open(&fx->rules, NULL, &fx->res) < 0) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	harness_close(&fx->rules, NULL, &fx->res);
	free(fx);
	return 0;
}

static void add(fixture *fx, const char *path, uint64_t line, sfmc_suppress_kind supp, const sfmc_commit_info *c)
{
	sfmc_finding f;
	memset(&f, 0, sizeof(f));
	f.rule = &fx->rules.rules[0];
	f.level = SFMC_LEVEL_ERROR;
	f.checksum_valid = true;
	f.path = (char *)path;
	f.path_len = strlen(path);
	f.line = line;
	f.column = 5;
	f.end_column = 68;
	f.secret = (char *)V1;
	f.secret_len = 64;
	f.suppressed = supp;
	f.suppress_reason = supp ? "test double" : NULL;
	f.commit = (sfmc_commit_info *)c;
	sfmc_finding_fingerprint(&f);
	assert_int_equal(sfmc_results_add_finding(&fx->res, &f), 0);
}

static json_t *report(fixture *fx, const char *format, const char *head)
{
	sfmc_scan_meta meta = { 0 };
	sfmc_report_opts opts = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	json_error_t err;
	json_t *root;

	assert_non_null(out);
	meta.mode = "dir";
	meta.rules = &fx->rules;
	meta.head_commit = head;
	meta.start_time = 1767225600; /* 2026-01-01T00:00:00Z */
	meta.end_time = 1767225605;
	opts.fail_on = SFMC_LEVEL_ERROR;
	assert_int_equal(sfmc_report_write(format, out, &meta, &opts, &fx->res), 0);
	fclose(out);
	if (!(root = json_loads(text, 0, &err)))
		fail_msg("invalid JSON at %d: %s", err.position, err.text);
	assert_null(strstr(text, V1)); /* redacted */
	free(text);
	return root;
}

static json_t *result(json_t *root, size_t i)
{
	return json_array_get(json_object_get(json_array_get(json_object_get(root, "runs"), 0), "results"), i);
}

static json_t *physical(json_t *root, size_t i)
{
	return json_object_get(json_array_get(json_object_get(result(root, i), "locations"), 0), "physicalLocation");
}

static const char *line_hash(json_t *root, size_t i)
{
	return json_string_value(
		json_object_get(json_object_get(result(root, i), "partialFingerprints"), "primaryLocationLineHash"));
}

static void sarif_uris(void **state)
{
	static const struct {
		const char *path, *uri;
		bool base;
	} cases[] = {
		{ "src/app.env", "src/app.env", true },
		{ "a:b/c.txt", "./a:b/c.txt", true },    /* would read as scheme "a" */
		{ "x/a:b", "x/a:b", true },
		{ "100% sure#1?.txt", "100%25%20sure%231%3F.txt", true },
		{ "/abs/p q", "file:///abs/p%20q", false },
		{ "win\\path", "win%5Cpath", true },
	};
	fixture *fx = *state;
	json_t *root;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		add(fx, cases[i].path, i + 1, SFMC_SUPPRESS_NONE, NULL);
	root = report(fx, "sarif", NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *loc = json_object_get(physical(root, i), "artifactLocation");
		assert_string_equal(json_string_value(json_object_get(loc, "uri")), cases[i].uri);
		assert_int_equal(json_object_get(loc, "uriBaseId") != NULL, cases[i].base);
	}
	json_decref(root);
}

static void sarif_region_and_hash(void **state)
{
	fixture *fx = *state;
	json_t *root, *region, *supp;
	const char *h0, *h1, *h2;

	add(fx, "a.txt", 3, SFMC_SUPPRESS_NONE, NULL);
	add(fx, "a.txt", 9, SFMC_SUPPRESS_NONE, NULL); /* same secret, same file: occurrence 2 */
	add(fx, "b.txt", 3, SFMC_SUPPRESS_INLINE, NULL);
	root = report(fx, "sarif", NULL);
	region = json_object_get(physical(root, 0), "region");
	assert_int_equal(json_integer_value(json_object_get(region, "startLine")), 3);
	assert_int_equal(json_integer_value(json_object_get(region, "endLine")), 3);
	assert_int_equal(json_integer_value(json_object_get(region, "startColumn")), 5);
	assert_int_equal(json_integer_value(json_object_get(region, "endColumn")), 69); /* exclusive */
	assert_string_equal(json_string_value(json_object_get(result(root, 0), "ruleId")), "sfmc-client-secret");
	h0 = line_hash(root, 0);
	h1 = line_hash(root, 1);
	h2 = line_hash(root, 2);
	assert_non_null(h0);
	assert_int_equal(strlen(h0), 18);
	assert_string_equal(h0 + 16, ":1");
	assert_memory_equal(h0, h1, 16); /* line moved or repeated: same hash, next occurrence */
	assert_string_equal(h1 + 16, ":2");
	assert_memory_not_equal(h0, h2, 16);
	supp = json_array_get(json_object_get(result(root, 2), "suppressions"), 0);
	assert_int_equal(json_integer_value(json_object_get(result(root, 2), "ruleIndex")), 0);
	assert_string_equal(json_string_value(json_object_get(supp, "kind")), "inSource");
	assert_string_equal(json_string_value(json_object_get(supp, "justification")), "test double");
	json_decref(root);
}

static const char *vuln_sha(json_t *root, size_t i)
{
	json_t *v = json_array_get(json_object_get(root, "vulnerabilities"), i);
	return json_string_value(json_object_get(json_object_get(json_object_get(v, "location"), "commit"), "sha"));
}

static void gitlab_commit_and_ids(void **state)
{
	fixture *fx = *state;
	json_t *root, *again;

	memset(&fx->commit, 0, sizeof(fx->commit));
	snprintf(fx->commit.commit, sizeof(fx->commit.commit), "%s", "1111111111111111111111111111111111111111");
	fx->commit.author_name = "Ann";
	fx->commit.summary = "add key";
	add(fx, "a.txt", 1, SFMC_SUPPRESS_NONE, &fx->commit);
	add(fx, "b.txt", 1, SFMC_SUPPRESS_NONE, NULL);
	add(fx, "c.txt", 1, SFMC_SUPPRESS_CONFIG, NULL); /* left out */
	root = report(fx, "gitlab", NULL);
	assert_int_equal(json_array_size(json_object_get(root, "vulnerabilities")), 2);
	assert_string_equal(vuln_sha(root, 0), "1111111111111111111111111111111111111111");
	assert_string_equal(vuln_sha(root, 1), "0000000000000000000000000000000000000000");
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "scan"), "start_time")),
			    "2026-01-01T00:00:00");
	again = report(fx, "gitlab", "2222222222222222222222222222222222222222");
	assert_string_equal(vuln_sha(again, 0), "1111111111111111111111111111111111111111"); /* the finding's own */
	assert_string_equal(vuln_sha(again, 1), "2222222222222222222222222222222222222222"); /* HEAD */
	/* ids are stable for the same finding and commit, distinct otherwise */
	json_decref(again);
	again = report(fx, "gitlab", NULL);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(
			json_string_value(json_object_get(json_array_get(json_object_get(root, "vulnerabilities"), i), "id")),
			json_string_value(json_object_get(json_array_get(json_object_get(again, "vulnerabilities"), i), "id")));
	assert_string_not_equal(
		json_string_value(json_object_get(json_array_get(json_object_get(root, "vulnerabilities"), 0), "id")),
		json_string_value(json_object_get(json_array_get(json_object_get(root, "vulnerabilities"), 1), "id")));
	json_decref(again);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sarif_uris, setup, teardown),
		cmocka_unit_test_setup_teardown(sarif_region_and_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(gitlab_commit_and_ids, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
