/* packorder.c - pack order from the .idx files (format: git's
 * Documentation/gitformat-pack.txt, "pack-*.idx files have the following
 * format" version 2): magic, version, 256-entry fanout, sorted object ids,
 * CRC-32s, 4-byte offsets (MSB set: index into the 8-byte offsets), trailer. */
#define _GNU_SOURCE
#include "packorder.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/error.h"

#define IDX_HEADER 8
#define IDX_FANOUT (256 * 4)
#define IDX_TRAILER 40

typedef struct pack_idx {
	unsigned char *map;
	size_t size;
	uint32_t n;                /* objects in the pack */
	const unsigned char *oids; /* n x GIT_OID_RAWSZ, sorted */
	const unsigned char *off32;
	const unsigned char *off64;
	size_t n64;
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
	ix->off32 = ix->oids + (size_t)ix->n * (GIT_OID_RAWSZ + 4);
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
	if (ps->n == ps->a) {
		size_t na = ps->a ? ps->a * 2 : 8;
		pack_idx *p = realloc(ps->idx, na * sizeof(*p));
		if (!p)
			return sfmc_error_set("out of memory");
		ps->idx = p;
		ps->a = na;
	}
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
		if (nn == an) {
			char **p = realloc(names, (an = an ? an * 2 : 8) * sizeof(*p));
			if (!p) {
				rc = sfmc_error_set("out of memory");
				break;
			}
			names = p;
		}
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
		if (idx_open(path.ptr, &ix) && (rc = add_pack(ps, &ix)) < 0)
			munmap(ix.map, ix.size);
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

static int cmp_keyed(const void *pa, const void *pb)
{
	const keyed *a = pa, *b = pb;
	if (a->pos.pack != b->pos.pack)
		return a->pos.pack < b->pos.pack ? -1 : 1;
	if (a->pos.offset != b->pos.offset)
		return a->pos.offset < b->pos.offset ? -1 : 1;
	return git_oid_cmp(&a->oid, &b->oid);
}

/* The objects as keys sorted into pack order (malloc'd into *out). */
static int sorted_keys(git_repository *repo, const git_oid *oids, size_t n, keyed **out)
{
	packs ps = { 0 };
	sfmc_buf objdir = SFMC_BUF_INIT;
	keyed *k = malloc(n ? n * sizeof(*k) : 1);
	int rc = -1;

	*out = NULL;
	if (!k) {
		sfmc_error_set("out of memory");
		goto cleanup;
	}
	if (sfmc_buf_printf(&objdir, "%sobjects", git_repository_commondir(repo)) < 0 || load_dir(&ps, objdir.ptr) < 0 ||
	    load_alternates(&ps, objdir.ptr) < 0)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		k[i].oid = oids[i];
		k[i].idx = i;
		k[i].pos.pack = SFMC_PACKORDER_LOOSE;
		k[i].pos.offset = 0;
		for (uint32_t p = 0; p < ps.n; p++)
			if (idx_find(&ps.idx[p], &oids[i], &k[i].pos.offset)) {
				k[i].pos.pack = p;
				break;
			}
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	*out = k;
	k = NULL;
	rc = 0;
cleanup:
	for (size_t i = 0; i < ps.n; i++)
		munmap(ps.idx[i].map, ps.idx[i].size);
	free(ps.idx);
	free(k);
	sfmc_buf_dispose(&objdir);
	return rc;
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
	if (!(*order = malloc(n ? n * sizeof(**order) : 1))) {
		free(k);
		return sfmc_error_set("out of memory");
	}
	for (size_t i = 0; i < n; i++)
		(*order)[i] = k[i].idx;
	free(k);
	return 0;
}
