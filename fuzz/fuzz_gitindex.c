/* fuzz_gitindex.c - the index file parser on arbitrary bytes (an index is a
 * file an attacker can shape: a cloned repository's hooks run sfmc-scan on
 * it). Whatever parses is then walked the way `staged` walks it: every
 * entry's fields, every cache-tree node and its children by name. */
#include <stdint.h>
#include <string.h>

#include "git/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sfmc_gitindex idx;
	unsigned sum = 0;

	sfmc_gitindex_init(&idx);
	if (sfmc_gitindex_parse(&idx, data, size) == 0) {
		for (size_t i = 0; i < idx.n; i++) {
			sfmc_gitindex_entry e = sfmc_gitindex_get(&idx, i);
			sum += sfmc_gitindex_mode(&idx, &e) + sfmc_gitindex_stage(&idx, &e) + sfmc_gitindex_oid(&idx, &e)[19];
			sum += (unsigned)strlen(e.path) + (unsigned)(e.path[e.len] == '\0');
			if (i)
				sum += sfmc_gitindex_ordered(&idx, i);
		}
		for (size_t t = 0; t < idx.ntrees; t++) {
			const sfmc_gitindex_tree *n = &idx.trees[t];
			sum += n->end + (n->oid ? n->oid[19] : 0);
			if (t + 1 < n->end)
				sum += (unsigned)sfmc_gitindex_tree_child(&idx, t, idx.trees[t + 1].name, idx.trees[t + 1].namelen);
		}
	}
	sfmc_gitindex_dispose(&idx);
	return (int)(sum & 0);
}
