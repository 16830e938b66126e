/* array.h - the one growable array: any `T *arr; size_t n, alloc;` triple.
 * Growth doubles (from 16), checks n * sizeof(T) for overflow and never
 * changes the array on failure. Not thread-safe: one owner at a time. */
#ifndef SFMC_ARRAY_H
#define SFMC_ARRAY_H

#include <stddef.h>

/* Makes *p (of *alloc elements of elem bytes) hold at least want elements.
 * Returns 0, or SFMC_ERROR with "out of memory" set (*p, *alloc unchanged). */
int sfmc_array_reserve_n(void **p, size_t want, size_t *alloc, size_t elem);

/* Room for one more element after the n in use. */
static inline int sfmc_array_reserve(void **p, size_t n, size_t *alloc, size_t elem)
{
	return n < *alloc ? 0 : sfmc_array_reserve_n(p, n + 1, alloc, elem);
}

/* Typed forms: SFMC_ARRAY_GROW(r->items, r->n, r->alloc) before appending. */
#define SFMC_ARRAY_GROW(arr, n, alloc) sfmc_array_reserve((void **)&(arr), (n), &(alloc), sizeof(*(arr)))
#define SFMC_ARRAY_RESERVE(arr, want, alloc) sfmc_array_reserve_n((void **)&(arr), (want), &(alloc), sizeof(*(arr)))

#endif
