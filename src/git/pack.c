/* packorder.c - pack order from the .idx files (format: git's
 * Documentation/gitformat-pack.txt, "pack-*.idx files have the following
 * format" version 2): magic, version, 256-entry fanout, sorted object ids,
 * CRC-32s, 4-byte offsets (MSB set: index into the 8-byte offsets), trailer. */
#define _GNU_SOURCE
#include "git/pack.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>
#include <libdeflate.h>

#include "util/bounds.h"
#include "util/buf.h"
#include "util/array.h"
#include "util/error.h"
#include "util/lru.h"

#define IDX_HEADER 8
#define IDX_FANOUT (256 * 4)
#define IDX_TRAILER 40

typedef struct pack_idx {
	unsigned char *map;
	size_t size;
	uint32_t n;                /* objects in the pack */
	const unsigned char *oids; /* n x GIT_OID_RAWSZ, sorted */
	const unsigned char *crc;  /* n x CRC-32 of each object's stored bytes */
	const unsigned char *off32;
	const unsigned char *off64;
	size_t n64;
	char *pack;                /* path of the .pack */
} pack_idx;

typedef struct packs {
	pack_idx *idx;
	size_t n, a;
} packs;

typedef struct keyed {
	git_oid oid;
	sfmc_pack_pos pos;
	size_t idx; /* position in the caller's array */
} keyed;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* Maps and checks one v2 index; false when it is not one we can use. */
static bool idx_open(const char *path, pack_idx *ix)
{
	static const unsigned char magic[] = { 0xff, 't', 'O', 'c', 0, 0, 0, 2 };
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t need;

	memset(ix, 0, sizeof(*ix));
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < IDX_HEADER + IDX_FANOUT + IDX_TRAILER) {
		close(fd);
		return false;
	}
	ix->size = (size_t)st.st_size;
	ix->map = mmap(NULL, ix->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (ix->map == MAP_FAILED) {
		ix->map = NULL;
		return false;
	}
	ix->n = be32(ix->map + IDX_HEADER + IDX_FANOUT - 4);
	need = IDX_HEADER + IDX_FANOUT + (size_t)ix->n * (GIT_OID_RAWSZ + 4 + 4) + IDX_TRAILER;
	if (memcmp(ix->map, magic, sizeof(magic)) || need > ix->size || (ix->size - need) % 8) {
		munmap(ix->map, ix->size);
		ix->map = NULL;
		return false;
	}
	ix->oids = ix->map + IDX_HEADER + IDX_FANOUT;
	ix->crc = ix->oids + (size_t)ix->n * GIT_OID_RAWSZ;
	ix->off32 = ix->crc + (size_t)ix->n * 4;
	ix->off64 = ix->off32 + (size_t)ix->n * 4;
	ix->n64 = (ix->size - need) / 8;
	return true;
}

/* Binary search inside the fanout bucket of the id's first byte. */
static bool idx_find(const pack_idx *ix, const git_oid *id, uint64_t *off)
{
	const unsigned char *fan = ix->map + IDX_HEADER;
	uint32_t lo = id->id[0] ? be32(fan + 4 * (id->id[0] - 1)) : 0, hi = be32(fan + 4 * id->id[0]);

	if (hi > ix->n || lo > hi)
		return false;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, o;
		int c = memcmp(ix->oids + (size_t)mid * GIT_OID_RAWSZ, id->id, GIT_OID_RAWSZ);
		if (c < 0) {
			lo = mid + 1;
		} else if (c > 0) {
			hi = mid;
		} else {
			o = be32(ix->off32 + (size_t)mid * 4);
			if (!(o & 0x80000000u)) {
				*off = o;
				return true;
			}
			if ((o & 0x7fffffffu) >= ix->n64)
				return false;
			*off = be64(ix->off64 + (size_t)(o & 0x7fffffffu) * 8);
			return true;
		}
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_pack(packs *ps, const pack_idx *ix)
{
	if (SFMC_ARRAY_GROW(ps->idx, ps->n, ps->a) < 0)
		return -1;
	ps->idx[ps->n++] = *ix;
	return 0;
}

/* Opens every pack-*.idx with its .pack under objdir/pack, in name order. */
static int load_dir(packs *ps, const char *objdir)
{
	sfmc_buf path = SFMC_BUF_INIT;
	char **names = NULL;
	size_t nn = 0, an = 0;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (sfmc_buf_printf(&path, "%s/pack", objdir) < 0 || !(d = opendir(path.ptr))) {
		sfmc_buf_dispose(&path);
		return 0; /* no pack directory: every object is loose */
	}
	while (rc == 0 && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".idx") || strncmp(e->d_name, "pack-", 5))
			continue;
		if ((rc = SFMC_ARRAY_GROW(names, nn, an)) < 0)
			break;
		if (!(names[nn] = strndup(e->d_name, l - 4)))
			rc = sfmc_error_set("out of memory");
		else
			nn++;
	}
	closedir(d);
	if (nn > 1)
		qsort(names, nn, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nn && rc == 0; i++) {
		pack_idx ix;
		sfmc_buf_clear(&path);
		if ((rc = sfmc_buf_printf(&path, "%s/pack/%s.pack", objdir, names[i])) < 0 || access(path.ptr, R_OK) != 0)
			continue; /* an index without its pack is not used by git either */
		memcpy(path.ptr + path.size - 4, "idx", 4); /* same length: "pack" -> "idx" + NUL */
		path.size--;
		if (!idx_open(path.ptr, &ix))
			continue;
		memcpy(path.ptr + path.size - 3, "pack", 5);
		if (!(ix.pack = strdup(path.ptr)))
			rc = sfmc_error_set("out of memory");
		if (rc < 0 || (rc = add_pack(ps, &ix)) < 0) {
			munmap(ix.map, ix.size);
			free(ix.pack);
		}
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	sfmc_buf_dispose(&path);
	return rc;
}

/* objects/info/alternates: one object directory per line, relative to objdir. */
static int load_alternates(packs *ps, const char *objdir)
{
	sfmc_buf path = SFMC_BUF_INIT, alt = SFMC_BUF_INIT;
	char line[4096];
	FILE *f;
	int rc = 0;

	if (sfmc_buf_printf(&path, "%s/info/alternates", objdir) < 0 || !(f = fopen(path.ptr, "re"))) {
		sfmc_buf_dispose(&path);
		return 0;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		sfmc_buf_clear(&alt);
		if ((rc = line[0] == '/' ? sfmc_buf_puts(&alt, line) : sfmc_buf_printf(&alt, "%s/%s", objdir, line)) == 0)
			rc = load_dir(ps, alt.ptr);
	}
	fclose(f);
	sfmc_buf_dispose(&path);
	sfmc_buf_dispose(&alt);
	return rc;
}

static void packs_dispose(packs *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		munmap(ps->idx[i].map, ps->idx[i].size);
		free(ps->idx[i].pack);
	}
	free(ps->idx);
	memset(ps, 0, sizeof(*ps));
}

/* Every pack of the object directory objdir and of its alternates. */
static int packs_load_dir(packs *ps, const char *objdir)
{
	memset(ps, 0, sizeof(*ps));
	if (load_dir(ps, objdir) < 0 || load_alternates(ps, objdir) < 0) {
		packs_dispose(ps);
		return -1;
	}
	return 0;
}

/* The objects directory of repo (malloc'd into *out). */
static int objdir_of(char **out, git_repository *repo)
{
	if (asprintf(out, "%sobjects", git_repository_commondir(repo)) < 0) {
		*out = NULL;
		return sfmc_error_set("out of memory");
	}
	return 0;
}

/* Every pack of the repository and of its alternates. */
static int packs_load(packs *ps, git_repository *repo)
{
	char *objdir;
	int rc;

	memset(ps, 0, sizeof(*ps));
	if (objdir_of(&objdir, repo) < 0)
		return -1;
	rc = packs_load_dir(ps, objdir);
	free(objdir);
	return rc;
}

static int cmp_keyed(const void *pa, const void *pb)
{
	const keyed *a = pa, *b = pb;
	if (a->pos.pack != b->pos.pack)
		return a->pos.pack < b->pos.pack ? -1 : 1;
	if (a->pos.offset != b->pos.offset)
		return a->pos.offset < b->pos.offset ? -1 : 1;
	return git_oid_cmp(&a->oid, &b->oid);
}

/* The objects as keys sorted into the order of the packs ps (malloc'd into *out). */
static int sorted_keys_in(const packs *ps, const git_oid *oids, size_t n, keyed **out)
{
	keyed *k = malloc(n ? n * sizeof(*k) : 1);

	*out = NULL;
	if (!k)
		return sfmc_error_set("out of memory");
	for (size_t i = 0; i < n; i++) {
		k[i].oid = oids[i];
		k[i].idx = i;
		k[i].pos.pack = SFMC_PACKORDER_LOOSE;
		k[i].pos.offset = 0;
		for (uint32_t p = 0; p < ps->n; p++)
			if (idx_find(&ps->idx[p], &oids[i], &k[i].pos.offset)) {
				k[i].pos.pack = p;
				break;
			}
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	*out = k;
	return 0;
}

/* The same, with the packs of repo (loaded for this call). */
static int sorted_keys(git_repository *repo, const git_oid *oids, size_t n, keyed **out)
{
	packs ps = { 0 };
	int rc;

	*out = NULL;
	if (packs_load(&ps, repo) < 0)
		return -1;
	rc = sorted_keys_in(&ps, oids, n, out);
	packs_dispose(&ps);
	return rc;
}

/* The caller's indices of keys k (freed here), in their order. */
static int keys_to_order(keyed *k, size_t n, size_t **order)
{
	if (!(*order = malloc(n ? n * sizeof(**order) : 1))) {
		free(k);
		return sfmc_error_set("out of memory");
	}
	for (size_t i = 0; i < n; i++)
		(*order)[i] = k[i].idx;
	free(k);
	return 0;
}

int sfmc_packorder_sort(git_repository *repo, git_oid *oids, size_t n, sfmc_pack_pos *pos)
{
	keyed *k;

	if (sorted_keys(repo, oids, n, &k) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		oids[i] = k[i].oid;
		if (pos)
			pos[i] = k[i].pos;
	}
	free(k);
	return 0;
}

int sfmc_packorder_index(git_repository *repo, const git_oid *oids, size_t n, size_t **order)
{
	keyed *k;

	*order = NULL;
	if (sorted_keys(repo, oids, n, &k) < 0)
		return -1;
	return keys_to_order(k, n, order);
}

/* ---- the reader ---------------------------------------------------------- */

/* One stored object's header: type, inflated size, for deltas the offset
 * of the base, and where its zlib data starts. */
typedef struct entry {
	unsigned type;
	size_t size;
	uint64_t base_off;
	size_t body; /* bytes of header and base reference */
} entry;

static bool parse_entry(const pack_idx *ix, uint64_t off, const unsigned char *raw, size_t n, entry *e)
{
	const unsigned char *p = raw, *end = raw + n;
	size_t shift = 4;
	unsigned c;

	if (!n)
		return false;
	c = *p++;
	e->type = (c >> 4) & 7;
	e->size = c & 15;
	while (c & 0x80) {
		if (p >= end || shift > 57)
			return false;
		c = *p++;
		e->size += (size_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (e->type == GIT_OBJECT_OFS_DELTA) {
		uint64_t back;
		if (p >= end)
			return false;
		c = *p++;
		back = c & 127;
		while (c & 128) {
			if (p >= end || back >> 56)
				return false;
			c = *p++;
			back = ((back + 1) << 7) | (c & 127);
		}
		if (back == 0 || back > off)
			return false;
		e->base_off = off - back;
	} else if (e->type == GIT_OBJECT_REF_DELTA) {
		git_oid bid;
		if ((size_t)(end - p) < GIT_OID_RAWSZ)
			return false;
		memcpy(bid.id, p, GIT_OID_RAWSZ);
		p += GIT_OID_RAWSZ;
		if (!idx_find(ix, &bid, &e->base_off))
			return false;
	} else if (e->type < GIT_OBJECT_COMMIT || e->type > GIT_OBJECT_TAG) {
		return false;
	}
	e->body = (size_t)(p - raw);
	return true;
}

typedef struct cache_ent {
	uint64_t key;            /* pack << 48 | offset */
	unsigned char *data;     /* owned by the cache */
	size_t len;
	git_object_t type;
	uint32_t uses;           /* deltas still to be built from it (UINT32_MAX: unknown) */
	sfmc_lru_link lru;
	struct cache_ent *chain;       /* hash bucket */
} cache_ent;

typedef struct pack_file {
	int fd;
	uint64_t size;
	uint64_t *ends; /* sorted object offsets, then size - 20: an object ends where the next starts */
	uint32_t *crcs; /* crcs[i]: the .idx CRC-32 of the stored bytes [ends[i], ends[i + 1]) */
	uint32_t nends;
	uint32_t *kids; /* kids[i]: deltas whose base is the object at ends[i] (NULL: unknown) */
	const pack_idx *ix;
} pack_file;

/* See pack.h for who owns a set and how threads see it. */
struct sfmc_packset {
	char *objdir;               /* immutable */
	pthread_mutex_t build_lock; /* held while the packs are indexed: built and below */
	bool built;                 /* ps and files are immutable once true, but files[].kids (kids_lock) */
	packs ps;
	pack_file *files;
	pthread_mutex_t kids_lock; /* apart from build_lock: readers need not wait while children are counted */
	bool kids_done;            /* count_kids ran for every file (under kids_lock) */
	pthread_t thread;          /* sfmc_packset_prepare's, joined by sfmc_packset_free */
	bool threaded;
};

struct sfmc_packreader {
	sfmc_packset *set; /* not owned */
	cache_ent **buckets;
	size_t nbuckets;
	sfmc_lru lru;            /* cache entries, most recent first */
	size_t cached, budget;
	unsigned char *win;      /* pack bytes [win_off, win_off + win_len) of pack win_pk */
	size_t win_len, win_cap;
	uint64_t win_off;
	uint32_t win_pk;
	unsigned char *raw;      /* stored bytes of an object outside the window */
	size_t raw_cap;
	unsigned char *delta;    /* the inflated delta being applied */
	size_t delta_cap;
	unsigned char *last;     /* the last result, when the cache did not keep it */
	bool pack_order;         /* reads come in pack order: the cache follows kids */
	struct libdeflate_decompressor *inflater;
};

static cache_ent *cache_find(sfmc_packreader *r, uint64_t key)
{
	cache_ent *e = r->buckets[key % r->nbuckets];
	while (e && e->key != key)
		e = e->chain;
	if (e)
		sfmc_lru_touch(&r->lru, &e->lru);
	return e;
}

static void cache_drop(sfmc_packreader *r, cache_ent *e)
{
	cache_ent **pp = &r->buckets[e->key % r->nbuckets];
	while (*pp != e)
		pp = &(*pp)->chain;
	*pp = e->chain;
	sfmc_lru_unlink(&r->lru, &e->lru);
	r->cached -= e->len;
	free(e->data);
	free(e);
}

static void cache_evict(sfmc_packreader *r)
{
	cache_drop(r, SFMC_LRU_ENTRY(r->lru.tail, cache_ent, lru));
}

/* One delta was built from the entry under key: once none is left to
 * build, the entry only takes room. */
static void cache_used(sfmc_packreader *r, uint64_t key)
{
	cache_ent *e = r->buckets[key % r->nbuckets];
	while (e && e->key != key)
		e = e->chain;
	if (e && e->uses != UINT32_MAX && (e->uses == 0 || --e->uses == 0))
		cache_drop(r, e);
}

/* Hands data (malloc'd) to the cache under key: true when the cache keeps
 * it, false when the caller still owns it. Not kept: objects no delta
 * still needs (uses 0), and objects over a quarter of the budget, so that
 * one object never flushes the others. */
static bool cache_put(sfmc_packreader *r, uint64_t key, unsigned char *data, size_t len, git_object_t type,
		      uint32_t uses)
{
	cache_ent *e;

	if (!uses || len > r->budget / 4 || cache_find(r, key) || !(e = calloc(1, sizeof(*e))))
		return false;
	e->data = data;
	e->key = key;
	e->len = len;
	e->type = type;
	e->uses = uses;
	while (r->cached + len > r->budget && r->lru.tail)
		cache_evict(r);
	e->chain = r->buckets[key % r->nbuckets];
	r->buckets[key % r->nbuckets] = e;
	sfmc_lru_push_front(&r->lru, &e->lru);
	r->cached += len;
	return true;
}

/* Index of the first of f->ends at or after off (f->nends: none). */
static uint32_t first_from(const pack_file *f, uint64_t off)
{
	uint32_t lo = 0, hi = f->nends;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (f->ends[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the object at off in f->ends, or f->nends when none starts there. */
static uint32_t obj_at(const pack_file *f, uint64_t off)
{
	uint32_t i = first_from(f, off);
	return i < f->nends && f->ends[i] == off ? i : f->nends;
}

/* Deltas still to be built from the object at off, as far as the pack says. */
static uint32_t uses_of(const sfmc_packreader *r, uint32_t pk, uint64_t off)
{
	const pack_file *f = &r->set->files[pk];
	uint32_t i;
	if (!r->pack_order || !f->kids || (i = obj_at(f, off)) == f->nends)
		return UINT32_MAX;
	return f->kids[i];
}

/* Reads count bytes at off into buf; false on a short read or an error. */
static bool pread_all(int fd, unsigned char *buf, size_t count, uint64_t off)
{
	for (size_t got = 0; got < count;) {
		ssize_t k = pread(fd, buf + got, count - got, (off_t)(off + got));
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return true;
}

/* Longest object header: type and size (10 bytes) and a base id or offset. */
#define ENTRY_HEADER_MAX 32

/* Follows the delta bases of the object at off by their headers alone
 * (Brent's cycle finding: one mark, moved at depths 2^k - 1). Returns
 * SFMC_ELIMIT (message set) when they loop or go deeper than
 * SFMC_MAX_DELTA_DEPTH, else SFMC_OK: libgit2 may follow them, as it follows
 * any chain without a bound or a cycle check (and then loops, allocating). */
static int chain_check(const pack_idx *ix, int fd, uint64_t off, const git_oid *id)
{
	unsigned char hdr[ENTRY_HEADER_MAX];
	uint64_t mark = UINT64_MAX;
	entry e;

	for (unsigned depth = 0; depth <= SFMC_MAX_DELTA_DEPTH; depth++) {
		ssize_t k = pread(fd, hdr, sizeof(hdr), (off_t)off);
		if (k <= 0 || !parse_entry(ix, off, hdr, (size_t)k, &e) || e.type < GIT_OBJECT_OFS_DELTA)
			return SFMC_OK; /* a whole object ends the chain; damage is reported by whoever reads it */
		if (e.base_off == off || e.base_off == mark) {
			sfmc_error_set("cannot read object %s: its delta chain loops back on itself (pack %s)",
				       git_oid_tostr_s(id), ix->pack);
			return SFMC_ELIMIT;
		}
		if (!(depth & (depth + 1)))
			mark = off;
		off = e.base_off;
	}
	sfmc_error_set("cannot read object %s: its delta chain is deeper than %d (pack %s)", git_oid_tostr_s(id),
		       SFMC_MAX_DELTA_DEPTH, ix->pack);
	return SFMC_ELIMIT;
}

/* f->kids from every object's header, the pack read front to back once
 * through a window. Without it (no memory, unreadable pack) the cache is
 * plain LRU. */
static void count_kids(pack_file *f, const pack_idx *ix)
{
	unsigned char *win = malloc(SFMC_PACK_WINDOW_BYTES);
	uint64_t woff = 0, wlen = 0;

	if (!win || !(f->kids = calloc(f->nends, sizeof(*f->kids)))) {
		free(win);
		return;
	}
	for (uint32_t i = 0; i + 1 < f->nends; i++) {
		uint64_t off = f->ends[i], n = f->ends[i + 1] - off;
		uint32_t b;
		entry e;
		if (n > ENTRY_HEADER_MAX)
			n = ENTRY_HEADER_MAX;
		if (off < woff || off + n > woff + wlen) {
			wlen = f->size - off < SFMC_PACK_WINDOW_BYTES ? f->size - off : SFMC_PACK_WINDOW_BYTES;
			woff = off;
			if (!pread_all(f->fd, win, (size_t)wlen, off)) {
				free(f->kids);
				f->kids = NULL;
				break;
			}
		}
		if (parse_entry(ix, off, win + (off - woff), (size_t)n, &e) && e.type >= GIT_OBJECT_OFS_DELTA &&
		    (b = obj_at(f, e.base_off)) < f->nends && f->kids[b] < UINT32_MAX - 1)
			f->kids[b]++;
	}
	free(win);
}

typedef struct off_crc {
	uint64_t off;
	uint32_t crc;
} off_crc;

static int cmp_off_crc(const void *a, const void *b)
{
	uint64_t x = ((const off_crc *)a)->off, y = ((const off_crc *)b)->off;
	return (x > y) - (x < y);
}

static int open_file(pack_file *f, const pack_idx *ix)
{
	struct stat st;
	off_crc *v;

	f->fd = open(ix->pack, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st) < 0 || (uint64_t)st.st_size < 12 + GIT_OID_RAWSZ)
		return -1;
	f->size = (uint64_t)st.st_size;
	if (!(v = malloc(((size_t)ix->n + 1) * sizeof(*v))))
		return -1;
	for (uint32_t i = 0; i < ix->n; i++) {
		uint32_t o = be32(ix->off32 + (size_t)i * 4);
		v[i].crc = be32(ix->crc + (size_t)i * 4);
		if (!(o & 0x80000000u)) {
			v[i].off = o;
		} else if ((o & 0x7fffffffu) < ix->n64) {
			v[i].off = be64(ix->off64 + (size_t)(o & 0x7fffffffu) * 8);
		} else {
			free(v);
			return -1;
		}
	}
	v[ix->n].off = f->size - GIT_OID_RAWSZ;
	v[ix->n].crc = 0;
	f->nends = ix->n + 1;
	qsort(v, f->nends, sizeof(*v), cmp_off_crc);
	f->ends = malloc(f->nends * sizeof(*f->ends));
	f->crcs = malloc(f->nends * sizeof(*f->crcs));
	for (uint32_t i = 0; f->ends && f->crcs && i < f->nends; i++) {
		f->ends[i] = v[i].off;
		f->crcs[i] = v[i].crc;
	}
	free(v);
	f->ix = ix;
	return f->ends && f->crcs ? 0 : -1;
}

/* Closes f and frees what open_file and count_kids made (f reads nothing after). */
static void file_close(pack_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->ends);
	free(f->crcs);
	free(f->kids);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

/* The files and indexes of set (it stays unbuilt). */
static void set_unbuild(sfmc_packset *set)
{
	for (size_t i = 0; set->files && i < set->ps.n; i++)
		file_close(&set->files[i]);
	free(set->files);
	set->files = NULL;
	packs_dispose(&set->ps);
}

/* Indexes every pack of set (open_file: offsets and CRCs), once: the first
 * caller builds, concurrent ones wait on build_lock and share the result. */
static int set_ready(sfmc_packset *set)
{
	int rc = 0;

	pthread_mutex_lock(&set->build_lock);
	if (!set->built && (rc = packs_load_dir(&set->ps, set->objdir)) == 0) {
		if (!(set->files = calloc(set->ps.n ? set->ps.n : 1, sizeof(*set->files)))) {
			set_unbuild(set);
			rc = sfmc_error_set("out of memory");
		}
		for (size_t i = 0; rc == 0 && i < set->ps.n; i++)
			set->files[i].fd = -1;
		for (size_t i = 0; rc == 0 && i < set->ps.n; i++)
			if (open_file(&set->files[i], &set->ps.idx[i]) < 0)
				file_close(&set->files[i]); /* this pack's objects go through libgit2 */
		set->built = rc == 0;
	}
	pthread_mutex_unlock(&set->build_lock);
	return rc;
}

/* Counts the delta children of every pack of set (built), once: the first
 * caller counts, concurrent ones wait on kids_lock and share the counts. */
static void set_count_kids(sfmc_packset *set)
{
	pthread_mutex_lock(&set->kids_lock);
	for (size_t i = 0; !set->kids_done && i < set->ps.n; i++)
		if (set->files[i].fd >= 0)
			count_kids(&set->files[i], set->files[i].ix);
	set->kids_done = true;
	pthread_mutex_unlock(&set->kids_lock);
}

int sfmc_packset_new(sfmc_packset **out, git_repository *repo)
{
	sfmc_packset *set = calloc(1, sizeof(*set));

	*out = NULL;
	if (!set)
		return sfmc_error_set("out of memory");
	if (objdir_of(&set->objdir, repo) < 0) {
		free(set);
		return -1;
	}
	pthread_mutex_init(&set->build_lock, NULL);
	pthread_mutex_init(&set->kids_lock, NULL);
	*out = set;
	return 0;
}

static void *prepare(void *p)
{
	sfmc_packset *set = p;
	if (set_ready(set) == 0)
		set_count_kids(set);
	return NULL;
}

void sfmc_packset_prepare(sfmc_packset *set, bool background)
{
	if (set->threaded)
		return;
	if (background && pthread_create(&set->thread, NULL, prepare, set) == 0)
		set->threaded = true;
	else
		prepare(set);
}

void sfmc_packset_free(sfmc_packset *set)
{
	if (!set)
		return;
	if (set->threaded)
		pthread_join(set->thread, NULL);
	set_unbuild(set);
	pthread_mutex_destroy(&set->build_lock);
	pthread_mutex_destroy(&set->kids_lock);
	free(set->objdir);
	free(set);
}

int sfmc_packreader_new(sfmc_packreader **out, sfmc_packset *set, size_t cache_bytes)
{
	sfmc_packreader *r;

	*out = NULL;
	if (set_ready(set) < 0)
		return -1;
	if (!(r = calloc(1, sizeof(*r))))
		return sfmc_error_set("out of memory");
	r->set = set;
	r->budget = cache_bytes;
	r->win_cap = SFMC_PACK_WINDOW_BYTES;
	r->nbuckets = 4099;
	if (!(r->buckets = calloc(r->nbuckets, sizeof(*r->buckets))) ||
	    !(r->inflater = libdeflate_alloc_decompressor())) {
		sfmc_packreader_free(r);
		return sfmc_error_set("out of memory");
	}
	*out = r;
	return 0;
}

void sfmc_packreader_in_pack_order(sfmc_packreader *r)
{
	set_count_kids(r->set);
	r->pack_order = true;
}

void sfmc_packreader_set_window(sfmc_packreader *r, size_t bytes)
{
	free(r->win);
	r->win = NULL;
	r->win_len = 0;
	r->win_cap = bytes;
}

int sfmc_packreader_order(const sfmc_packreader *r, const git_oid *oids, size_t n, size_t **order)
{
	keyed *k;

	*order = NULL;
	if (sorted_keys_in(&r->set->ps, oids, n, &k) < 0)
		return -1;
	return keys_to_order(k, n, order);
}

void sfmc_packreader_free(sfmc_packreader *r)
{
	if (!r)
		return;
	while (r->lru.tail)
		cache_evict(r);
	free(r->buckets);
	free(r->win);
	free(r->raw);
	free(r->delta);
	free(r->last);
	libdeflate_free_decompressor(r->inflater);
	free(r);
}


static bool grow(unsigned char **p, size_t *cap, size_t n)
{
	unsigned char *q;
	if (n <= *cap)
		return true;
	if (!(q = realloc(*p, n)))
		return false;
	*p = q;
	*cap = n;
	return true;
}

/* true when raw[0,n) has the CRC-32 the .idx recorded for the object at
 * ends[next - 1]: stored bytes damaged on disk never reach inflate. */
static bool crc_ok(const pack_file *f, uint32_t next, uint64_t off, const unsigned char *raw, size_t n)
{
	return next > 0 && f->ends[next - 1] == off && (uint32_t)libdeflate_crc32(0, raw, n) == f->crcs[next - 1];
}

/* The window refilled from off, or NULL. */
static const unsigned char *window_at(sfmc_packreader *r, uint32_t pk, uint64_t off)
{
	const pack_file *f = &r->set->files[pk];
	uint64_t fill = f->size - off < r->win_cap ? f->size - off : r->win_cap;

	if (!r->win && !(r->win = malloc(r->win_cap ? r->win_cap : 1)))
		return NULL;
	r->win_len = 0;
	if (!pread_all(f->fd, r->win, (size_t)fill, off))
		return NULL;
	r->win_pk = pk;
	r->win_off = off;
	r->win_len = (size_t)fill;
	return r->win;
}

/* The stored bytes of the object at off (header, base reference, zlib
 * data), up to where the next object starts, checked against the .idx
 * CRC-32. Reading forward goes through a window of win_cap bytes, refilled
 * from the object it misses; objects behind the window (delta bases) or
 * larger than it are read alone. The bytes stay valid until the next
 * read_raw. */
static const unsigned char *read_raw(sfmc_packreader *r, uint32_t pk, uint64_t off, size_t *n)
{
	const pack_file *f = &r->set->files[pk];
	uint32_t next = off == UINT64_MAX ? f->nends : first_from(f, off + 1); /* where the next object starts */
	const unsigned char *raw;
	uint64_t end;

	if (next == f->nends || (end = f->ends[next]) - off > SIZE_MAX / 2)
		return NULL;
	*n = (size_t)(end - off);
	if (r->win && r->win_pk == pk && off >= r->win_off && end <= r->win_off + r->win_len)
		raw = r->win + (off - r->win_off);
	else if (*n <= r->win_cap && (!r->win || r->win_pk != pk || off >= r->win_off))
		raw = window_at(r, pk, off);
	else if (grow(&r->raw, &r->raw_cap, *n) && pread_all(f->fd, r->raw, *n, off))
		raw = r->raw;
	else
		raw = NULL;
	return raw && crc_ok(f, next, off, raw, *n) ? raw : NULL;
}

/* Inflates exactly size bytes from in[0,n) into out. */
static bool inflate_exact(sfmc_packreader *r, const unsigned char *in, size_t n, unsigned char *out, size_t size)
{
	return libdeflate_zlib_decompress(r->inflater, in, n, out, size, NULL) == LIBDEFLATE_SUCCESS;
}

static bool varint(const unsigned char **p, const unsigned char *end, size_t *v)
{
	unsigned shift = 0;
	*v = 0;
	do {
		if (*p >= end || shift > 56)
			return false;
		*v |= (size_t)(**p & 0x7f) << shift;
		shift += 7;
	} while (*(*p)++ & 0x80);
	return true;
}

/* git's delta format: source and target sizes, then copy / insert opcodes. */
static unsigned char *apply_delta(const unsigned char *base, size_t blen, const unsigned char *d, size_t dlen,
				  size_t *outlen)
{
	const unsigned char *p = d, *end = d + dlen;
	size_t src, dst, o = 0;
	unsigned char *out;

	if (!varint(&p, end, &src) || src != blen || !varint(&p, end, &dst) || !(out = malloc(dst ? dst : 1)))
		return NULL;
	while (p < end) {
		unsigned c = *p++;
		if (c & 0x80) {
			size_t off = 0, size = 0;
			for (int i = 0; i < 4; i++)
				if (c & (1u << i)) {
					if (p >= end)
						goto bad;
					off |= (size_t)*p++ << (8 * i);
				}
			for (int i = 0; i < 3; i++)
				if (c & (0x10u << i)) {
					if (p >= end)
						goto bad;
					size |= (size_t)*p++ << (8 * i);
				}
			if (!size)
				size = 0x10000;
			if (off > blen || size > blen - off || size > dst - o)
				goto bad;
			memcpy(out + o, base + off, size);
			o += size;
		} else if (c) {
			if (c > (size_t)(end - p) || c > dst - o)
				goto bad;
			memcpy(out + o, p, c);
			p += c;
			o += c;
		} else {
			goto bad; /* opcode 0 is reserved */
		}
	}
	if (o != dst)
		goto bad;
	*outlen = dst;
	return out;
bad:
	free(out);
	return NULL;
}

/* The object at (pack, off), deltas applied: *owned says whether the caller
 * now owns the buffer (else it is the cache's, valid until the cache
 * changes). Bases met on the way are handed to the cache. */
static unsigned char *resolve(sfmc_packreader *r, uint32_t pk, uint64_t off, unsigned depth, git_object_t *type,
			      size_t *len, bool *owned)
{
	const unsigned char *raw;
	unsigned char *base, *out;
	size_t n, blen;
	bool base_owned;
	cache_ent *hit;
	entry e;

	if ((hit = cache_find(r, (uint64_t)pk << 48 | off))) {
		*type = hit->type;
		*len = hit->len;
		*owned = false;
		return hit->data;
	}
	if (depth > SFMC_MAX_DELTA_DEPTH || !(raw = read_raw(r, pk, off, &n)) || !parse_entry(&r->set->ps.idx[pk], off, raw, n, &e))
		return NULL;
	if (e.type >= GIT_OBJECT_COMMIT && e.type <= GIT_OBJECT_TAG) {
		if (e.size >= SIZE_MAX / 2 || !(out = malloc(e.size ? e.size : 1)))
			return NULL;
		if (!inflate_exact(r, raw + e.body, n - e.body, out, e.size)) {
			free(out);
			return NULL;
		}
		*type = (git_object_t)e.type;
		*len = e.size;
		*owned = true;
		return out;
	}
	/* The base first: its reads reuse the window, so the delta is read after. */
	if (!(base = resolve(r, pk, e.base_off, depth + 1, type, &blen, &base_owned)))
		return NULL;
	out = NULL;
	if ((raw = read_raw(r, pk, off, &n)) && n > e.body && grow(&r->delta, &r->delta_cap, e.size ? e.size : 1) &&
	    inflate_exact(r, raw + e.body, n - e.body, r->delta, e.size))
		out = apply_delta(base, blen, r->delta, e.size, len);
	if (!base_owned) {
		cache_used(r, (uint64_t)pk << 48 | e.base_off);
	} else {
		uint32_t uses = uses_of(r, pk, e.base_off);
		if (uses != UINT32_MAX && uses)
			uses--; /* this delta */
		if (!cache_put(r, (uint64_t)pk << 48 | e.base_off, base, blen, *type, uses))
			free(base);
	}
	*owned = true;
	return out;
}

/* Why the object at (pk, off) was not read: a chain libgit2 must not follow, or anything else. */
static int declined(const sfmc_packreader *r, uint32_t pk, uint64_t off, const git_oid *id)
{
	return chain_check(&r->set->ps.idx[pk], r->set->files[pk].fd, off, id) < 0 ? SFMC_ELIMIT : SFMC_EDECLINED;
}

/* The pack holding id (r's set), or SFMC_ENOTFOUND. */
static int find_packed(const sfmc_packreader *r, const git_oid *id, uint32_t *pk, uint64_t *off)
{
	const sfmc_packset *set = r->set;
	for (*pk = 0; *pk < set->ps.n; ++*pk)
		if (set->files[*pk].fd >= 0 && idx_find(&set->ps.idx[*pk], id, off))
			return SFMC_OK;
	return SFMC_ENOTFOUND;
}

int sfmc_packreader_view(sfmc_packreader *r, const git_oid *id, git_object_t *type, const unsigned char **data,
			 size_t *len)
{
	unsigned char *out;
	uint64_t off;
	uint32_t pk;
	bool owned;

	*data = NULL;
	free(r->last); /* the previous view ends here */
	r->last = NULL;
	if (find_packed(r, id, &pk, &off) < 0)
		return SFMC_ENOTFOUND;
	if (!(out = resolve(r, pk, off, 0, type, len, &owned)))
		return declined(r, pk, off, id);
	/* In pack order the next objects are often deltas against this one. */
	if (owned && !cache_put(r, (uint64_t)pk << 48 | off, out, *len, *type, uses_of(r, pk, off)))
		r->last = out;
	*data = out;
	return SFMC_OK;
}

int sfmc_packreader_read(sfmc_packreader *r, const git_oid *id, git_object_t *type, unsigned char **data,
			 size_t *len)
{
	const unsigned char *view;
	int rc;

	*data = NULL;
	if ((rc = sfmc_packreader_view(r, id, type, &view, len)) < 0)
		return rc;
	if (r->last) { /* not cached: the caller takes it as it is */
		*data = r->last;
		r->last = NULL;
		return SFMC_OK;
	}
	if (!(*data = malloc(*len ? *len : 1)))
		return SFMC_EDECLINED;
	memcpy(*data, view, *len);
	return SFMC_OK;
}

int sfmc_packreader_check(const sfmc_packreader *r, const git_oid *id)
{
	uint64_t off;
	uint32_t pk;
	if (find_packed(r, id, &pk, &off) < 0)
		return SFMC_OK;
	return chain_check(&r->set->ps.idx[pk], r->set->files[pk].fd, off, id);
}

/* ---- the guard ----------------------------------------------------------- */

struct sfmc_packguard {
	packs ps;
	int *fds; /* per pack, opened on first use (-1: not yet; -2: cannot) */
};

int sfmc_packguard_new(sfmc_packguard **out, git_repository *repo)
{
	sfmc_packguard *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (!g)
		return sfmc_error_set("out of memory");
	if (packs_load(&g->ps, repo) < 0) {
		free(g);
		return -1;
	}
	if (!(g->fds = malloc((g->ps.n ? g->ps.n : 1) * sizeof(*g->fds)))) {
		sfmc_packguard_free(g);
		return sfmc_error_set("out of memory");
	}
	for (size_t i = 0; i < g->ps.n; i++)
		g->fds[i] = -1;
	*out = g;
	return 0;
}

int sfmc_packguard_check(sfmc_packguard *g, const git_oid *id)
{
	uint64_t off;

	if (!g)
		return SFMC_OK;
	for (size_t i = 0; i < g->ps.n; i++) {
		if (!idx_find(&g->ps.idx[i], id, &off))
			continue;
		if (g->fds[i] == -1 && (g->fds[i] = open(g->ps.idx[i].pack, O_RDONLY | O_CLOEXEC)) < 0)
			g->fds[i] = -2;
		return g->fds[i] < 0 ? SFMC_OK : chain_check(&g->ps.idx[i], g->fds[i], off, id);
	}
	return SFMC_OK;
}

void sfmc_packguard_free(sfmc_packguard *g)
{
	if (!g)
		return;
	for (size_t i = 0; g->fds && i < g->ps.n; i++)
		if (g->fds[i] >= 0)
			close(g->fds[i]);
	free(g->fds);
	packs_dispose(&g->ps);
	free(g);
}
