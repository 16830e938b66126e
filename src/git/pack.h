/* packorder.h - sorts object ids into the order their bytes sit in the
 * repository's packs, so that reading them in that order walks each pack
 * front to back and delta bases are still in libgit2's cache when their
 * deltas are read (five-fold faster than object-id order on real history).
 * Parses the pack .idx (v2) files itself; reads nothing else. */
#ifndef SFMC_PACKORDER_H
#define SFMC_PACKORDER_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

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

/* The packs of one repository (its object directory and alternates),
 * indexed once for a whole scan: the mapped .idx files, each pack's open
 * file, its objects' offsets and CRC-32s sorted by offset, and the count of
 * each object's delta children. No registry: the code that starts a scan
 * owns the set (sfmc_packset_new before the scan, sfmc_packset_free after
 * the last reader over it is freed) and passes it to every pack reader the
 * scan makes (commit walk, tree readers, blob readers), on any thread.
 *
 * Threading: the set is indexed lazily, exactly once, by the first
 * sfmc_packreader_new or sfmc_packset_prepare, under the set's build lock
 * (concurrent callers wait and share); from then on the indexes, files and
 * offsets are immutable and every thread reads them without locks (the
 * lock's release published them). The delta-children counts are written
 * once, under a second lock (so that new readers need not wait for them);
 * a reader reads them only after its sfmc_packreader_in_pack_order went
 * through that lock. Readers and their caches belong to one thread each. */
typedef struct sfmc_packset sfmc_packset;

/* A set for repo's packs, not indexed yet: a scan that never makes a reader
 * never indexes. Call on the thread that uses repo. Returns 0 or -1 (out of
 * memory; message set). */
int sfmc_packset_new(sfmc_packset **out, git_repository *repo);
/* Indexes the packs and counts the delta children now, on a thread of its
 * own when background (the commit walk goes on meanwhile; readers made in
 * the meantime wait only for the indexes), else here. Failures only cost
 * speed (readers then retry the indexing, or fall back to libgit2). */
void sfmc_packset_prepare(sfmc_packset *set, bool background);
/* Waits for sfmc_packset_prepare's thread, then frees set (NULL: nothing).
 * Every reader over set must have been freed. */
void sfmc_packset_free(sfmc_packset *set);

/* A fast path for reading packed objects (one reader per thread): inflates
 * and applies deltas itself, with a delta-base cache of cache_bytes (LRU)
 * that, unlike libgit2's (16 MiB, flushed whole), keeps the bases of a
 * pack-ordered walk. Like git (which re-hashes objects only in fsck and
 * index-pack), it does not re-hash what it reads: the stored bytes of every
 * object read are checked against the .idx CRC-32 and every inflate against
 * zlib's Adler-32, and each delta's base and result sizes must match. Memory: the
 * cache, a window of the pack (SFMC_PACK_WINDOW_BYTES), and buffers as large
 * as the largest object read; the pack itself is read, never mapped. */
typedef struct sfmc_packreader sfmc_packreader;

/* A reader over set (indexed here if not yet; set must outlive the reader),
 * with its own cache of cache_bytes. Returns 0 or -1 (message set). */
int sfmc_packreader_new(sfmc_packreader **out, sfmc_packset *set, size_t cache_bytes);
void sfmc_packreader_free(sfmc_packreader *r);

/* SFMC_OK: the object is in a pack and was read: *data (malloc'd, the
 * caller frees it), *len, *type. SFMC_ENOTFOUND: in no pack (loose: read it
 * through libgit2). SFMC_EDECLINED: in a pack but not read here (bad data, a
 * CRC or checksum mismatch, no memory): read it through libgit2 instead,
 * which reports the error if there is one; its delta chain was checked.
 * SFMC_ELIMIT (message set): its delta chain loops or is deeper than
 * SFMC_MAX_DELTA_DEPTH; an error of the scan, never to be handed to
 * libgit2, which would follow the chain forever. */
int sfmc_packreader_read(sfmc_packreader *r, const git_oid *id, git_object_t *type, unsigned char **data,
			 size_t *len);

/* The same without a copy: *data belongs to the reader and stays valid
 * until the next call on r (or its free). */
int sfmc_packreader_view(sfmc_packreader *r, const git_oid *id, git_object_t *type, const unsigned char **data,
			 size_t *len);

/* SFMC_ELIMIT (message set) when id is packed with a delta chain libgit2
 * must not follow (see above), else SFMC_OK; reads object headers only. */
int sfmc_packreader_check(const sfmc_packreader *r, const git_oid *id);

/* The same check for code that reads through libgit2 without a pack reader
 * (few objects: a reader's set-up costs more): maps the pack indexes once,
 * opens a pack when an object is found in it. One per thread. */
typedef struct sfmc_packguard sfmc_packguard;
int sfmc_packguard_new(sfmc_packguard **out, git_repository *repo);
/* SFMC_ELIMIT (message set) or SFMC_OK; g NULL: SFMC_OK. */
int sfmc_packguard_check(sfmc_packguard *g, const git_oid *id);
void sfmc_packguard_free(sfmc_packguard *g);

/* sfmc_packorder_index with the packs r has already indexed. */
int sfmc_packreader_order(const sfmc_packreader *r, const git_oid *oids, size_t n, size_t **order);

/* Tells r that its reads come in pack order (sfmc_packreader_order): its
 * cache then keeps an object only while deltas remain to be built from it,
 * as the pack's headers say (counted once per set, by sfmc_packset_prepare
 * or the first call; later calls wait for that count).
 * In any other order plain LRU serves better: leave it unset. */
void sfmc_packreader_in_pack_order(sfmc_packreader *r);

/* Bytes of pack read at once when reading forward (SFMC_PACK_WINDOW_BYTES
 * unless changed; tests lower it so objects straddle window edges). */
void sfmc_packreader_set_window(sfmc_packreader *r, size_t bytes);

#endif
