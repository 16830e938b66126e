/* decode_base64.c - the base64/base64url decoder (see decoder.h). */
#include "detect/decoder.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/text.h"

/* Values of the standard and URL alphabets together; -1 elsewhere. */
static const signed char b64tab[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, 62, -1, 63, 52, 53, 54, 55,
	56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1, -1, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
	13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63, -1, 26, 27, 28, 29, 30, 31, 32,
	33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
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
		rc = sfmc_decode_add_form(dc, enc + c0, c1 - c0, parent, self, (unsigned)c0);
		if (rc == 0 && strpbrk(enc + c0, "+/")) {
			for (char *c = enc; *c; c++)
				*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
			rc = sfmc_decode_add_form(dc, enc + c0, c1 - c0, parent, self, (unsigned)c0);
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

const struct decoder sfmc_decoder_base64 = {
	.name = "base64",
	.inner = "base64 utf16",
	.split = true,
	.nways = 4, /* quad phases */
	.way = way_base64,
	.derive = derive_base64,
	.decode = decode_base64,
};
