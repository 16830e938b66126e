/* redact.c - the one place strings from scanned content or history are made
 * safe to print: every substring a rule matches (a token in a path, an
 * author name, a commit message, a ref or tag name, a label, an error
 * message quoting any of them) is shown as a finding's secret is. The rules'
 * own regexes find them, so custom rules are covered too. */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct span {
	size_t start, end;
	const sfmc_rule *rule;
} span;

typedef struct spans {
	span *v;
	size_t n, alloc;
} spans;

/* Appends where rule matches s; a match that fails (match limit) hides the
 * rest of s: fail closed. */
static int rule_spans(spans *out, const sfmc_rule *rule, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(rule->re, NULL);
	size_t off = 0;
	int rc = 0;

	if (!md)
		return sfmc_error_set("out of memory");
	while (off < len && rc == 0) {
		int m = pcre2_match(rule->re, (PCRE2_SPTR)s, len, off, 0, md, NULL);
		span sp = { off, len, rule };

		if (m == PCRE2_ERROR_NOMATCH)
			break;
		if (m >= 0) {
			const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			sp.start = ov[0];
			sp.end = ov[1] > ov[0] ? ov[1] : ov[0] + 1; /* never empty: always moves on */
		}
		if (sp.end > len)
			sp.end = len;
		if ((rc = SFMC_ARRAY_GROW(out->v, out->n, out->alloc)) == 0)
			out->v[out->n++] = sp;
		off = sp.end;
	}
	pcre2_match_data_free(md);
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
	char *out = NULL;
	int rc = 0;

	if (!s)
		s = "", len = 0;
	for (size_t i = 0; rules && i < rules->nrules && rc == 0; i++)
		rc = rule_spans(&sp, &rules->rules[i], s, len);
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
