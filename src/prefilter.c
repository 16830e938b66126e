#define _GNU_SOURCE
#include "prefilter.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>

/* Compares the needle's first and last bytes at 16 positions at once and
 * checks the middle only where both agree (Muła's "generic SIMD" search). */
static const unsigned char *find_sse2(const unsigned char *h, size_t n, const unsigned char *nd, size_t m)
{
	const __m128i first = _mm_set1_epi8((char)nd[0]);
	const __m128i last = _mm_set1_epi8((char)nd[m - 1]);
	size_t i = 0;

	for (; i + m - 1 + 32 <= n; i += 32) {
		__m128i a0 = _mm_loadu_si128((const __m128i *)(h + i));
		__m128i a1 = _mm_loadu_si128((const __m128i *)(h + i + 16));
		__m128i b0 = _mm_loadu_si128((const __m128i *)(h + i + m - 1));
		__m128i b1 = _mm_loadu_si128((const __m128i *)(h + i + m - 1 + 16));
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a0, first), _mm_cmpeq_epi8(b0, last))) |
				(unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a1, first), _mm_cmpeq_epi8(b1, last))) << 16;
		while (mask) {
			unsigned bit = (unsigned)__builtin_ctz(mask);
			if (m <= 2 || !memcmp(h + i + bit + 1, nd + 1, m - 2))
				return h + i + bit;
			mask &= mask - 1;
		}
	}
	if (i >= n)
		return NULL;
	return memmem(h + i, n - i, nd, m);
}
#endif

const unsigned char *sfmc_prefilter_find(const unsigned char *hay, size_t n,
					 const unsigned char *needle, size_t m)
{
	if (m == 0 || m > n)
		return NULL;
	if (m == 1)
		return memchr(hay, needle[0], n);
#if defined(__SSE2__)
	return find_sse2(hay, n, needle, m);
#else
	return memmem(hay, n, needle, m);
#endif
}
