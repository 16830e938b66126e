/* array.c - growth for util/array.h. */
#include "util/array.h"

#include <stdint.h>
#include <stdlib.h>

#include "util/error.h"

int sfmc_array_reserve_n(void **p, size_t want, size_t *alloc, size_t elem)
{
	size_t na = *alloc ? *alloc : 16;
	void *np;

	if (want <= *alloc)
		return SFMC_OK;
	while (na < want) {
		if (na > SIZE_MAX / 2)
			return sfmc_error_set("out of memory");
		na *= 2;
	}
	if (elem && na > SIZE_MAX / elem)
		return sfmc_error_set("out of memory");
	if (!(np = realloc(*p, na * elem)))
		return sfmc_error_set("out of memory");
	*p = np;
	*alloc = na;
	return SFMC_OK;
}
