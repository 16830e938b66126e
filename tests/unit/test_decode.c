/* Unit tests: the encoded-content stage (decode.c) and the multi-literal
 * prefilter it searches with, through the scanner on real encoded text. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "detect/decode.h"
#include "util/bounds.h"
#include "detect/prefilter.h"
#include "core/rules.h"
#include "detect/scan.h"
#include "util/buf.h"
#include "util/text.h"

/* Valid test vectors of the token format, and one with a wrong checksum. */
#define T1_BODY "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953"
#define T1 "SFMC_" T1_BODY
#define T2 "SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcc"
#define BAD "SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd"

static sfmc_ruleset rules;
static sfmc_scanner scanner;

static int setup(void **state)
{
	(void)state;
	sfmc_rules_init(&rules);
	if (sfmc_rules_add_default(&rules) < 0 || sfmc_scanner_init(&scanner, &rules) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sfmc_scanner_dispose(&scanner);
	sfmc_rules_dispose(&rules);
	return 0;
}

static void scan(sfmc_scanner *s, const void *data, size_t len, sfmc_results *out)
{
	sfmc_provenance prov = { "t", 1, NULL, NULL, NULL, 0 };
	sfmc_results_init(out);
	assert_int_equal(sfmc_scanner_scan_mem(s, data, len, &prov, out), 0);
	sfmc_results_sort(out);
}

static const char *enc(const sfmc_finding *f)
{
	return f->encoding ? f->encoding : "plain";
}

/* Exactly one finding, with this encoding, position and secret. */
static void expect_one(const void *data, size_t len, const char *encoding, uint64_t line, uint64_t column,
		       const char *secret)
{
	sfmc_results r;
	scan(&scanner, data, len, &r);
	assert_int_equal(r.nfindings, 1);
	assert_string_equal(enc(&r.findings[0]), encoding);
	assert_int_equal(r.findings[0].line, line);
	assert_int_equal(r.findings[0].column, column);
	assert_int_equal(r.findings[0].secret_len, strlen(secret));
	assert_memory_equal(r.findings[0].secret, secret, strlen(secret));
	sfmc_results_dispose(&r);
}

static char *b64(const char *s)
{
	char *e = sfmc_text_base64(s, strlen(s));
	assert_non_null(e);
	return e;
}

static void prefilter_set_agrees_with_memmem(void **state)
{
	static const char *lits[] = { "abc", "bca", "ccab", "aab", "U0ZN", "S\0F\0M", "cab", "bbbb", "acb", "zzz" };
	const unsigned char *v[10];
	size_t lens[10] = { 3, 3, 4, 3, 4, 5, 3, 4, 3, 3 };
	unsigned char hay[200];
	sfmc_prefilter_set *set;
	uint32_t seed = 12345;

	(void)state;
	for (size_t i = 0; i < 10; i++)
		v[i] = (const unsigned char *)lits[i];
	assert_int_equal(sfmc_prefilter_set_new(&set, v, lens, 10), 0);
	for (int round = 0; round < 3000; round++) {
		size_t n = (size_t)(round % 200);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			hay[i] = (unsigned char)"abcz\0SUF"[(seed >> 16) % (round & 1 ? 4 : 8)];
		}
		for (int isa = SFMC_PREFILTER_ISA_SCALAR; isa <= SFMC_PREFILTER_ISA_AVX2; isa++) {
			size_t from = 0;
			if (sfmc_prefilter_set_isa(set, isa) < 0)
				continue;
			for (;;) {
				size_t want = n, got = from + sfmc_prefilter_set_find(set, hay + from, n - from);
				for (size_t p = from; p < n && want == n; p++)
					for (size_t k = 0; k < 10; k++)
						if (lens[k] <= n - p && !memcmp(hay + p, v[k], lens[k]))
							want = p;
				assert_int_equal(got, want);
				if (got >= n)
					break;
				from = got + 1;
			}
		}
	}
	sfmc_prefilter_set_free(set);
}

static bool has_literal(const sfmc_decode *dc, const void *bytes, size_t len, const char *chain)
{
	for (size_t i = 0; i < sfmc_decode_nliterals(dc); i++) {
		size_t l;
		const char *c;
		const unsigned char *b = sfmc_decode_literal(dc, i, &l, &c);
		if (l == len && !memcmp(b, bytes, len) && !strcmp(c, chain))
			return true;
	}
	return false;
}

static void derived_literals(void **state)
{
	(void)state;
	/* base64("SFMC_") = U0ZNQ18=, at offsets 1 and 2: ..NGTUNf.., ...TRk1DX..; each in two halves. */
	assert_true(has_literal(scanner.dec, "U0Z", 3, "base64"));
	assert_true(has_literal(scanner.dec, "ZNQ1", 4, "base64"));
	assert_true(has_literal(scanner.dec, "NGT", 3, "base64"));
	assert_true(has_literal(scanner.dec, "TUNf", 4, "base64"));
	assert_true(has_literal(scanner.dec, "TRk", 3, "base64"));
	assert_true(has_literal(scanner.dec, "k1DX", 4, "base64"));
	assert_true(has_literal(scanner.dec, "S\0F\0M\0C\0_", 9, "utf16"));
	assert_true(has_literal(scanner.dec, "SFMC%", 5, "percent"));
	assert_true(has_literal(scanner.dec, "SFMC\\", 5, "escape"));
	/* base64("U0ZNQ1") = VTBaTlFR */
	assert_true(has_literal(scanner.dec, "VTBa", 4, "base64>base64"));
	assert_true(has_literal(scanner.dec, "U\0" "0\0Z\0N\0Q\0" "1", 11, "utf16>base64"));
}

/* A base64-encoded .env: the token at every byte alignment. */
static void base64_alignments(void **state)
{
	(void)state;
	for (size_t pre = 0; pre < 6; pre++) {
		char plain[200], text[400], *e;
		snprintf(plain, sizeof(plain), "FOO=bar\n%.*sTOKEN=%s\n", (int)pre, "xxxxxx", T1);
		e = b64(plain);
		snprintf(text, sizeof(text), "env: %s\n", e);
		/* Decoded offset d starts in base64 character floor(4d/3). */
		expect_one(text, strlen(text), "base64", 1, 6 + 4 * (8 + pre + 6) / 3, T1);
		free(e);
	}
}

/* Wrapped at every width, so the line break falls everywhere in the keyword's encoding. */
static void base64_wrapped(void **state)
{
	(void)state;
	for (size_t width = 4; width <= 80; width++) {
		char *e = b64("TOKEN=" T1 "\n");
		sfmc_buf b = SFMC_BUF_INIT;
		sfmc_results r;
		sfmc_buf_init(&b, 0);
		assert_int_equal(sfmc_buf_puts(&b, "data: |\n"), 0);
		for (size_t i = 0; i < strlen(e); i += width)
			assert_int_equal(sfmc_buf_printf(&b, "    %.*s\r\n", (int)width, e + i), 0);
		scan(&scanner, b.ptr, b.size, &r);
		assert_int_equal(r.nfindings, 1);
		assert_string_equal(enc(&r.findings[0]), "base64");
		assert_memory_equal(r.findings[0].secret, T1, 64);
		/* "TOKEN=" is 6 bytes: the token starts in base64 character 8. */
		assert_int_equal(r.findings[0].line, 2 + 8 / width);
		assert_int_equal(r.findings[0].column, 5 + 8 % width);
		sfmc_results_dispose(&r);
		sfmc_buf_dispose(&b);
		free(e);
	}
}

/* A base64 value on its own line next to an ordinary one (issue 13 item 2):
 * the neighbour is not a wrapped continuation of the value. */
static void base64_next_to_lines(void **state)
{
	char *tok = b64(T1), *cfg = b64("client_secret=" T1), text[400];
	(void)state;
	snprintf(text, sizeof(text), "echo\n%s\n", tok);
	expect_one(text, strlen(text), "base64", 2, 1, T1);
	snprintf(text, sizeof(text), "v: %s\nend\n", tok);
	expect_one(text, strlen(text), "base64", 1, 4, T1);
	/* "client_secret=" is 14 bytes: the token starts in base64 character 18. */
	snprintf(text, sizeof(text), "CONFIG_B64=%s\ndb_host=localhost\n", cfg);
	expect_one(text, strlen(text), "base64", 1, 12 + 18, T1);
	/* A full 76-column line, then a short ordinary one. */
	snprintf(text, sizeof(text), "echo\n%.76s\n%s\nend\n", cfg, cfg + 76);
	expect_one(text, strlen(text), "base64", 2, 1 + 18, T1);
	free(cfg);
	/* After a longer base64 line of its own ("xxx..." in 100 characters). */
	for (int i = 0; i < 25; i++)
		memcpy(text + 4 * i, "eHh4", 4);
	snprintf(text + 100, sizeof(text) - 100, "\n%s\n", tok);
	expect_one(text, strlen(text), "base64", 2, 1, T1);
	/* Values that end on a full line (96 and 114 bytes: two lines of 64 and
	 * of 76), followed by a line as short as `end`. */
	for (int width = 64; width <= 76; width += 12) {
		char plain[200], *e;
		size_t pre = width == 64 ? 32 : 50;
		snprintf(plain, sizeof(plain), "%.*s=%s", (int)pre - 1,
			 "client_secret_of_the_marketing_cloud_account_0123456", T1);
		e = b64(plain);
		assert_int_equal(strlen(e), 2 * (size_t)width);
		snprintf(text, sizeof(text), "echo\n%.*s\n%s\nend\n", width, e, e + width);
		/* Decoded byte d starts in base64 character floor(4d/3). */
		expect_one(text, strlen(text), "base64", 2 + 4 * pre / 3 / width, 1 + 4 * pre / 3 % width, T1);
		free(e);
	}
	free(tok);
}

/* One secret at one place is one finding, named by the layers that changed
 * its bytes: a percent or escape window around a plain base64 value adds
 * nothing to its chain (issue 13 item 3). */
static void one_finding_per_place(void **state)
{
	static const char *const near[] = { "see SFMC%5Fdocs", "see SFMC\\x5Fdocs", "see SFMC\\u005fdocs" };
	char *tok = b64(T1), text[400];
	(void)state;
	for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		snprintf(text, sizeof(text), "%s\nv: %s\n", near[i], tok);
		expect_one(text, strlen(text), "base64", 2, 4, T1);
		snprintf(text, sizeof(text), "v: %s\n%s\n", tok, near[i]);
		expect_one(text, strlen(text), "base64", 1, 4, T1);
	}
	/* The percent layer changed these bytes: it stays in the chain. */
	snprintf(text, sizeof(text), "a=SFMC%%5F%s\n", T1_BODY);
	expect_one(text, strlen(text), "percent", 1, 3, T1);
	free(tok);
}

static void base64url_and_nested(void **state)
{
	char *inner = b64(T2), *outer = b64(inner), text[400], *u, *p;
	(void)state;
	snprintf(text, sizeof(text), "blob=%s\n", outer);
	expect_one(text, strlen(text), "base64>base64", 1, 6, T2);
	/* base64url of bytes that give '+' and '/' in the standard alphabet */
	snprintf(text, sizeof(text), "\xfb\xff\xfe" "a=" T1);
	u = b64(text);
	for (p = u; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	assert_non_null(strchr(u, '-'));
	expect_one(u, strlen(u), "base64", 1, 1 + 4 * 5 / 3, T1);
	free(u);
	free(inner);
	free(outer);
}

/* UTF-16 text as bytes: LE or BE, with or without BOM. */
static size_t utf16(const char *s, bool le, bool bom, unsigned char *out)
{
	size_t n = 0;
	if (bom) {
		out[n++] = le ? 0xff : 0xfe;
		out[n++] = le ? 0xfe : 0xff;
	}
	for (; *s; s++) {
		out[n++] = le ? (unsigned char)*s : 0;
		out[n++] = le ? 0 : (unsigned char)*s;
	}
	return n;
}

static void utf16_both_orders(void **state)
{
	unsigned char buf[600];
	size_t n;
	(void)state;
	n = utf16("[HKEY_CURRENT_USER\\Software\\Acme]\r\n\"Secret\"=\"" T1 "\"\r\n", true, true, buf);
	/* Line 2 starts at the 0 byte after '\n': '"' is column 2, the token column 22. */
	expect_one(buf, n, "utf16le", 2, 22, T1);
	n = utf16("secret=" T2 "\n", false, false, buf);
	expect_one(buf, n, "utf16be", 1, 15, T2);
	n = utf16("secret=" T2 "\n", true, false, buf);
	expect_one(buf, n, "utf16le", 1, 15, T2);
	/* PowerShell -EncodedCommand: base64 of UTF-16LE, after text of every length mod 8 */
	for (size_t pre = 0; pre < 8; pre++) {
		char *e, text[600];
		n = utf16("$s='" T1 "'", true, false, buf);
		e = sfmc_text_base64(buf, n);
		snprintf(text, sizeof(text), "%.*s\n%s", (int)pre, "a/b+cdef", e);
		expect_one(text, strlen(text), "base64>utf16le", 2, 1 + 4 * 8 / 3, T1);
		free(e);
	}
	/* Mixed content: UTF-16LE at an odd offset right after ASCII text */
	memcpy(buf, "k=", 2);
	n = 2 + utf16(T2, true, false, buf + 2);
	expect_one(buf + 1, n - 1, "utf16le", 1, 2, T2);
}

static void percent_and_escapes(void **state)
{
	static const struct { const char *sep, *encoding; } forms[] = {
		{ "%5F", "percent" }, { "%5f", "percent" }, { "\\u005f", "escape" }, { "\\u005F", "escape" },
		{ "\\x5f", "escape" }, { "\\u{5f}", "escape" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char text[300];
		snprintf(text, sizeof(text), "first line\n{\"k\": \"SFMC%s%s\"}\n", forms[i].sep, T1 + 5);
		expect_one(text, strlen(text), forms[i].encoding, 2, 8, T1);
	}
}

/* A plain token is reported once, as plain, even next to an encoded one. */
static void plain_not_reported_twice(void **state)
{
	static const char text[] = "a=" T1 "&b=SFMC%5F" "bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcc\n";
	sfmc_results r;
	(void)state;
	expect_one(T1 "\n", 65, "plain", 1, 1, T1);
	scan(&scanner, text, strlen(text), &r);
	assert_int_equal(r.nfindings, 2);
	assert_string_equal(enc(&r.findings[0]), "plain");
	assert_int_equal(r.findings[0].column, 3);
	assert_string_equal(enc(&r.findings[1]), "percent");
	assert_int_equal(r.findings[1].column, 70);
	assert_memory_equal(r.findings[1].secret, T2, 64);
	/* The same fingerprint as the plain token: baselines match across encodings. */
	sfmc_results_dispose(&r);
}

static void decoys(void **state)
{
	char *e = b64("x=" BAD "\n"), *s = b64("x=SFMC_abc123def456\n");
	sfmc_results r;
	(void)state;
	scan(&scanner, e, strlen(e), &r);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].level, SFMC_LEVEL_WARNING);
	assert_false(r.findings[0].checksum_valid);
	sfmc_results_dispose(&r);
	scan(&scanner, s, strlen(s), &r);
	assert_int_equal(r.nfindings, 0);
	sfmc_results_dispose(&r);
	free(e);
	free(s);
}

/* A rule decodes only what its `decoders` list names. */
static void rule_decoders(void **state)
{
	static const char yaml[] =
		"rules:\n  - id: t\n    keywords: [SFMC_]\n    decoders: [utf16]\n"
		"    regex: 'SFMC_[A-Za-z0-9]{59}'\n";
	sfmc_ruleset rs;
	sfmc_scanner sc;
	sfmc_results r;
	unsigned char buf[300];
	char *e = b64(T1);
	size_t n = utf16(T1, true, true, buf);
	(void)state;
	sfmc_rules_init(&rs);
	assert_int_equal(sfmc_rules_add_buffer(&rs, yaml, strlen(yaml), "t.yaml"), 0);
	assert_int_equal(sfmc_scanner_init(&sc, &rs), 0);
	scan(&sc, e, strlen(e), &r);
	assert_int_equal(r.nfindings, 0);
	sfmc_results_dispose(&r);
	scan(&sc, buf, n, &r);
	assert_int_equal(r.nfindings, 1);
	assert_string_equal(enc(&r.findings[0]), "utf16le");
	sfmc_results_dispose(&r);
	sfmc_scanner_dispose(&sc);
	/* No decoder anywhere: no decode stage at all. */
	rs.rules[0].decoders = 0;
	assert_int_equal(sfmc_scanner_init(&sc, &rs), 0);
	assert_null(sc.dec);
	sfmc_scanner_dispose(&sc);
	sfmc_rules_dispose(&rs);
	free(e);
}

static bool same(const sfmc_results *a, const sfmc_results *b)
{
	if (a->nfindings != b->nfindings)
		return false;
	for (size_t i = 0; i < a->nfindings; i++) {
		const sfmc_finding *x = &a->findings[i], *y = &b->findings[i];
		if (x->offset != y->offset || x->line != y->line || x->column != y->column ||
		    x->end_column != y->end_column || strcmp(enc(x), enc(y)) || x->secret_len != y->secret_len ||
		    memcmp(x->secret, y->secret, x->secret_len))
			return false;
	}
	return true;
}

/* Encoded tokens straddling the edge of the first 8 MiB chunk are found
 * by the chunked file scan exactly as in memory. */
static void chunk_edges(void **state)
{
	static const long at[] = { -900, -260, -70, -9, -3, -1, 0, 1, 2, 5, 40 };
	size_t size = SFMC_CHUNK_SIZE + 4096;
	unsigned char *data = malloc(size), buf[300];
	char *e = b64("k=" T1 "\n"), *ps;
	(void)state;
	assert_non_null(data);
	ps = sfmc_text_base64(buf, utf16(T1, true, false, buf)); /* 172 bytes: longer than the plain overlap */
	for (size_t i = 0; i < size; i++)
		data[i] = (unsigned char)"int x = 1; /* filler */\n"[i % 24];
	for (size_t form = 0; form < 4; form++) {
		const unsigned char *tok = form == 0 ? (const unsigned char *)e : form == 1 ? buf :
					   form == 2 ? (const unsigned char *)"SFMC%5F" T1_BODY : (const unsigned char *)ps;
		size_t n = form == 0 ? strlen(e) : form == 1 ? utf16(T1, true, false, buf) : form == 2 ? 66 : strlen(ps);
		for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			size_t off = (size_t)((long)SFMC_CHUNK_SIZE + at[i]) & ~(size_t)1;
			sfmc_provenance prov = { "t", 1, NULL, NULL, NULL, 0 };
			sfmc_results m, f;
			unsigned char *copy = malloc(size);
			int fd = memfd_create("t", 0);
			assert_non_null(copy);
			memcpy(copy, data, size);
			copy[off - 1] = '\n';
			memcpy(copy + off, tok, n);
			copy[off + n] = '\n';
			assert_true(fd >= 0);
			assert_int_equal(write(fd, copy, size), (ssize_t)size);
			assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
			scan(&scanner, copy, size, &m);
			sfmc_results_init(&f);
			assert_int_equal(sfmc_scanner_scan_fd(&scanner, fd, &prov, &f), 0);
			sfmc_results_sort(&f);
			assert_int_equal(m.nfindings, 1);
			assert_int_equal(m.findings[0].offset, off + (form == 0 ? 2 : 0)); /* "k=" is 2 base64 chars */
			assert_true(same(&m, &f));
			sfmc_results_dispose(&m);
			sfmc_results_dispose(&f);
			close(fd);
			free(copy);
		}
	}
	free(e);
	free(ps);
	free(data);
}

/* Back-to-back literals of every decoder: a hit whose reach lies inside the
 * window decoded last for it is not decoded again, so the windows are
 * bounded by the input size, not the number of hits. */
static void work_is_linear(void **state)
{
	static const char *const units[] = { "U0ZNQ1", "SFMC%", "SFMC\\", "S\0F\0M\0C\0_\0", "VTBaTlEx" };
	static const size_t ulen[] = { 6, 5, 5, 10, 8 };
	size_t n = 1 << 20, reach = sfmc_decode_reach(&rules);
	unsigned char *buf = malloc(n);
	(void)state;
	assert_non_null(buf);
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		sfmc_results r;
		size_t hits = n / ulen[u];
		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)units[u][i % ulen[u]];
		scan(&scanner, buf, n, &r);
		assert_int_equal(r.nfindings, 0);
		/* 10 ways of decoding (4 base64 phases, 2 UTF-16 orders x 2 parities, percent, escape),
		 * each decoded again only after half a reach. */
		assert_true(sfmc_decode_windows(scanner.dec, 0) > 0);
		assert_true(sfmc_decode_windows(scanner.dec, 0) <= 10 * (2 * n / reach + 1));
		assert_true(sfmc_decode_windows(scanner.dec, 0) < hits / 10);
		sfmc_results_dispose(&r);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefilter_set_agrees_with_memmem),
		cmocka_unit_test(derived_literals),
		cmocka_unit_test(base64_alignments),
		cmocka_unit_test(base64_wrapped),
		cmocka_unit_test(base64_next_to_lines),
		cmocka_unit_test(one_finding_per_place),
		cmocka_unit_test(base64url_and_nested),
		cmocka_unit_test(utf16_both_orders),
		cmocka_unit_test(percent_and_escapes),
		cmocka_unit_test(plain_not_reported_twice),
		cmocka_unit_test(decoys),
		cmocka_unit_test(rule_decoders),
		cmocka_unit_test(chunk_edges),
		cmocka_unit_test(work_is_linear),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
