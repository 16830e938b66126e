/* gitindex.h - a read-only parser of git's index file (.git/index, format
 * versions 2, 3 and 4) and its cache-tree (TREE extension), so that
 * `staged` can skip every directory whose cached tree equals HEAD's and
 * compare only the entries under invalidated directories.
 *
 * The parser works on bytes the caller owns (a mapped file, or a fuzzer's
 * buffer) and keeps pointers into them: they must outlive the sfmc_gitindex.
 * It refuses (returns -1, message set) anything it does not understand so
 * the caller can fall back to libgit2: split index ("link"), sparse index
 * ("sdir", directory entries), any other required extension (first byte not
 * 'A'..'Z'), unknown entry flags, a truncated file, counts that do not add
 * up. Entry order is not checked here (it costs a third of the parse): the
 * caller checks the entries it looks at with sfmc_gitindex_ordered. The trailing SHA-1 is not
 * verified: git itself skips it on every read but fsck's (read-cache.c,
 * verify_index_checksum), and every field is bounds-checked anyway. */
#ifndef SFMC_GITINDEX_H
#define SFMC_GITINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define SFMC_GITINDEX_OID_LEN 20

/* One index entry, as sfmc_gitindex_get makes it: the path (NUL-terminated,
 * in the file for versions 2 and 3, in the parser's own buffer for version
 * 4), its length and where the entry starts in the file. In versions 2 and 3
 * the length comes from the entry's flags, as git reads it: a path with a
 * NUL inside (strlen(path) < len) is the caller's to refuse. */
typedef struct sfmc_gitindex_entry {
	const char *path;
	uint32_t len;
	uint32_t at;
} sfmc_gitindex_entry;

/* One cache-tree node, in the extension's pre-order: a node's children
 * follow it, and `end` is the index just past its last descendant. */
typedef struct sfmc_gitindex_tree {
	const char *name;     /* path component, not NUL-terminated; "" at the root */
	uint32_t namelen;
	int32_t entries;      /* index entries below it; -1: invalidated */
	uint32_t end;
	const unsigned char *oid; /* the tree's id; NULL when invalidated */
} sfmc_gitindex_tree;

typedef struct sfmc_gitindex {
	const unsigned char *data; /* the caller's bytes */
	size_t size;
	uint32_t version;
	uint32_t *at;                 /* n entries in index order (path, then stage): offsets in the file */
	uint32_t *v4path;             /* version 4: each entry's path, an offset in paths */
	size_t n;
	sfmc_gitindex_tree *trees;    /* trees[0] is the root; ntrees 0: no TREE extension */
	size_t ntrees;
	sfmc_buf paths;               /* version 4: every expanded path, NUL-terminated */
} sfmc_gitindex;

void sfmc_gitindex_init(sfmc_gitindex *idx);
void sfmc_gitindex_dispose(sfmc_gitindex *idx);

/* Parses data[0..size). Returns 0, or -1 (message set) when the file is
 * malformed or uses a feature listed above. */
int sfmc_gitindex_parse(sfmc_gitindex *idx, const unsigned char *data, size_t size);

/* Entry i < idx->n. */
sfmc_gitindex_entry sfmc_gitindex_get(const sfmc_gitindex *idx, size_t i);

/* Fields of entry e, read from the file. */
uint32_t sfmc_gitindex_mode(const sfmc_gitindex *idx, const sfmc_gitindex_entry *e);
const unsigned char *sfmc_gitindex_oid(const sfmc_gitindex *idx, const sfmc_gitindex_entry *e);
unsigned sfmc_gitindex_stage(const sfmc_gitindex *idx, const sfmc_gitindex_entry *e);

/* Whether entry i sorts after entry i - 1 (path bytes, then stage), as in
 * every index git writes; 0 < i < idx->n. */
bool sfmc_gitindex_ordered(const sfmc_gitindex *idx, size_t i);

/* The child of cache-tree node t named name[0..len), or -1. */
long sfmc_gitindex_tree_child(const sfmc_gitindex *idx, size_t t, const char *name, size_t len);

#endif
