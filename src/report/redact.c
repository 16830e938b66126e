/* redact.c - the one place strings from scanned content or history are made
 * safe to print: every substring a rule matches (a token in a path, an
 * author name, a commit message, a ref or tag name, a label, an error
 * message quoting any of them) is shown as a finding's secret is. The rules'
 * own regexes find them, so custom rules are covered too. */
#define _GNU_SOURCE /* memmem */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

/* Bounds of the keyword pass: bytes a cut may reach past a keyword, and
 * tries per rule and string (then the rest is hidden: fail closed). */
#define SFMC_REDACT_MAX_CUT 256
#define SFMC_REDACT_MAX_CUTS 4096
/* Zero bytes after the copy a match reads (PCRE2's JIT loads 16 or 32 at a time). */
#define SFMC_REDACT_PAD 64

typedef struct span {
	size_t start, end;
	const sfmc_rule *rule;
} span;

typedef struct spans {
	span *v;
	size_t n, alloc;
} spans;

/* One rule's matching over one string: limits as the detector's (a rule's
 * regex may be hostile), and a budget for the keyword pass. */
typedef struct matcher {
	const sfmc_rule *rule;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	size_t minlen; /* of any match (PCRE2_INFO_MINLENGTH), at least 1 */
	size_t budget; /* pcre2_match calls the keyword pass may still make */
} matcher;

static int add_span(spans *out, const sfmc_rule *rule, size_t start, size_t end)
{
	int rc = SFMC_ARRAY_GROW(out->v, out->n, out->alloc);
	if (rc == 0)
		out->v[out->n++] = (span){ start, end, rule };
	return rc;
}

/* Matches s[off..len) from off; 1 with the match in start and end, 0 none, -1 cannot tell (a limit). */
static int match_at(matcher *m, const char *s, size_t len, size_t off, uint32_t flags, size_t *start, size_t *end)
{
	int rc = pcre2_match(m->rule->re, (PCRE2_SPTR)s, len, off, flags, m->md, m->mctx);
	const PCRE2_SIZE *ov;

	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return -1;
	ov = pcre2_get_ovector_pointer(m->md);
	*start = ov[0];
	*end = ov[1] > ov[0] ? ov[1] : ov[0] + 1; /* never empty: always moves on */
	*end = *end > len ? len : *end;
	return 1;
}

/* Appends where the rule matches s, as the detector would; a match that
 * fails (match limit) hides the rest of s: fail closed. */
static int rule_spans(spans *out, matcher *m, const char *s, size_t len)
{
	size_t off = 0, start, end;
	int rc = 0;

	while (off < len && rc == 0) {
		int hit = match_at(m, s, len, off, 0, &start, &end);
		if (hit == 0)
			break;
		if (hit < 0)
			start = off, end = len;
		rc = add_span(out, m->rule, start, end);
		off = end;
	}
	return rc;
}

static bool covered(const spans *sp, size_t from, size_t at)
{
	for (size_t i = from; i < sp->n; i++) /* few: the rule's matches in one string */
		if (sp->v[i].start <= at && at < sp->v[i].end)
			return true;
	return false;
}

/* One anchored try at s[at..cut), charged to the budget; -1 when it is
 * spent or the try hits a limit (the caller hides the rest of s). */
static int try_cut(matcher *m, const char *s, size_t at, size_t cut, size_t *end)
{
	size_t start;

	if (!m->budget)
		return -1;
	m->budget--;
	return match_at(m, s + at, cut - at, 0, PCRE2_ANCHORED, &start, end);
}

/* A token the rule's own boundaries hide, being part of a longer word
 * ("xSFMC_…", "SFMC_…x"), is still a token in a name. Anchored at the
 * keyword on s cut just before it (no lookbehind sees the x); failing that,
 * cut short after it too (nor lookahead): the shortest cut that matches,
 * grown while it still matches. Past the budget the rest of s is hidden. */
static int keyword_span(spans *out, matcher *m, const char *s, size_t len, size_t at)
{
	size_t end, top = len - at > SFMC_REDACT_MAX_CUT ? at + SFMC_REDACT_MAX_CUT : len - 1, best = 0;
	int hit = try_cut(m, s, at, len, &end);

	if (hit != 0)
		return add_span(out, m->rule, at, hit > 0 ? at + end : len);
	for (size_t cut = at + m->minlen; cut <= top && cut > at; cut++) {
		if ((hit = try_cut(m, s, at, cut, &end)) < 0)
			return add_span(out, m->rule, at, len);
		if (hit == 0 && best)
			break;
		if (hit > 0)
			best = at + end;
	}
	return best ? add_span(out, m->rule, at, best) : 0;
}

static int keyword_spans(spans *out, matcher *m, const char *s, size_t len)
{
	size_t first = out->n;
	int rc = 0;

	for (size_t k = 0; k < m->rule->nkeywords && rc == 0; k++) {
		const char *kw = m->rule->keywords[k], *p = s;
		size_t kl = strlen(kw);

		while (rc == 0 && kl && (p = memmem(p, len - (size_t)(p - s), kw, kl))) {
			if (!covered(out, first, (size_t)(p - s)))
				rc = keyword_span(out, m, s, len, (size_t)(p - s));
			p++;
		}
	}
	return rc;
}

static int match_rule(spans *out, const sfmc_rule *rule, const char *s, size_t len)
{
	matcher m = { rule, pcre2_match_data_create_from_pattern(rule->re, NULL), pcre2_match_context_create(NULL), 1,
		      SFMC_REDACT_MAX_CUTS };
	uint32_t minlen = 0;
	int rc = m.md && m.mctx ? 0 : sfmc_error_set("out of memory");

	if (pcre2_pattern_info(rule->re, PCRE2_INFO_MINLENGTH, &minlen) == 0 && minlen > 1)
		m.minlen = minlen;
	if (rc == 0) {
		pcre2_set_match_limit(m.mctx, SFMC_PCRE2_MATCH_LIMIT);
		pcre2_set_depth_limit(m.mctx, SFMC_PCRE2_DEPTH_LIMIT);
		rc = rule_spans(out, &m, s, len);
	}
	if (rc == 0)
		rc = keyword_spans(out, &m, s, len);
	pcre2_match_data_free(m.md);
	pcre2_match_context_free(m.mctx);
	return rc;
}

static int cmp_span(const void *pa, const void *pb)
{
	const span *a = pa, *b = pb;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* s[sp] as sfmc_finding_redact shows a secret of sp's rule. */
static int put_redacted(sfmc_buf *b, const char *s, const span *sp)
{
	sfmc_finding f = { .rule = sp->rule, .secret = (char *)s + sp->start, .secret_len = sp->end - sp->start };
	char *shown = sfmc_finding_redact(&f);
	int rc = shown ? sfmc_buf_puts(b, shown) : sfmc_error_set("out of memory");

	free(shown);
	return rc;
}

/* s with the spans (sorted by start) redacted; overlapping ones are merged. */
static int put_spans(sfmc_buf *b, const char *s, size_t len, spans *sp)
{
	size_t pos = 0;
	int rc = 0;

	for (size_t i = 0; i < sp->n && rc == 0; i++) {
		span cur = sp->v[i];
		while (i + 1 < sp->n && sp->v[i + 1].start < cur.end) {
			i++;
			cur.end = sp->v[i].end > cur.end ? sp->v[i].end : cur.end;
		}
		rc = sfmc_buf_put(b, s + pos, cur.start - pos);
		if (rc == 0)
			rc = put_redacted(b, s, &cur);
		pos = cur.end;
	}
	return rc == 0 ? sfmc_buf_put(b, s + pos, len - pos) : rc;
}

char *sfmc_redact(const sfmc_ruleset *rules, const char *s, size_t len, size_t *out_len)
{
	sfmc_buf b = SFMC_BUF_INIT;
	spans sp = { 0 };
	char *out = NULL, *padded = NULL;
	int rc = 0;

	if (!s)
		s = "", len = 0;
	/* PCRE2's JIT reads whole vectors, past the end of an exact-size string
	 * (valgrind sees it): match a copy with room after it. */
	if (rules && rules->nrules && !(padded = calloc(1, len + SFMC_REDACT_PAD)))
		rc = sfmc_error_set("out of memory");
	if (padded)
		memcpy(padded, s, len);
	for (size_t i = 0; padded && i < rules->nrules && rc == 0; i++)
		rc = match_rule(&sp, &rules->rules[i], padded, len);
	free(padded);
	if (sp.n > 1)
		qsort(sp.v, sp.n, sizeof(*sp.v), cmp_span);
	sfmc_buf_init(&b, 0);
	if (rc == 0 && sfmc_buf_grow(&b, len + 1) == 0 && put_spans(&b, s, len, &sp) == 0) {
		if (out_len)
			*out_len = b.size;
		out = sfmc_buf_detach(&b);
	}
	sfmc_buf_dispose(&b);
	free(sp.v);
	return out;
}

char *sfmc_report_str(const sfmc_reporter *r, const char *s, size_t len, size_t *out_len)
{
	char *out;

	if (!r->opts->show_secrets)
		return sfmc_redact(r->meta->rules, s, len, out_len);
	if (!s)
		s = "", len = 0;
	if ((out = malloc(len + 1))) {
		memcpy(out, s, len);
		out[len] = '\0';
		if (out_len)
			*out_len = len;
	}
	return out;
}

char *sfmc_report_str_escaped(const sfmc_reporter *r, const char *s, size_t len)
{
	size_t n;
	char *shown = sfmc_report_str(r, s, len, &n), *esc = shown ? sfmc_text_escape(shown, n) : NULL;

	free(shown);
	return esc;
}

static char *report_place_in(const sfmc_reporter *r, const sfmc_finding *f)
{
	sfmc_finding local = *f;
	char *place, *repo, *s = NULL;

	local.repository = NULL;
	place = sfmc_report_place(r, &local);
	repo = sfmc_text_escape(f->repository, strlen(f->repository));
	if (place && repo && asprintf(&s, "%s: %s", repo, place) < 0)
		s = NULL;
	free(place);
	free(repo);
	return s;
}

char *sfmc_report_place(const sfmc_reporter *r, const sfmc_finding *f)
{
	char *s = NULL, *esc;
	int n = -1;

	if (f->repository) /* audit, merge: "REPOSITORY: place" */
		return report_place_in(r, f);
	if (f->location == SFMC_LOCATION_FILE)
		return sfmc_report_str_escaped(r, f->path, f->path_len);
	if (f->location == SFMC_LOCATION_TAG_MESSAGE)
		n = asprintf(&s, "tag %s (%.12s) message", f->tag ? f->tag : "?", f->tag_id);
	else if (f->commit && f->commit->commit[0])
		n = asprintf(&s, "commit %.12s message", f->commit->commit);
	else
		n = asprintf(&s, "commit message");
	if (n < 0)
		return NULL;
	esc = sfmc_report_str_escaped(r, s, (size_t)n);
	free(s);
	return esc;
}
