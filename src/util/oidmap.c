#include "util/oidmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

void sfmc_oidmap_init(sfmc_oidmap *m)
{
	memset(m, 0, sizeof(*m));
}

void sfmc_oidmap_dispose(sfmc_oidmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* Object ids are uniformly distributed already: their first bytes are a hash. */
static size_t slot_hash(const git_oid *oid, uint32_t tag)
{
	uint64_t h;
	memcpy(&h, oid->id, sizeof(h));
	return (size_t)(h ^ ((uint64_t)tag * 0x9e3779b97f4a7c15ull));
}

static sfmc_oidmap_slot *find(const sfmc_oidmap *m, const git_oid *oid, uint32_t tag)
{
	size_t mask = m->cap - 1;
	for (size_t i = slot_hash(oid, tag) & mask;; i = (i + 1) & mask) {
		sfmc_oidmap_slot *s = &m->slots[i];
		if (!s->value1 || (s->tag == tag && git_oid_equal(&s->oid, oid)))
			return s;
	}
}

static int grow(sfmc_oidmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024;
	sfmc_oidmap old = *m;

	if (!(m->slots = calloc(ncap, sizeof(*m->slots)))) {
		m->slots = old.slots;
		return sfmc_error_set("out of memory");
	}
	m->cap = ncap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].value1)
			*find(m, &old.slots[i].oid, old.slots[i].tag) = old.slots[i];
	free(old.slots);
	return 0;
}

int sfmc_oidmap_get(const sfmc_oidmap *m, const git_oid *oid, uint32_t tag, uint32_t *value)
{
	const sfmc_oidmap_slot *s;
	if (!m->cap)
		return 0;
	s = find(m, oid, tag);
	if (!s->value1)
		return 0;
	*value = s->value1 - 1;
	return 1;
}

int sfmc_oidmap_put(sfmc_oidmap *m, const git_oid *oid, uint32_t tag, uint32_t *value)
{
	sfmc_oidmap_slot *s;

	if ((m->n + 1) * 2 > m->cap && grow(m) < 0) /* load factor <= 1/2 */
		return -1;
	s = find(m, oid, tag);
	if (s->value1) {
		*value = s->value1 - 1;
		return 1;
	}
	git_oid_cpy(&s->oid, oid);
	s->tag = tag;
	s->value1 = *value + 1;
	m->n++;
	return 0;
}

void sfmc_oidmap_set(sfmc_oidmap *m, const git_oid *oid, uint32_t tag, uint32_t value)
{
	sfmc_oidmap_slot *s;
	if (!m->cap)
		return;
	s = find(m, oid, tag);
	if (s->value1)
		s->value1 = value + 1;
}
