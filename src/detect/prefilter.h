/* prefilter.h - the literal keyword search that gates the regex.
 * Pure functions over borrowed memory. */
#ifndef SFMC_PREFILTER_H
#define SFMC_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>

/* First occurrence of needle[0,m) in hay[0,n), or NULL. m >= 1.
 * AVX2 or SSE2 first/last-byte filter on x86-64 (chosen at run time),
 * memchr + memcmp elsewhere. */
const unsigned char *sfmc_prefilter_find(const unsigned char *hay, size_t n,
					 const unsigned char *needle, size_t m);

/* A set of literals searched in one pass (the encoded forms of keywords).
 * AVX2 or SSSE3 nibble-table filter on the first 3 bytes ("Teddy"), exact
 * 128-entry byte tables with AVX-512 VBMI, a scalar fallback; every
 * candidate is verified. The set owns copies of its literals. */
typedef struct sfmc_prefilter_set sfmc_prefilter_set;

/* Every literal must be at least SFMC_PREFILTER_SET_MIN bytes. */
#define SFMC_PREFILTER_SET_MIN 3
int sfmc_prefilter_set_new(sfmc_prefilter_set **out, const unsigned char *const *lits, const size_t *lens,
			   size_t n);
void sfmc_prefilter_set_free(sfmc_prefilter_set *set);
/* Offset of the first position in hay[0,n) where a whole literal of the set
 * starts, or n when there is none. */
size_t sfmc_prefilter_set_find(const sfmc_prefilter_set *set, const unsigned char *hay, size_t n);
/* Like sfmc_prefilter_set_find but the position is only a candidate: the
 * first 3 bytes of some literal are likely there (never skips a literal),
 * for callers that compare the literals themselves anyway. */
size_t sfmc_prefilter_set_candidate(const sfmc_prefilter_set *set, const unsigned char *hay, size_t n);
/* Instruction sets of the search, best last. set_new picks the best the CPU
 * has; tests force each one (returns -1 when the CPU lacks it). */
enum { SFMC_PREFILTER_ISA_SCALAR, SFMC_PREFILTER_ISA_SSSE3, SFMC_PREFILTER_ISA_AVX2, SFMC_PREFILTER_ISA_AVX512 };
/* The instruction set the prefilter uses on this CPU: "AVX-512", "AVX2", "SSSE3" or "scalar". */
const char *sfmc_prefilter_isa_name(void);
int sfmc_prefilter_set_isa(sfmc_prefilter_set *set, int isa);

#endif
