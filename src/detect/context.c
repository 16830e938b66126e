#include "detect/context.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "util/error.h"

struct sfmc_context {
	const sfmc_ruleset *rules;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
};

int sfmc_context_new(sfmc_context **out, const sfmc_ruleset *rules)
{
	sfmc_context *c;
	uint32_t groups = 0, g;

	*out = NULL;
	if (!rules->ncontext)
		return 0;
	if (!(c = calloc(1, sizeof(*c))))
		return sfmc_error_set("out of memory");
	c->rules = rules;
	for (size_t i = 0; i < rules->ncontext; i++)
		if (pcre2_pattern_info(rules->context[i].re, PCRE2_INFO_CAPTURECOUNT, &g) == 0 && g > groups)
			groups = g;
	c->md = pcre2_match_data_create(groups + 1, NULL);
	c->mctx = pcre2_match_context_create(NULL);
	if (!c->md || !c->mctx) {
		sfmc_context_free(c);
		return sfmc_error_set("out of memory");
	}
	pcre2_set_match_limit(c->mctx, SFMC_PCRE2_MATCH_LIMIT);
	pcre2_set_depth_limit(c->mctx, SFMC_PCRE2_DEPTH_LIMIT);
	*out = c;
	return 0;
}

void sfmc_context_free(sfmc_context *c)
{
	if (!c)
		return;
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mctx);
	free(c);
}

bool sfmc_context_subdomain_ok(const char *s)
{
	if (!s || strlen(s) != 28 || s[0] != 'm' || s[1] != 'c')
		return false;
	for (size_t i = 2; i < 28; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* Start of the line `lines` lines before the one holding buf[at] (bounded). */
static size_t window_lo(const unsigned char *buf, size_t at, unsigned lines)
{
	size_t floor = at > SFMC_CONTEXT_REACH ? at - SFMC_CONTEXT_REACH : 0, p = at;

	for (unsigned n = 0; n <= lines; n++) {
		const unsigned char *nl = p > floor ? memrchr(buf + floor, '\n', p - floor) : NULL;
		if (!nl)
			return floor;
		p = (size_t)(nl - buf);
	}
	return p + 1;
}

/* End of the line `lines` lines after the one holding buf[at] (bounded). */
static size_t window_hi(const unsigned char *buf, size_t len, size_t at, unsigned lines)
{
	size_t ceil = len - at > SFMC_CONTEXT_REACH ? at + SFMC_CONTEXT_REACH : len, p = at;

	for (unsigned n = 0; n <= lines; n++) {
		const unsigned char *nl = p < ceil ? memchr(buf + p, '\n', ceil - p) : NULL;
		if (!nl)
			return ceil;
		p = (size_t)(nl - buf) + 1;
	}
	return p;
}

/* The best candidate so far and the distinct values seen. */
typedef struct pick {
	char seen[SFMC_CONTEXT_MAX_CANDIDATES][SFMC_CONTEXT_MAX_VALUE + 1];
	size_t nseen;
	int best; /* index in seen, -1: none */
	uint64_t best_lines, best_bytes;
	int64_t best_delta; /* signed lines from the secret */
} pick;

static void consider(pick *p, const char *v, int64_t delta, uint64_t bytes)
{
	uint64_t lines = (uint64_t)(delta < 0 ? -delta : delta);
	int idx = -1;

	for (size_t i = 0; i < p->nseen; i++)
		if (!strcmp(p->seen[i], v))
			idx = (int)i;
	if (idx < 0 && p->nseen < SFMC_CONTEXT_MAX_CANDIDATES) {
		memcpy(p->seen[p->nseen], v, strlen(v) + 1);
		idx = (int)p->nseen++;
	}
	if (idx >= 0 && (p->best < 0 || lines < p->best_lines || (lines == p->best_lines && bytes < p->best_bytes))) {
		p->best = idx;
		p->best_lines = lines;
		p->best_bytes = bytes;
		p->best_delta = delta;
	}
}

static int64_t line_delta(const unsigned char *buf, size_t at, size_t off)
{
	int64_t n = 0;
	for (size_t i = off < at ? off : at, e = off < at ? at : off; i < e; i++)
		n += buf[i] == '\n';
	return off < at ? -n : n;
}

/* Runs one context rule over buf[lo, hi) and records its candidates. */
static int run_rule(sfmc_context *c, const sfmc_rule *r, const unsigned char *buf, size_t lo, size_t hi, size_t at,
		    pick *p)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
	size_t start = lo;
	int rc;

	while (start < hi) {
		char v[SFMC_CONTEXT_MAX_VALUE + 1];
		size_t vs, ve;

		/* The interpreter: JIT code may read past the subject (valgrind noise); windows are small. */
		rc = pcre2_match(r->re, buf, hi, start, PCRE2_NO_JIT, c->md, c->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc < 0)
			return sfmc_error_set("context rule %s (%s:%zu): regex failed (%d)", r->id, r->file, r->line,
					      rc);
		start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		vs = ov[2 * r->value_group];
		ve = ov[2 * r->value_group + 1];
		if (rc <= r->value_group || vs == PCRE2_UNSET || ve - vs == 0 || ve - vs > SFMC_CONTEXT_MAX_VALUE)
			continue;
		for (size_t i = 0; i < ve - vs; i++) /* identifiers: compared and shown lowercase */
			v[i] = r->context == SFMC_CONTEXT_SUBDOMAIN ? (char)tolower(buf[vs + i]) : (char)buf[vs + i];
		v[ve - vs] = '\0';
		consider(p, v, line_delta(buf, at, vs), vs < at ? at - vs : vs - at);
	}
	return 0;
}

int sfmc_context_find(sfmc_context *c, sfmc_finding *f, const unsigned char *buf, size_t len, size_t at)
{
	pick *picks = calloc(SFMC_CONTEXT_KINDS, sizeof(*picks));
	int rc = 0;

	if (!picks)
		return sfmc_error_set("out of memory");
	for (int k = 0; k < SFMC_CONTEXT_KINDS; k++)
		picks[k].best = -1;
	for (size_t i = 0; i < c->rules->ncontext && rc == 0; i++) {
		const sfmc_rule *r = &c->rules->context[i];
		rc = run_rule(c, r, buf, window_lo(buf, at, r->context_lines),
			      window_hi(buf, len, at, r->context_lines), at, &picks[r->context]);
	}
	for (int k = 1; k < SFMC_CONTEXT_KINDS && rc == 0; k++) {
		pick *p = &picks[k];
		if (p->best < 0)
			continue;
		if (!(f->context[k].value = strdup(p->seen[p->best])))
			rc = sfmc_error_set("out of memory");
		f->context[k].line = (uint64_t)((int64_t)f->line + p->best_delta);
		f->context[k].others = (unsigned)p->nseen - 1;
	}
	free(picks);
	return rc;
}
