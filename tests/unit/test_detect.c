/* Unit tests: the detector and scanner on the default rules - test vectors,
 * match boundaries, placeholders, line/column arithmetic, and chunked reads
 * of a pipe with tokens planted around every chunk boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/bounds.h"
#include "core/rules.h"
#include "detect/scan.h"

#define V1 "SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953"
#define V2 "SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcc"
#define V3 "SFMC_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA35994afa"
#define BAD "SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd"
#define TOKLEN 64

typedef struct fixture {
	sfmc_ruleset rules;
	sfmc_scanner scanner;
	sfmc_results res;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	if (harness_open(&fx->rules, &fx->scanner, &fx->res) < 0) {
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

/* Scans text (from a fresh result set) and returns the number of findings. */
static size_t scan(fixture *fx, const char *text, size_t len)
{
	sfmc_provenance prov = { "t.txt", 5, NULL, NULL, NULL, 0 };

	sfmc_results_dispose(&fx->res);
	assert_int_equal(sfmc_scanner_scan_mem(&fx->scanner, text, len, &prov, &fx->res), 0);
	assert_int_equal(fx->res.nerrors, 0);
	return fx->res.nfindings;
}

static size_t scans(fixture *fx, const char *text)
{
	return scan(fx, text, strlen(text));
}

static void expect_finding(const fixture *fx, size_t i, uint64_t line, uint64_t col, const char *tok, sfmc_level level)
{
	const sfmc_finding *f;

	assert_true(i < fx->res.nfindings);
	f = &fx->res.findings[i];
	assert_int_equal(f->line, line);
	assert_int_equal(f->column, col);
	assert_int_equal(f->end_column, col + TOKLEN - 1);
	assert_int_equal(f->secret_len, TOKLEN);
	assert_memory_equal(f->secret, tok, TOKLEN);
	assert_int_equal(f->level, level);
	assert_int_equal(f->checksum_valid, level == SFMC_LEVEL_ERROR);
	assert_string_equal(f->rule->id, "sfmc-client-secret");
}

/* A valid token whose body is derived from n (>= 8 distinct characters). */
static void make_token(const sfmc_ruleset *rules, unsigned n, char out[TOKLEN + 1])
{
	static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const sfmc_rule *r = &rules->rules[0];

	memcpy(out, "SFMC_", 5);
	for (unsigned i = 0; i < 51; i++)
		out[5 + i] = alnum[(n / 62 + n * 7 + i * 13 + (i * i) % 5) % 62];
	assert_int_equal(sfmc_checksum_compute(&r->checksum, out, 56, out + 56), 0);
	out[TOKLEN] = '\0';
}

static void vectors(void **state)
{
	fixture *fx = *state;

	assert_int_equal(scans(fx, "a=" V1 "\nb=" V2 "\nc=" V3 "\nd=" BAD "\n"), 4);
	expect_finding(fx, 0, 1, 3, V1, SFMC_LEVEL_ERROR);
	expect_finding(fx, 1, 2, 3, V2, SFMC_LEVEL_ERROR);
	expect_finding(fx, 2, 3, 3, V3, SFMC_LEVEL_ERROR);
	expect_finding(fx, 3, 4, 3, BAD, SFMC_LEVEL_WARNING);
	assert_int_equal(fx->res.stats.files, 1);
	/* the fingerprint is the SHA-256 of the whole secret */
	assert_int_equal(strlen(fx->res.findings[0].fingerprint), 64);
	assert_string_not_equal(fx->res.findings[0].fingerprint, fx->res.findings[1].fingerprint);
}

/* No letter or digit right before SFMC_ or right after the 64th character. */
static void boundaries(void **state)
{
	fixture *fx = *state;
	static const struct {
		const char *text;
		size_t len, n;
	} cases[] = {
#define C(s, n) { s, sizeof(s) - 1, n }
		C("x" V1, 0), C("0" V1, 0), C("Z" V1 "\n", 0), C(V1 "a", 0), C(V1 "0", 0), C(V1 "F\n", 0),
		C("_" V1 "_", 1), C("-" V1 "-", 1), C("\"" V1 "\"", 1), C("=" V1 ";", 1),
		C("\xc3\xa9" V1 "\xc3\xa9", 1), C("\0" V1 "\0", 1),
		/* two tokens glued together bound each other out */
		C(V1 V2, 0), C(V1 "," V2, 2), C(V1 " " V1, 2),
		/* wrong shapes: 63 characters, lowercase prefix, a dash in the body */
		C("SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn62a6e953", 0),
		C("sfmc_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953", 0),
		C("SFMC_0123456789ABCDEFGHIJKLMNOP-RSTUVWXYZabcdefghijklmno62a6e953", 0),
		C("SFMC_", 0), C("SFMC_SFMC_SFMC_", 0), C("", 0),
		/* a partial token before a whole one does not hide it */
		C("SFMC_abc " V2, 1), C("SFMC_" V2, 1),
#undef C
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (scan(fx, cases[i].text, cases[i].len) != cases[i].n)
			fail_msg("case %zu: %zu findings, expected %zu", i, fx->res.nfindings, cases[i].n);
	/* "SFMC_" + V2: the match is V2, after the first 5 bytes */
	expect_finding(fx, 0, 1, 6, V2, SFMC_LEVEL_ERROR);
}

/* Bodies with fewer than 8 distinct characters are placeholders: dropped
 * when the checksum fails, kept as errors when it verifies. */
static void placeholders(void **state)
{
	fixture *fx = *state;
	char tok[TOKLEN + 1];

	assert_int_equal(scans(fx, "x " V3 "\n"), 1);
	expect_finding(fx, 0, 1, 3, V3, SFMC_LEVEL_ERROR);
	/* V3 with a wrong checksum: a placeholder, dropped */
	assert_int_equal(scans(fx, "SFMC_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA35994afb"), 0);
	assert_int_equal(scans(fx, "SFMC_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXxxxxxxxx"), 0);
	/* 7 distinct body characters: dropped; 8: a warning */
	assert_int_equal(scans(fx, "SFMC_ABCDEFGAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA00000000"), 0);
	assert_int_equal(scans(fx, "SFMC_ABCDEFGHAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA00000000"), 1);
	assert_int_equal(fx->res.findings[0].level, SFMC_LEVEL_WARNING);
	/* the checksum characters do not count towards distinctness */
	assert_int_equal(scans(fx, "SFMC_ABCDEFGAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA0123abcd"), 0);
	/* a generated token is never a placeholder */
	make_token(&fx->rules, 1, tok);
	assert_int_equal(scans(fx, tok), 1);
	expect_finding(fx, 0, 1, 1, tok, SFMC_LEVEL_ERROR);
}

static void lines_and_columns(void **state)
{
	fixture *fx = *state;

	/* offset 0, and a match that ends exactly at the end of the buffer */
	assert_int_equal(scans(fx, V1), 1);
	expect_finding(fx, 0, 1, 1, V1, SFMC_LEVEL_ERROR);
	assert_int_equal(fx->res.findings[0].offset, 0);
	assert_int_equal(scans(fx, "line one\nkey: " V2), 1);
	expect_finding(fx, 0, 2, 6, V2, SFMC_LEVEL_ERROR);
	/* CRLF: \r is an ordinary byte of the line, \n ends it */
	assert_int_equal(scans(fx, "a\r\nb\r\n\r\n  " V1 "\r\n" V2 "\r\n"), 2);
	expect_finding(fx, 0, 4, 3, V1, SFMC_LEVEL_ERROR);
	expect_finding(fx, 1, 5, 1, V2, SFMC_LEVEL_ERROR);
	/* bare \r does not start a line */
	assert_int_equal(scans(fx, "a\rb\r" V1), 1);
	expect_finding(fx, 0, 1, 5, V1, SFMC_LEVEL_ERROR);
	/* columns are bytes, not characters: "é" is two */
	assert_int_equal(scans(fx, "\xc3\xa9=" V1), 1);
	expect_finding(fx, 0, 1, 4, V1, SFMC_LEVEL_ERROR);
	/* two secrets on one line are two findings, in column order */
	assert_int_equal(scans(fx, "\n\nA=" V1 " B=" BAD " C=" V2 "\n"), 3);
	expect_finding(fx, 0, 3, 3, V1, SFMC_LEVEL_ERROR);
	expect_finding(fx, 1, 3, 70, BAD, SFMC_LEVEL_WARNING);
	expect_finding(fx, 2, 3, 137, V2, SFMC_LEVEL_ERROR);
	/* the same secret twice on a line: still two findings */
	assert_int_equal(scans(fx, V1 ";" V1), 2);
	expect_finding(fx, 1, 1, 66, V1, SFMC_LEVEL_ERROR);
	assert_string_equal(fx->res.findings[0].fingerprint, fx->res.findings[1].fingerprint);
}

/* check: a whole string either is one token or is not a token. */
static void classify(void **state)
{
	fixture *fx = *state;
	sfmc_match m;

	assert_int_equal(sfmc_detector_classify(fx->scanner.det, (const unsigned char *)V2, TOKLEN, &m), 1);
	assert_true(m.checksum_valid);
	assert_int_equal(sfmc_detector_classify(fx->scanner.det, (const unsigned char *)BAD, TOKLEN, &m), 1);
	assert_false(m.checksum_valid);
	assert_int_equal(sfmc_detector_classify(fx->scanner.det, (const unsigned char *)" " V2, TOKLEN + 1, &m), 0);
	assert_int_equal(sfmc_detector_classify(fx->scanner.det, (const unsigned char *)V2 " ", TOKLEN + 1, &m), 0);
	assert_int_equal(sfmc_detector_classify(fx->scanner.det, (const unsigned char *)V2, TOKLEN - 1, &m), 0);
	assert_int_equal(sfmc_detector_classify(fx->scanner.det, (const unsigned char *)"", 0, &m), 0);
}

/* --- chunked reads of a pipe --- */

typedef struct writer {
	int fd;
	const char *buf;
	size_t len;
} writer;

static void *write_all(void *p)
{
	writer *w = p;
	size_t done = 0;
	while (done < w->len) {
		ssize_t n = write(w->fd, w->buf + done, w->len - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(w->fd);
	return NULL;
}

/* Scans buf through a pipe with sfmc_scanner_scan_fd into fx->res. */
static void scan_pipe(fixture *fx, const char *buf, size_t len)
{
	sfmc_provenance prov = { "pipe", 4, NULL, NULL, NULL, 0 };
	int fds[2];
	pthread_t th;
	writer w;

	assert_int_equal(pipe(fds), 0);
	w.fd = fds[1];
	w.buf = buf;
	w.len = len;
	assert_int_equal(pthread_create(&th, NULL, write_all, &w), 0);
	sfmc_results_dispose(&fx->res);
	assert_int_equal(sfmc_scanner_scan_fd(&fx->scanner, fds[0], &prov, &fx->res), 0);
	pthread_join(th, NULL);
	close(fds[0]);
	assert_int_equal(fx->res.stats.bytes, len);
	assert_int_equal(fx->res.nerrors, 0);
}

/* Line and column of offset `at`, counted the slow obvious way. */
static void line_col(const char *buf, size_t at, uint64_t *line, uint64_t *col)
{
	size_t start = 0;
	*line = 1;
	for (size_t i = 0; i < at; i++)
		if (buf[i] == '\n')
			(*line)++, start = i + 1;
	*col = at - start + 1;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* Tokens at every 65-byte step across +-600 bytes of each multiple of the
 * chunk size (a different phase at each one), in a stream that has short
 * lines before the second boundary and one endless line after it. */
static void chunk_boundaries(void **state)
{
	fixture *fx = *state;
	const size_t nb = 3, len = nb * SFMC_CHUNK_SIZE + 5000;
	char *buf = malloc(len), tok[TOKLEN + 1];
	size_t at[3 * 20 + 2], n = 0;

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = i < 3 * SFMC_CHUNK_SIZE / 2 && i % 80 == 79 ? '\n' : '.';
	at[n++] = 0;
	for (size_t b = 1; b <= nb; b++)
		for (size_t k = 0; k < 20; k++)
			at[n++] = b * SFMC_CHUNK_SIZE - 600 + b * 21 + k * (TOKLEN + 1);
	at[n++] = len - TOKLEN;
	qsort(at, n, sizeof(at[0]), cmp_size);
	for (size_t i = 0; i < n; i++) {
		make_token(&fx->rules, (unsigned)i, tok);
		memcpy(buf + at[i], tok, TOKLEN);
	}
	scan_pipe(fx, buf, len);
	if (fx->res.nfindings != n)
		fail_msg("%zu findings, %zu tokens planted", fx->res.nfindings, n);
	for (size_t i = 0; i < n; i++) {
		const sfmc_finding *f = &fx->res.findings[i];
		uint64_t line, col;

		line_col(buf, at[i], &line, &col);
		assert_int_equal(f->offset, at[i]);
		expect_finding(fx, i, line, col, buf + at[i], SFMC_LEVEL_ERROR);
	}
	/* the same bytes in memory give the same findings */
	scan(fx, buf, len);
	assert_int_equal(fx->res.nfindings, n);
	free(buf);
}

/* A second rule whose keyword sits in the middle of its match (so matches
 * start before the keyword hit), next to the default rule: tokens of both
 * kinds straddle every chunk boundary and each is found once, in place. */
static void chunk_boundaries_keyword_inside(void **state)
{
	static const char rule[] =
		"rules:\n"
		"  - id: mid\n"
		"    keywords: [':KW:']\n"
		"    regex: '(?<![A-Z])[A-Z]{30}:KW:[0-9]{20}(?![0-9])'\n"
		"    window: 40\n";
	static const char mid[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCD:KW:01234567890123456789";
	fixture *fx = *state;
	sfmc_ruleset set;
	sfmc_scanner sc;
	const size_t len = 2 * SFMC_CHUNK_SIZE + 1000, mlen = sizeof(mid) - 1;
	char *buf = malloc(len), tok[TOKLEN + 1];
	size_t n = 0, nmid = 0;

	assert_non_null(buf);
	sfmc_rules_init(&set);
	assert_int_equal(sfmc_rules_add_default(&set), 0);
	assert_int_equal(sfmc_rules_add_buffer(&set, rule, sizeof(rule) - 1, "mid.yaml"), 0);
	assert_int_equal(sfmc_scanner_init(&sc, &set), 0);
	memset(buf, ' ', len);
	make_token(&set, 7, tok);
	for (size_t b = 1; b <= 2; b++) {
		/* alternate the two kinds every 71 bytes across +-500 bytes of the edge */
		for (size_t at = b * SFMC_CHUNK_SIZE - 500 + b * 13, k = 0; at < b * SFMC_CHUNK_SIZE + 500; at += 71, k++) {
			if (k % 2) {
				memcpy(buf + at, mid, mlen);
				nmid++;
			} else {
				memcpy(buf + at, tok, TOKLEN);
			}
			n++;
		}
	}
	sfmc_scanner_dispose(&fx->scanner);
	fx->scanner = sc; /* scan_pipe uses the fixture's scanner; teardown frees it */
	scan_pipe(fx, buf, len);
	assert_int_equal(fx->res.nfindings, n);
	for (size_t i = 0; i < n; i++) {
		const sfmc_finding *f = &fx->res.findings[i];
		bool is_mid = !strcmp(f->rule->id, "mid");
		assert_int_equal(f->secret_len, is_mid ? mlen : TOKLEN);
		assert_memory_equal(buf + f->offset, is_mid ? mid : tok, f->secret_len);
		assert_int_equal(f->column, f->offset + 1);
		nmid -= is_mid;
	}
	assert_int_equal(nmid, 0);
	free(buf);
	sfmc_scanner_dispose(&fx->scanner);
	assert_int_equal(sfmc_scanner_init(&fx->scanner, &fx->rules), 0);
	sfmc_rules_dispose(&set);
}

/* The smallest chunks the scanner allows, and a token (then a pair of
 * tokens one byte apart) at every offset across three chunk edges, read
 * from a file: each is found once, where scan_mem finds it. */
static void every_split_point(void **state)
{
	fixture *fx = *state;
	sfmc_provenance prov = { "f", 1, NULL, NULL, NULL, 0 };
	char tok[TOKLEN + 1], *buf;
	size_t len, span;
	FILE *tmp = tmpfile();

	assert_non_null(tmp);
	make_token(&fx->rules, 3, tok);
	fx->scanner.chunk_size = 1; /* rounded up to the overlap */
	span = 3 * 2 * fx->scanner.overlap;
	len = span + 2 * TOKLEN + 10;
	assert_non_null(buf = malloc(len));
	for (size_t at = 0; at < span; at++) {
		size_t want = at % 3 ? 1 : 2;
		uint64_t line, col;

		for (size_t i = 0; i < len; i++)
			buf[i] = i % 50 == 49 ? '\n' : '.';
		memcpy(buf + at, tok, TOKLEN);
		if (want == 2)
			memcpy(buf + at + TOKLEN + 1, tok, TOKLEN);
		assert_int_equal(ftruncate(fileno(tmp), 0), 0);
		assert_int_equal(pwrite(fileno(tmp), buf, len, 0), (ssize_t)len);
		assert_int_equal(lseek(fileno(tmp), 0, SEEK_SET), 0);
		sfmc_results_dispose(&fx->res);
		assert_int_equal(sfmc_scanner_scan_fd(&fx->scanner, fileno(tmp), &prov, &fx->res), 0);
		if (fx->res.nfindings != want)
			fail_msg("token at %zu: %zu findings, expected %zu", at, fx->res.nfindings, want);
		line_col(buf, at, &line, &col);
		expect_finding(fx, 0, line, col, tok, SFMC_LEVEL_ERROR);
		if (want == 2) {
			line_col(buf, at + TOKLEN + 1, &line, &col);
			expect_finding(fx, 1, line, col, tok, SFMC_LEVEL_ERROR);
		}
	}
	free(buf);
	fclose(tmp);
}

static void empty_stream(void **state)
{
	fixture *fx = *state;
	scan_pipe(fx, "", 0);
	assert_int_equal(fx->res.nfindings, 0);
	assert_int_equal(fx->res.stats.files, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(placeholders, setup, teardown),
		cmocka_unit_test_setup_teardown(lines_and_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(classify, setup, teardown),
		cmocka_unit_test_setup_teardown(chunk_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(chunk_boundaries_keyword_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(every_split_point, setup, teardown),
		cmocka_unit_test_setup_teardown(empty_stream, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
