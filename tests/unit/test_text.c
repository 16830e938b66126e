/* Unit tests: byte strings in reports - UTF-8 validation, lossy conversion,
 * terminal escaping, base64, and odd paths through the JSON and text
 * reporters (path stays valid JSON, path_bytes gives the exact bytes back). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/finding.h"
#include "harness.h"
#include "report/report.h"
#include "report/json.h"
#include "core/rules.h"
#include "util/text.h"

#define V1 "SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953"

static void expect_escape(const char *in, size_t len, const char *want)
{
	char *got = sfmc_text_escape(in, len);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void escape(void **state)
{
	(void)state;
	expect_escape("plain/path.txt", 14, "plain/path.txt");
	expect_escape("a\x1b[2Jb", 6, "a\\x1b[2Jb");
	expect_escape("l1\nl2\r\tx", 8, "l1\\nl2\\r\\tx");
	expect_escape("back\\slash", 10, "back\\\\slash");
	expect_escape("del\x7f", 4, "del\\x7f");
	expect_escape("nul\0x", 5, "nul\\x00x");
	/* C1 control U+009B (CSI) is escaped; ordinary UTF-8 is kept */
	expect_escape("c1\xc2\x9b" "31m", 7, "c1\\u009b31m");
	expect_escape("caf\xc3\xa9 \xe2\x82\xac", 9, "caf\xc3\xa9 \xe2\x82\xac");
	/* invalid UTF-8 bytes become \xNN */
	expect_escape("bad\xff\xfe", 5, "bad\\xff\\xfe");
	expect_escape("\xc3", 1, "\\xc3");
	/* bidi overrides, isolates, marks and zero-width characters cannot reorder or hide a path */
	expect_escape("a\xe2\x80\xaetxt.exe", 11, "a\\u202etxt.exe");
	expect_escape("\xe2\x81\xa6x\xe2\x81\xa9", 7, "\\u2066x\\u2069");
	expect_escape("z\xe2\x80\x8bw\xe2\x80\x8f\xef\xbb\xbf\xd8\x9c", 13, "z\\u200bw\\u200f\\ufeff\\u061c");
	expect_escape("\xe2\x80\xa8", 3, "\\u2028");
	/* neighbours of those ranges are ordinary text */
	expect_escape("\xe2\x80\x90\xe2\x81\xaa", 6, "\xe2\x80\x90\xe2\x81\xaa");
}

static void utf8(void **state)
{
	(void)state;
	assert_true(sfmc_text_is_utf8("", 0));
	assert_true(sfmc_text_is_utf8("caf\xc3\xa9 \xf0\x9f\x94\x91", 10));
	assert_false(sfmc_text_is_utf8("\xc0\xaf", 2));         /* overlong '/' */
	assert_false(sfmc_text_is_utf8("\xe0\x80\xaf", 3));     /* overlong */
	assert_false(sfmc_text_is_utf8("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(sfmc_text_is_utf8("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(sfmc_text_is_utf8("\xe2\x82", 2));         /* truncated */
	assert_false(sfmc_text_is_utf8("\x80", 1));
}

static void lossy(void **state)
{
	char *s;
	(void)state;
	s = sfmc_text_lossy_utf8("a\xff" "b\xe2\x82" "c\xc3\xa9", 8);
	assert_non_null(s);
	/* each invalid byte is one U+FFFD */
	assert_string_equal(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd" "c\xc3\xa9");
	assert_true(sfmc_text_is_utf8(s, strlen(s)));
	free(s);
}

static void base64(void **state)
{
	static const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *s = sfmc_text_base64(in[i], strlen(in[i]));
		assert_non_null(s);
		assert_string_equal(s, out[i]);
		free(s);
	}
}

/* Decodes base64 with OpenSSL (an independent implementation). */
static size_t unbase64(const char *b64, unsigned char *out)
{
	size_t n = strlen(b64);
	int got = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	assert_true(got >= 0);
	while (n && b64[n - 1] == '=')
		n--, got--;
	return (size_t)got;
}

static void json_bytes_round_trip(void **state)
{
	unsigned char all[255], back[512];
	json_t *o = json_object();
	char *dumped;
	json_t *parsed;
	size_t n;

	(void)state;
	for (int i = 0; i < 255; i++)
		all[i] = (unsigned char)(i + 1); /* every byte a file name can hold but NUL */
	assert_int_equal(sfmc_json_set_bytes(o, "path", "ok/\xc3\xa9.txt", 9), 0);
	assert_null(json_object_get(o, "path_bytes")); /* valid UTF-8: no extra field */
	assert_int_equal(sfmc_json_set_bytes(o, "path", (const char *)all, sizeof(all)), 0);
	/* through text and back, as a consumer would read it */
	assert_non_null(dumped = json_dumps(o, JSON_COMPACT));
	assert_non_null(parsed = json_loads(dumped, 0, NULL));
	assert_true(sfmc_text_is_utf8(json_string_value(json_object_get(parsed, "path")),
				      json_string_length(json_object_get(parsed, "path"))));
	n = unbase64(json_string_value(json_object_get(parsed, "path_bytes")), back);
	assert_int_equal(n, sizeof(all));
	assert_memory_equal(back, all, sizeof(all));
	free(dumped);
	json_decref(parsed);
	json_decref(o);
}

/* --- whole reports with odd paths --- */

typedef struct fixture {
	sfmc_ruleset rules;
	sfmc_results res;
} fixture;

static const char odd_path[] = "dir/\xff\xfe name\x1b[2J\nx.txt";

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	sfmc_finding f;

	if (!fx)
		return -1;
	if (harness_open(&fx->rules, NULL, &fx->res) < 0) {
		free(fx);
		return -1;
	}
	memset(&f, 0, sizeof(f));
	f.rule = &fx->rules.rules[0];
	f.level = SFMC_LEVEL_ERROR;
	f.checksum_valid = true;
	f.path = (char *)odd_path;
	f.path_len = sizeof(odd_path) - 1;
	f.line = 3;
	f.column = 7;
	f.end_column = 70;
	f.secret = (char *)V1;
	f.secret_len = 64;
	sfmc_finding_fingerprint(&f);
	if (sfmc_results_add_finding(&fx->res, &f) < 0 ||
	    sfmc_results_add_skipped(&fx->res, "fifo\xff", "FIFO (not opened)") < 0 ||
	    sfmc_results_add_error(&fx->res, "gone\x1b", "cannot open: No such file or directory") < 0)
		return -1;
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

/* Writes the report in `format` to a string. */
static char *report(fixture *fx, const char *format, bool show)
{
	sfmc_scan_meta meta = { 0 };
	sfmc_report_opts opts = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	meta.mode = "dir";
	meta.rules = &fx->rules;
	opts.show_secrets = show;
	opts.quiet = true;
	opts.fail_on = SFMC_LEVEL_ERROR;
	assert_int_equal(sfmc_report_write(format, out, &meta, &opts, &fx->res), 0);
	fclose(out);
	return text;
}

static void json_report_odd_path(void **state)
{
	fixture *fx = *state;
	char *text = report(fx, "json", false);
	unsigned char back[256];
	json_error_t err;
	json_t *root = json_loads(text, 0, &err), *f, *sk, *er;

	if (!root)
		fail_msg("invalid JSON at %d: %s", err.position, err.text);
	f = json_array_get(json_object_get(root, "findings"), 0);
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "path")),
			    "dir/\xef\xbf\xbd\xef\xbf\xbd name\x1b[2J\nx.txt");
	assert_int_equal(unbase64(json_string_value(json_object_get(f, "path_bytes")), back), sizeof(odd_path) - 1);
	assert_memory_equal(back, odd_path, sizeof(odd_path) - 1);
	/* redacted by default: SFMC_ + 4 body characters + U+2026 */
	assert_string_equal(json_string_value(json_object_get(f, "secret")), "SFMC_0123\xe2\x80\xa6");
	assert_null(strstr(text, V1));
	assert_string_equal(json_string_value(json_object_get(f, "fingerprint")), fx->res.findings[0].fingerprint);
	sk = json_array_get(json_object_get(root, "skipped"), 0);
	assert_string_equal(json_string_value(json_object_get(sk, "path")), "fifo\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(sk, "path_bytes")), "Zmlmb/8=");
	er = json_array_get(json_object_get(root, "errors"), 0);
	assert_string_equal(json_string_value(json_object_get(er, "path")), "gone\x1b"); /* valid UTF-8, JSON-escaped */
	assert_null(json_object_get(er, "path_bytes"));
	json_decref(root);
	free(text);
	/* --show-secrets prints it whole */
	text = report(fx, "json", true);
	assert_non_null(strstr(text, "\"secret\": \"" V1 "\""));
	free(text);
}

static void text_report_escapes(void **state)
{
	fixture *fx = *state;
	static const char prefix[] = "dir/\\xff\\xfe name\\x1b[2J\\nx.txt:3:7: error: ";
	char *text = report(fx, "text", false);

	/* one line, no raw control byte, the escaped path first */
	assert_null(strchr(text, '\x1b'));
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	if (strncmp(text, prefix, strlen(prefix)))
		fail_msg("text report line: %s", text);
	assert_non_null(strstr(text, "SFMC_0123\xe2\x80\xa6"));
	assert_null(strstr(text, V1));
	free(text);
	text = report(fx, "text", true);
	assert_non_null(strstr(text, V1));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape),
		cmocka_unit_test(utf8),
		cmocka_unit_test(lossy),
		cmocka_unit_test(base64),
		cmocka_unit_test(json_bytes_round_trip),
		cmocka_unit_test_setup_teardown(json_report_odd_path, setup, teardown),
		cmocka_unit_test_setup_teardown(text_report_escapes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
