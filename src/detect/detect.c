#include "detect/detect.h"

#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "detect/prefilter.h"
#include "util/error.h"

struct sfmc_detector {
	const sfmc_ruleset *rules;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	uint64_t *resume; /* per rule: stream offset where its last match ended */
	bool *direct;     /* per rule: JIT-compiled without UTF: pcre2_jit_match, no checks */
};

int sfmc_detector_new(sfmc_detector **out, const sfmc_ruleset *rules)
{
	sfmc_detector *d = calloc(1, sizeof(*d));
	uint32_t groups = 0, g;

	*out = NULL;
	if (!d)
		return sfmc_error_set("out of memory");
	d->rules = rules;
	for (size_t i = 0; i < rules->nrules; i++)
		if (pcre2_pattern_info(rules->rules[i].re, PCRE2_INFO_CAPTURECOUNT, &g) == 0 && g > groups)
			groups = g;
	d->md = pcre2_match_data_create(groups + 1, NULL);
	d->mctx = pcre2_match_context_create(NULL);
	d->jit = pcre2_jit_stack_create(32 * 1024, SFMC_PCRE2_JIT_STACK_MAX, NULL);
	d->resume = calloc(rules->nrules ? rules->nrules : 1, sizeof(*d->resume));
	d->direct = calloc(rules->nrules ? rules->nrules : 1, sizeof(*d->direct));
	if (!d->md || !d->mctx || !d->resume || !d->direct) {
		sfmc_detector_free(d);
		return sfmc_error_set("out of memory");
	}
	/* Limits turn a catastrophic user regex into an error, not a hang. */
	pcre2_set_match_limit(d->mctx, SFMC_PCRE2_MATCH_LIMIT);
	pcre2_set_depth_limit(d->mctx, SFMC_PCRE2_DEPTH_LIMIT);
	if (d->jit)
		pcre2_jit_stack_assign(d->mctx, NULL, d->jit);
	/* pcre2_match's checks are per call, thousands of times a MiB on
	 * keyword-dense text; the only one that matters (UTF validity) cannot
	 * apply without UTF. */
	for (size_t i = 0; i < rules->nrules && d->jit; i++) {
		uint32_t opts = 0;
		size_t jitsize = 0;
		d->direct[i] = pcre2_pattern_info(rules->rules[i].re, PCRE2_INFO_ALLOPTIONS, &opts) == 0 &&
			       !(opts & PCRE2_UTF) &&
			       pcre2_pattern_info(rules->rules[i].re, PCRE2_INFO_JITSIZE, &jitsize) == 0 && jitsize > 0;
	}
	*out = d;
	return 0;
}

void sfmc_detector_free(sfmc_detector *d)
{
	if (!d)
		return;
	pcre2_match_data_free(d->md);
	pcre2_match_context_free(d->mctx);
	pcre2_jit_stack_free(d->jit);
	free(d->resume);
	free(d->direct);
	free(d);
}

void sfmc_detector_begin(sfmc_detector *d)
{
	memset(d->resume, 0, (d->rules->nrules ? d->rules->nrules : 1) * sizeof(*d->resume));
}

size_t sfmc_detector_overlap(const sfmc_ruleset *rules)
{
	/* A match may start `window` before its keyword and run `window` past it. */
	return 2 * (rules->max_window ? rules->max_window : SFMC_DEFAULT_WINDOW) + rules->max_keyword + 1;
}

static unsigned distinct_bytes(const unsigned char *p, size_t n)
{
	unsigned char seen[256] = { 0 };
	unsigned count = 0;
	for (size_t i = 0; i < n; i++)
		if (!seen[p[i]]++)
			count++;
	return count;
}

/* Fills level/checksum_valid from the ovector; false when a placeholder. */
static bool judge(const sfmc_rule *r, const unsigned char *buf, const PCRE2_SIZE *ov, sfmc_match *m)
{
	int bg = r->body_group;
	bool has_body = bg >= 0 && ov[2 * bg] != PCRE2_UNSET;
	const unsigned char *body = has_body ? buf + ov[2 * bg] : buf + ov[0];
	size_t body_len = has_body ? ov[2 * bg + 1] - ov[2 * bg] : ov[1] - ov[0];
	bool placeholder = distinct_bytes(body, body_len) < r->placeholder_min_distinct;

	m->checksum_valid = false;
	if (r->has_checksum) {
		int c = r->checksum.cover_group, v = r->checksum.value_group;
		if (ov[2 * c] != PCRE2_UNSET && ov[2 * v] != PCRE2_UNSET)
			m->checksum_valid = sfmc_checksum_verify(&r->checksum, buf + ov[2 * c], ov[2 * c + 1] - ov[2 * c],
								 (const char *)buf + ov[2 * v], ov[2 * v + 1] - ov[2 * v]);
	}
	/* A valid checksum outranks the placeholder test: it is a real token. */
	if (m->checksum_valid || !r->has_checksum) {
		m->level = SFMC_LEVEL_ERROR;
		return r->has_checksum || !placeholder;
	}
	m->level = SFMC_LEVEL_WARNING;
	return !placeholder;
}

static int match_error(const sfmc_rule *r, int rc)
{
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(rc, msg, sizeof(msg));
	return sfmc_error_set("rule %s (%s:%zu): regex failed: %s", r->id, r->file, r->line, (char *)msg);
}

/* Runs rule r on matches starting in [start, last]; emits each match. */
static int match_window(sfmc_detector *d, size_t ri, const unsigned char *buf, size_t len, uint64_t base,
			size_t start, size_t last, sfmc_match_cb cb, void *payload)
{
	const sfmc_rule *r = &d->rules->rules[ri];
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(d->md);
	int rc;

	pcre2_set_offset_limit(d->mctx, last);
	while (start <= last && start <= len) {
		sfmc_match m;

		rc = d->direct[ri] ? pcre2_jit_match(r->re, buf, len, start, 0, d->md, d->mctx)
				   : pcre2_match(r->re, buf, len, start, 0, d->md, d->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc < 0)
			return match_error(r, rc);
		m.rule = r;
		m.offset = base + ov[0];
		m.bytes = buf + ov[0];
		m.length = ov[1] - ov[0];
		start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		d->resume[ri] = base + start;
		if (judge(r, buf, ov, &m) && (rc = cb(&m, payload)) < 0)
			return rc;
	}
	return 0;
}

/* Where the rule may next start a match given a hit at p. */
static size_t window_start(const sfmc_detector *d, size_t ri, uint64_t base, size_t p)
{
	size_t w = d->rules->rules[ri].window;
	size_t s = p > w ? p - w : 0;
	uint64_t resume = d->resume[ri];
	if (resume > base + s)
		s = resume - base > p + 1 ? p + 1 : (size_t)(resume - base);
	return s;
}

static int scan_rule(sfmc_detector *d, size_t ri, const unsigned char *buf, size_t len, uint64_t base,
		     size_t from, size_t limit, sfmc_match_cb cb, void *payload)
{
	const sfmc_rule *r = &d->rules->rules[ri];
	size_t next[SFMC_MAX_KEYWORDS];
	size_t k, nk = r->nkeywords;
	int rc;

	if (nk == 0) /* no prefilter: every position in [from, limit) may start a match */
		return limit > from ? match_window(d, ri, buf, len, base, window_start(d, ri, base, from), limit - 1, cb, payload) : 0;
	for (k = 0; k < nk; k++) {
		const unsigned char *hit = from < len ? sfmc_prefilter_find(buf + from, len - from,
					   (const unsigned char *)r->keywords[k], strlen(r->keywords[k])) : NULL;
		next[k] = hit ? (size_t)(hit - buf) : SIZE_MAX;
	}
	for (;;) {
		size_t best = 0, p, s;
		for (k = 1; k < nk; k++)
			if (next[k] < next[best])
				best = k;
		p = next[best];
		if (p >= limit)
			return 0;
		s = window_start(d, ri, base, p);
		if (s <= p && (rc = match_window(d, ri, buf, len, base, s, p, cb, payload)) < 0)
			return rc;
		{
			const unsigned char *hit = sfmc_prefilter_find(buf + p + 1, len - p - 1,
					(const unsigned char *)r->keywords[best], strlen(r->keywords[best]));
			next[best] = hit ? (size_t)(hit - buf) : SIZE_MAX;
		}
	}
}

int sfmc_detector_scan(sfmc_detector *d, const unsigned char *buf, size_t len, uint64_t base,
		       size_t from, size_t limit, sfmc_match_cb cb, void *payload)
{
	int rc;

	if (limit > len)
		limit = len;
	for (size_t ri = 0; ri < d->rules->nrules; ri++)
		if ((rc = scan_rule(d, ri, buf, len, base, from, limit, cb, payload)) < 0)
			return rc;
	return 0;
}

int sfmc_detector_scan_hits(sfmc_detector *d, const unsigned char *buf, size_t len, uint64_t base,
			    const sfmc_keyword_hit *hits, size_t nhits, sfmc_match_cb cb, void *payload)
{
	int rc;

	/* Rule by rule, hits in order: what scan_rule does after its search. */
	for (size_t ri = 0; ri < d->rules->nrules; ri++)
		for (size_t i = 0; i < nhits; i++) {
			size_t p = hits[i].pos, s;
			if (hits[i].rule != ri)
				continue;
			s = window_start(d, ri, base, p);
			if (s <= p && (rc = match_window(d, ri, buf, len, base, s, p, cb, payload)) < 0)
				return rc;
		}
	return 0;
}

int sfmc_detector_classify(sfmc_detector *d, const unsigned char *s, size_t len, sfmc_match *m)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(d->md);

	pcre2_set_offset_limit(d->mctx, 0);
	for (size_t ri = 0; ri < d->rules->nrules; ri++) {
		const sfmc_rule *r = &d->rules->rules[ri];
		int rc = pcre2_match(r->re, s, len, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, d->md, d->mctx);
		if (rc < 0)
			continue;
		m->rule = r;
		m->offset = 0;
		m->bytes = s;
		m->length = len;
		judge(r, s, ov, m);
		return 1;
	}
	return 0;
}
