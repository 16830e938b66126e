#define _GNU_SOURCE
#include "detect/prefilter.h"

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

/* How common a byte is in source code and text, 0 (rare) to 255; the filter
 * compares the needle's two rarest bytes ("SFMC_": F and M, not S and _,
 * which SIZE_MAX and friends share). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init" /* classes first, then the exceptions */
static const unsigned char byte_freq[256] = {
	['\t'] = 150, ['\n'] = 200, ['\r'] = 90, [' '] = 255,
	['0' ... '9'] = 140, ['a' ... 'z'] = 180,
	['e'] = 230, ['t'] = 220, ['a'] = 215, ['o'] = 210, ['i'] = 210, ['n'] = 210, ['s'] = 205, ['r'] = 205,
	['q'] = 100, ['z'] = 100, ['j'] = 100, ['x'] = 110, ['k'] = 130, ['v'] = 140,
	['A' ... 'Z'] = 90, ['E'] = 120, ['T'] = 120, ['S'] = 125, ['A'] = 110, ['I'] = 105, ['N'] = 110,
	['O'] = 105, ['R'] = 110, ['L'] = 105, ['C'] = 105, ['D'] = 100, ['P'] = 95,
	['Q'] = 40, ['Z'] = 40, ['J'] = 45, ['X'] = 50, ['K'] = 55, ['V'] = 60, ['W'] = 65, ['Y'] = 65,
	['_'] = 170, ['('] = 170, [')'] = 170, [';'] = 150, [','] = 160, ['.'] = 170, ['='] = 160,
	['"'] = 150, ['\''] = 130, [':'] = 140, ['/'] = 140, ['-'] = 150, ['{'] = 130, ['}'] = 130,
	['*'] = 120, ['#'] = 110, ['<'] = 110, ['>'] = 120, ['['] = 120, [']'] = 120, ['+'] = 110,
	['&'] = 100, ['|'] = 90, ['!'] = 100, ['%'] = 80, ['$'] = 80, ['@'] = 70, ['\\'] = 90,
	['?'] = 80, ['~'] = 50, ['^'] = 50, ['`'] = 60,
};
#pragma GCC diagnostic pop

/* The two rarest positions a < b of the needle (m >= 2). */
static void rare_pair(const unsigned char *nd, size_t m, size_t *a, size_t *b)
{
	size_t r1 = 0, r2 = 1;

	if (byte_freq[nd[1]] < byte_freq[nd[0]])
		r1 = 1, r2 = 0;
	for (size_t i = 2; i < m; i++) {
		if (byte_freq[nd[i]] < byte_freq[nd[r1]])
			r2 = r1, r1 = i;
		else if (byte_freq[nd[i]] < byte_freq[nd[r2]])
			r2 = i;
	}
	*a = r1 < r2 ? r1 : r2;
	*b = r1 < r2 ? r2 : r1;
}

/* Compares two of the needle's bytes (at a < b, the rarest in source text)
 * at 32 positions at once and checks the whole needle only where both agree
 * (Muła's "generic SIMD" search with a rare-byte pair). */
static const unsigned char *find_sse2(const unsigned char *h, size_t n, const unsigned char *nd, size_t m, size_t a,
				      size_t b)
{
	const __m128i first = _mm_set1_epi8((char)nd[a]);
	const __m128i last = _mm_set1_epi8((char)nd[b]);
	size_t i = 0;

	for (; i + m - 1 + 32 <= n; i += 32) {
		__m128i a0 = _mm_loadu_si128((const __m128i *)(h + i + a));
		__m128i a1 = _mm_loadu_si128((const __m128i *)(h + i + a + 16));
		__m128i b0 = _mm_loadu_si128((const __m128i *)(h + i + b));
		__m128i b1 = _mm_loadu_si128((const __m128i *)(h + i + b + 16));
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a0, first), _mm_cmpeq_epi8(b0, last))) |
				(unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a1, first), _mm_cmpeq_epi8(b1, last))) << 16;
		while (mask) {
			unsigned bit = (unsigned)__builtin_ctz(mask);
			if (!memcmp(h + i + bit, nd, m))
				return h + i + bit;
			mask &= mask - 1;
		}
	}
	return i < n ? find_tail(h + i, n - i, nd, m) : NULL;
}

/* The same filter 64 positions per iteration with AVX2 (half the instructions). */
__attribute__((target("avx2"))) static const unsigned char *find_avx2(const unsigned char *h, size_t n,
								       const unsigned char *nd, size_t m, size_t a,
								       size_t b)
{
	const __m256i first = _mm256_set1_epi8((char)nd[a]);
	const __m256i last = _mm256_set1_epi8((char)nd[b]);
	size_t i = 0;

	for (; i + m - 1 + 64 <= n; i += 64) {
		__m256i a0 = _mm256_loadu_si256((const __m256i *)(h + i + a));
		__m256i a1 = _mm256_loadu_si256((const __m256i *)(h + i + a + 32));
		__m256i b0 = _mm256_loadu_si256((const __m256i *)(h + i + b));
		__m256i b1 = _mm256_loadu_si256((const __m256i *)(h + i + b + 32));
		__m256i e0 = _mm256_and_si256(_mm256_cmpeq_epi8(a0, first), _mm256_cmpeq_epi8(b0, last));
		__m256i e1 = _mm256_and_si256(_mm256_cmpeq_epi8(a1, first), _mm256_cmpeq_epi8(b1, last));
		uint64_t mask;

		if (_mm256_testz_si256(_mm256_or_si256(e0, e1), _mm256_or_si256(e0, e1)))
			continue; /* the common case: no candidate in these 64 positions */
		mask = (uint64_t)(uint32_t)_mm256_movemask_epi8(e0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(e1) << 32;
		while (mask) {
			unsigned bit = (unsigned)__builtin_ctzll(mask);
			if (!memcmp(h + i + bit, nd, m))
				return h + i + bit;
			mask &= mask - 1;
		}
	}
	return i < n ? find_sse2(h + i, n - i, nd, m, a, b) : NULL;
}

typedef const unsigned char *(*find_fn)(const unsigned char *, size_t, const unsigned char *, size_t, size_t, size_t);

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
	size_t a, b;
	rare_pair(needle, m, &a, &b);
	return pick()(hay, n, needle, m, a, b);
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

#define HASH_BITS 16

struct sfmc_prefilter_set {
	size_t n;
	unsigned char **lit;
	size_t *len;
	unsigned char *bucket;     /* per literal */
	uint32_t *key;             /* per literal: its first 3 bytes, big-endian (sorted) */
	unsigned char lo[FP_LEN][16], hi[FP_LEN][16];
	/* AVX-512 VBMI: the buckets of each byte value (its low 7 bits) at the
	 * j-th position, looked up exactly with one vpermi2b. */
	unsigned char exact[FP_LEN][128];
	/* Exact second stage: hashes of the literals' first 3 bytes. The nibble
	 * tables let through ~1 position in 250 of source text; this drops
	 * nearly all of them for the price of one load. */
	uint64_t first3[(1u << HASH_BITS) / 64];
	int isa;  /* SFMC_PREFILTER_ISA_* in use */
};

static int best_isa(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512bw"))
		return SFMC_PREFILTER_ISA_AVX512;
	if (__builtin_cpu_supports("avx2"))
		return SFMC_PREFILTER_ISA_AVX2;
	if (__builtin_cpu_supports("ssse3"))
		return SFMC_PREFILTER_ISA_SSSE3;
#endif
	return SFMC_PREFILTER_ISA_SCALAR;
}

const char *sfmc_prefilter_isa_name(void)
{
	static const char *const names[] = { "scalar", "SSSE3", "AVX2", "AVX-512" };
	return names[best_isa()];
}

static uint32_t key3(const unsigned char *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static unsigned hash3(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return (v * 0x9e3779b1u) >> (32 - HASH_BITS);
}

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
	free(set->key);
	free(set);
}

int sfmc_prefilter_set_new(sfmc_prefilter_set **out, const unsigned char *const *lits, const size_t *lens,
			   size_t n)
{
	sfmc_prefilter_set *s = calloc(1, sizeof(*s));
	size_t *order = NULL;

	*out = NULL;
	if (!s || !(s->lit = calloc(n ? n : 1, sizeof(*s->lit))) || !(s->len = calloc(n ? n : 1, sizeof(*s->len))) ||
	    !(s->bucket = calloc(n ? n : 1, 1)) || !(s->key = calloc(n ? n : 1, sizeof(*s->key))) || !(order = malloc((n ? n : 1) * sizeof(*order))))
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
		s->key[i] = key3(s->lit[i]);
		s->n = i + 1;
		s->bucket[i] = (unsigned char)(i * NBUCKETS / n);
		for (int j = 0; j < FP_LEN; j++) {
			s->lo[j][s->lit[i][j] & 15] |= (unsigned char)(1u << s->bucket[i]);
			s->hi[j][s->lit[i][j] >> 4] |= (unsigned char)(1u << s->bucket[i]);
			s->exact[j][s->lit[i][j] & 0x7f] |= (unsigned char)(1u << s->bucket[i]);
		}
		s->first3[hash3(s->lit[i]) / 64] |= (uint64_t)1 << (hash3(s->lit[i]) % 64);
	}
	free(order);
	s->isa = best_isa();
	*out = s;
	return 0;
oom:
	free(order);
	sfmc_prefilter_set_free(s);
	return sfmc_error_set("out of memory");
}

int sfmc_prefilter_set_isa(sfmc_prefilter_set *set, int isa)
{
	if (isa > best_isa())
		return -1;
	set->isa = isa;
	return 0;
}

/* true when a literal starts at hay[p]: the hash bitmap rejects most
 * candidates, a binary search (literals are sorted by their first 3 bytes)
 * finds the few that share those bytes. */
static bool verify_slow(const sfmc_prefilter_set *s, const unsigned char *hay, size_t n, size_t p)
{
	uint32_t k = key3(hay + p);
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->key[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->n && s->key[lo] == k; lo++) {
		size_t i = FP_LEN, len = s->len[lo];
		if (len > n - p)
			continue;
		while (i < len && hay[p + i] == s->lit[lo][i]) /* literals are short: no memcmp call */
			i++;
		if (i == len)
			return true;
	}
	return false;
}

/* exact: a whole literal starts at hay[p]; otherwise the first 3 bytes of
 * one may (the caller verifies: no second verification). */
static inline bool verify(const sfmc_prefilter_set *s, const unsigned char *hay, size_t n, size_t p, bool exact)
{
	unsigned h = hash3(hay + p);
	return (s->first3[h / 64] >> (h % 64) & 1) && (!exact || verify_slow(s, hay, n, p));
}

static unsigned buckets_at(const sfmc_prefilter_set *s, const unsigned char *p)
{
	unsigned m = 0xff;
	for (int j = 0; j < FP_LEN; j++)
		m &= (unsigned)(s->lo[j][p[j] & 15] & s->hi[j][p[j] >> 4]);
	return m;
}

static size_t find_scalar(const sfmc_prefilter_set *s, const unsigned char *hay, size_t n, size_t i, bool exact)
{
	for (; i + FP_LEN <= n; i++) {
		unsigned m = buckets_at(s, hay + i);
		if (m && verify(s, hay, n, i, exact))
			return i;
	}
	return n;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The search loop of the nibble filters, W positions per step: CAND(&t, p)
 * gives the candidate bits at p; the last step ends at n, overlapping what
 * was already scanned (bits below i masked off). */
#define NIBBLE_SEARCH(W, CAND)                                                               \
	size_t i = 0, j;                                                                    \
	uint64_t bits;                                                                      \
	for (;;) {                                                                          \
		bits = 0;                                                                   \
		for (; i + (W) + FP_LEN - 1 <= n; i += (W))                                \
			if ((bits = CAND(&t, hay + i)))                                     \
				break;                                                      \
		if (!bits)                                                                  \
			break;                                                              \
		for (; bits; bits &= bits - 1)                                              \
			if (verify(s, hay, n, i + (unsigned)__builtin_ctzll(bits), exact))  \
				return i + (unsigned)__builtin_ctzll(bits);                 \
		i += (W);                                                                   \
	}                                                                                   \
	if (i + FP_LEN > n)                                                                 \
		return n;                                                                   \
	if (n < (W) + FP_LEN - 1)                                                           \
		return find_scalar(s, hay, n, i, exact);                                    \
	j = n - ((W) + FP_LEN - 1);                                                         \
	for (bits = CAND(&t, hay + j) & (~(uint64_t)0 << (i - j)); bits; bits &= bits - 1)  \
		if (verify(s, hay, n, j + (unsigned)__builtin_ctzll(bits), exact))          \
			return j + (unsigned)__builtin_ctzll(bits);                         \
	return n

typedef struct ssse3_tables {
	__m128i lo0, lo1, lo2, hi0, hi1, hi2;
} ssse3_tables;

/* Bit k set: position p+k may start a literal (all three bytes share a bucket). */
__attribute__((target("ssse3"), always_inline)) static inline unsigned ssse3_candidates(const ssse3_tables *t,
											  const unsigned char *p)
{
	const __m128i nib = _mm_set1_epi8(0x0f);
	__m128i c0 = _mm_loadu_si128((const __m128i *)p);
	__m128i c1 = _mm_loadu_si128((const __m128i *)(p + 1));
	__m128i c2 = _mm_loadu_si128((const __m128i *)(p + 2));
	__m128i r0 = _mm_and_si128(_mm_shuffle_epi8(t->lo0, _mm_and_si128(c0, nib)),
				   _mm_shuffle_epi8(t->hi0, _mm_and_si128(_mm_srli_epi16(c0, 4), nib)));
	__m128i r1 = _mm_and_si128(_mm_shuffle_epi8(t->lo1, _mm_and_si128(c1, nib)),
				   _mm_shuffle_epi8(t->hi1, _mm_and_si128(_mm_srli_epi16(c1, 4), nib)));
	__m128i r2 = _mm_and_si128(_mm_shuffle_epi8(t->lo2, _mm_and_si128(c2, nib)),
				   _mm_shuffle_epi8(t->hi2, _mm_and_si128(_mm_srli_epi16(c2, 4), nib)));
	__m128i r = _mm_and_si128(r0, _mm_and_si128(r1, r2));
	return ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(r, _mm_setzero_si128())) & 0xffff;
}

__attribute__((target("ssse3"))) static size_t find_ssse3(const sfmc_prefilter_set *s, const unsigned char *hay,
							  size_t n, bool exact)
{
	ssse3_tables t = {
		_mm_loadu_si128((const __m128i *)s->lo[0]), _mm_loadu_si128((const __m128i *)s->lo[1]),
		_mm_loadu_si128((const __m128i *)s->lo[2]), _mm_loadu_si128((const __m128i *)s->hi[0]),
		_mm_loadu_si128((const __m128i *)s->hi[1]), _mm_loadu_si128((const __m128i *)s->hi[2]),
	};
	NIBBLE_SEARCH(16, ssse3_candidates);
}

/* The AVX2 tables: VEX encoding keeps them in registers (SSE pshufb
 * overwrites its table operand). */
typedef struct avx2_tables {
	__m256i lo0, lo1, lo2, hi0, hi1, hi2;
} avx2_tables;

/* Byte k non-zero: position p+k may start a literal (all three bytes share a bucket). */
__attribute__((target("avx2"), always_inline)) static inline __m256i avx2_buckets(const avx2_tables *t,
										 const unsigned char *p)
{
	const __m256i nib = _mm256_set1_epi8(0x0f);
	__m256i c0 = _mm256_loadu_si256((const __m256i *)p);
	__m256i c1 = _mm256_loadu_si256((const __m256i *)(p + 1));
	__m256i c2 = _mm256_loadu_si256((const __m256i *)(p + 2));
	__m256i r0 = _mm256_and_si256(_mm256_shuffle_epi8(t->lo0, _mm256_and_si256(c0, nib)),
				      _mm256_shuffle_epi8(t->hi0, _mm256_and_si256(_mm256_srli_epi16(c0, 4), nib)));
	__m256i r1 = _mm256_and_si256(_mm256_shuffle_epi8(t->lo1, _mm256_and_si256(c1, nib)),
				      _mm256_shuffle_epi8(t->hi1, _mm256_and_si256(_mm256_srli_epi16(c1, 4), nib)));
	__m256i r2 = _mm256_and_si256(_mm256_shuffle_epi8(t->lo2, _mm256_and_si256(c2, nib)),
				      _mm256_shuffle_epi8(t->hi2, _mm256_and_si256(_mm256_srli_epi16(c2, 4), nib)));
	return _mm256_and_si256(r0, _mm256_and_si256(r1, r2));
}

/* Bit k set: position p+k may start a literal; 64 positions, one test for
 * the common case of none. */
__attribute__((target("avx2"), always_inline)) static inline uint64_t avx2_candidates(const avx2_tables *t,
										const unsigned char *p)
{
	__m256i a = avx2_buckets(t, p), b = avx2_buckets(t, p + 32), z = _mm256_setzero_si256();
	__m256i any = _mm256_or_si256(a, b);

	if (_mm256_testz_si256(any, any))
		return 0;
	return ~((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, z)) |
		 (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, z)) << 32);
}

__attribute__((target("avx2"))) static size_t find_avx2_set(const sfmc_prefilter_set *s, const unsigned char *hay,
							     size_t n, bool exact)
{
	avx2_tables t = {
		_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)s->lo[0])),
		_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)s->lo[1])),
		_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)s->lo[2])),
		_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)s->hi[0])),
		_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)s->hi[1])),
		_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)s->hi[2])),
	};
	/* The hot loop makes no call, so the tables stay in registers (ymm
	 * registers do not survive calls). */
	NIBBLE_SEARCH(64, avx2_candidates);
}

#define AVX512_TARGET "avx512f,avx512bw,avx512vbmi,bmi,bmi2"

/* Bit k set: position p+k may start a literal. Exact lookups of the three
 * bytes (two 64-byte halves of each 128-entry table per vpermi2b). Only the
 * first r bytes are read (masked-out bytes never fault); r >= FP_LEN. */
__attribute__((target(AVX512_TARGET), always_inline)) static inline uint64_t
avx512_candidates(const __m512i *t, const unsigned char *p, size_t r)
{
	const uint64_t all = ~(uint64_t)0;
	__m512i c0 = _mm512_maskz_loadu_epi8(r >= 64 ? all : _bzhi_u64(all, (unsigned)r), p);
	__m512i c1 = _mm512_maskz_loadu_epi8(r >= 65 ? all : _bzhi_u64(all, (unsigned)r - 1), p + 1);
	__m512i c2 = _mm512_maskz_loadu_epi8(r >= 66 ? all : _bzhi_u64(all, (unsigned)r - 2), p + 2);
	__m512i r0 = _mm512_permutex2var_epi8(t[0], c0, t[1]);
	__m512i r1 = _mm512_permutex2var_epi8(t[2], c1, t[3]);
	__m512i r2 = _mm512_permutex2var_epi8(t[4], c2, t[5]);
	__m512i x = _mm512_ternarylogic_epi64(r0, r1, r2, 0x80); /* r0 & r1 & r2 */
	return _mm512_test_epi8_mask(x, x) & (r >= 66 ? all : _bzhi_u64(all, (unsigned)r - 2));
}

/* 64 positions per iteration; the last, partial vector uses masked loads. */
__attribute__((target(AVX512_TARGET))) static size_t find_avx512_set(const sfmc_prefilter_set *s,
								      const unsigned char *hay, size_t n, bool exact)
{
	const __m512i t[6] = {
		_mm512_loadu_si512(s->exact[0]), _mm512_loadu_si512(s->exact[0] + 64),
		_mm512_loadu_si512(s->exact[1]), _mm512_loadu_si512(s->exact[1] + 64),
		_mm512_loadu_si512(s->exact[2]), _mm512_loadu_si512(s->exact[2] + 64),
	};
	size_t i = 0;
	uint64_t bits;

	for (;;) {
		bits = 0;
		for (; i + 64 + FP_LEN - 1 <= n; i += 64)
			if ((bits = avx512_candidates(t, hay + i, 64 + FP_LEN - 1)))
				break;
		if (!bits) {
			if (i + FP_LEN > n)
				return n;
			bits = avx512_candidates(t, hay + i, n - i);
		}
		for (; bits; bits &= bits - 1)
			if (verify(s, hay, n, i + (unsigned)__builtin_ctzll(bits), exact))
				return i + (unsigned)__builtin_ctzll(bits);
		if ((i += 64) + FP_LEN > n)
			return n;
	}
}
#endif

static size_t set_search(const sfmc_prefilter_set *set, const unsigned char *hay, size_t n, bool exact)
{
	if (!set->n)
		return n;
#if defined(__x86_64__) && defined(__GNUC__)
	if (set->isa == SFMC_PREFILTER_ISA_AVX512)
		return find_avx512_set(set, hay, n, exact);
	if (set->isa == SFMC_PREFILTER_ISA_AVX2)
		return find_avx2_set(set, hay, n, exact);
	if (set->isa == SFMC_PREFILTER_ISA_SSSE3)
		return find_ssse3(set, hay, n, exact);
#endif
	return find_scalar(set, hay, n, 0, exact);
}

size_t sfmc_prefilter_set_find(const sfmc_prefilter_set *set, const unsigned char *hay, size_t n)
{
	return set_search(set, hay, n, true);
}

size_t sfmc_prefilter_set_candidate(const sfmc_prefilter_set *set, const unsigned char *hay, size_t n)
{
	return set_search(set, hay, n, false);
}
