/* Unit tests: archives in the scanner funnel - recognition by first bytes,
 * member paths and parts, one finding for a secret seen raw and in a member,
 * nesting and --archive-depth, members read in chunks across boundaries.
 * Archives are written in memory with libarchive's writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "detect/archive.h"

#define V1 "SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953"
#define CAP (1 << 20)

typedef struct fixture {
	sfmc_ruleset rules;
	sfmc_scanner scanner;
	sfmc_results res;
	unsigned char *a, *b;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	if (!fx || harness_open(&fx->rules, &fx->scanner, &fx->res) < 0) {
		free(fx);
		return -1;
	}
	fx->a = malloc(CAP);
	fx->b = malloc(CAP);
	*state = fx;
	return fx->a && fx->b ? 0 : -1;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	harness_close(&fx->rules, &fx->scanner, &fx->res);
	free(fx->a);
	free(fx->b);
	free(fx);
	return 0;
}

/* One member `name` holding data, in format/filter, written to buf; returns its size. */
static size_t make(unsigned char *buf, int format, int filter, const char *name, const void *data, size_t len)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t used = 0;

	assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
	if (format == ARCHIVE_FORMAT_ZIP)
		assert_int_equal(archive_write_set_format_option(a, "zip", "compression", "store"), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, CAP, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_entry_free(e);
	archive_write_free(a);
	return used;
}

static size_t scan(fixture *fx, const char *path, const void *data, size_t len)
{
	sfmc_provenance prov = { path, strlen(path), NULL, NULL, NULL, 0 };

	sfmc_results_dispose(&fx->res);
	assert_int_equal(sfmc_scanner_scan_mem(&fx->scanner, data, len, &prov, &fx->res), 0);
	assert_int_equal(fx->res.nerrors, 0);
	assert_int_equal(fx->res.nskipped, 0);
	return fx->res.nfindings;
}

static void test_sniff(void **state)
{
	static const char *const yes[] = { "PK\3\4",
					   "\x1f\x8b\x08",
					   "BZh9",
					   "\xfd"
					   "7zXZ",
					   "\x28\xb5\x2f\xfd",
					   "\x04\x22\x4d\x18",
					   "7z\xbc\xaf\x27\x1c",
					   "070701",
					   "!<arch>\n",
					   "Rar!\x1a\x07" };
	char tar[300] = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(sfmc_archive_sniff(yes[i], strlen(yes[i]) + (i == 3 ? 1 : 0)));
	memcpy(tar + 257, "ustar", 5);
	assert_true(sfmc_archive_sniff(tar, sizeof(tar)));
	assert_false(sfmc_archive_sniff(tar, 260)); /* too short to tell */
	assert_false(sfmc_archive_sniff("BZhx", 4));
	assert_false(sfmc_archive_sniff("PK", 2));
	assert_false(sfmc_archive_sniff("hello world", 11));
	assert_false(sfmc_archive_sniff("", 0));
}

/* A stored member: the raw bytes show the token too; reported once, at the member. */
static void test_stored_zip_once(void **state)
{
	fixture *fx = *state;
	const char text[] = "x\nkey " V1 "\n";
	size_t n = make(fx->a, ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "conf/a.env", text, sizeof(text) - 1);

	assert_int_equal(scan(fx, "t.zip", fx->a, n), 1);
	assert_string_equal(fx->res.findings[0].path, "t.zip!conf/a.env");
	assert_int_equal(fx->res.findings[0].line, 2);
	assert_int_equal(fx->res.findings[0].column, 5);
	assert_int_equal(fx->res.findings[0].member_len, 10);
	assert_memory_equal(fx->res.findings[0].member, "conf/a.env", 10);
	/* --archive-depth 0: the raw bytes alone. */
	fx->scanner.archive_depth = 0;
	assert_int_equal(scan(fx, "t.zip", fx->a, n), 1);
	assert_string_equal(fx->res.findings[0].path, "t.zip");
}

/* A gzip stream in a tar: two levels, parts NUL-separated. */
static void test_nested(void **state)
{
	fixture *fx = *state;
	const char text[] = "k=" V1;
	size_t n = make(fx->a, ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, "data", text, sizeof(text) - 1);

	n = make(fx->b, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, "l/a.env.gz", fx->a, n);
	assert_int_equal(scan(fx, "img.tar", fx->b, n), 1);
	assert_string_equal(fx->res.findings[0].path, "img.tar!l/a.env.gz!a.env");
	assert_int_equal(fx->res.findings[0].member_len, 16);
	assert_memory_equal(fx->res.findings[0].member, "l/a.env.gz\0a.env", 16);
	assert_int_equal(fx->res.findings[0].column, 3);
	fx->scanner.archive_depth = 1; /* the .gz is not opened: listed as skipped */
	sfmc_results_dispose(&fx->res);
	{
		sfmc_provenance prov = { "img.tar", 7, NULL, NULL, NULL, 0 };
		assert_int_equal(sfmc_scanner_scan_mem(&fx->scanner, fx->b, n, &prov, &fx->res), 0);
	}
	assert_int_equal(fx->res.nfindings, 0);
	assert_int_equal(fx->res.nskipped, 1);
	assert_string_equal(fx->res.skipped[0].path, "img.tar!l/a.env.gz");
}

/* Tokens placed across the member's chunk boundaries, with the smallest chunks. */
static void test_member_chunks(void **state)
{
	fixture *fx = *state;
	size_t len = 300000, n, at = 0;
	char *text = malloc(len);

	assert_non_null(text);
	memset(text, 'a', len);
	for (size_t i = 1; i <= 20; i++) {
		at = i * 14000 + i * 7;
		text[at - 1] = '\n';
		memcpy(text + at, V1, sizeof(V1) - 1);
		text[at + sizeof(V1) - 1] = '\n';
	}
	n = make(fx->a, ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_XZ, "data", text, len);
	fx->scanner.chunk_size = 1;
	assert_int_equal(scan(fx, "big.xz", fx->a, n), 20);
	for (size_t i = 0; i < 20; i++) {
		assert_string_equal(fx->res.findings[i].path, "big.xz!big");
		assert_int_equal(fx->res.findings[i].line, 2 * i + 2);
		assert_int_equal(fx->res.findings[i].column, 1);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test_setup_teardown(test_stored_zip_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_chunks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
