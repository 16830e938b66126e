#define _GNU_SOURCE
#include "detect/scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "util/bounds.h"
#include "detect/archive.h"
#include "detect/context.h"
#include "util/array.h"
#include "util/error.h"
#include "util/progress.h"

struct sfmc_pending {
	const sfmc_rule *rule;
	uint64_t offset;
	size_t length;
	sfmc_level level;
	bool checksum_valid;
	/* Decoded findings only: offset/length cover the encoded text. */
	char *secret;   /* owned decoded secret */
	size_t secret_len;
	char *encoding; /* owned chain name */
	size_t seq;     /* order of arrival within the chunk */
};

/* Tracks line numbers lazily: newlines are counted only up to where a
 * finding (or a chunk boundary) needs them. */
typedef struct linepos {
	uint64_t counted; /* stream offset counted up to */
	uint64_t line;    /* 1-based line at `counted` */
	uint64_t start;   /* stream offset of that line's first byte */
} linepos;

#if defined(__x86_64__) && defined(__GNUC__)
/* Newlines in the first n / 128 * 128 bytes of p: byte counters, four
 * vectors per step, summed every 255 steps before they can wrap. */
__attribute__((target("avx2"))) static uint64_t count_newlines_avx2(const unsigned char *p, size_t n)
{
	const __m256i nl = _mm256_set1_epi8('\n'), z = _mm256_setzero_si256();
	uint64_t total = 0;
	size_t i = 0;

	while (n - i >= 128) {
		__m256i a0 = z, a1 = z, a2 = z, a3 = z, sum;
		size_t stop = i + (n - i >= 255 * 128 ? 255 * 128 : (n - i) / 128 * 128);
		for (; i < stop; i += 128) { /* a match is -1: subtracting counts it */
			a0 = _mm256_sub_epi8(a0, _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i)), nl));
			a1 = _mm256_sub_epi8(a1, _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i + 32)), nl));
			a2 = _mm256_sub_epi8(a2, _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i + 64)), nl));
			a3 = _mm256_sub_epi8(a3, _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i + 96)), nl));
		}
		sum = _mm256_add_epi64(_mm256_add_epi64(_mm256_sad_epu8(a0, z), _mm256_sad_epu8(a1, z)),
				       _mm256_add_epi64(_mm256_sad_epu8(a2, z), _mm256_sad_epu8(a3, z)));
		total += (uint64_t)_mm256_extract_epi64(sum, 0) + (uint64_t)_mm256_extract_epi64(sum, 1) +
			 (uint64_t)_mm256_extract_epi64(sum, 2) + (uint64_t)_mm256_extract_epi64(sum, 3);
	}
	return total;
}

/* The same with SSE2 (x86-64 baseline) on n / 64 * 64 bytes. */
static uint64_t count_newlines_sse2(const unsigned char *p, size_t n)
{
	const __m128i nl = _mm_set1_epi8('\n'), z = _mm_setzero_si128();
	uint64_t total = 0;
	size_t i = 0;

	while (n - i >= 64) {
		__m128i a0 = z, a1 = z, a2 = z, a3 = z, sum;
		size_t stop = i + (n - i >= 255 * 64 ? 255 * 64 : (n - i) / 64 * 64);
		for (; i < stop; i += 64) {
			a0 = _mm_sub_epi8(a0, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), nl));
			a1 = _mm_sub_epi8(a1, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 16)), nl));
			a2 = _mm_sub_epi8(a2, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 32)), nl));
			a3 = _mm_sub_epi8(a3, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 48)), nl));
		}
		sum = _mm_add_epi64(_mm_add_epi64(_mm_sad_epu8(a0, z), _mm_sad_epu8(a1, z)),
				    _mm_add_epi64(_mm_sad_epu8(a2, z), _mm_sad_epu8(a3, z)));
		total += (uint64_t)_mm_cvtsi128_si64(sum) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum));
	}
	return total;
}
#endif

/* Newlines in p[0,n): AVX2 or SSE2 for the bulk (picked once), a plain
 * loop for the rest and elsewhere. */
static uint64_t count_newlines(const unsigned char *p, size_t n)
{
	uint64_t total = 0;
	size_t i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
	static int avx2 = -1;
	int a = __atomic_load_n(&avx2, __ATOMIC_RELAXED);

	if (a < 0) {
		__builtin_cpu_init();
		a = __builtin_cpu_supports("avx2") ? 1 : 0;
		__atomic_store_n(&avx2, a, __ATOMIC_RELAXED);
	}
	i = a ? n / 128 * 128 : n / 64 * 64;
	total = a ? count_newlines_avx2(p, n) : count_newlines_sse2(p, n);
#endif
	for (; i < n; i++)
		total += p[i] == '\n';
	return total;
}

static void linepos_advance(linepos *lp, const unsigned char *buf, uint64_t base, uint64_t to)
{
	const unsigned char *p = buf + (lp->counted - base), *end = buf + (to - base), *nl;
	uint64_t lines = p < end ? count_newlines(p, (size_t)(end - p)) : 0;

	if (lines) {
		lp->line += lines;
		nl = memrchr(p, '\n', (size_t)(end - p));
		lp->start = base + (uint64_t)(nl - buf) + 1;
	}
	lp->counted = to;
}

int sfmc_scanner_init(sfmc_scanner *s, const sfmc_ruleset *rules)
{
	size_t reach = sfmc_decode_reach(rules);

	memset(s, 0, sizeof(*s));
	s->rules = rules;
	s->overlap = sfmc_detector_overlap(rules);
	s->back = rules->max_window ? rules->max_window : SFMC_DEFAULT_WINDOW;
	/* A decode window reaches `reach` either side of its hit: keep that much. */
	if (reach > s->back)
		s->back = reach;
	if (s->overlap < 2 * reach + 1) /* reach also bounds the longest encoded literal */
		s->overlap = 2 * reach + 1;
	/* The inline allow marker is looked for this far around a match. */
	s->overlap += SFMC_INLINE_ALLOW_REACH;
	s->back += SFMC_INLINE_ALLOW_REACH;
	s->archive_depth = rules->archive_depth;
	if (rules->ncontext) { /* context is searched this far either side of a secret */
		s->overlap += SFMC_CONTEXT_REACH;
		s->back += SFMC_CONTEXT_REACH;
	}
	if (sfmc_detector_new(&s->det, rules) < 0 || sfmc_context_new(&s->ctx, rules) < 0)
		return -1;
	return sfmc_decode_new(&s->dec, rules);
}

/* Forgets this chunk's matches (and frees what decoded ones own). */
static void pending_clear(sfmc_scanner *s)
{
	for (size_t i = 0; i < s->npending; i++) {
		free(s->pending[i].secret);
		free(s->pending[i].encoding);
	}
	s->npending = 0;
}

void sfmc_scanner_dispose(sfmc_scanner *s)
{
	pending_clear(s);
	sfmc_decode_free(s->dec);
	sfmc_detector_free(s->det);
	sfmc_context_free(s->ctx);
	free(s->chunk);
	free(s->pending);
	memset(s, 0, sizeof(*s));
}

/* A zeroed slot for one more match, or NULL (message set). */
static sfmc_pending *pending_push(sfmc_scanner *s)
{
	sfmc_pending *p;

	if (s->npending >= SFMC_MAX_FINDINGS_PER_BLOB) {
		sfmc_error_set("more than %d findings in one blob", SFMC_MAX_FINDINGS_PER_BLOB);
		return NULL;
	}
	if (SFMC_ARRAY_GROW(s->pending, s->npending, s->apending) < 0)
		return NULL;
	p = &s->pending[s->npending];
	memset(p, 0, sizeof(*p));
	p->seq = s->npending++;
	return p;
}

static int collect(const sfmc_match *m, void *payload)
{
	sfmc_scanner *s = payload;
	sfmc_pending *p = pending_push(s);

	if (!p)
		return -1;
	p->rule = m->rule;
	p->offset = m->offset;
	p->length = m->length;
	p->level = m->level;
	p->checksum_valid = m->checksum_valid;
	return 0;
}

/* A decoded match: located at its encoded text, carrying the decoded secret. */
static int collect_decoded(const sfmc_decoded_match *dm, void *payload)
{
	sfmc_scanner *s = payload;
	const sfmc_match *m = dm->match;
	size_t len = m->length > SFMC_MAX_SECRET_LEN ? SFMC_MAX_SECRET_LEN : m->length;
	sfmc_pending *p = pending_push(s);

	if (!p)
		return -1;
	p->rule = m->rule;
	p->offset = dm->offset;
	p->length = (size_t)(dm->end - dm->offset + 1);
	p->level = m->level;
	p->checksum_valid = m->checksum_valid;
	p->secret_len = len;
	if (!(p->secret = malloc(len + 1)) || !(p->encoding = strdup(dm->encoding)))
		return sfmc_error_set("out of memory");
	memcpy(p->secret, m->bytes, len);
	p->secret[len] = '\0';
	return 0;
}

/* Runs the detector and the decode stage over one buffer. Fused: the
 * decoders' pass also finds the keywords, the detector only verifies them. */
static int detect(sfmc_scanner *s, const unsigned char *buf, size_t len, uint64_t base, size_t from, size_t limit)
{
	const sfmc_keyword_hit *hits;
	size_t nhits;
	int rc;

	if (!sfmc_decode_fused(s->dec)) {
		rc = sfmc_detector_scan(s->det, buf, len, base, from, limit, collect, s);
		if (rc == 0 && s->dec)
			rc = sfmc_decode_scan(s->dec, buf, len, base, from, limit, collect_decoded, s);
		return rc;
	}
	if ((rc = sfmc_decode_scan(s->dec, buf, len, base, from, limit, collect_decoded, s)) < 0)
		return rc;
	if (sfmc_decode_plain_hits(s->dec, &hits, &nhits))
		return sfmc_detector_scan_hits(s->det, buf, len, base, hits, nhits, collect, s);
	return sfmc_detector_scan(s->det, buf, len, base, from, limit, collect, s);
}

/* By offset; at one offset plain matches before decoded ones, each in the
 * order found (the same order whichever stage runs first). */
static int cmp_pending(const void *pa, const void *pb)
{
	const sfmc_pending *a = pa, *b = pb;
	bool da = a->secret != NULL, db = b->secret != NULL;

	if (a->offset != b->offset)
		return (a->offset > b->offset) - (a->offset < b->offset);
	if (da != db)
		return da - db;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* true when the finding's line carries the inline allow marker within
 * SFMC_INLINE_ALLOW_REACH bytes of the match (bounded, so chunking cannot
 * change the answer). */
static bool inline_allowed(const unsigned char *buf, size_t len, size_t at, size_t mlen)
{
	static const char marker[] = "sfmc-scan:allow";
	const unsigned char *lo = buf + (at > SFMC_INLINE_ALLOW_REACH ? at - SFMC_INLINE_ALLOW_REACH : 0);
	const unsigned char *b = buf + at, *e;
	size_t end = at + mlen + SFMC_INLINE_ALLOW_REACH < len ? at + mlen + SFMC_INLINE_ALLOW_REACH : len;

	while (b > lo && b[-1] != '\n')
		b--;
	e = memchr(buf + at, '\n', end - at);
	if (!e)
		e = buf + end;
	return memmem(b, (size_t)(e - b), marker, sizeof(marker) - 1) != NULL;
}

/* Turns this chunk's pending matches into findings. */
static int flush(sfmc_scanner *s, const unsigned char *buf, size_t len, uint64_t base, linepos *lp,
		 const sfmc_provenance *prov, sfmc_results *out)
{
	int rc = 0;

	if (s->npending > 1)
		qsort(s->pending, s->npending, sizeof(*s->pending), cmp_pending);
	for (size_t i = 0; i < s->npending && rc == 0; i++) {
		const sfmc_pending *p = &s->pending[i];
		size_t at = (size_t)(p->offset - base);
		sfmc_finding f;

		memset(&f, 0, sizeof(f));
		if (p->offset > lp->counted)
			linepos_advance(lp, buf, base, p->offset);
		f.rule = p->rule;
		f.level = p->level;
		f.checksum_valid = p->checksum_valid;
		f.path = (char *)prov->path;
		f.path_len = prov->path_len;
		f.member = (char *)prov->member;
		f.member_len = prov->member_len;
		f.offset = p->offset;
		f.line = lp->line;
		f.column = p->offset - lp->start + 1;
		f.end_column = f.column + (p->length ? p->length - 1 : 0);
		f.secret = (char *)buf + at;
		f.secret_len = p->length > SFMC_MAX_SECRET_LEN ? SFMC_MAX_SECRET_LEN : p->length;
		if (p->secret) { /* decoded: encoded text wrapped over lines ends on its first line */
			const unsigned char *nl = memchr(buf + at, '\n', p->length);
			f.end_column = nl ? f.column + (uint64_t)(nl - (buf + at)) - 1 : f.end_column;
			f.secret = p->secret;
			f.secret_len = p->secret_len;
			f.encoding = p->encoding;
		}
		if (prov->blob)
			snprintf(f.blob, sizeof(f.blob), "%s", prov->blob);
		f.commit = (sfmc_commit_info *)prov->commit;
		if (inline_allowed(buf, len, at, p->length)) {
			f.suppressed = SFMC_SUPPRESS_INLINE;
			f.suppress_reason = "inline sfmc-scan:allow";
		}
		if ((rc = sfmc_finding_fingerprint(&f)) == 0 && s->ctx)
			rc = sfmc_context_find(s->ctx, &f, buf, len, at);
		if (rc == 0)
			rc = sfmc_results_add_finding(out, &f); /* deep-copies the borrowed fields */
		if (rc == 0 && s->rules->tap)
			s->rules->tap->fn(s->rules->tap->payload, &f);
		for (int k = 0; k < SFMC_CONTEXT_KINDS; k++)
			free(f.context[k].value);
	}
	pending_clear(s);
	return rc;
}

/* The raw pass over one in-memory blob. */
static int scan_mem_raw(sfmc_scanner *s, const void *data, size_t len, const sfmc_provenance *prov, sfmc_results *out)
{
	linepos lp = { 0, 1, 0 };
	int rc;

	sfmc_detector_begin(s->det);
	if (s->dec)
		sfmc_decode_begin(s->dec);
	pending_clear(s);
	rc = detect(s, data, len, 0, 0, len);
	if (rc == 0)
		rc = flush(s, data, len, 0, &lp, prov, out);
	pending_clear(s);
	return rc;
}

int sfmc_scanner_scan_mem(sfmc_scanner *s, const void *data, size_t len, const sfmc_provenance *prov, sfmc_results *out)
{
	size_t first = out->nfindings;
	int rc = scan_mem_raw(s, data, len, prov, out);

	out->stats.files++;
	out->stats.bytes += len;
	sfmc_progress_add(0, len);
	/* Only a look at the first bytes for files that are not archives. */
	if (rc == 0 && s->archive_level < s->archive_depth && sfmc_archive_sniff(data, len))
		rc = sfmc_archive_scan(s, -1, data, len, prov, out, first);
	return rc;
}

/* Reads until buf is full or the reader ends; returns bytes read or -1. */
static ssize_t fill(const sfmc_reader *rd, unsigned char *buf, size_t want, bool *eof)
{
	size_t got = 0;
	while (got < want) {
		ssize_t n = rd->read(rd->ctx, buf + got, want - got);
		if (n < 0)
			return -1;
		if (n == 0) {
			*eof = true;
			break;
		}
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static ssize_t fd_read(void *ctx, void *buf, size_t want)
{
	for (;;) {
		ssize_t n = read(*(int *)ctx, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		return n;
	}
}

/* Read buffer size: a chunk plus the overlap re-read from the previous one.
 * A chunk is never smaller than the overlap, or the window would not fit. */
static size_t chunk_cap(const sfmc_scanner *s)
{
	size_t c = s->chunk_size ? s->chunk_size : SFMC_CHUNK_SIZE;
	return (c < s->overlap ? s->overlap : c) + s->overlap;
}

/* After the first chunk: whether to copy the stream aside for extraction. */
static void spool_start(sfmc_scanner *s, sfmc_spool *sp, const unsigned char *buf, size_t have)
{
	bool sniffed = s->archive_depth && sfmc_archive_sniff(buf, have);

	sp->archive = sniffed && s->archive_level < s->archive_depth;
	sp->deep = sniffed && !sp->archive;
	struct stat st;

	/* fstat only now: plain files cost nothing more than the look at their first bytes. A
	 * regular file read from its start is read again rather than copied. */
	if (sp->archive && sp->src >= 0 && fstat(sp->src, &st) == 0 && S_ISREG(st.st_mode) &&
	    lseek(sp->src, 0, SEEK_CUR) == (off_t)have)
		sp->want = false;
	if (sp->archive && sp->want)
		sfmc_archive_spool_open(sp); /* on failure: truncated, reported as skipped */
}

/* Copies n more bytes into the spool; stops copying past its limit. */
static void spool_write(sfmc_spool *sp, const unsigned char *buf, size_t n)
{
	sfmc_archive_spool_write(sp, buf, n); /* on failure: truncated, reported as skipped */
}

int sfmc_scanner_scan_reader(sfmc_scanner *s, const sfmc_reader *rd, const sfmc_provenance *prov, sfmc_results *out,
			     sfmc_spool *sp)
{
	linepos lp = { 0, 1, 0 };
	uint64_t base = 0;
	size_t have = 0, from = 0, back = s->back;
	bool eof = false;
	int rc = 0;

	if (!s->chunk || s->chunk_cap != chunk_cap(s)) {
		free(s->chunk);
		s->chunk_cap = chunk_cap(s);
		if (!(s->chunk = malloc(s->chunk_cap)))
			return sfmc_error_set("out of memory");
	}
	sfmc_detector_begin(s->det);
	if (s->dec)
		sfmc_decode_begin(s->dec);
	pending_clear(s);
	for (;;) {
		ssize_t n = fill(rd, s->chunk + have, s->chunk_cap - have, &eof);
		size_t limit, keep_from;

		if (n < 0) /* a descriptor's read failed: archive members end instead (see archive.c) */
			return sfmc_error_set_errno("read failed at byte %llu", (unsigned long long)(base + have));
		if (base == 0 && have == 0)
			spool_start(s, sp, s->chunk, (size_t)n);
		spool_write(sp, s->chunk + have, (size_t)n);
		have += (size_t)n;
		sp->bytes += (uint64_t)n;
		/* Hits past `limit` are left for the next chunk, which re-reads the overlap. */
		limit = eof ? have : have - s->overlap;
		rc = detect(s, s->chunk, have, base, from, limit);
		if (rc == 0) {
			/* A copy: another rule's match in the next chunk may start before this one's last. */
			linepos tmp = lp;
			rc = flush(s, s->chunk, have, base, &tmp, prov, out);
		}
		if (rc < 0 || eof)
			break;
		keep_from = limit - back;
		linepos_advance(&lp, s->chunk, base, base + keep_from);
		memmove(s->chunk, s->chunk + keep_from, have - keep_from);
		base += keep_from;
		have -= keep_from;
		from = limit - keep_from;
	}
	pending_clear(s);
	return rc;
}

int sfmc_scanner_scan_fd(sfmc_scanner *s, int fd, const sfmc_provenance *prov, sfmc_results *out)
{
	sfmc_reader rd = { fd_read, &fd };
	/* a stream cannot be read twice: copied aside if it is an archive (a regular file is reread) */
	sfmc_spool sp = { .want = true, .fd = -1, .src = fd };
	size_t first = out->nfindings;
	int rc;

	rc = sfmc_scanner_scan_reader(s, &rd, prov, out, &sp);
	out->stats.files++;
	out->stats.bytes += sp.bytes;
	sfmc_progress_add(0, sp.bytes);
	if (rc == 0 && sp.archive) {
		if (!sp.want && lseek(fd, 0, SEEK_SET) == 0)
			rc = sfmc_archive_scan(s, fd, NULL, 0, prov, out, first);
		else
			rc = sfmc_archive_scan_spool(s, &sp, prov, out, first);
	}
	sfmc_archive_spool_close(&sp);
	return rc;
}
