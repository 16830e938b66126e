/* strtab.h - interned byte strings (paths): each distinct string is stored
 * once and named by a 32-bit id. The table owns the bytes; pointers returned
 * by sfmc_strtab_get stay valid until the next sfmc_strtab_intern. */
#ifndef SFMC_STRTAB_H
#define SFMC_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef struct sfmc_strtab {
	sfmc_buf bytes;   /* every string, NUL-terminated, back to back */
	size_t *offsets;  /* id -> offset in bytes */
	size_t *lens;     /* id -> length */
	size_t n, a;
	uint32_t *slots;  /* hash table of id + 1, 0 = empty */
	size_t cap;
} sfmc_strtab;

void sfmc_strtab_init(sfmc_strtab *t);
void sfmc_strtab_dispose(sfmc_strtab *t);
/* The id of s[0..len), adding it when new. Returns 0 or -1 (message set). */
int sfmc_strtab_intern(sfmc_strtab *t, const char *s, size_t len, uint32_t *id);
/* The NUL-terminated string of id (and its length in *len when not NULL). */
const char *sfmc_strtab_get(const sfmc_strtab *t, uint32_t id, size_t *len);

#endif
