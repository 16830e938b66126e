/* Unit tests: credential context (client id, tenant subdomain, MID found
 * near a secret by the context rules of rules/sfmc.yaml) on real-looking
 * .env, appsettings.json, application.properties, Postman, Terraform and
 * GitHub Actions files; the nearest candidate and the others' count; the line
 * window; hostile subdomains; and the loopback check of --verify-connect-to.
 * Shapes: docs/verification.md (Salesforce's examples, sfmc-devtools fixture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "detect/context.h"
#include "report/report.h"
#include "verify/verify.h"

#define TOK "SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcc"
#define CID "71fzp43cyb1aksgflc159xxx"
#define SUB "mc563885gzs27c5t9-63k636ttgm"
#define MID "510001234"

typedef struct fixture {
	sfmc_ruleset rules;
	sfmc_scanner scanner;
	sfmc_results res;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	if (!fx || harness_open(&fx->rules, &fx->scanner, &fx->res) < 0) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	harness_close(&fx->rules, &fx->scanner, &fx->res);
	free(fx);
	return 0;
}

/* Scans text; expects one finding and returns it. */
static const sfmc_finding *scan1(fixture *fx, const char *text)
{
	sfmc_provenance prov = { "f", 1, NULL, NULL, NULL, 0 };

	sfmc_results_dispose(&fx->res);
	assert_int_equal(sfmc_scanner_scan_mem(&fx->scanner, text, strlen(text), &prov, &fx->res), 0);
	assert_int_equal(fx->res.nfindings, 1);
	return &fx->res.findings[0];
}

static void expect_ctx(const sfmc_finding *f, sfmc_context_kind k, const char *value, uint64_t line)
{
	if (!value) {
		assert_null(f->context[k].value);
		return;
	}
	assert_non_null(f->context[k].value);
	assert_string_equal(f->context[k].value, value);
	assert_int_equal(f->context[k].line, line);
}

static void expect_all(const sfmc_finding *f, uint64_t cid_line, uint64_t sub_line, uint64_t mid_line)
{
	expect_ctx(f, SFMC_CONTEXT_CLIENT_ID, CID, cid_line);
	expect_ctx(f, SFMC_CONTEXT_SUBDOMAIN, SUB, sub_line);
	expect_ctx(f, SFMC_CONTEXT_ACCOUNT_ID, mid_line ? MID : NULL, mid_line);
}

static void test_dotenv(void **state)
{
	expect_all(scan1(*state, "# Marketing Cloud\n"
				 "SFMC_CLIENT_ID=" CID "\n"
				 "SFMC_CLIENT_SECRET=" TOK "\n"
				 "SFMC_AUTH_BASE_URI=https://" SUB ".auth.marketingcloudapis.com/\n"
				 "SFMC_ACCOUNT_ID=" MID "\n"),
		   2, 4, 5);
}

static void test_appsettings_json(void **state)
{
	expect_all(scan1(*state, "{\n"
				 "  \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } },\n"
				 "  \"MarketingCloud\": {\n"
				 "    \"ClientId\": \"" CID "\",\n"
				 "    \"ClientSecret\": \"" TOK "\",\n"
				 "    \"AuthBaseUri\": \"https://" SUB ".auth.marketingcloudapis.com/\",\n"
				 "    \"RestBaseUri\": \"https://" SUB ".rest.marketingcloudapis.com/\",\n"
				 "    \"AccountId\": " MID "\n"
				 "  }\n}\n"),
		   4, 6, 8);
}

static void test_application_properties(void **state)
{
	/* Spring: kebab-case keys; the SOAP instance URL in upper case is stored lowercase. */
	expect_all(scan1(*state,
			 "server.port=8080\n"
			 "sfmc.client-id=" CID "\n"
			 "sfmc.client-secret=" TOK "\n"
			 "sfmc.soap-url=https://MC563885GZS27C5T9-63K636TTGM.soap.marketingcloudapis.com/Service.asmx\n"
			 "sfmc.mid=" MID "\n"),
		   2, 4, 5);
}

static void test_postman_collection(void **state)
{
	/* Variables as key/value pairs; the raw body with escaped quotes. */
	expect_all(scan1(*state,
			 "{\n \"variable\": [\n"
			 "  {\"key\": \"authUrl\", \"value\": \"https://" SUB ".auth.marketingcloudapis.com/\"},\n"
			 "  {\"key\": \"clientId\", \"value\": \"" CID "\"},\n"
			 "  {\"key\": \"mid\", \"value\": \"" MID "\"}\n ],\n"
			 " \"request\": {\"body\": {\"raw\": \"{\\\"grant_type\\\": \\\"client_credentials\\\", "
			 "\\\"client_secret\\\": \\\"" TOK "\\\"}\"}}\n}\n"),
		   4, 3, 5);
	expect_ctx(scan1(*state, "{\"raw\": \"{\\\"client_id\\\": \\\"" CID "\\\", \\\"client_secret\\\": \\\"" TOK
				 "\\\", \\\"account_id\\\": " MID "}\"}"),
		   SFMC_CONTEXT_CLIENT_ID, CID, 1);
}

static void test_terraform(void **state)
{
	expect_all(scan1(*state, "provider \"sfmc\" {\n"
				 "  subdomain     = \"" SUB "\"\n"
				 "  client_id     = \"" CID "\"\n"
				 "  client_secret = \"" TOK "\"\n"
				 "  account_id    = \"" MID "\"\n}\n"),
		   3, 2, 5);
}

static void test_github_actions(void **state)
{
	/* ${{ secrets.X }} is no value; the literal one is. */
	expect_all(scan1(*state, "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n"
				 "      SFMC_CLIENT_ID: ${{ secrets.SFMC_CLIENT_ID }}\n"
				 "      SFMC_AUTH_URL: https://" SUB ".auth.marketingcloudapis.com\n"
				 "    steps:\n      - run: ./deploy.sh\n        env:\n"
				 "          SFMC_CLIENT_ID: " CID "\n"
				 "          SFMC_CLIENT_SECRET: " TOK "\n"),
		   10, 6, 0);
}

static void test_nearest_and_others(void **state)
{
	const sfmc_finding *f = scan1(*state, "client_id=aaaaaaaaaaaaaaaaaaaaaaaa\n"
					      "x\n"
					      "client_id=" CID "\n"
					      "secret=" TOK "\n"
					      "x\nx\n"
					      "client_id=bbbbbbbbbbbbbbbbbbbbbbbb\n"
					      "clientId: " CID "\n");
	expect_ctx(f, SFMC_CONTEXT_CLIENT_ID, CID, 3);
	assert_int_equal(f->context[SFMC_CONTEXT_CLIENT_ID].others, 2);
}

static void test_window(void **state)
{
	char text[4096];
	size_t at = 0;

	/* 31 lines before: outside the default 30-line window; 30 after: inside. */
	at += (size_t)snprintf(text + at, sizeof(text) - at, "client_id=" CID "\n");
	for (int i = 0; i < 30; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "pad\n");
	at += (size_t)snprintf(text + at, sizeof(text) - at, "secret=" TOK "\n");
	for (int i = 0; i < 29; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "pad\n");
	snprintf(text + at, sizeof(text) - at, "mid=" MID "\n");
	expect_ctx(scan1(*state, text), SFMC_CONTEXT_CLIENT_ID, NULL, 0);
	expect_ctx(scan1(*state, text), SFMC_CONTEXT_ACCOUNT_ID, MID, 62);
}

static void test_hostile_subdomains(void **state)
{
	static const char *const hostile[] = {
		"https://mc123.attacker.com/",
		"https://" SUB ".auth.marketingcloudapis.com@attacker.com/",
		"https://user@" SUB ".auth.marketingcloudapis.com/",
		"https://evil.com/" SUB ".auth.marketingcloudapis.com",
		"https://" SUB ".auth.marketingcloudapis.com:8443/",
		"https://" SUB ".auth.marketingcloudapis.com.attacker.com/",
		"https://x" SUB ".auth.marketingcloudapis.com/",
		"https://" SUB "x.auth.marketingcloudapis.com/",
		"subdomain=" SUB ".attacker.com",
	};
	char text[512];

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		snprintf(text, sizeof(text), "url=%s\nclient_id=" CID "\nsecret=" TOK "\n", hostile[i]);
		expect_ctx(scan1(*state, text), SFMC_CONTEXT_SUBDOMAIN, NULL, 0);
	}
	expect_ctx(scan1(*state, "subdomain: " SUB "\nsecret=" TOK "\n"), SFMC_CONTEXT_SUBDOMAIN, SUB, 1);
}

static void test_chunked_fd(void **state)
{
	fixture *fx = *state;
	sfmc_provenance prov = { "f", 1, NULL, NULL, NULL, 0 };
	char path[] = "/tmp/sfmc-ctx-XXXXXX";
	int fd = mkstemp(path);
	FILE *out;

	/* Context before the secret in an earlier chunk than the secret. */
	assert_true(fd >= 0);
	out = fdopen(fd, "w+");
	fprintf(out, "client_id=" CID "\n");
	for (int i = 0; i < 20; i++)
		fprintf(out, "%0200d\n", i);
	fprintf(out, "secret=" TOK "\n");
	fflush(out);
	rewind(out);
	fx->scanner.chunk_size = 1024;
	sfmc_results_dispose(&fx->res);
	assert_int_equal(sfmc_scanner_scan_fd(&fx->scanner, fileno(out), &prov, &fx->res), 0);
	fclose(out);
	unlink(path);
	assert_int_equal(fx->res.nfindings, 1);
	expect_ctx(&fx->res.findings[0], SFMC_CONTEXT_CLIENT_ID, CID, 1);
}

/* The redaction choke point leaves context values whole (they match no secret rule). */
static void test_redact_keeps_context(void **state)
{
	fixture *fx = *state;
	static const char *const values[] = { CID, SUB, MID };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		size_t n;
		char *shown = sfmc_redact(&fx->rules, values[i], strlen(values[i]), &n);
		assert_non_null(shown);
		assert_string_equal(shown, values[i]);
		free(shown);
	}
}

static void test_checks(void **state)
{
	(void)state;
	assert_true(sfmc_context_subdomain_ok(SUB));
	assert_false(sfmc_context_subdomain_ok("mc123.attacker.com"));
	assert_false(sfmc_context_subdomain_ok("MC563885GZS27C5T9-63K636TTGM"));
	assert_false(sfmc_context_subdomain_ok(SUB "x"));
	assert_false(sfmc_context_subdomain_ok("mc563885gzs27c5t9-63k636ttg/"));
	assert_true(sfmc_verify_connect_to_ok("127.0.0.1:8443"));
	assert_true(sfmc_verify_connect_to_ok("[::1]:443"));
	assert_true(sfmc_verify_connect_to_ok("localhost:1"));
	assert_false(sfmc_verify_connect_to_ok("10.0.0.1:443"));
	assert_false(sfmc_verify_connect_to_ok("127.0.0.1"));
	assert_false(sfmc_verify_connect_to_ok("127.0.0.1:0"));
	assert_false(sfmc_verify_connect_to_ok("evil.com:443"));
	assert_false(sfmc_verify_connect_to_ok("[::2]:443"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dotenv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_appsettings_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_application_properties, setup, teardown),
		cmocka_unit_test_setup_teardown(test_postman_collection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_terraform, setup, teardown),
		cmocka_unit_test_setup_teardown(test_github_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nearest_and_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_subdomains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunked_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redact_keeps_context, setup, teardown),
		cmocka_unit_test(test_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
