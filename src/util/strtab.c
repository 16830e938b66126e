#include "util/strtab.h"

#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "util/array.h"
#include "util/error.h"

void sfmc_strtab_init(sfmc_strtab *t)
{
	memset(t, 0, sizeof(*t));
	sfmc_buf_init(&t->bytes, SFMC_MAX_PATH_TABLE);
}

void sfmc_strtab_dispose(sfmc_strtab *t)
{
	sfmc_buf_dispose(&t->bytes);
	free(t->offsets);
	free(t->lens);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

/* The slot holding s, or the empty slot where it belongs. */
static uint32_t *find(const sfmc_strtab *t, const char *s, size_t len)
{
	size_t mask = t->cap - 1;
	for (size_t i = fnv1a(s, len) & mask;; i = (i + 1) & mask) {
		uint32_t id1 = t->slots[i];
		if (!id1 || (t->lens[id1 - 1] == len && !memcmp(t->bytes.ptr + t->offsets[id1 - 1], s, len)))
			return &t->slots[i];
	}
}

static int grow(sfmc_strtab *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 1024;
	uint32_t *old = t->slots;
	size_t ocap = t->cap;

	if (!(t->slots = calloc(ncap, sizeof(*t->slots)))) {
		t->slots = old;
		return sfmc_error_set("out of memory");
	}
	t->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i])
			*find(t, t->bytes.ptr + t->offsets[old[i] - 1], t->lens[old[i] - 1]) = old[i];
	free(old);
	return 0;
}

int sfmc_strtab_intern(sfmc_strtab *t, const char *s, size_t len, uint32_t *id)
{
	uint32_t *slot;

	if ((t->n + 1) * 2 > t->cap && grow(t) < 0)
		return -1;
	slot = find(t, s, len);
	if (*slot) {
		*id = *slot - 1;
		return 0;
	}
	if (t->n == t->a) {
		/* Two parallel arrays, one capacity: it moves once both have grown. */
		size_t ao = t->a, al = t->a;
		if (SFMC_ARRAY_GROW(t->offsets, t->n, ao) < 0 || SFMC_ARRAY_GROW(t->lens, t->n, al) < 0)
			return -1;
		t->a = al;
	}
	t->offsets[t->n] = t->bytes.size;
	t->lens[t->n] = len;
	if (sfmc_buf_put(&t->bytes, s, len) < 0 || sfmc_buf_putc(&t->bytes, '\0') < 0)
		return -1;
	*id = (uint32_t)t->n++;
	*slot = *id + 1;
	return 0;
}

const char *sfmc_strtab_get(const sfmc_strtab *t, uint32_t id, size_t *len)
{
	if (len)
		*len = t->lens[id];
	return t->bytes.ptr + t->offsets[id];
}
