#include "detect/decode.h"
#include "detect/decoder.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "detect/decoders.h"
#include "detect/prefilter.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct litlist {
	lit *v;
	size_t n, a;
} litlist;

/* Work bound: per level and way of decoding, the window decoded last. A
 * hit whose whole reach/2 lies inside it, decoded the same way, can reveal
 * nothing new, so back-to-back literals cost linear, not quadratic, time. */
#define MAX_WAYS 16 /* slots per level: the decoders' ways together (base64 4, UTF-16 4, percent 1, escape 1) */
typedef struct slot {
	bool valid;
	size_t lo, hi;
	size_t run; /* base64: where the run of alphabet characters began */
} slot;

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

/* Bytes (not in the arena); see decoder.h. */
int sfmc_decode_add_form(sfmc_decode *dc, const void *bytes, size_t len, const lit *parent, int self, unsigned phase)
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

/* THE decoder table: a new decoder is its file (decoder.h) and one row
 * here. The row order is the bit order of rules' decoder sets. */
static const struct decoder *const decoders[] = {
	&sfmc_decoder_base64,
	&sfmc_decoder_utf16,
	&sfmc_decoder_percent,
	&sfmc_decoder_escape,
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
	return decoders[i]->name;
}

unsigned sfmc_decoder_bit(const char *name)
{
	for (size_t i = 0; i < NDECODERS; i++)
		if (!strcmp(decoders[i]->name, name))
			return bit(i);
	return 0;
}

unsigned sfmc_decoder_all(void)
{
	return bit(NDECODERS) - 1;
}

const char *sfmc_decoder_name(size_t i)
{
	return i < NDECODERS ? decoders[i]->name : NULL;
}

/* true when the space-separated list names decoder row d. */
static bool lists(const char *list, size_t d)
{
	size_t n = strlen(decoders[d]->name);

	for (const char *p = list; (p = strstr(p, decoders[d]->name)); p += n)
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
		next += decoders[d]->nways;
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
			if (!(r->decoders & bit(d0)) || !lists(decoders[d0]->inner, d1))
				continue;
			if (!(copy = malloc(parent.len)))
				return sfmc_error_set("out of memory");
			memcpy(copy, lit_bytes(dc, &parent), parent.len); /* the arena may move */
			rc = decoders[d0]->derive(dc, copy, parent.len, &parent, (int)d0);
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
			if (decoders[d1]->derive(dc, kw, strlen(r->keywords[k]), NULL, (int)d1) < 0 ||
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
		if (!decoders[l->chain[0]]->split || h1 < SFMC_PREFILTER_SET_MIN ||
		    l->len - h1 + 1 < SFMC_PREFILTER_SET_MIN)
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
		if (w->from[i] != w->to[i] || w->from[i] != w->from[a] + (i - a) ||
		    in[w->base + w->from[i]] != w->out[i])
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
	if (!trace(dc, m->rule, &first, &last, enc, sizeof(enc)) ||
	    seen(dc, dc->base + first, dc->base + last, m->rule))
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
	const struct decoder *d = decoders[h->l->chain[0]];
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
	hitctx h = { .in = in, .n = n, .at = hit, .l = l, .abs = abs };
	size_t run;
	slot *sl;
	const char *name;
	int rc;

	h.lo = hit > dc->reach ? hit - dc->reach : 0;
	h.hi = n - hit > dc->reach ? hit + dc->reach : n;
	sl = slot_for(dc, level, &h, &run);
	if (covered(sl, run, hit, n, dc->reach / 2))
		return 0;
	if (windows_alloc(dc) < 0)
		return -1;
	sl->valid = true, sl->lo = h.lo, sl->hi = h.hi, sl->run = run;
	dc->windows[level]++;
	for (unsigned r = 0;; r++) {
		w->n = 0;
		w->base = h.lo;
		if (!(name = decoders[l->chain[0]]->decode(&h, r, w)))
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
