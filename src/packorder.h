/* packorder.h - sorts object ids into the order their bytes sit in the
 * repository's packs, so that reading them in that order walks each pack
 * front to back and delta bases are still in libgit2's cache when their
 * deltas are read (five-fold faster than object-id order on real history).
 * Parses the pack .idx (v2) files itself; reads nothing else. */
#ifndef SFMC_PACKORDER_H
#define SFMC_PACKORDER_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

/* Where one object lives: pack number (packs are numbered in the order
 * sfmc_packorder_sort saw them) and byte offset; SFMC_PACKORDER_LOOSE for
 * objects found in no pack (loose, or in a pack with an unreadable index). */
#define SFMC_PACKORDER_LOOSE UINT32_MAX
typedef struct sfmc_pack_pos {
	uint32_t pack;
	uint64_t offset;
} sfmc_pack_pos;

/* Sorts oids[0,n) in place: by pack, then by offset inside the pack; objects
 * in no pack come last, in object-id order. If pos is not NULL it receives
 * each (sorted) object's position, pos[i] for oids[i]. Packs of the
 * repository's objects directory and of its alternates are used; an index
 * that cannot be parsed only costs speed (its objects sort as loose).
 * Returns 0 or -1 (out of memory; message set). */
int sfmc_packorder_sort(git_repository *repo, git_oid *oids, size_t n, sfmc_pack_pos *pos);

/* The same order as a permutation, oids left in place: *order (malloc'd,
 * the caller frees it) receives n indices, oids[(*order)[0]] read first. */
int sfmc_packorder_index(git_repository *repo, const git_oid *oids, size_t n, size_t **order);

#endif
