#include "detect/decode.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bounds.h"
#include "detect/decoders.h"
#include "detect/prefilter.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

/* A literal a keyword becomes under a chain of decoders. */
typedef struct lit {
	size_t off, len;                             /* bytes in the arena */
	unsigned char chain[SFMC_DECODE_MAX_DEPTH];  /* decoder rows, outermost first */
	unsigned char depth;
	unsigned char phase;                         /* base64: characters from a quad boundary */
	char name[SFMC_DECODE_MAX_NAME];             /* "base64>utf16" */
} lit;

typedef struct litlist {
	lit *v;
	size_t n, a;
} litlist;

/* One decoded window: bytes and, per byte, the input span it came from. */
typedef struct window {
	unsigned char *out;
	size_t base;         /* input offset that from/to/pos count from */
	uint32_t *from, *to; /* relative to base: a window is far below 4 GiB */
	size_t n;
	uint32_t *pos; /* base64: input offsets of the alphabet characters */
	size_t start[4], end[4], nspans; /* base64: the current hit's readings (found at reading 0) */
} window;

/* Work bound: per level and way of decoding, the window decoded last. A
 * hit whose whole reach/2 lies inside it, decoded the same way, can reveal
 * nothing new, so back-to-back literals cost linear, not quadratic, time. */
#define MAX_WAYS 16 /* slots per level: the decoders' ways together (base64 4, UTF-16 4, percent 1, escape 1) */
typedef struct slot {
	bool valid;
	size_t lo, hi;
	size_t run; /* base64: where the run of alphabet characters began */
} slot;

typedef struct runcount {
	size_t at;    /* input counted up to */
	size_t run;   /* start of the current base64 run */
	size_t chars; /* alphabet characters in the run before `at` */
} runcount;

#define ABS_UNKNOWN UINT64_MAX /* stream offset of decoded bytes */

typedef struct recent {
	uint64_t off, end;
	const sfmc_rule *rule;
} recent;

/* A rule's keyword, searched in the same pass as the encoded forms. */
typedef struct plainkw {
	const unsigned char *bytes; /* the ruleset's */
	size_t len, rule;
} plainkw;

struct sfmc_decode {
	const sfmc_ruleset *rules;
	sfmc_detector *det;
	sfmc_prefilter_set *set;
	/* Fused search: every rule's keywords are in `set` too; each top-level
	 * scan records their hits for sfmc_detector_scan_hits. */
	plainkw plain[SFMC_DECODE_MAX_FUSED];
	size_t nplain;
	bool fused;
	sfmc_keyword_hit *hits;
	size_t nhits, ahits;
	bool hits_overflow;
	/* Which literals start with a hit's first 3 bytes: chains through
	 * `next` from head[hash], in index order; decoder literals first
	 * (lits.v), then plain[i] as lits.n + i. */
	uint32_t head[256];
	uint32_t *next;
	litlist full;   /* unsplit derived literals (chains are derived from these) */
	litlist lits;   /* what is searched */
	sfmc_buf arena;
	size_t reach;
	window w[SFMC_DECODE_MAX_DEPTH];
	const char *names[SFMC_DECODE_MAX_DEPTH];
	unsigned char decs[SFMC_DECODE_MAX_DEPTH];
	recent recent[SFMC_DECODE_RECENT];
	size_t nrecent;
	slot slots[SFMC_DECODE_MAX_DEPTH][MAX_WAYS];
	unsigned way0[MAX_WAYS]; /* per decoder row: its first slot */
	size_t windows[SFMC_DECODE_MAX_DEPTH];
	runcount runs[SFMC_DECODE_MAX_DEPTH];
	/* the current scan */
	const unsigned char *top;
	uint64_t base;
	int level;
	sfmc_decoded_cb cb;
	void *payload;
};

/* A literal's hit and the input around it a decoder may read. */
typedef struct hitctx {
	const unsigned char *in;
	size_t n;      /* input length */
	size_t lo, hi; /* the window: in[lo, hi) */
	size_t at;     /* where the literal starts */
	const lit *l;
	uint64_t abs;  /* stream offset of `at` (ABS_UNKNOWN inside decoded bytes) */
} hitctx;

/* A decoder: one row of `decoders` (below its functions). Its bit in a
 * rule's `decoders` set is 1 << its row. */
struct decoder {
	const char *name;  /* in rules (`decoders: [...]`) and encoding chains */
	const char *inner; /* decoders whose literals it is chained over ("base64 utf16") */
	bool split;        /* a literal may be cut by a line break: search two overlapping halves */
	unsigned nways;    /* ways of decoding a hit, each with its own work-bound slot */
	/* Which way decodes the hit (< nways; NULL: the one way); *run: the
	 * input the way counts from (0: none). */
	unsigned (*way)(runcount *rc, const hitctx *h, size_t *run);
	/* Appends the encoded forms of parent[0,n) to dc->full. */
	int (*derive)(sfmc_decode *dc, const unsigned char *parent, size_t n, const lit *from, int self);
	/* Decodes the window around the hit into w, the reading-th way (an input
	 * may be read several ways, e.g. base64 lines joined or not); returns the
	 * encoding's name, NULL past the last reading. */
	const char *(*decode)(const hitctx *h, unsigned reading, window *w);
};

static const char *decoder_name(int i);

static unsigned char *lit_bytes(const sfmc_decode *dc, const lit *l)
{
	return (unsigned char *)dc->arena.ptr + l->off;
}

/* A new zeroed slot at the end of `to`, or NULL (message set). */
static lit *push(litlist *to)
{
	lit *l;

	if (to->n >= SFMC_DECODE_MAX_LITERALS) {
		sfmc_error_set("more than %d encoded keyword forms", SFMC_DECODE_MAX_LITERALS);
		return NULL;
	}
	if (SFMC_ARRAY_GROW(to->v, to->n, to->a) < 0)
		return NULL;
	l = &to->v[to->n++];
	memset(l, 0, sizeof(*l));
	return l;
}

/* Appends bytes (not in the arena) as the form decoder `self` gives the
 * literal `parent` (NULL: a keyword). */
static int add_chained(sfmc_decode *dc, const void *bytes, size_t len, const lit *parent, int self, unsigned phase)
{
	lit *l;

	if (len < SFMC_PREFILTER_SET_MIN)
		return 0; /* too short to search for without drowning in hits */
	if (!(l = push(&dc->full)))
		return -1;
	l->off = dc->arena.size;
	l->len = len;
	l->phase = (unsigned char)phase;
	l->chain[0] = (unsigned char)self;
	l->depth = 1;
	snprintf(l->name, sizeof(l->name), "%s", decoder_name(self));
	if (parent) {
		memcpy(l->chain + 1, parent->chain, SFMC_DECODE_MAX_DEPTH - 1);
		l->depth = (unsigned char)(parent->depth + 1);
		if ((size_t)snprintf(l->name, sizeof(l->name), "%s>%s", decoder_name(self), parent->name) >= sizeof(l->name))
			return sfmc_error_set("encoding chain name too long");
	}
	return sfmc_buf_put(&dc->arena, bytes, len);
}

/* ---- base64 / base64url ---- */

/* Values of the standard and URL alphabets together; -1 elsewhere. */
static const signed char b64tab[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, 62, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static int b64v(unsigned char c)
{
	return b64tab[c];
}

static bool is_wrap(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Counts base64 alphabet characters up to `to` (hits come in order, so the
 * whole input is counted once per level). */
static void count_run(runcount *rc, const unsigned char *in, size_t to)
{
	for (; rc->at < to; rc->at++) {
		if (b64v(in[rc->at]) >= 0)
			rc->chars++;
		else if (!is_wrap(in[rc->at]))
			rc->run = rc->at + 1, rc->chars = 0;
	}
}

/* Quad phase of the hit, counted from the start of its run. */
static unsigned way_base64(runcount *rc, const hitctx *h, size_t *run)
{
	count_run(rc, h->in, h->at);
	*run = rc->run;
	return (unsigned)((rc->chars % 4 + 4 - h->l->phase % 4) % 4);
}

/* The characters that depend only on the literal, at each of the 3 byte
 * alignments, in the standard and (when different) the URL alphabet. */
static int derive_base64(sfmc_decode *dc, const unsigned char *p, size_t n, const lit *parent, int self)
{
	for (size_t a = 0; a < 3; a++) {
		unsigned char *tmp = calloc(a + n, 1);
		char *enc;
		size_t c0 = (8 * a + 5) / 6, c1 = 8 * (a + n) / 6;
		int rc = 0;

		if (!tmp)
			return sfmc_error_set("out of memory");
		memcpy(tmp + a, p, n);
		enc = sfmc_text_base64(tmp, a + n);
		free(tmp);
		if (!enc)
			return sfmc_error_set("out of memory");
		rc = add_chained(dc, enc + c0, c1 - c0, parent, self, (unsigned)c0);
		if (rc == 0 && strpbrk(enc + c0, "+/")) {
			for (char *c = enc; *c; c++)
				*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
			rc = add_chained(dc, enc + c0, c1 - c0, parent, self, (unsigned)c0);
		}
		free(enc);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A segment: a maximal stretch of alphabet characters, [a, b); cut: it
 * runs on past the window, so its length is unknown. */
typedef struct seg {
	size_t a, b;
	bool cut;
} seg;

static size_t seg_len(seg s)
{
	return s.b - s.a;
}

/* The segment before the one starting at a (none: length 0). */
static seg seg_before(const hitctx *h, size_t a)
{
	seg s = { a, a, false };

	while (s.b > h->lo && is_wrap(h->in[s.b - 1]))
		s.b--;
	s.a = s.b;
	while (s.a > h->lo && b64v(h->in[s.a - 1]) >= 0)
		s.a--;
	s.cut = s.a == h->lo && s.a > 0 && b64v(h->in[s.a - 1]) >= 0;
	return s;
}

/* The segment after the one ending at b (none: length 0). */
static seg seg_after(const hitctx *h, size_t b)
{
	seg s = { b, b, false };

	while (s.a < h->hi && is_wrap(h->in[s.a]))
		s.a++;
	s.b = s.a;
	while (s.b < h->hi && b64v(h->in[s.b]) >= 0)
		s.b++;
	s.cut = s.b == h->hi && s.b < h->n && b64v(h->in[s.b]) >= 0;
	return s;
}

/* Start of the lines of `width` characters that end with s. */
static size_t block_start(const hitctx *h, seg s, size_t width)
{
	seg pv = seg_before(h, s.a);

	while (seg_len(pv) && (seg_len(pv) == width || (pv.cut && seg_len(pv) < width))) {
		s = pv;
		pv = seg_before(h, s.a);
	}
	return s.a;
}

/* End of the wrapped lines from s on: full lines of `width`, then one no
 * longer; *full: the end of the last full one (0: none). */
static size_t block_end(const hitctx *h, seg s, size_t width, size_t *full)
{
	seg nx;

	*full = seg_len(s) == width ? s.b : 0;
	while (seg_len(s) == width) {
		nx = seg_after(h, s.b);
		if (!seg_len(nx) || seg_len(nx) > width)
			break;
		s = nx;
		if (seg_len(s) == width || s.cut)
			*full = s.b;
	}
	return s.b;
}

/* Where the encoded value holding the hit may start and end. Whitespace
 * joins lines that may be a wrapped value or unrelated neighbours, so each
 * plausible reading is decoded: the whole run (as ever), the lines of one
 * wrap width around the hit with and without a shorter line after the last
 * full one, and the hit's line alone when it is shorter than the line
 * before. Identical readings are decoded once. */
static void add_span(window *sp, size_t s, size_t e)
{
	for (size_t i = 0; i < sp->nspans; i++)
		if (sp->start[i] == s && sp->end[i] == e)
			return;
	sp->start[sp->nspans] = s;
	sp->end[sp->nspans++] = e;
}

static void b64_spans(const hitctx *h, window *sp)
{
	const unsigned char *in = h->in;
	seg line = { h->at, h->at, false };
	size_t s = h->at, e = h->at, width, bs, be, full;

	while (s > h->lo && (b64v(in[s - 1]) >= 0 || is_wrap(in[s - 1])))
		s--;
	while (e < h->hi && (b64v(in[e]) >= 0 || is_wrap(in[e])))
		e++;
	while (line.a > h->lo && b64v(in[line.a - 1]) >= 0)
		line.a--;
	while (line.b < h->hi && b64v(in[line.b]) >= 0)
		line.b++;
	/* The wrap width: the hit's line, or the full line before a shorter last one. */
	width = seg_len(line);
	if (seg_len(seg_before(h, line.a)) > width && !seg_before(h, line.a).cut)
		width = seg_len(seg_before(h, line.a));
	bs = block_start(h, line, width);
	be = block_end(h, line, width, &full);
	sp->nspans = 0;
	add_span(sp, s, e);
	add_span(sp, bs, be);
	if (full)
		add_span(sp, bs, full);
	if (seg_len(line) < width)
		add_span(sp, line.a, line.b);
}

/* Decodes the base64 characters of in[s, e) with quads aligned to the hit. */
static void b64_decode_span(const hitctx *h, size_t s, size_t e, window *w)
{
	size_t np = 0, ih = 0, k;

	for (size_t i = s; i < e; i++) {
		if (i == h->at)
			ih = np;
		if (b64v(h->in[i]) >= 0)
			w->pos[np++] = (uint32_t)(i - w->base);
	}
	/* The literal's phase tells where the quads start. */
	k = (ih % 4 + 4 - h->l->phase % 4) % 4;
	for (; k + 1 < np; k += 4) {
		size_t c = np - k < 4 ? np - k : 4;
		uint32_t v = 0;
		for (size_t j = 0; j < 4; j++)
			v = v << 6 | (j < c ? (uint32_t)b64v(h->in[w->base + w->pos[k + j]]) : 0);
		for (size_t j = 0; j + 1 < c; j++) {
			w->out[w->n] = (unsigned char)(v >> (16 - 8 * j));
			w->from[w->n] = w->pos[k + j];
			w->to[w->n++] = w->pos[k + j + 1];
		}
	}
}

/* Reading r: the r-th span of b64_spans. */
static const char *decode_base64(const hitctx *h, unsigned reading, window *w)
{
	if (reading == 0)
		b64_spans(h, w);
	if (reading >= w->nspans)
		return NULL;
	b64_decode_span(h, w->start[reading], w->end[reading], w);
	return "base64";
}

/* ---- UTF-16 ---- */


/* ASCII bytes interleaved with zeros; the trailing zero is left out so the
 * one literal serves little- and big-endian text. */
static int derive_utf16(sfmc_decode *dc, const unsigned char *p, size_t n, const lit *parent, int self)
{
	unsigned char tmp[2 * SFMC_MAX_KEYWORD_LEN * 4];
	int rc;

	if (2 * n > sizeof(tmp))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!p[i] || p[i] >= 0x80)
			return 0;
		tmp[2 * i] = p[i];
		tmp[2 * i + 1] = 0;
	}
	rc = add_chained(dc, tmp, 2 * n - 1, parent, self, 0);
	return rc;
}

/* A non-zero byte before the hit rules out big-endian (whose ASCII units
 * are 0, c). Otherwise both orders decode the same text and the parity of
 * the stream offset decides: whole-file UTF-16, with or without BOM, has its
 * code units at even offsets. Inside decoded bytes (abs unknown) little-endian
 * is the usual case (PowerShell -EncodedCommand). */
static bool utf16_le(const unsigned char *in, size_t hit, uint64_t abs)
{
	return hit == 0 || in[hit - 1] != 0 || abs == ABS_UNKNOWN || (abs & 1) == 0;
}

/* Byte order and code unit parity. */
static unsigned way_utf16(runcount *rc, const hitctx *h, size_t *run)
{
	bool le = utf16_le(h->in, h->at, h->abs);

	(void)rc, (void)run;
	return (unsigned)(2 * le + ((le ? h->at : h->at - 1) & 1));
}

static const char *decode_utf16(const hitctx *h, unsigned reading, window *w)
{
	const unsigned char *in = h->in;
	size_t lo = h->lo, hi = h->hi;
	bool le = utf16_le(in, h->at, h->abs);
	size_t u = le ? h->at : h->at - 1;

	if (reading)
		return NULL;
	for (size_t p = lo + ((u - lo) & 1); p + 1 < hi; p += 2) {
		unsigned char low = le ? in[p] : in[p + 1], high = le ? in[p + 1] : in[p];
		w->out[w->n] = high == 0 && low < 0x80 ? low : 0xff; /* non-ASCII: never part of a token */
		w->from[w->n] = (uint32_t)(p - w->base);
		w->to[w->n++] = (uint32_t)(p + 1 - w->base);
	}
	return le ? "utf16le" : "utf16be";
}

/* ---- percent-encoding and string escapes ---- */

static bool is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The literal up to its first non-alphanumeric byte plus the escape
 * introducer: "SFMC_" -> "SFMC%" (covers %5F and %5f). */
static int derive_prefix(sfmc_decode *dc, const unsigned char *p, size_t n, const lit *parent, int self,
			 char introducer)
{
	unsigned char tmp[SFMC_MAX_KEYWORD_LEN * 4 + 1];
	size_t i = 0;

	while (i < n && is_alnum(p[i]))
		i++;
	if (i == n || i + 1 > sizeof(tmp))
		return 0; /* nothing would be escaped */
	memcpy(tmp, p, i);
	tmp[i] = (unsigned char)introducer;
	return add_chained(dc, tmp, i + 1, parent, self, 0);
}

static int derive_percent(sfmc_decode *dc, const unsigned char *p, size_t n, const lit *parent, int self)
{
	return derive_prefix(dc, p, n, parent, self, '%');
}

static int derive_escape(sfmc_decode *dc, const unsigned char *p, size_t n, const lit *parent, int self)
{
	return derive_prefix(dc, p, n, parent, self, '\\');
}

static void put(window *w, unsigned char c, size_t from, size_t to)
{
	w->out[w->n] = c;
	w->from[w->n] = (uint32_t)(from - w->base);
	w->to[w->n++] = (uint32_t)(to - w->base);
}

/* Value of n hex digits at p, or -1. */
static long hex_run(const unsigned char *p, size_t n)
{
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		int h = hexv(p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static const char *decode_percent(const hitctx *h, unsigned reading, window *w)
{
	const unsigned char *in = h->in;
	size_t lo = h->lo, hi = h->hi;

	if (reading)
		return NULL;
	for (size_t p = lo; p < hi; p++) {
		long v = in[p] == '%' && hi - p >= 3 ? hex_run(in + p + 1, 2) : -1;
		if (v >= 0) {
			put(w, (unsigned char)v, p, p + 2);
			p += 2;
		} else {
			put(w, in[p], p, p);
		}
	}
	return "percent";
}

/* One escape at in[p] (a backslash): decoded byte and length, 0 if none. */
static size_t escape_at(const unsigned char *in, size_t p, size_t hi, unsigned char *out)
{
	static const char simple[] = "\\\\//\"\"''n\nt\tr\rb\bf\f";
	long v = -1;
	size_t len = 0, i;

	if (hi - p < 2)
		return 0;
	if (in[p + 1] == 'u' && hi - p >= 6 && (v = hex_run(in + p + 2, 4)) >= 0) {
		len = 6;
	} else if (in[p + 1] == 'u' && hi - p >= 4 && in[p + 2] == '{') { /* JS \u{5f} */
		for (i = p + 3, v = 0; i < hi && i < p + 9 && hexv(in[i]) >= 0; i++)
			v = v << 4 | hexv(in[i]);
		len = i < hi && in[i] == '}' && i > p + 3 ? i - p + 1 : 0;
	} else if (in[p + 1] == 'x' && hi - p >= 4 && (v = hex_run(in + p + 2, 2)) >= 0) {
		len = 4;
	} else {
		for (i = 0; simple[i]; i += 2)
			if (in[p + 1] == (unsigned char)simple[i]) {
				*out = (unsigned char)simple[i + 1];
				return 2;
			}
		return 0;
	}
	if (len)
		*out = v < 0x80 ? (unsigned char)v : 0xff; /* non-ASCII: never part of a token */
	return len;
}

static const char *decode_escape(const hitctx *h, unsigned reading, window *w)
{
	const unsigned char *in = h->in;
	size_t lo = h->lo, hi = h->hi;

	if (reading)
		return NULL;
	for (size_t p = lo; p < hi; p++) {
		unsigned char c;
		size_t len = in[p] == '\\' ? escape_at(in, p, hi, &c) : 0;
		if (len) {
			put(w, c, p, p + len - 1);
			p += len - 1;
		} else {
			put(w, in[p], p, p);
		}
	}
	return "escape";
}

/* THE decoder table: a new decoder is its functions and one row here. The
 * row order is the bit order of rules' decoder sets. */
static const struct decoder decoders[] = {
	{ .name = "base64", .inner = "base64 utf16", .split = true, .nways = 4, /* quad phases */
	  .way = way_base64, .derive = derive_base64, .decode = decode_base64 },
	{ .name = "utf16", .inner = "base64", .nways = 4, /* byte orders x code unit parities */
	  .way = way_utf16, .derive = derive_utf16, .decode = decode_utf16 },
	{ .name = "percent", .inner = "", .nways = 1, .derive = derive_percent, .decode = decode_percent },
	{ .name = "escape", .inner = "", .nways = 1, .derive = derive_escape, .decode = decode_escape },
};
#define NDECODERS (sizeof(decoders) / sizeof(decoders[0]))
_Static_assert(NDECODERS < 8 * sizeof(unsigned), "a rule's decoder set (and all bits + 1) fits an unsigned");
_Static_assert(NDECODERS <= MAX_WAYS, "way0 holds one entry per decoder");

static unsigned bit(size_t row)
{
	return 1u << row;
}

static const char *decoder_name(int i)
{
	return decoders[i].name;
}

unsigned sfmc_decoder_bit(const char *name)
{
	for (size_t i = 0; i < NDECODERS; i++)
		if (!strcmp(decoders[i].name, name))
			return bit(i);
	return 0;
}

unsigned sfmc_decoder_all(void)
{
	return bit(NDECODERS) - 1;
}

const char *sfmc_decoder_name(size_t i)
{
	return i < NDECODERS ? decoders[i].name : NULL;
}

/* true when the space-separated list names decoder row d. */
static bool lists(const char *list, size_t d)
{
	size_t n = strlen(decoders[d].name);

	for (const char *p = list; (p = strstr(p, decoders[d].name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* Gives every decoder row its first work-bound slot. */
static int assign_ways(sfmc_decode *dc)
{
	unsigned next = 0;

	for (size_t d = 0; d < NDECODERS; d++) {
		dc->way0[d] = next;
		next += decoders[d].nways;
	}
	return next <= MAX_WAYS ? 0 : sfmc_error_set("decoders need more than %d work-bound slots", MAX_WAYS);
}

/* ---- derivation ---- */

/* Derives, from the literals full.v[n0, n1) decoder d1 made, the forms an
 * outer decoder of r gives them (base64 of a base64 form: base64>base64). */
static int derive_outer(sfmc_decode *dc, const sfmc_rule *r, size_t d1, size_t n0, size_t n1)
{
	for (size_t j = n0; j < n1; j++)
		for (size_t d0 = 0; d0 < NDECODERS && SFMC_DECODE_MAX_DEPTH > 1; d0++) {
			lit parent = dc->full.v[j];
			unsigned char *copy;
			int rc;
			if (!(r->decoders & bit(d0)) || !lists(decoders[d0].inner, d1))
				continue;
			if (!(copy = malloc(parent.len)))
				return sfmc_error_set("out of memory");
			memcpy(copy, lit_bytes(dc, &parent), parent.len); /* the arena may move */
			rc = decoders[d0].derive(dc, copy, parent.len, &parent, (int)d0);
			free(copy);
			if (rc < 0)
				return -1;
		}
	return 0;
}

static int derive_rule(sfmc_decode *dc, const sfmc_rule *r)
{
	for (size_t k = 0; k < r->nkeywords; k++) {
		const unsigned char *kw = (const unsigned char *)r->keywords[k];
		for (size_t d1 = 0; d1 < NDECODERS; d1++) {
			size_t n0 = dc->full.n;
			if (!(r->decoders & bit(d1)))
				continue;
			if (decoders[d1].derive(dc, kw, strlen(r->keywords[k]), NULL, (int)d1) < 0 ||
			    derive_outer(dc, r, d1, n0, dc->full.n) < 0)
				return -1;
		}
	}
	return 0;
}

static bool same_lit(const sfmc_decode *dc, const lit *a, const lit *b)
{
	return a->len == b->len && a->phase == b->phase && !strcmp(a->name, b->name) &&
	       !memcmp(lit_bytes(dc, a), lit_bytes(dc, b), a->len);
}

/* Searches l's bytes [off, off+len) (unless that row already exists). */
static int add_search(sfmc_decode *dc, const lit *l, size_t off, size_t len, unsigned phase)
{
	lit probe = *l, *n;

	probe.off = l->off + off, probe.len = len, probe.phase = (unsigned char)phase;
	for (size_t i = 0; i < dc->lits.n; i++)
		if (same_lit(dc, &dc->lits.v[i], &probe))
			return 0;
	if (!(n = push(&dc->lits)))
		return -1;
	*n = probe;
	return 0;
}

/* A base64 literal may be cut by a line break when a value is wrapped
 * (YAML, `base64` output): search its two overlapping halves, one of which
 * survives any single break. */
static int expand(sfmc_decode *dc)
{
	for (size_t i = 0; i < dc->full.n; i++) {
		const lit *l = &dc->full.v[i];
		size_t h1 = (l->len + 1) / 2;
		int rc;
		if (!decoders[l->chain[0]].split || h1 < SFMC_PREFILTER_SET_MIN || l->len - h1 + 1 < SFMC_PREFILTER_SET_MIN)
			rc = add_search(dc, l, 0, l->len, l->phase);
		else if ((rc = add_search(dc, l, 0, h1, l->phase)) == 0)
			rc = add_search(dc, l, h1 - 1, l->len - h1 + 1, l->phase + (unsigned)(h1 - 1));
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The rules' keywords join the search when all of them can (each rule has
 * some, none shorter than the set's minimum, not too many in all). */
static void collect_plain(sfmc_decode *dc, const sfmc_ruleset *rules)
{
	dc->nplain = 0;
	dc->fused = rules->nrules > 0;
	for (size_t ri = 0; ri < rules->nrules && dc->fused; ri++) {
		const sfmc_rule *r = &rules->rules[ri];
		dc->fused = r->nkeywords > 0;
		for (size_t k = 0; k < r->nkeywords && dc->fused; k++) {
			size_t len = strlen(r->keywords[k]);
			dc->fused = len >= SFMC_PREFILTER_SET_MIN && dc->nplain < SFMC_DECODE_MAX_FUSED;
			if (dc->fused)
				dc->plain[dc->nplain++] = (plainkw){ (const unsigned char *)r->keywords[k], len, ri };
		}
	}
	if (!dc->fused)
		dc->nplain = 0;
}

static int build_set(sfmc_decode *dc)
{
	const unsigned char **v = calloc(dc->lits.n + dc->nplain + 1, sizeof(*v));
	size_t *lens = calloc(dc->lits.n + dc->nplain + 1, sizeof(*lens)), n = 0;
	int rc = -1;

	if (!v || !lens) {
		sfmc_error_set("out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < dc->lits.n; i++) {
		size_t j = 0;
		while (j < n && !(lens[j] == dc->lits.v[i].len && !memcmp(v[j], lit_bytes(dc, &dc->lits.v[i]), lens[j])))
			j++;
		if (j == n) {
			v[n] = lit_bytes(dc, &dc->lits.v[i]);
			lens[n++] = dc->lits.v[i].len;
		}
	}
	for (size_t i = 0; i < dc->nplain; i++) { /* duplicates only cost a bucket bit */
		v[n] = dc->plain[i].bytes;
		lens[n++] = dc->plain[i].len;
	}
	rc = sfmc_prefilter_set_new(&dc->set, v, lens, n);
cleanup:
	free(v);
	free(lens);
	return rc;
}

#define NO_LIT UINT32_MAX

static unsigned head_of(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return (v * 0x9e3779b1u) >> 24;
}

/* Chains every searched literal under its first 3 bytes, in index order. */
static int index_literals(sfmc_decode *dc)
{
	size_t total = dc->lits.n + dc->nplain;

	if (!(dc->next = malloc((total ? total : 1) * sizeof(*dc->next))))
		return sfmc_error_set("out of memory");
	for (size_t h = 0; h < 256; h++)
		dc->head[h] = NO_LIT;
	for (size_t e = total; e-- > 0;) {
		const unsigned char *b = e < dc->lits.n ? lit_bytes(dc, &dc->lits.v[e]) : dc->plain[e - dc->lits.n].bytes;
		unsigned h = head_of(b);
		dc->next[e] = dc->head[h];
		dc->head[h] = (uint32_t)e;
	}
	return 0;
}

size_t sfmc_decode_reach(const sfmc_ruleset *rules)
{
	unsigned any = 0;
	for (size_t i = 0; i < rules->nrules; i++)
		any |= rules->rules[i].decoders;
	if (!any)
		return 0;
	/* The decoded window must hold a whole match: `window` before the keyword and after it. */
	return SFMC_DECODE_EXPANSION *
	       (2 * (rules->max_window ? rules->max_window : SFMC_DEFAULT_WINDOW) + rules->max_keyword + 1);
}

/* Scratch for every level, allocated at the first hit: most scans never need it. */
static int windows_alloc(sfmc_decode *dc)
{
	size_t cap = 2 * dc->reach + 1; /* a decoder never outputs more bytes than it reads */
	for (int k = 0; k < SFMC_DECODE_MAX_DEPTH; k++) {
		window *w = &dc->w[k];
		if ((!w->out && !(w->out = malloc(cap))) || (!w->from && !(w->from = malloc(cap * sizeof(uint32_t)))) ||
		    (!w->to && !(w->to = malloc(cap * sizeof(uint32_t)))) ||
		    (!w->pos && !(w->pos = malloc(cap * sizeof(uint32_t)))))
			return sfmc_error_set("out of memory");
	}
	return 0;
}

int sfmc_decode_new(sfmc_decode **out, const sfmc_ruleset *rules)
{
	sfmc_decode *dc;

	*out = NULL;
	if (!sfmc_decode_reach(rules))
		return 0;
	if (!(dc = calloc(1, sizeof(*dc))))
		return sfmc_error_set("out of memory");
	dc->rules = rules;
	dc->reach = sfmc_decode_reach(rules);
	sfmc_buf_init(&dc->arena, 0);
	if (assign_ways(dc) < 0)
		goto fail;
	for (size_t i = 0; i < rules->nrules; i++)
		if (rules->rules[i].decoders && derive_rule(dc, &rules->rules[i]) < 0)
			goto fail;
	collect_plain(dc, rules);
	if (expand(dc) < 0 || build_set(dc) < 0 || index_literals(dc) < 0 || sfmc_detector_new(&dc->det, rules) < 0)
		goto fail;
	*out = dc;
	return 0;
fail:
	sfmc_decode_free(dc);
	return -1;
}

void sfmc_decode_free(sfmc_decode *dc)
{
	if (!dc)
		return;
	sfmc_detector_free(dc->det);
	sfmc_prefilter_set_free(dc->set);
	free(dc->hits);
	free(dc->next);
	free(dc->full.v);
	free(dc->lits.v);
	sfmc_buf_dispose(&dc->arena);
	for (int k = 0; k < SFMC_DECODE_MAX_DEPTH; k++) {
		free(dc->w[k].out);
		free(dc->w[k].from);
		free(dc->w[k].to);
		free(dc->w[k].pos);
	}
	free(dc);
}

void sfmc_decode_begin(sfmc_decode *dc)
{
	dc->nrecent = 0;
	memset(dc->windows, 0, sizeof(dc->windows));
}

size_t sfmc_decode_windows(const sfmc_decode *dc, int level)
{
	return level >= 0 && level < SFMC_DECODE_MAX_DEPTH ? dc->windows[level] : 0;
}

bool sfmc_decode_fused(const sfmc_decode *dc)
{
	return dc && dc->fused;
}

bool sfmc_decode_plain_hits(const sfmc_decode *dc, const sfmc_keyword_hit **hits, size_t *n)
{
	*hits = dc->hits;
	*n = dc->nhits;
	return !dc->hits_overflow;
}

size_t sfmc_decode_nliterals(const sfmc_decode *dc)
{
	return dc ? dc->lits.n : 0;
}

const unsigned char *sfmc_decode_literal(const sfmc_decode *dc, size_t i, size_t *len, const char **chain)
{
	*len = dc->lits.v[i].len;
	*chain = dc->lits.v[i].name;
	return lit_bytes(dc, &dc->lits.v[i]);
}

/* ---- scanning ---- */

/* true when a match of rule over the encoded bytes [off, end] was reported
 * recently (one secret at one place is one finding, whatever the chain);
 * else remembers it. */
static bool seen(sfmc_decode *dc, uint64_t off, uint64_t end, const sfmc_rule *rule)
{
	size_t n = dc->nrecent < SFMC_DECODE_RECENT ? dc->nrecent : SFMC_DECODE_RECENT;
	recent *r;

	for (size_t i = 0; i < n; i++)
		if (dc->recent[i].off == off && dc->recent[i].end == end && dc->recent[i].rule == rule)
			return true;
	r = &dc->recent[dc->nrecent++ % SFMC_DECODE_RECENT];
	r->off = off;
	r->end = end;
	r->rule = rule;
	return false;
}

/* The input layer k decoded (the scanned buffer or the layer above's output). */
static const unsigned char *layer_input(const sfmc_decode *dc, int k)
{
	return k ? dc->w[k - 1].out : dc->top;
}

/* true when layer k gave out[a, b] by copying its input byte for byte. */
static bool identity(const sfmc_decode *dc, int k, size_t a, size_t b)
{
	const window *w = &dc->w[k];
	const unsigned char *in = layer_input(dc, k);

	for (size_t i = a; i <= b; i++)
		if (w->from[i] != w->to[i] || w->from[i] != w->from[a] + (i - a) || in[w->base + w->from[i]] != w->out[i])
			return false;
	return true;
}

/* Maps out[*first, *last] of every layer back to the scanned buffer and
 * names the chain by the layers that changed those bytes (percent-decoding
 * around a base64 value that holds no escape is no part of its encoding);
 * false when a layer it needs is not one the rule allows. */
static bool trace(const sfmc_decode *dc, const sfmc_rule *rule, size_t *first, size_t *last, char *enc, size_t cap)
{
	bool keep[SFMC_DECODE_MAX_DEPTH];

	for (int k = dc->level; k >= 0; k--) {
		keep[k] = k == dc->level || !identity(dc, k, *first, *last);
		if (keep[k] && !(rule->decoders & bit(dc->decs[k])))
			return false;
		*first = dc->w[k].base + dc->w[k].from[*first];
		*last = dc->w[k].base + dc->w[k].to[*last];
	}
	enc[0] = '\0';
	for (int k = 0; k <= dc->level; k++)
		if (keep[k])
			snprintf(enc + strlen(enc), cap - strlen(enc), "%s%s", *enc ? ">" : "", dc->names[k]);
	return true;
}

static int on_match(const sfmc_match *m, void *payload)
{
	sfmc_decode *dc = payload;
	const window *w = &dc->w[dc->level];
	const unsigned char *in = layer_input(dc, dc->level);
	size_t first = (size_t)m->offset, last = first + m->length - 1, lf, lt;
	char enc[SFMC_DECODE_MAX_NAME];
	sfmc_decoded_match dm;

	if (!m->length)
		return 0;
	/* The same bytes sit unencoded in the input: the level above reports them. */
	lf = w->base + w->from[first], lt = w->base + w->to[last];
	if (lt - lf + 1 == m->length && !memcmp(in + lf, m->bytes, m->length))
		return 0;
	if (!trace(dc, m->rule, &first, &last, enc, sizeof(enc)) || seen(dc, dc->base + first, dc->base + last, m->rule))
		return 0;
	dm.match = m;
	dm.offset = dc->base + first;
	dm.end = dc->base + last;
	dm.encoding = enc;
	return dc->cb(&dm, dc->payload);
}

static int scan_level(sfmc_decode *dc, int level, const unsigned char *in, size_t n, size_t from, size_t limit,
		      uint64_t abs);

/* The slot of this way of decoding the hit (and the run it counts from). */
static slot *slot_for(sfmc_decode *dc, int level, const hitctx *h, size_t *run)
{
	const struct decoder *d = &decoders[h->l->chain[0]];
	unsigned way;

	*run = 0;
	way = d->way ? d->way(&dc->runs[level], h, run) : 0;
	return &dc->slots[level][dc->way0[h->l->chain[0]] + way];
}

static bool covered(const slot *s, size_t run, size_t hit, size_t n, size_t core)
{
	size_t lo = hit > core ? hit - core : 0, hi = n - hit > core ? hit + core : n;
	return s->valid && s->run == run && s->lo <= lo && hi <= s->hi;
}

/* Scans the window just decoded at `level`, and looks for a further layer in it. */
static int scan_window(sfmc_decode *dc, int level)
{
	window *w = &dc->w[level];
	int rc;

	if (!w->n)
		return 0;
	dc->level = level;
	sfmc_detector_begin(dc->det);
	if ((rc = sfmc_detector_scan(dc->det, w->out, w->n, 0, 0, w->n, on_match, dc)) < 0)
		return rc;
	if (level + 1 < SFMC_DECODE_MAX_DEPTH)
		return scan_level(dc, level + 1, w->out, w->n, 0, w->n, ABS_UNKNOWN);
	return 0;
}

/* Decodes the window around one hit, each way the decoder reads it, and scans each. */
static int decode_hit(sfmc_decode *dc, int level, const unsigned char *in, size_t n, size_t hit, const lit *l,
		      uint64_t abs)
{
	window *w = &dc->w[level];
	hitctx h = { in, n, hit > dc->reach ? hit - dc->reach : 0, n - hit > dc->reach ? hit + dc->reach : n, hit, l, abs };
	size_t run;
	slot *sl = slot_for(dc, level, &h, &run);
	const char *name;
	int rc;

	if (covered(sl, run, hit, n, dc->reach / 2))
		return 0;
	if (windows_alloc(dc) < 0)
		return -1;
	sl->valid = true, sl->lo = h.lo, sl->hi = h.hi, sl->run = run;
	dc->windows[level]++;
	for (unsigned r = 0;; r++) {
		w->n = 0;
		w->base = h.lo;
		if (!(name = decoders[l->chain[0]].decode(&h, r, w)))
			return 0;
		dc->names[level] = name;
		dc->decs[level] = l->chain[0];
		if ((rc = scan_window(dc, level)) < 0)
			return rc;
	}
}

/* b[0,len) starts at in[p] (short literals: cheaper than a memcmp call). */
static bool starts_at(const unsigned char *in, size_t n, size_t p, const unsigned char *b, size_t len)
{
	if (len > n - p)
		return false;
	for (size_t i = 0; i < len; i++)
		if (in[p + i] != b[i])
			return false;
	return true;
}

/* Records that keyword k starts at p; past SFMC_DECODE_MAX_PLAIN_HITS,
 * only that the list overflowed. */
static int record_plain(sfmc_decode *dc, size_t p, const plainkw *k)
{
	if (dc->hits_overflow)
		return 0;
	if (dc->nhits == SFMC_DECODE_MAX_PLAIN_HITS) {
		dc->hits_overflow = true;
		return 0;
	}
	if (SFMC_ARRAY_GROW(dc->hits, dc->nhits, dc->ahits) < 0)
		return -1;
	dc->hits[dc->nhits++] = (sfmc_keyword_hit){ p, k->rule };
	return 0;
}

static int scan_level(sfmc_decode *dc, int level, const unsigned char *in, size_t n, size_t from, size_t limit,
		      uint64_t abs)
{
	memset(dc->slots[level], 0, sizeof(dc->slots[level])); /* a new input */
	dc->runs[level] = (runcount){ from, from, 0 };
	for (size_t p = from; p < limit; p++) {
		int rc;
		p += sfmc_prefilter_set_candidate(dc->set, in + p, n - p);
		if (p >= limit)
			break;
		for (uint32_t e = dc->head[head_of(in + p)]; e != NO_LIT; e = dc->next[e]) {
			const lit *l = e < dc->lits.n ? &dc->lits.v[e] : NULL;
			if (!l) {
				const plainkw *k = &dc->plain[e - dc->lits.n];
				if (level == 0 && starts_at(in, n, p, k->bytes, k->len) && (rc = record_plain(dc, p, k)) < 0)
					return rc;
				continue;
			}
			if (l->depth > SFMC_DECODE_MAX_DEPTH - level || !starts_at(in, n, p, lit_bytes(dc, l), l->len))
				continue;
			if ((rc = decode_hit(dc, level, in, n, p, l, abs == ABS_UNKNOWN ? abs : abs + p)) < 0)
				return rc;
		}
	}
	return 0;
}

int sfmc_decode_scan(sfmc_decode *dc, const unsigned char *buf, size_t len, uint64_t base, size_t from,
		     size_t limit, sfmc_decoded_cb cb, void *payload)
{
	if (limit > len)
		limit = len;
	dc->top = buf;
	dc->nhits = 0;
	dc->hits_overflow = false;
	dc->base = base;
	dc->cb = cb;
	dc->payload = payload;
	return scan_level(dc, 0, buf, len, from, limit, base);
}
