#include "git/index.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/bounds.h"
#include "util/array.h"
#include "util/error.h"

/* On-disk entry layout (gitformat-index): 40 bytes of stat data and mode,
 * the object id, 16-bit flags, 16-bit extended flags when 0x4000 is set. */
#define ENTRY_MODE 24
#define ENTRY_OID 40
#define ENTRY_FLAGS 60
#define ENTRY_HEADER 62
#define FLAG_EXTENDED 0x4000u
#define FLAG_NAMEMASK 0x0fffu
#define EXT_KNOWN 0x6000u /* skip-worktree, intent-to-add */
#define HEADER_SIZE 12
#define TRAILER_SIZE 20

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

void sfmc_gitindex_init(sfmc_gitindex *idx)
{
	memset(idx, 0, sizeof(*idx));
	sfmc_buf_init(&idx->paths, SFMC_MAX_INDEX_PATHS);
}

void sfmc_gitindex_dispose(sfmc_gitindex *idx)
{
	if (idx->at)
		munmap(idx->at, idx->n * sizeof(uint32_t) * (idx->v4path ? 2 : 1));
	free(idx->trees);
	sfmc_buf_dispose(&idx->paths);
	sfmc_gitindex_init(idx);
}

/* Version 4's prefix length: git's varint (pack offset encoding). */
static int read_varint(const unsigned char **p, const unsigned char *end, size_t *out)
{
	const unsigned char *q = *p;
	size_t v;

	if (q >= end)
		return -1;
	v = *q & 127;
	while (*q++ & 128) {
		if (q >= end || v >= ((size_t)1 << (sizeof(size_t) * 8 - 8)))
			return -1;
		v = ((v + 1) << 7) | (*q & 127);
	}
	*p = q;
	*out = v;
	return 0;
}

/* Checks one entry's flags and mode; returns the size of its fixed part. */
static inline size_t check_entry(const sfmc_gitindex *idx, const unsigned char *e)
{
	unsigned flags = be16(e + ENTRY_FLAGS);
	uint32_t type = be32(e + ENTRY_MODE) & 0170000u;

	if (type != 0100000u && type != 0120000u && type != 0160000u) {
		sfmc_error_set("index entry of mode %o (sparse directory or unknown)", be32(e + ENTRY_MODE));
		return 0;
	}
	if (!(flags & FLAG_EXTENDED))
		return ENTRY_HEADER;
	if (idx->version < 3 || (be16(e + ENTRY_HEADER) & ~EXT_KNOWN)) {
		sfmc_error_set("index entry with unknown extended flags");
		return 0;
	}
	return ENTRY_HEADER + 2;
}

/* The path's length: from the flags, or strlen at 0xfff and above. */
static size_t path_len(const unsigned char *e, const char *path)
{
	size_t len = be16(e + ENTRY_FLAGS) & FLAG_NAMEMASK;
	return len < FLAG_NAMEMASK ? len : strlen(path);
}

/* Versions 2 and 3: the path in place, its length from the flags (as git
 * reads it; a NUL inside is caught where the path is used), NUL-padded to a
 * multiple of 8 bytes. Returns the next entry or NULL (message set). */
static inline const unsigned char *check_path(const unsigned char *e, size_t hdr, const unsigned char *end)
{
	const unsigned char *name = e + hdr;
	size_t len = be16(e + ENTRY_FLAGS) & FLAG_NAMEMASK, size;

	if (len == FLAG_NAMEMASK)
		len = strnlen((const char *)name, (size_t)(end - name));
	size = (hdr + len + 8) & ~(size_t)7;
	if (len == 0 || (size_t)(end - name) <= len || name[len] != '\0' || size > (size_t)(end - e)) {
		sfmc_error_set("index entry path runs past the end or has the wrong length");
		return NULL;
	}
	return e + size;
}

/* Version 4: the previous path (*prev_len bytes at *prev_at in idx->paths)
 * minus a varint's count of bytes, plus a NUL-terminated suffix, expanded
 * into idx->paths at entry i. Returns the next entry or NULL (message set). */
static const unsigned char *expand_path(sfmc_gitindex *idx, size_t i, const unsigned char *e, size_t hdr,
					const unsigned char *end, size_t *prev_len)
{
	const unsigned char *name = e + hdr;
	size_t strip, keep, len, at = idx->paths.size, want = be16(e + ENTRY_FLAGS) & FLAG_NAMEMASK;

	if (read_varint(&name, end, &strip) < 0 || strip > *prev_len) {
		sfmc_error_set("index entry with a bad path prefix");
		return NULL;
	}
	keep = *prev_len - strip;
	len = strnlen((const char *)name, (size_t)(end - name));
	if (name + len == end || keep + len == 0 || (want < FLAG_NAMEMASK ? keep + len != want : keep + len < want)) {
		sfmc_error_set("index entry path runs past the end or has the wrong length");
		return NULL;
	}
	if (sfmc_buf_grow(&idx->paths, at + keep + len + 1) < 0)
		return NULL;
	memmove(idx->paths.ptr + at, idx->paths.ptr + (i ? idx->v4path[i - 1] : 0), keep);
	memcpy(idx->paths.ptr + at + keep, name, len + 1);
	idx->paths.size = at + keep + len + 1;
	idx->v4path[i] = (uint32_t)at;
	*prev_len = keep + len;
	return name + len + 1;
}

static int parse_entries(sfmc_gitindex *idx, const unsigned char **pos, const unsigned char *end)
{
	const unsigned char *p = *pos;
	size_t prev_len = 0;

	for (size_t i = 0; i < idx->n; i++) {
		size_t hdr;
		if ((size_t)(end - p) < ENTRY_HEADER + 2)
			return sfmc_error_set("index truncated in entry %zu", i);
		if (!(hdr = check_entry(idx, p)))
			return -1;
		idx->at[i] = (uint32_t)(p - idx->data);
		p = idx->v4path ? expand_path(idx, i, p, hdr, end, &prev_len) : check_path(p, hdr, end);
		if (!p)
			return -1;
	}
	*pos = p;
	return 0;
}

/* "-1" or a decimal in [0, max], then the byte term. */
static int read_count(const unsigned char **p, const unsigned char *end, long max, bool allow_minus_one, char term,
		      long *out)
{
	const unsigned char *q = *p;
	long v = 0;

	if (allow_minus_one && end - q >= 3 && q[0] == '-' && q[1] == '1' && q[2] == (unsigned char)term) {
		*out = -1;
		*p = q + 3;
		return 0;
	}
	if (q >= end || *q < '0' || *q > '9')
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++)
		if ((v = v * 10 + (*q - '0')) > max)
			return -1;
	if (q >= end || *q != (unsigned char)term)
		return -1;
	*p = q + 1;
	*out = v;
	return 0;
}

static int parse_tree_node(sfmc_gitindex *idx, size_t *alloc, const unsigned char **p, const unsigned char *end,
			   unsigned depth)
{
	const unsigned char *q = *p, *nul = q;
	sfmc_gitindex_tree *t;
	long entries, nsub;
	size_t me;

	while (nul < end && *nul)
		nul++;
	if (nul == end || depth > SFMC_MAX_TREE_DEPTH || (depth == 0) != (nul == q))
		return sfmc_error_set("cache-tree: bad node name");
	q = nul + 1;
	if (read_count(&q, end, INT32_MAX, true, ' ', &entries) < 0 || read_count(&q, end, end - q, false, '\n', &nsub) < 0)
		return sfmc_error_set("cache-tree: bad counts");
	if (entries >= 0 && (size_t)(end - q) < SFMC_GITINDEX_OID_LEN)
		return sfmc_error_set("cache-tree: truncated");
	if (SFMC_ARRAY_GROW(idx->trees, idx->ntrees, *alloc) < 0)
		return -1;
	me = idx->ntrees++;
	t = &idx->trees[me];
	t->name = (const char *)*p;
	t->namelen = (uint32_t)(nul - *p);
	t->entries = (int32_t)entries;
	t->oid = entries >= 0 ? q : NULL;
	q += entries >= 0 ? SFMC_GITINDEX_OID_LEN : 0;
	for (long i = 0; i < nsub; i++)
		if (parse_tree_node(idx, alloc, &q, end, depth + 1) < 0)
			return -1;
	idx->trees[me].end = (uint32_t)idx->ntrees;
	*p = q;
	return 0;
}

static int parse_extensions(sfmc_gitindex *idx, const unsigned char *p, const unsigned char *end)
{
	size_t alloc = 0;

	while (p < end) {
		uint32_t size;
		if (end - p < 8 || (size = be32(p + 4)) > (size_t)(end - p - 8))
			return sfmc_error_set("index extension truncated");
		if (!memcmp(p, "TREE", 4)) {
			const unsigned char *q = p + 8;
			if (idx->ntrees)
				return sfmc_error_set("two cache-tree extensions");
			if (parse_tree_node(idx, &alloc, &q, p + 8 + size, 0) < 0)
				return -1;
			if (q != p + 8 + size)
				return sfmc_error_set("cache-tree: trailing bytes");
		} else if (p[0] < 'A' || p[0] > 'Z') {
			return sfmc_error_set("index extension \"%.4s\" is required and not supported here", (const char *)p);
		}
		p += 8 + size;
	}
	return 0;
}

int sfmc_gitindex_parse(sfmc_gitindex *idx, const unsigned char *data, size_t size)
{
	const unsigned char *p = data + HEADER_SIZE, *end;

	idx->data = data;
	idx->size = size;
	if (size < HEADER_SIZE + TRAILER_SIZE || size > UINT32_MAX || memcmp(data, "DIRC", 4))
		return sfmc_error_set("not an index file");
	end = data + size - TRAILER_SIZE;
	idx->version = be32(data + 4);
	if (idx->version < 2 || idx->version > 4)
		return sfmc_error_set("index version %u", idx->version);
	idx->n = be32(data + 8);
	if (idx->n > (size - HEADER_SIZE - TRAILER_SIZE) / (ENTRY_HEADER + 2))
		return sfmc_error_set("index claims %zu entries in %zu bytes", idx->n, size);
	/* Mapped populated: 100k entries of 16 bytes took ~400 page faults one by
	 * one (0.75 ms of CPU, 10% of a one-file `staged` run); 4 bytes each
	 * (8 in version 4), mapped in one call, cost a fraction of that. The index
	 * file itself gains nothing from MAP_POPULATE (fault-around). */
	if (idx->n) {
		size_t bytes = idx->n * sizeof(uint32_t) * (idx->version == 4 ? 2 : 1);
		void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (m == MAP_FAILED)
			return sfmc_error_set_errno("cannot allocate %zu index entries", idx->n);
		idx->at = m;
		idx->v4path = idx->version == 4 ? idx->at + idx->n : NULL;
	}
	if (parse_entries(idx, &p, end) < 0 || parse_extensions(idx, p, end) < 0)
		return -1;
	return 0;
}

uint32_t sfmc_gitindex_mode(const sfmc_gitindex *idx, const sfmc_gitindex_entry *e)
{
	return be32(idx->data + e->at + ENTRY_MODE);
}

const unsigned char *sfmc_gitindex_oid(const sfmc_gitindex *idx, const sfmc_gitindex_entry *e)
{
	return idx->data + e->at + ENTRY_OID;
}

unsigned sfmc_gitindex_stage(const sfmc_gitindex *idx, const sfmc_gitindex_entry *e)
{
	return (be16(idx->data + e->at + ENTRY_FLAGS) >> 12) & 3u;
}

sfmc_gitindex_entry sfmc_gitindex_get(const sfmc_gitindex *idx, size_t i)
{
	const unsigned char *e = idx->data + idx->at[i];
	sfmc_gitindex_entry out;

	out.at = idx->at[i];
	if (idx->v4path)
		out.path = idx->paths.ptr + idx->v4path[i];
	else
		out.path = (const char *)e + (be16(e + ENTRY_FLAGS) & FLAG_EXTENDED ? ENTRY_HEADER + 2 : ENTRY_HEADER);
	out.len = (uint32_t)path_len(e, out.path);
	return out;
}

bool sfmc_gitindex_ordered(const sfmc_gitindex *idx, size_t i)
{
	sfmc_gitindex_entry a = sfmc_gitindex_get(idx, i - 1), b = sfmc_gitindex_get(idx, i);
	int c = memcmp(a.path, b.path, a.len < b.len ? a.len : b.len);

	if (c == 0)
		c = a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
	if (c == 0)
		c = (int)sfmc_gitindex_stage(idx, &a) - (int)sfmc_gitindex_stage(idx, &b);
	return c < 0;
}

long sfmc_gitindex_tree_child(const sfmc_gitindex *idx, size_t t, const char *name, size_t len)
{
	for (size_t c = t + 1; c < idx->trees[t].end; c = idx->trees[c].end)
		if (idx->trees[c].namelen == len && !memcmp(idx->trees[c].name, name, len))
			return (long)c;
	return -1;
}
