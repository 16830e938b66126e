/* Unit tests: the SIMD keyword prefilter agrees with memmem everywhere
 * (every haystack length around the vector widths, every hit position). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "prefilter.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agrees_with_memmem),
		cmocka_unit_test(edge_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
