/* oidmap.h - an open-addressing hash map from (git object id, 32-bit tag) to
 * a 32-bit value. The tag lets one map key pairs such as (tree, path id).
 * The map owns its slots; keys are copied. */
#ifndef SFMC_OIDMAP_H
#define SFMC_OIDMAP_H

#include <stddef.h>
#include <stdint.h>

#include <git2/oid.h>

typedef struct sfmc_oidmap_slot {
	git_oid oid;
	uint32_t tag;
	uint32_t value1; /* value + 1; 0 marks an empty slot */
} sfmc_oidmap_slot;

typedef struct sfmc_oidmap {
	sfmc_oidmap_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t n;
} sfmc_oidmap;

void sfmc_oidmap_init(sfmc_oidmap *m);
void sfmc_oidmap_dispose(sfmc_oidmap *m);
/* Finds (oid, tag): returns 1 and sets *value, or 0 when absent. */
int sfmc_oidmap_get(const sfmc_oidmap *m, const git_oid *oid, uint32_t tag, uint32_t *value);
/* Inserts (oid, tag) -> value unless present. Returns 0 when inserted, 1 when
 * present (*value then holds the stored value), -1 out of memory (message set). */
int sfmc_oidmap_put(sfmc_oidmap *m, const git_oid *oid, uint32_t tag, uint32_t *value);
/* Overwrites the value of a present key (no-op when absent). */
void sfmc_oidmap_set(sfmc_oidmap *m, const git_oid *oid, uint32_t tag, uint32_t value);

#endif
