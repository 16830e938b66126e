#define _GNU_SOURCE
#include "prefilter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

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

/* Literals are spread over 8 buckets (bit b of a table byte = bucket b);
 * lo/hi[j] map the low/high nibble of the j-th byte to the buckets whose
 * literals have that nibble there. A position is a candidate when all three
 * bytes agree on some bucket. */
#define FP_LEN 3
#define NBUCKETS 8

struct sfmc_prefilter_set {
	size_t n;
	unsigned char **lit;
	size_t *len;
	unsigned char *bucket;     /* per literal */
	unsigned char lo[FP_LEN][16], hi[FP_LEN][16];
	bool simd;
};

static int cmp_lit(const void *pa, const void *pb, void *ctx)
{
	const unsigned char *const *lits = ctx;
	const size_t *a = pa, *b = pb;
	return memcmp(lits[*a], lits[*b], FP_LEN);
}

void sfmc_prefilter_set_free(sfmc_prefilter_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		free(set->lit[i]);
	free(set->lit);
	free(set->len);
	free(set->bucket);
	free(set);
}

int sfmc_prefilter_set_new(sfmc_prefilter_set **out, const unsigned char *const *lits, const size_t *lens,
			   size_t n)
{
	sfmc_prefilter_set *s = calloc(1, sizeof(*s));
	size_t *order = NULL;

	*out = NULL;
	if (!s || !(s->lit = calloc(n ? n : 1, sizeof(*s->lit))) || !(s->len = calloc(n ? n : 1, sizeof(*s->len))) ||
	    !(s->bucket = calloc(n ? n : 1, 1)) || !(order = malloc((n ? n : 1) * sizeof(*order))))
		goto oom;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] < SFMC_PREFILTER_SET_MIN) {
			free(order);
			sfmc_prefilter_set_free(s);
			return sfmc_error_set("literal shorter than %d bytes", SFMC_PREFILTER_SET_MIN);
		}
		order[i] = i;
	}
	/* Similar literals share a bucket, which keeps its nibble masks tight. */
	qsort_r(order, n, sizeof(*order), cmp_lit, (void *)lits);
	for (size_t i = 0; i < n; i++) {
		size_t k = order[i];
		if (!(s->lit[i] = malloc(lens[k])))
			goto oom;
		memcpy(s->lit[i], lits[k], lens[k]);
		s->len[i] = lens[k];
		s->n = i + 1;
		s->bucket[i] = (unsigned char)(i * NBUCKETS / n);
		for (int j = 0; j < FP_LEN; j++) {
			s->lo[j][s->lit[i][j] & 15] |= (unsigned char)(1u << s->bucket[i]);
			s->hi[j][s->lit[i][j] >> 4] |= (unsigned char)(1u << s->bucket[i]);
		}
	}
	free(order);
#if defined(__x86_64__) || defined(__i386__)
	s->simd = __builtin_cpu_supports("ssse3");
#endif
	*out = s;
	return 0;
oom:
	free(order);
	sfmc_prefilter_set_free(s);
	return sfmc_error_set("out of memory");
}

void sfmc_prefilter_set_scalar(sfmc_prefilter_set *set, bool scalar)
{
#if defined(__x86_64__) || defined(__i386__)
	set->simd = !scalar && __builtin_cpu_supports("ssse3");
#else
	(void)scalar;
	set->simd = false;
#endif
}

/* true when a literal of a bucket in `buckets` starts at hay[p]. */
static bool verify(const sfmc_prefilter_set *s, const unsigned char *hay, size_t n, size_t p, unsigned buckets)
{
	for (size_t i = 0; i < s->n; i++)
		if ((buckets >> s->bucket[i] & 1) && s->len[i] <= n - p && !memcmp(hay + p, s->lit[i], s->len[i]))
			return true;
	return false;
}

static unsigned buckets_at(const sfmc_prefilter_set *s, const unsigned char *p)
{
	unsigned m = 0xff;
	for (int j = 0; j < FP_LEN; j++)
		m &= (unsigned)(s->lo[j][p[j] & 15] & s->hi[j][p[j] >> 4]);
	return m;
}

static size_t find_scalar(const sfmc_prefilter_set *s, const unsigned char *hay, size_t n, size_t i)
{
	for (; i + FP_LEN <= n; i++) {
		unsigned m = buckets_at(s, hay + i);
		if (m && verify(s, hay, n, i, m))
			return i;
	}
	return n;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("ssse3"))) static size_t find_ssse3(const sfmc_prefilter_set *s, const unsigned char *hay,
							  size_t n)
{
	const __m128i nib = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
	__m128i lo[FP_LEN], hi[FP_LEN];
	size_t i = 0;

	for (int j = 0; j < FP_LEN; j++) {
		lo[j] = _mm_loadu_si128((const __m128i *)s->lo[j]);
		hi[j] = _mm_loadu_si128((const __m128i *)s->hi[j]);
	}
	for (; i + 16 + FP_LEN - 1 <= n; i += 16) {
		__m128i r = _mm_set1_epi8((char)0xff);
		unsigned char lanes[16];
		unsigned bits;
		for (int j = 0; j < FP_LEN; j++) {
			__m128i c = _mm_loadu_si128((const __m128i *)(hay + i + j));
			__m128i l = _mm_shuffle_epi8(lo[j], _mm_and_si128(c, nib));
			__m128i h = _mm_shuffle_epi8(hi[j], _mm_and_si128(_mm_srli_epi16(c, 4), nib));
			r = _mm_and_si128(r, _mm_and_si128(l, h));
		}
		bits = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(r, zero)) & 0xffff;
		if (!bits)
			continue;
		_mm_storeu_si128((__m128i *)lanes, r);
		while (bits) {
			unsigned k = (unsigned)__builtin_ctz(bits);
			if (verify(s, hay, n, i + k, lanes[k]))
				return i + k;
			bits &= bits - 1;
		}
	}
	return find_scalar(s, hay, n, i);
}
#endif

size_t sfmc_prefilter_set_find(const sfmc_prefilter_set *set, const unsigned char *hay, size_t n)
{
	if (!set->n)
		return n;
#if defined(__x86_64__) || defined(__i386__)
	if (set->simd)
		return find_ssse3(set, hay, n);
#endif
	return find_scalar(set, hay, n, 0);
}
