/* prefilter.h - the literal keyword search that gates the regex.
 * Pure functions over borrowed memory. */
#ifndef SFMC_PREFILTER_H
#define SFMC_PREFILTER_H

#include <stddef.h>

/* First occurrence of needle[0,m) in hay[0,n), or NULL. m >= 1.
 * AVX2 or SSE2 first/last-byte filter on x86-64 (chosen at run time),
 * memchr + memcmp elsewhere. */
const unsigned char *sfmc_prefilter_find(const unsigned char *hay, size_t n,
					 const unsigned char *needle, size_t m);

#endif
