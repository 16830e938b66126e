#define _GNU_SOURCE
#include "prefilter.h"

#include <stdint.h>
#include <string.h>

/* The tail after the vector loop: at most one vector width plus m bytes. */
static const unsigned char *find_tail(const unsigned char *h, size_t n, const unsigned char *nd, size_t m)
{
	const unsigned char *p = h, *end = h + n - m + 1;

	while (p < end && (p = memchr(p, nd[0], (size_t)(end - p)))) {
		if (!memcmp(p + 1, nd + 1, m - 1))
			return p;
		p++;
	}
	return NULL;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* Compares the needle's first and last bytes at 32 positions at once and
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
	return i < n ? find_tail(h + i, n - i, nd, m) : NULL;
}

/* The same filter 64 positions per iteration with AVX2 (half the instructions). */
__attribute__((target("avx2"))) static const unsigned char *find_avx2(const unsigned char *h, size_t n,
								       const unsigned char *nd, size_t m)
{
	const __m256i first = _mm256_set1_epi8((char)nd[0]);
	const __m256i last = _mm256_set1_epi8((char)nd[m - 1]);
	size_t i = 0;

	for (; i + m - 1 + 64 <= n; i += 64) {
		__m256i a0 = _mm256_loadu_si256((const __m256i *)(h + i));
		__m256i a1 = _mm256_loadu_si256((const __m256i *)(h + i + 32));
		__m256i b0 = _mm256_loadu_si256((const __m256i *)(h + i + m - 1));
		__m256i b1 = _mm256_loadu_si256((const __m256i *)(h + i + m - 1 + 32));
		__m256i e0 = _mm256_and_si256(_mm256_cmpeq_epi8(a0, first), _mm256_cmpeq_epi8(b0, last));
		__m256i e1 = _mm256_and_si256(_mm256_cmpeq_epi8(a1, first), _mm256_cmpeq_epi8(b1, last));
		uint64_t mask;

		if (_mm256_testz_si256(_mm256_or_si256(e0, e1), _mm256_or_si256(e0, e1)))
			continue; /* the common case: no candidate in these 64 positions */
		mask = (uint64_t)(uint32_t)_mm256_movemask_epi8(e0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(e1) << 32;
		while (mask) {
			unsigned bit = (unsigned)__builtin_ctzll(mask);
			if (m <= 2 || !memcmp(h + i + bit + 1, nd + 1, m - 2))
				return h + i + bit;
			mask &= mask - 1;
		}
	}
	return i < n ? find_sse2(h + i, n - i, nd, m) : NULL;
}

typedef const unsigned char *(*find_fn)(const unsigned char *, size_t, const unsigned char *, size_t);

/* Picked once per process: AVX2 where the CPU has it, SSE2 (x86-64 baseline) otherwise. */
static find_fn pick(void)
{
	static find_fn chosen;
	find_fn f = __atomic_load_n(&chosen, __ATOMIC_RELAXED);

	if (!f) {
		__builtin_cpu_init();
		f = __builtin_cpu_supports("avx2") ? find_avx2 : find_sse2;
		__atomic_store_n(&chosen, f, __ATOMIC_RELAXED);
	}
	return f;
}
#endif

const unsigned char *sfmc_prefilter_find(const unsigned char *hay, size_t n,
					 const unsigned char *needle, size_t m)
{
	if (m == 0 || m > n)
		return NULL;
	if (m == 1)
		return memchr(hay, needle[0], n);
#if defined(__x86_64__) && defined(__GNUC__)
	return pick()(hay, n, needle, m);
#else
	return find_tail(hay, n, needle, m);
#endif
}
