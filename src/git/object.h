/* gittree.h - git's commit and tree objects as raw bytes, for the history
 * walk: a strict parser of the tree format (untrusted input: every length
 * checked, a malformed tree is an error, never a crash), git's entry order,
 * the header of a commit (tree and parent ids), and a reader that fetches
 * commits and trees through the pack reader (libgit2's object database for
 * what it declines) with a cache of recently read trees.
 *
 * Tree format (git's Documentation/gitformat-*, "tree"): entries of
 * "<octal mode> <name>\0<20-byte id>", sorted by name where a directory
 * sorts as if its name ended in '/'. */
#ifndef SFMC_GITTREE_H
#define SFMC_GITTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "git/pack.h"
#include "util/error.h"

/* What an entry names, from its mode (as libgit2 types it). */
typedef enum sfmc_gittree_kind {
	SFMC_GITTREE_BLOB,    /* files and symlinks (any mode not below) */
	SFMC_GITTREE_TREE,    /* 040000 */
	SFMC_GITTREE_GITLINK, /* 160000: a submodule's commit */
} sfmc_gittree_kind;

/* One entry; name and id point into the tree's bytes. */
typedef struct sfmc_gittree_entry {
	const char *name;
	size_t namelen;
	const unsigned char *id; /* GIT_OID_RAWSZ bytes */
	uint32_t mode;
	size_t size;             /* bytes of the whole entry */
} sfmc_gittree_entry;

/* Parses the entry at p into *e (end: one past the tree's last byte).
 * Returns SFMC_OK (an entry), SFMC_ENOTFOUND (p == end: no more entries; no
 * message), or SFMC_EINVALID (malformed; message set, naming the byte
 * offset from base). */
int sfmc_gittree_next(sfmc_gittree_entry *e, const unsigned char *base, const unsigned char *p,
		      const unsigned char *end);
/* Checks a whole tree. Returns SFMC_OK or SFMC_EINVALID (message set). */
int sfmc_gittree_check(const unsigned char *data, size_t len);
sfmc_gittree_kind sfmc_gittree_kind_of(uint32_t mode);
/* git's tree order (base_name_compare; ties that only names with '/' can
 * make broken by length): <0, 0 (same name and both directories or both
 * not), >0. */
int sfmc_gittree_cmp(const sfmc_gittree_entry *a, const sfmc_gittree_entry *b);

/* The tree id and parent ids of a raw commit ("tree <hex>\n" then "parent
 * <hex>\n" lines). *parents is malloc'd (caller frees; NULL when none).
 * Returns 0 or -1 (message set). */
int sfmc_gittree_commit_parse(const unsigned char *data, size_t len, git_oid *tree, git_oid **parents,
			      size_t *nparents);

/* The committer time of a raw commit in git's canonical form: tree and
 * parent lines, then one author and one committer line, each
 * "<name> <<email>> <seconds> <+|-hhmm>" (libgit2 reads the same time from
 * those). Returns SFMC_OK and sets *time, or SFMC_EDECLINED (no message)
 * for any other form. */
int sfmc_gittree_commit_time(const unsigned char *data, size_t len, int64_t *time);

/* A raw object held from the reader's cache: valid until released. */
typedef struct sfmc_gitobj {
	const unsigned char *data;
	size_t len;
} sfmc_gitobj;

/* Called for each entry e of a tree that no parent tree holds (same name,
 * kind and id); same_name[i] is parent i's entry of e's name, or NULL. A
 * negative return stops the diff. */
typedef int (*sfmc_gittree_changed_fn)(void *ctx, const sfmc_gittree_entry *e,
				       const sfmc_gittree_entry *const *same_name);
/* Compares tree t with np parent trees (parents[i] NULL: no such tree, so
 * every entry differs from it) by a merge of their sorted entries (git's
 * diff-tree), skipping runs of identical bytes. Trees are parsed as they
 * are compared: a parent that is unsorted or stops parsing only makes more
 * entries differ. Returns 0; SFMC_EINVALID (message set) when t
 * stops parsing (fn saw the entries before); -1 when fn failed. */
int sfmc_gittree_diff(const sfmc_gitobj *t, const sfmc_gitobj *const *parents, size_t np,
		      sfmc_gittree_changed_fn fn, void *ctx);

typedef struct sfmc_gittree_reader sfmc_gittree_reader;

/* cache_bytes bounds the trees kept (those held are never evicted);
 * pack_cache_bytes: read packed objects with a pack reader over packs (the
 * scan's set, see pack.h) and that much delta-base cache, or 0 or packs
 * NULL for libgit2 alone (indexing the packs costs more than it saves for a
 * handful of objects). One reader per thread. */
int sfmc_gittree_reader_new(sfmc_gittree_reader **out, git_repository *repo, size_t cache_bytes, sfmc_packset *packs,
			    size_t pack_cache_bytes);
void sfmc_gittree_reader_free(sfmc_gittree_reader *r);
/* Holds tree id (from the cache or read; its entries are checked as the
 * diff parses them). Returns 0, or -1 (message set: unreadable, not a tree). */
int sfmc_gittree_read_tree(sfmc_gittree_reader *r, const git_oid *id, const sfmc_gitobj **out);
void sfmc_gittree_release(sfmc_gittree_reader *r, const sfmc_gitobj *obj);
/* Reads and parses commit id (not cached). Returns 0 or -1 (message set). */
int sfmc_gittree_read_commit(sfmc_gittree_reader *r, const git_oid *id, git_oid *tree, git_oid **parents,
			     size_t *nparents);

/* A commit through the pack reader only: SFMC_OK with its tree, parents
 * (malloc'd) and committer time when it is packed, reads back to its id and
 * has the canonical form above; SFMC_EDECLINED otherwise (ask libgit2,
 * which reports errors its own way); SFMC_ERROR out of memory (message
 * set); SFMC_ELIMIT (message set) when its delta chain loops (libgit2 must
 * not read it). */
int sfmc_gittree_read_commit_fast(sfmc_gittree_reader *r, const git_oid *id, git_oid *tree, git_oid **parents,
				  size_t *nparents, int64_t *time);
/* Called with a raw commit the fast read parsed, before it is freed; a
 * negative return fails the read with SFMC_ERROR (message set by fn). */
typedef int (*sfmc_gittree_raw_fn)(void *payload, const git_oid *id, const unsigned char *data, size_t len);
/* sfmc_gittree_read_commit_fast that also shows the raw commit to fn (the
 * history walk scans commit messages without reading commits twice). */
int sfmc_gittree_read_commit_fast_raw(sfmc_gittree_reader *r, const git_oid *id, git_oid *tree, git_oid **parents,
				      size_t *nparents, int64_t *time, sfmc_gittree_raw_fn fn, void *payload);

#endif
