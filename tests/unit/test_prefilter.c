/* Unit tests: the SIMD keyword prefilter agrees with memmem everywhere
 * (every haystack length around the vector widths, every hit position). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "detect/prefilter.h"

static const unsigned char *expect(const unsigned char *h, size_t n, const char *nd)
{
	return memmem(h, n, nd, strlen(nd));
}

/* Haystacks of near-misses ("SFMC" + non-'_', "S???_") with the needle planted once. */
static void agrees_with_memmem(void **state)
{
	static const char *needles[] = { "SFMC_", "S_", "ab", "SFMC_CLIENT_SECRET_LONG_KEYWORD_OVER_32_BYTES_" };
	unsigned char h[300];
	(void)state;
	for (size_t k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
		const char *nd = needles[k];
		size_t m = strlen(nd);
		for (size_t n = 0; n <= sizeof(h); n++) {
			for (size_t i = 0; i < n; i++)
				h[i] = "SFMCx_S12_"[i % 10];
			assert_ptr_equal(sfmc_prefilter_find(h, n, (const unsigned char *)nd, m), expect(h, n, nd));
			for (size_t at = 0; at + m <= n; at += 7) {
				memcpy(h + at, nd, m);
				assert_ptr_equal(sfmc_prefilter_find(h, n, (const unsigned char *)nd, m), expect(h, n, nd));
				for (size_t i = at; i < at + m; i++)
					h[i] = "SFMCx_S12_"[i % 10];
			}
		}
	}
}

static void edge_cases(void **state)
{
	const unsigned char h[] = "xxSFMC_";
	(void)state;
	assert_null(sfmc_prefilter_find(h, 7, (const unsigned char *)"", 0));
	assert_null(sfmc_prefilter_find(h, 4, (const unsigned char *)"SFMC_", 5));
	assert_ptr_equal(sfmc_prefilter_find(h, 7, (const unsigned char *)"SFMC_", 5), h + 2);
	assert_ptr_equal(sfmc_prefilter_find(h, 7, (const unsigned char *)"_", 1), h + 6);
}

/* The naive answer: first p >= from where a whole literal starts, or n. */
static size_t set_expect(const unsigned char *const *v, const size_t *lens, size_t nl, const unsigned char *h, size_t n,
			 size_t from)
{
	for (size_t p = from; p < n; p++)
		for (size_t k = 0; k < nl; k++)
			if (lens[k] <= n - p && !memcmp(h + p, v[k], lens[k]))
				return p;
	return n;
}

/* Every hit, in order, from each ISA the CPU has, equals the naive answer;
 * the candidates include every hit. */
static void set_walk(sfmc_prefilter_set *set, const unsigned char *const *v, const size_t *lens, size_t nl,
		     const unsigned char *h, size_t n)
{
	for (int isa = SFMC_PREFILTER_ISA_SCALAR; isa <= SFMC_PREFILTER_ISA_AVX512; isa++) {
		if (sfmc_prefilter_set_isa(set, isa) < 0)
			continue;
		for (size_t from = 0;;) {
			size_t got = from + sfmc_prefilter_set_find(set, h + from, n - from);
			assert_int_equal(got, set_expect(v, lens, nl, h, n, from));
			if (got >= n)
				break;
			from = got + 1;
		}
		/* Candidates never skip a literal, and every literal is one. */
		for (size_t from = 0;;) {
			size_t got = from + sfmc_prefilter_set_candidate(set, h + from, n - from);
			assert_true(got >= from && got <= n);
			assert_true(set_expect(v, lens, nl, h, n, from) >= got);
			if (got >= n)
				break;
			from = got + 1;
		}
	}
}

/* Literals like the decoders' (base64 halves, UTF-16 with NULs, "SFMC%"),
 * each planted at every offset of haystacks of every length around the
 * vector widths (16, 32, 64 plus the 2 look-ahead bytes), also cut short by
 * the end of the buffer; the filler holds near-misses, NULs and bytes that
 * alias a literal's in 7 bits. */
static void set_every_alignment(void **state)
{
	static const char *const lits[] = { "U0Z", "ZNQ1", "S\0F\0M\0C\0_", "SFMC%", "k1DX", "\xd3" "FM" };
	static const size_t lens[] = { 3, 4, 9, 5, 4, 3 };
	const size_t nl = sizeof(lens) / sizeof(lens[0]);
	static const unsigned char filler[] = "SFMCU0\0ZNQ\xd3\x80" "k1D_ \xd5" "0Z";
	const unsigned char *v[6];
	unsigned char h[160];
	sfmc_prefilter_set *set;

	(void)state;
	for (size_t k = 0; k < nl; k++)
		v[k] = (const unsigned char *)lits[k];
	assert_int_equal(sfmc_prefilter_set_new(&set, v, lens, nl), 0);
	for (size_t n = 0; n <= sizeof(h); n++) {
		for (size_t i = 0; i < n; i++)
			h[i] = filler[(i * 7) % (sizeof(filler) - 1)];
		set_walk(set, v, lens, nl, h, n);
		for (size_t k = 0; k < nl; k++)
			for (size_t at = 0; at < n; at++) {
				unsigned char save[16];
				size_t m = lens[k] < n - at ? lens[k] : n - at; /* may end mid-literal */
				memcpy(save, h + at, m);
				memcpy(h + at, v[k], m);
				set_walk(set, v, lens, nl, h, n);
				memcpy(h + at, save, m);
			}
	}
	sfmc_prefilter_set_free(set);
}

/* A haystack of bytes that all pass the filter (every position a candidate)
 * and the hit only at the very end: the verification path at every offset. */
static void set_dense_candidates(void **state)
{
	const unsigned char *v[2] = { (const unsigned char *)"aaab", (const unsigned char *)"abab" };
	const size_t lens[2] = { 4, 4 };
	unsigned char h[300];
	sfmc_prefilter_set *set;

	(void)state;
	assert_int_equal(sfmc_prefilter_set_new(&set, v, lens, 2), 0);
	for (size_t n = 0; n <= sizeof(h); n++) {
		memset(h, 'a', n);
		if (n >= 1)
			h[n - 1] = 'b';
		set_walk(set, v, lens, 2, h, n);
	}
	sfmc_prefilter_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agrees_with_memmem),
		cmocka_unit_test(edge_cases),
		cmocka_unit_test(set_every_alignment),
		cmocka_unit_test(set_dense_candidates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
