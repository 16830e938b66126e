/* Unit tests: the fused search (the decoders' literal pass also finds every
 * rule's keywords, the detector verifies the hits it recorded) gives exactly
 * what the detector's own per-keyword search gives: the same hits, the same
 * matches in the same order, on random buffers with overlapping keywords of
 * two rules, random [from, limit) windows, and a buffer with more keyword
 * hits than are recorded. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/decode.h"
#include "detect/detect.h"
#include "harness.h"
#include "util/bounds.h"
#include "core/rules.h"
#include "detect/scan.h"

#define ROUNDS 2000
#define MAX_MATCHES 1024

/* Two rules whose keywords overlap ("SFMC_" contains "MC_", "key=k" starts "ey=k"). */
static const char yaml[] = "rules:\n"
			   "  - id: a\n    keywords: [SFMC_, MC_]\n    regex: 'SFMC_[A-Za-z0-9]{8}|MC_[0-9]{3}'\n"
			   "  - id: b\n    keywords: [key=, ey=k]\n    regex: 'key=[a-z]{4}'\n";

typedef struct got {
	size_t n;
	struct {
		const sfmc_rule *rule;
		uint64_t offset;
		size_t length;
		sfmc_level level;
	} m[MAX_MATCHES];
} got;

static int keep(const sfmc_match *m, void *payload)
{
	got *g = payload;
	assert_true(g->n < MAX_MATCHES);
	g->m[g->n].rule = m->rule;
	g->m[g->n].offset = m->offset;
	g->m[g->n].length = m->length;
	g->m[g->n++].level = m->level;
	return 0;
}

static int ignore(const sfmc_decoded_match *m, void *payload)
{
	(void)m, (void)payload;
	return 0;
}

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Pieces that make keywords, near-misses and matches likely. */
static size_t fill(unsigned char *b, size_t cap)
{
	static const char *const pieces[] = { "SFMC_", "MC_", "key=", "ey=k", "abcd", "Q9x7", "123", " ", "SFM", "=",
					      "SFMC_abcd1234", "key=wxyz", "U0ZNQ1", "k", "\n" };
	size_t n = 0, want = (size_t)(next() % cap);
	while (n < want) {
		const char *p = pieces[next() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t l = strlen(p) < want - n ? strlen(p) : want - n;
		memcpy(b + n, p, l);
		n += l;
	}
	return n;
}

/* Every (position, rule) where a keyword starts in [from, limit), in the
 * order the fused search promises. */
static size_t naive_hits(const sfmc_ruleset *rs, const unsigned char *b, size_t n, size_t from, size_t limit,
			 sfmc_keyword_hit *out, size_t cap)
{
	size_t k = 0;
	for (size_t p = from; p < limit; p++)
		for (size_t ri = 0; ri < rs->nrules; ri++)
			for (size_t j = 0; j < rs->rules[ri].nkeywords; j++) {
				size_t len = strlen(rs->rules[ri].keywords[j]);
				if (len <= n - p && !memcmp(b + p, rs->rules[ri].keywords[j], len)) {
					assert_true(k < cap);
					out[k++] = (sfmc_keyword_hit){ p, ri };
				}
			}
	return k;
}

static void same_as_detector_search(void **state)
{
	static unsigned char buf[600];
	static sfmc_keyword_hit want[600 * 4];
	static got a, b;
	sfmc_ruleset rs;
	sfmc_decode *dc;
	sfmc_detector *d1, *d2;

	(void)state;
	sfmc_rules_init(&rs);
	assert_int_equal(sfmc_rules_add_buffer(&rs, yaml, strlen(yaml), "t.yaml"), 0);
	assert_int_equal(sfmc_decode_new(&dc, &rs), 0);
	assert_true(sfmc_decode_fused(dc));
	assert_int_equal(sfmc_detector_new(&d1, &rs), 0);
	assert_int_equal(sfmc_detector_new(&d2, &rs), 0);
	for (int round = 0; round < ROUNDS; round++) {
		size_t n = fill(buf, sizeof(buf)), from = n ? (size_t)(next() % (n + 1)) : 0;
		size_t limit = round % 3 ? n : from + (size_t)(next() % (n - from + 1));
		const sfmc_keyword_hit *hits;
		size_t nhits, nwant = naive_hits(&rs, buf, n, from, limit, want, sizeof(want) / sizeof(want[0]));

		sfmc_decode_begin(dc);
		assert_int_equal(sfmc_decode_scan(dc, buf, n, 0, from, limit, ignore, NULL), 0);
		assert_true(sfmc_decode_plain_hits(dc, &hits, &nhits));
		assert_int_equal(nhits, nwant);
		for (size_t i = 0; i < nhits; i++) {
			assert_int_equal(hits[i].pos, want[i].pos);
			assert_int_equal(hits[i].rule, want[i].rule);
		}
		a.n = b.n = 0;
		sfmc_detector_begin(d1);
		sfmc_detector_begin(d2);
		assert_int_equal(sfmc_detector_scan(d1, buf, n, 0, from, limit, keep, &a), 0);
		assert_int_equal(sfmc_detector_scan_hits(d2, buf, n, 0, hits, nhits, keep, &b), 0);
		assert_int_equal(a.n, b.n);
		assert_memory_equal(a.m, b.m, a.n * sizeof(a.m[0]));
	}
	sfmc_detector_free(d1);
	sfmc_detector_free(d2);
	sfmc_decode_free(dc);
	sfmc_rules_dispose(&rs);
}

/* A keyword shorter than the set's minimum, or a rule without keywords:
 * the detector keeps its own search. */
static void not_fused_when_a_keyword_cannot_join(void **state)
{
	static const char *const texts[] = {
		"rules:\n  - id: a\n    keywords: [K=]\n    regex: 'K=[0-9]{4}'\n",
		"rules:\n  - id: a\n    regex: 'K=[0-9]{4}'\n",
	};
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		sfmc_ruleset rs;
		sfmc_decode *dc;
		sfmc_rules_init(&rs);
		assert_int_equal(sfmc_rules_add_buffer(&rs, texts[i], strlen(texts[i]), "t.yaml"), 0);
		assert_int_equal(sfmc_decode_new(&dc, &rs), 0);
		assert_non_null(dc);
		assert_false(sfmc_decode_fused(dc));
		sfmc_decode_free(dc);
		sfmc_rules_dispose(&rs);
	}
}

/* More keyword hits than recorded: the scanner falls back to the detector's
 * search and still finds the token after them. */
static void overflowing_hits_fall_back(void **state)
{
	static const char tok[] = " SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcc\n";
	size_t reps = SFMC_DECODE_MAX_PLAIN_HITS + 100, n = reps * 5 + sizeof(tok) - 1;
	unsigned char *buf = malloc(n);
	sfmc_provenance prov = { "t", 1, NULL, NULL, NULL, 0 };
	const sfmc_keyword_hit *hits;
	sfmc_ruleset rs;
	sfmc_scanner sc;
	sfmc_results res;
	size_t nhits;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < reps; i++)
		memcpy(buf + 5 * i, "SFMC_", 5);
	memcpy(buf + 5 * reps, tok, sizeof(tok) - 1);
	assert_int_equal(harness_open(&rs, &sc, &res), 0);
	assert_true(sfmc_decode_fused(sc.dec));
	assert_int_equal(sfmc_scanner_scan_mem(&sc, buf, n, &prov, &res), 0);
	assert_false(sfmc_decode_plain_hits(sc.dec, &hits, &nhits));
	assert_int_equal(res.nfindings, 1);
	assert_int_equal(res.findings[0].offset, 5 * reps + 1);
	assert_true(res.findings[0].checksum_valid);
	harness_close(&rs, &sc, &res);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_as_detector_search),
		cmocka_unit_test(not_fused_when_a_keyword_cannot_join),
		cmocka_unit_test(overflowing_hits_fall_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
