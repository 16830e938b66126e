/* archive.c - members of archives and compressed files (see archive.h). */
#define _GNU_SOURCE
#include "detect/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect/archive_lib.h"
#include "util/bounds.h"
#include "util/error.h"

/* Limits shared by every level of one outer file. */
struct sfmc_archive_walk {
	uint64_t outer_size; /* bytes of the outer file, for the ratio */
	uint64_t bytes;      /* decompressed bytes read so far */
	uint64_t members;
	bool stop; /* a limit of the whole outer file was reached */
};

typedef struct magic {
	size_t at, len;
	const char *bytes;
} magic;

/* Binary cpio (two bytes) and ISO images are left out: too easily matched by chance, or rarely seen. */
static const magic magics[] = {
	{ 0, 4, "PK\3\4" },       /* zip, jar, war, ear, apk, nupkg, whl, docx, xlsx */
	{ 0, 4, "PK\5\6" },       /* empty zip (its comment is still scanned raw) */
	{ 257, 5, "ustar" },      /* tar (POSIX and GNU) */
	{ 0, 3, "\x1f\x8b\x08" }, /* gzip */
	{ 0, 3, "BZh" },          /* bzip2 */
	{ 0, 6,
	  "\xfd"
	  "7zXZ\0" },                   /* xz */
	{ 0, 4, "\x28\xb5\x2f\xfd" },   /* zstd */
	{ 0, 4, "\x04\x22\x4d\x18" },   /* lz4 */
	{ 0, 4, "LZIP" },               /* lzip */
	{ 0, 6, "7z\xbc\xaf\x27\x1c" }, /* 7z */
	{ 0, 6, "070701" },             /* cpio newc */
	{ 0, 6, "070702" },             /* cpio crc */
	{ 0, 6, "070707" },             /* cpio odc */
	{ 0, 8, "!<arch>\n" },          /* ar, deb */
	{ 0, 6, "Rar!\x1a\x07" },       /* rar 4 and 5 */
};

bool sfmc_archive_sniff(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (n >= magics[i].at + magics[i].len && !memcmp(b + magics[i].at, magics[i].bytes, magics[i].len))
			return i != 4 || (n > 3 && b[3] >= '1' && b[3] <= '9'); /* bzip2: block size digit */
	return false;
}

/* A reader for the formats and filters above only: no "all", since mtree
 * would read local files it names and some filters run external programs. */
static struct archive *reader_new(bool raw_only)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_lzip(a);
	archive_read_support_format_raw(a);
	if (raw_only)
		return a;
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_ar(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	return a;
}

static int skip(sfmc_results *out, const char *path, const char *detail)
{
	char reason[512];

	snprintf(reason, sizeof(reason), "damaged archive: %s", detail ? detail : "unknown error");
	return sfmc_results_add_skipped(out, path, reason);
}

/* Reads one member's data for the chunked scan; a damaged member or a limit
 * ends it early (what was read is still scanned) and says why. */
typedef struct member_rd {
	struct archive *a;
	sfmc_archive_walk *w;
	const sfmc_ruleset *rules; /* its archive limits */
	const char *why;
	char msg[400];
} member_rd;

static ssize_t member_read(void *ctx, void *buf, size_t want)
{
	member_rd *m = ctx;
	la_ssize_t n;

	if (m->why)
		return 0;
	n = archive_read_data(m->a, buf, want);
	if (n < 0) {
		const char *e = archive_error_string(m->a);
		snprintf(m->msg, sizeof(m->msg), "damaged archive: %s", e ? e : "read error");
		m->why = m->msg;
		return 0;
	}
	m->w->bytes += (uint64_t)n;
	if (m->w->bytes > m->rules->archive_max_bytes) {
		snprintf(m->msg, sizeof(m->msg),
			 "archive limit: more than %llu decompressed bytes from one file, the rest not read",
			 (unsigned long long)m->rules->archive_max_bytes);
		m->why = m->msg;
		m->w->stop = true;
	} else if (m->w->bytes > SFMC_ARCHIVE_RATIO_FROM &&
		   m->w->bytes / m->rules->archive_max_ratio > m->w->outer_size) {
		snprintf(m->msg, sizeof(m->msg),
			 "archive limit: decompresses to more than %u times its size (a bomb?), the rest not read",
			 m->rules->archive_max_ratio);
		m->why = m->msg;
		m->w->stop = true;
	}
	return (ssize_t)n;
}

/* The name of a member; a single compressed stream ("raw", which
 * libarchive calls "data") is named after its file less the suffix. */
static void member_name(struct archive *a, struct archive_entry *e, const sfmc_provenance *prov, char *name, size_t cap)
{
	static const char *const suffixes[] = { ".gz", ".bz2", ".xz", ".zst", ".lz4", ".lz", ".lzma", ".z" };
	const char *p = archive_entry_pathname(e), *base, *dot;

	snprintf(name, cap, "%s", p && *p ? p : "data");
	if (archive_format(a) != ARCHIVE_FORMAT_RAW)
		return;
	base = memrchr(prov->path, '!', prov->path_len);
	base = base ? base + 1 : prov->path;
	if (strrchr(base, '/'))
		base = strrchr(base, '/') + 1;
	dot = strrchr(base, '.');
	for (size_t i = 0; dot && dot > base && i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (!strcasecmp(dot, suffixes[i]))
			snprintf(name, cap, "%.*s", (int)(dot - base), base);
}

/* prov extended by one member: path "outer!name", member parts NUL-separated. */
static int member_prov(sfmc_provenance *m, const sfmc_provenance *prov, const char *name)
{
	size_t n = strlen(name), plen = prov->path_len + 1 + n;
	size_t mlen = (prov->member ? prov->member_len + 1 : 0) + n;
	char *path = malloc(plen + 1), *parts = malloc(mlen + 1);

	if (!path || !parts) {
		free(path);
		free(parts);
		return sfmc_error_set("out of memory");
	}
	memcpy(path, prov->path, prov->path_len);
	path[prov->path_len] = '!';
	memcpy(path + prov->path_len + 1, name, n + 1);
	if (prov->member) {
		memcpy(parts, prov->member, prov->member_len);
		parts[prov->member_len] = '\0';
	}
	memcpy(parts + mlen - n, name, n + 1);
	*m = (sfmc_provenance){ path, plen, prov->blob, prov->commit, parts, mlen };
	return 0;
}

/* Scans one member's data and, if it is an archive itself, its members. */
static int member_data(sfmc_scanner *s, struct archive *a, const sfmc_provenance *mp, sfmc_results *out)
{
	member_rd m = { a, s->walk, s->rules, NULL, { 0 } };
	sfmc_reader rd = { member_read, &m };
	sfmc_spool sp = { .want = true, .fd = -1, .src = -1 };
	size_t first = out->nfindings;
	int rc = sfmc_scanner_scan_reader(s, &rd, mp, out, &sp);

	if (rc == 0 && m.why)
		rc = sfmc_results_add_skipped(out, mp->path, m.why);
	else if (rc == 0 && sp.deep)
		rc = sfmc_results_add_skipped(out, mp->path,
					      "archive limit: nested deeper than --archive-depth, not opened");
	else if (rc == 0 && sp.archive)
		rc = sfmc_archive_scan_spool(s, &sp, mp, out, first);
	sfmc_archive_spool_close(&sp);
	return rc;
}

static int member(sfmc_scanner *s, struct archive *a, struct archive_entry *e, const sfmc_provenance *prov,
		  sfmc_results *out)
{
	sfmc_provenance mp;
	char name[SFMC_ARCHIVE_MAX_PATH];
	int rc;

	if (++s->walk->members > s->rules->archive_max_members) {
		s->walk->stop = true;
		snprintf(name, sizeof(name), "archive limit: more than %u members in one file, the rest not read",
			 s->rules->archive_max_members);
		return sfmc_results_add_skipped(out, prov->path, name);
	}
	member_name(a, e, prov, name, sizeof(name));
	if (prov->path_len + strlen(name) + 1 >= SFMC_ARCHIVE_MAX_PATH)
		return sfmc_results_add_skipped(out, prov->path, "archive limit: member path too long, not read");
	if (member_prov(&mp, prov, name) < 0)
		return -1;
	if (archive_entry_is_data_encrypted(e))
		rc = sfmc_results_add_skipped(out, mp.path, "encrypted archive member: not read");
	else
		rc = member_data(s, a, &mp, out);
	free((char *)mp.path);
	free((char *)mp.member);
	return rc;
}

/* Every regular member, until the end, damage or a limit. */
static int walk(sfmc_scanner *s, struct archive *a, const sfmc_provenance *prov, sfmc_results *out, size_t *entries)
{
	struct archive_entry *e;
	bool first = true;
	int r, rc = 0;

	s->archive_level++;
	while (rc == 0 && !s->walk->stop) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = skip(out, prov->path, archive_error_string(a));
			break;
		}
		/* libarchive falls back to "raw" for what it cannot read: only a compressed stream is one. */
		if (first && archive_format(a) == ARCHIVE_FORMAT_RAW &&
		    archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
			rc = skip(out, prov->path, "not readable as the archive its first bytes show");
			break;
		}
		first = false;
		++*entries;
		/* Regular files; ar members carry no file type at all. */
		if (archive_entry_filetype(e) == AE_IFREG || archive_entry_filetype(e) == 0)
			rc = member(s, a, e, prov, out);
	}
	s->archive_level--;
	return rc;
}

static int cmp_key(const void *pa, const void *pb)
{
	const sfmc_finding *a = *(const sfmc_finding *const *)pa, *b = *(const sfmc_finding *const *)pb;

	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return strcmp(a->fingerprint, b->fingerprint);
}

/* One secret, one report: a raw finding (first..mid) whose rule and secret a
 * member finding (mid..) repeats is the same secret seen through the
 * archive's bytes (a stored member); the member's place is the useful one. */
static int drop_repeats(sfmc_results *out, size_t first, size_t mid)
{
	size_t n = out->nfindings - mid, k = first;
	const sfmc_finding **keys;

	if (first == mid || !n)
		return 0;
	if (!(keys = malloc(n * sizeof(*keys))))
		return sfmc_error_set("out of memory");
	for (size_t i = 0; i < n; i++)
		keys[i] = &out->findings[mid + i];
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (size_t i = first; i < mid; i++) {
		const sfmc_finding *f = &out->findings[i];
		if (bsearch(&f, keys, n, sizeof(*keys), cmp_key))
			sfmc_finding_dispose(&out->findings[i]);
		else
			out->findings[k++] = out->findings[i];
	}
	free(keys);
	memmove(&out->findings[k], &out->findings[mid], n * sizeof(*out->findings));
	out->nfindings = k + n;
	return 0;
}

/* Opens fd (rewound) or data as an archive (raw_only: a compressed stream)
 * and walks it; *entries counts its headers, *compressed tells a filter. */
static int open_walk(sfmc_scanner *s, int fd, const void *data, size_t len, bool raw_only, const sfmc_provenance *prov,
		     sfmc_results *out, size_t *entries, bool *compressed)
{
	struct archive *a = reader_new(raw_only);
	int rc;

	if (!a)
		return sfmc_error_set("out of memory");
	if (fd >= 0 && lseek(fd, 0, SEEK_SET) != 0)
		rc = sfmc_error_set_errno("cannot reread the archive");
	else if ((fd >= 0 ? archive_read_open_fd(a, fd, 65536) : archive_read_open_memory(a, data, len)) != ARCHIVE_OK)
		rc = skip(out, prov->path, archive_error_string(a));
	else
		rc = walk(s, a, prov, out, entries);
	*compressed = archive_filter_count(a) > 1;
	archive_read_free(a);
	return rc;
}

int sfmc_archive_scan(sfmc_scanner *s, int fd, const void *data, size_t len, const sfmc_provenance *prov,
		      sfmc_results *out, size_t first)
{
	sfmc_archive_walk top = { 0 };
	size_t mid = out->nfindings, entries = 0;
	bool compressed = false;
	struct stat st;
	int rc;

	if (sfmc_archive_lib_load() < 0) /* fail closed: the archive's members were not read */
		return sfmc_results_add_error(out, prov->path, sfmc_error_last());

	if (!s->walk) { /* the outer file: its limits start here */
		top.outer_size = fd >= 0 ? (fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0) : len;
		s->walk = &top;
	}
	rc = open_walk(s, fd, data, len, false, prov, out, &entries, &compressed);
	/* A compressed stream starting with zero blocks reads as an empty tar: read it whole instead. */
	if (rc == 0 && !entries && compressed && !s->walk->stop)
		rc = open_walk(s, fd, data, len, true, prov, out, &entries, &compressed);
	if (s->walk == &top)
		s->walk = NULL;
	if (rc == 0)
		rc = drop_repeats(out, first, mid);
	return rc;
}

int sfmc_archive_scan_spool(sfmc_scanner *s, sfmc_spool *sp, const sfmc_provenance *prov, sfmc_results *out,
			    size_t first)
{
	if (sp->truncated || sp->fd < 0)
		return sfmc_results_add_skipped(out, prov->path,
						"archive limit: stream too large to copy aside, or no temporary file: "
						"members not read");
	if (lseek(sp->fd, 0, SEEK_SET) != 0)
		return sfmc_error_set_errno("cannot rewind the temporary copy");
	return sfmc_archive_scan(s, sp->fd, NULL, 0, prov, out, first);
}

int sfmc_archive_spool_open(sfmc_spool *sp)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	snprintf(path, sizeof(path), "%s/sfmc-scan-XXXXXX", dir && *dir ? dir : "/tmp");
	if ((sp->fd = mkostemp(path, O_CLOEXEC)) < 0) {
		sp->truncated = true;
		return sfmc_error_set_errno("cannot create a temporary file in %s", dir && *dir ? dir : "/tmp");
	}
	unlink(path); /* gone when closed, whatever happens */
	return 0;
}

int sfmc_archive_spool_write(sfmc_spool *sp, const void *buf, size_t n)
{
	const char *p = buf;

	if (sp->fd < 0)
		return 0;
	if (sp->bytes + n > SFMC_ARCHIVE_MAX_SPOOL) {
		sp->truncated = true;
		sfmc_archive_spool_close(sp);
		return 0;
	}
	while (n) {
		ssize_t w = write(sp->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			sp->truncated = true;
			sfmc_archive_spool_close(sp);
			return sfmc_error_set_errno("cannot write the temporary copy");
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void sfmc_archive_spool_close(sfmc_spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
}
