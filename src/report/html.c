/* html.c - --format html: one self-contained page for people (an audit, a
 * CI artifact): counts, a timeline of when each secret was introduced (inline
 * SVG drawn here), and one table row per secret. Nothing is loaded from
 * anywhere: styles and the small sorting/filtering script are inline, and a
 * Content-Security-Policy allows only them (the script by its hash), so the
 * page works from file:// and reads the same without JavaScript.
 *
 * Every string from scanned content or history goes through the redaction
 * choke point (sfmc_report_str), then HTML escaping. --show-secrets is
 * refused by the app for this format; secrets here are always redacted. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/bounds.h"
#include "report/report.h"
#include "triage/group.h"
#include "util/error.h"
#include "util/text.h"

#define MONTH_SECONDS 2629746 /* a mean Gregorian month */

/* The sorting and filtering script; its hash is the page's script-src. */
static const char script[] =
	"(function(){var t=document.getElementById('secrets');if(!t)return;t.setAttribute('data-js','1');"
	"var bs=[].slice.call(document.querySelectorAll('table.secrets>tbody'));"
	"function all(){var a=[];bs.forEach(function(b){a.push.apply(a,[].slice.call(b.rows));});return a;}"
	"var q=document.getElementById('q'),s=document.getElementById('st');"
	"function f(){var v=q.value.toLowerCase(),w=s.value;bs.forEach(function(b){var n=0;"
	"for(var i=0;i<b.rows.length;i++){var r=b.rows[i];"
	"r.hidden=(v&&r.textContent.toLowerCase().indexOf(v)<0)||(w&&r.getAttribute('data-status')!==w);"
	"if(!r.hidden)n++;}var d=b.closest('details');if(d&&(v||w))d.open=n>0;});}"
	"q.addEventListener('input',f);s.addEventListener('change',f);"
	"var h=t.tHead.rows[0].cells;for(var c=0;c<h.length;c++)(function(c){h[c].addEventListener('click',function(){"
	"var d=h[c].getAttribute('data-dir')==='a'?'d':'a';h[c].setAttribute('data-dir',d);"
	"var rs=all();rs.sort(function(x,y){"
	"var p=x.cells[c].getAttribute('data-k')||x.cells[c].textContent,o=y.cells[c].getAttribute('data-k')||"
	"y.cells[c].textContent;return (p<o?-1:p>o?1:0)*(d==='a'?1:-1);});"
	/* the same number of rows in each body as before: the first page stays the first page */
	"var ns=bs.map(function(b){return b.rows.length;}),k=0;bs.forEach(function(b,i){"
	"rs.slice(k,k+=ns[i]).forEach(function(r){b.appendChild(r);});});});})(c);})();";

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}"
	".counts{display:flex;flex-wrap:wrap;gap:.6em;margin:1em 0}.counts div{border:1px solid #ccc;"
	"border-radius:4px;padding:.4em .8em}.counts b{display:block;font-size:1.4em}"
	"table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3em .5em;"
	"text-align:left;vertical-align:top}th{cursor:pointer;background:#f4f4f4}code{font-size:.95em}"
	".s-open,.s-reintroduced{color:#b00}.s-rotated{color:#070}.s-false-positive,.s-accepted{color:#555}"
	"ul{margin:0;padding-left:1.1em}svg{max-width:100%;height:auto}.fix{white-space:pre-line}"
	/* every part of the table has the same fixed columns */
	".secrets{table-layout:fixed}.secrets td{overflow-wrap:anywhere}"
	".secrets th:nth-child(3),.secrets td:nth-child(3){width:28%}details.more{margin:.3em 0}"
	"details.more summary{cursor:pointer;padding:.3em .5em;background:#f4f4f4}";

static const char *const statuses[] = { "open", "reintroduced", "rotated", "false-positive", "accepted" };
static const char *const colours[] = { "#c62828", "#6a1b9a", "#2e7d32", "#757575", "#1565c0" };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

typedef struct html_state {
	sfmc_groups groups;
	bool built;
} html_state;

/* Writes s escaped for HTML text and attributes (s is valid UTF-8). */
static void put_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				fprintf(out, "&#xfffd;");
			else
				fputc(*s, out);
		}
	}
}

/* A string from scanned content: redacted (the choke point), made UTF-8, escaped. */
static int put_str(sfmc_reporter *r, const char *s, size_t len)
{
	size_t n;
	char *red = sfmc_report_str(r, s, len, &n), *utf = red ? sfmc_text_lossy_utf8(red, n) : NULL;

	free(red);
	if (!utf)
		return sfmc_error_set("out of memory");
	put_escaped(r->out, utf);
	free(utf);
	return 0;
}

static int put_cstr(sfmc_reporter *r, const char *s)
{
	return put_str(r, s ? s : "", s ? strlen(s) : 0);
}

static const char *status_of(const sfmc_reporter *r, const sfmc_finding *f, const char **reason)
{
	const sfmc_report_context *c = r->opts->context;
	const char *s = c && c->triage ? c->triage(c->ctx, f, reason) : NULL;

	if (!s) {
		*reason = NULL;
		return "open";
	}
	return s;
}

static size_t status_index(const char *s)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (!strcmp(statuses[i], s))
			return i;
	return 0;
}

/* The time a secret was introduced: its oldest commit, else the scan's start. */
static int64_t introduced(const sfmc_reporter *r, const sfmc_group *g)
{
	return g->first_seen ? g->first_seen->commit->time : r->meta->start_time;
}

static bool shown(const sfmc_group *g)
{
	return g->nsuppressed < g->n;
}

/* Base64 of the SHA-256 of the script, for the CSP. */
static int script_hash(char **out)
{
	char hex[65];
	unsigned char bin[32];

	if (sfmc_fingerprint_hex(script, sizeof(script) - 1, hex) < 0)
		return -1;
	for (int i = 0; i < 32; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		bin[i] = (unsigned char)v;
	}
	return (*out = sfmc_text_base64(bin, sizeof(bin))) ? 0 : sfmc_error_set("out of memory");
}

static int html_begin(sfmc_reporter *r)
{
	char *hash = NULL;

	if (r->opts->show_secrets)
		return sfmc_error_set("--format html never shows whole secrets: drop --show-secrets");
	if (script_hash(&hash) < 0)
		return -1;
	fprintf(r->out,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; script-src 'sha256-%s'; img-src data:; base-uri 'none'; "
		"form-action 'none'\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>sfmc-scan audit</title>\n<style>%s</style></head>\n<body>\n",
		hash, style);
	free(hash);
	return 0;
}

static int html_finding(sfmc_reporter *r, const sfmc_finding *f)
{
	(void)r;
	(void)f; /* the page is drawn per secret, at the end */
	return 0;
}

/* What the counts at the top show. */
typedef struct counts {
	size_t secrets, locations, repos, expired, status[NSTATUS], live, invalid, unknown;
	bool verified;
} counts;

/* Repositories: the distinct origins when known, else the roots scanned. */
static size_t count_repos(const sfmc_reporter *r, const sfmc_groups *gs)
{
	const sfmc_report_context *c = r->opts->context;
	const char *seen[64];
	size_t n = 0;

	if (!c || !c->origin)
		return r->meta->nroots ? r->meta->nroots : 1;
	for (size_t i = 0; i < gs->n; i++)
		for (size_t k = 0; k < gs->v[i].n; k++) {
			const char *url, *repo = c->origin(c->ctx, gs->v[i].items[k], &url);
			size_t j = 0;
			while (repo && j < n && strcmp(seen[j], repo))
				j++;
			if (repo && j == n && n < sizeof(seen) / sizeof(seen[0]))
				seen[n++] = repo;
		}
	return n;
}

static void count(const sfmc_reporter *r, const sfmc_groups *gs, counts *k)
{
	const sfmc_report_context *c = r->opts->context;
	int64_t now = (int64_t)time(NULL);

	memset(k, 0, sizeof(*k));
	k->repos = count_repos(r, gs);
	k->verified = c && c->verification;
	for (size_t i = 0; i < gs->n; i++) {
		const sfmc_group *g = &gs->v[i];
		const char *reason, *v;
		if (!shown(g))
			continue;
		k->secrets++;
		k->locations += g->n - g->nsuppressed;
		k->expired += g->first_seen && sfmc_report_likely_expired(g->first_seen, now);
		k->status[status_index(status_of(r, g->items[0], &reason))]++;
		if (k->verified && (v = c->verification(c->ctx, g->items[0]))) {
			k->live += !strcmp(v, "live");
			k->invalid += !strcmp(v, "invalid");
			k->unknown += strcmp(v, "live") && strcmp(v, "invalid");
		}
	}
}

static void put_count(FILE *out, const char *id, size_t n, const char *label)
{
	fprintf(out, "<div id=\"count-%s\"><b>%zu</b>%s</div>", id, n, label);
}

static void html_counts(sfmc_reporter *r, const counts *k)
{
	char when[32];

	sfmc_report_time(r->meta->end_time ? r->meta->end_time : r->meta->start_time, when);
	fprintf(r->out, "<h1>sfmc-scan audit</h1>\n<p>%s scan, %s. Secrets are redacted.</p>\n<div class=\"counts\">",
		r->meta->mode ? r->meta->mode : "?", when);
	put_count(r->out, "secrets", k->secrets, "secrets");
	put_count(r->out, "locations", k->locations, "locations");
	put_count(r->out, "repositories", k->repos, "repositories");
	put_count(r->out, "expired", k->expired, "likely expired");
	for (size_t i = 0; i < NSTATUS; i++)
		put_count(r->out, statuses[i], k->status[i], statuses[i]);
	if (k->verified) {
		put_count(r->out, "live", k->live, "live");
		put_count(r->out, "invalid", k->invalid, "invalid");
		put_count(r->out, "unknown", k->unknown, "unverified");
	}
	fputs("</div>\n", r->out);
}

/* Months since year 0 of t (UTC). */
static int64_t month_of(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		return 1970 * 12;
	return (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
}

static int64_t month_start(int64_t m)
{
	struct tm tm = { .tm_year = (int)(m / 12) - 1900, .tm_mon = (int)(m % 12), .tm_mday = 1 };
	return (int64_t)timegm(&tm);
}

/* The timeline's extent and scale. */
typedef struct axis {
	int64_t m0, nmonths;
	double mw; /* pixels per month */
} axis;

static double x_of(const axis *a, int64_t t)
{
	return 40 + (double)(t - month_start(a->m0)) / MONTH_SECONDS * a->mw;
}

/* Introductions per month, stacked by status: bars[month * NSTATUS + status]. */
static size_t *month_bars(const sfmc_reporter *r, const sfmc_groups *gs, const axis *a, size_t *max)
{
	size_t *bars = calloc((size_t)a->nmonths * NSTATUS, sizeof(*bars));
	const char *reason;

	*max = 1;
	for (size_t i = 0; bars && i < gs->n; i++) {
		const sfmc_group *g = &gs->v[i];
		size_t m, total = 0;
		if (!shown(g))
			continue;
		m = (size_t)(month_of(introduced(r, g)) - a->m0);
		bars[m * NSTATUS + status_index(status_of(r, g->items[0], &reason))]++;
		for (size_t s = 0; s < NSTATUS; s++)
			total += bars[m * NSTATUS + s];
		*max = total > *max ? total : *max;
	}
	return bars;
}

static void timeline_bars(const sfmc_reporter *r, const axis *a, const size_t *bars, size_t max)
{
	for (int64_t m = 0; m < a->nmonths; m++) {
		double y = 130, x = 40 + (double)m * a->mw;
		for (size_t s = 0; s < NSTATUS; s++) {
			double h = 110.0 * (double)bars[m * NSTATUS + s] / (double)max;
			if (!bars[m * NSTATUS + s])
				continue;
			y -= h;
			fprintf(r->out,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
				"<title>%04lld-%02lld: %zu %s</title></rect>",
				x + 1, y, a->mw > 3 ? a->mw - 2 : 1, h, colours[s], (long long)((a->m0 + m) / 12),
				(long long)((a->m0 + m) % 12 + 1), bars[m * NSTATUS + s], statuses[s]);
		}
		if ((a->m0 + m) % 12 == 0 || (m == 0 && a->m0 % 12 < 9)) /* years; no two labels overlap */
			fprintf(r->out, "<text x=\"%.1f\" y=\"185\" font-size=\"10\">%lld</text>", x,
				(long long)((a->m0 + m) / 12));
	}
}

/* Each secret's lifetime after its introduction, as a translucent band. */
static void timeline_bands(const sfmc_reporter *r, const sfmc_groups *gs, const axis *a)
{
	static const size_t width = 4096;
	unsigned char *drawn = calloc(width, NSTATUS); /* one band per pixel and status: 10,000 secrets, few rects */
	const char *reason;

	for (size_t i = 0; drawn && i < gs->n; i++) {
		const sfmc_group *g = &gs->v[i];
		int64_t t = introduced(r, g), days = g->items[0]->rule->max_lifetime_days;
		size_t s = status_index(status_of(r, g->items[0], &reason)), px;
		double x0, x1;
		if (!shown(g) || !days)
			continue;
		px = (size_t)x_of(a, t) % width;
		if (drawn[px * NSTATUS + s]++)
			continue;
		x0 = x_of(a, t);
		x1 = x_of(a, t + days * 86400);
		fprintf(r->out,
			"<rect class=\"life\" x=\"%.1f\" y=\"140\" width=\"%.1f\" height=\"24\" fill=\"%s\" "
			"fill-opacity=\"0.25\"/>",
			x0, x1 - x0 > 1 ? x1 - x0 : 1, colours[s]);
	}
	free(drawn);
}

static void timeline(sfmc_reporter *r, const sfmc_groups *gs)
{
	axis a = { .m0 = INT64_MAX };
	int64_t last = month_of((int64_t)time(NULL));
	size_t *bars, max;

	for (size_t i = 0; i < gs->n; i++)
		if (shown(&gs->v[i]) && month_of(introduced(r, &gs->v[i])) < a.m0)
			a.m0 = month_of(introduced(r, &gs->v[i]));
	if (a.m0 == INT64_MAX)
		return;
	a.nmonths = (last > a.m0 ? last : a.m0) - a.m0 + 7; /* room for the last lifetimes */
	a.mw = a.nmonths <= 40 ? 24 : 960.0 / (double)a.nmonths;
	if (!(bars = month_bars(r, gs, &a, &max)))
		return;
	fprintf(r->out,
		"<h2>When each secret was introduced</h2>\n<svg id=\"timeline\" role=\"img\" "
		"viewBox=\"0 0 %.0f 200\" width=\"%.0f\" height=\"200\">"
		"<title>Secrets introduced per month, by triage status; bands: each secret's lifetime</title>"
		"<text x=\"0\" y=\"20\" font-size=\"10\">%zu</text><text x=\"0\" y=\"156\" font-size=\"9\">life</text>",
		80 + a.mw * (double)a.nmonths, 80 + a.mw * (double)a.nmonths, max);
	timeline_bars(r, &a, bars, max);
	timeline_bands(r, gs, &a);
	fputs("</svg>\n<p>", r->out);
	for (size_t s = 0; s < NSTATUS; s++)
		fprintf(r->out, "<span style=\"color:%s\">&#9632;</span> %s &nbsp; ", colours[s], statuses[s]);
	fputs("(bands: the rule's lifetime after each introduction)</p>\n", r->out);
	free(bars);
}

/* One location: repository, path:line and the commit (a link when the forge is known). */
static int html_location(sfmc_reporter *r, const sfmc_finding *f, bool repo_names)
{
	const sfmc_report_context *c = r->opts->context;
	const char *url = NULL, *repo = c && c->origin ? c->origin(c->ctx, f, &url) : NULL;
	int rc = 0;

	fputs("<li>", r->out);
	if (repo && repo_names) {
		rc |= put_cstr(r, repo);
		fputs(": ", r->out);
	}
	fputs("<code>", r->out);
	rc |= put_str(r, f->path, f->path_len);
	fprintf(r->out, ":%llu</code>", (unsigned long long)f->line);
	if (f->commit && f->commit->commit[0]) {
		fputs(url ? " <a href=\"" : " <code title=\"", r->out);
		if (url) {
			put_escaped(r->out, url);
			fprintf(r->out, "/commit/%s\" title=\"", f->commit->commit);
		}
		rc |= put_cstr(r, f->commit->summary); /* the commit's subject, on hover */
		fprintf(r->out, "\">%.12s</%s>", f->commit->commit, url ? "a" : "code");
	}
	if (f->suppressed)
		fprintf(r->out, " (suppressed: %s)", sfmc_suppress_kind_name(f->suppressed));
	fputs("</li>", r->out);
	return rc;
}

static void put_date(FILE *out, const sfmc_finding *f)
{
	char when[32];

	if (!f || !f->commit || !f->commit->time) {
		fputs("<td data-k=\"\">&#8212;</td>", out);
		return;
	}
	sfmc_report_time(f->commit->time, when);
	fprintf(out, "<td data-k=\"%s\">%.10s</td>", when, when);
}

/* Locations (the first SFMC_HTML_MAX_LOCATIONS, then how many more). */
static int html_locations(sfmc_reporter *r, const sfmc_group *g, bool repo_names)
{
	size_t shown_n = 0;
	int rc = 0;

	fputs("<td><ul>", r->out);
	for (size_t k = 0; k < g->n && rc == 0; k++) {
		if (g->items[k]->suppressed && g->nsuppressed < g->n)
			continue;
		if (shown_n++ == SFMC_HTML_MAX_LOCATIONS) {
			fprintf(r->out, "<li>and %zu more</li>", g->n - g->nsuppressed - SFMC_HTML_MAX_LOCATIONS);
			break;
		}
		rc = html_location(r, g->items[k], repo_names);
	}
	fputs("</ul></td>", r->out);
	return rc;
}

/* Client id and tenant (when another stage knows them), triage and remediation. */
static int html_tail(sfmc_reporter *r, const sfmc_group *g, const char *status, const char *reason)
{
	const sfmc_report_context *c = r->opts->context;
	const char *tenant = NULL, *client = c && c->client ? c->client(c->ctx, g->items[0], &tenant) : NULL;
	int rc = 0;

	fputs("<td class=\"client\">", r->out);
	rc |= client ? put_cstr(r, client) : (fputs("&#8212;", r->out), 0);
	if (tenant) {
		fputs(" / ", r->out);
		rc |= put_cstr(r, tenant);
	}
	fprintf(r->out, "</td><td class=\"s-%s\"><b>%s</b>", status, status);
	if (reason) {
		fputs("<br>", r->out);
		rc |= put_cstr(r, reason);
	}
	/* Each rule's steps once, below the table: 10,000 rows stay light. */
	fputs("</td><td><a href=\"#fix-", r->out);
	rc |= put_cstr(r, g->items[0]->rule->id);
	fputs("\">steps for ", r->out);
	rc |= put_cstr(r, g->items[0]->rule->id);
	fputs("</a></td></tr>\n", r->out);
	return rc;
}

static int html_row(sfmc_reporter *r, const sfmc_group *g, bool repo_names)
{
	const sfmc_finding *f = g->items[0], *first = g->first_seen;
	const char *reason, *status = status_of(r, f, &reason);
	char *secret = sfmc_report_secret(r, f);
	int rc = 0;

	if (!secret)
		return sfmc_error_set("out of memory");
	fprintf(r->out, "<tr data-status=\"%s\" data-fingerprint=\"%s\"><td><code class=\"secret\">", status,
		f->fingerprint);
	rc |= put_cstr(r, secret);
	fprintf(r->out, "</code><br><small>%.12s</small></td><td>", f->fingerprint);
	rc |= put_cstr(r, f->rule->id);
	fprintf(r->out, " (%s)</td>", sfmc_level_name(g->level));
	rc |= html_locations(r, g, repo_names);
	put_date(r->out, first);
	put_date(r->out, g->last_seen);
	fputs("<td>", r->out);
	if (first && first->commit->author_name)
		rc |= put_cstr(r, first->commit->author_name);
	fputs("</td>", r->out);
	rc |= html_tail(r, g, status, reason);
	free(secret);
	return rc;
}

/* The remediation steps of every rule that has a secret in the table, once each. */
static int html_remediation(sfmc_reporter *r, const sfmc_groups *gs)
{
	const sfmc_rule *done[32];
	size_t ndone = 0;
	int rc = 0;

	fputs("<h2>Remediation</h2>\n", r->out);
	for (size_t i = 0; i < gs->n && rc == 0; i++) {
		const sfmc_rule *rule = gs->v[i].items[0]->rule;
		size_t k = 0;
		while (k < ndone && done[k] != rule)
			k++;
		if (!shown(&gs->v[i]) || k < ndone || ndone == sizeof(done) / sizeof(done[0]))
			continue;
		done[ndone++] = rule;
		fputs("<h3 id=\"fix-", r->out);
		rc |= put_cstr(r, rule->id);
		fputs("\">", r->out);
		rc |= put_cstr(r, rule->name ? rule->name : rule->id);
		fputs("</h3>\n<p class=\"fix\">", r->out);
		rc |= put_cstr(r, rule->remediation ? rule->remediation
						    : "Rotate the secret, then remove it from the code.");
		fputs("</p>\n", r->out);
	}
	return rc;
}

/* Closes the part of the table before the shown row number `at` (0-based) and
 * opens the next: the first SFMC_HTML_FIRST_ROWS rows are laid out at load,
 * the rest wait in closed <details> (readable without JavaScript: one click). */
static void html_part(sfmc_reporter *r, size_t at, size_t total)
{
	size_t end = at + SFMC_HTML_CHUNK_ROWS < total ? at + SFMC_HTML_CHUNK_ROWS : total;

	fputs(at == SFMC_HTML_FIRST_ROWS ? "</tbody></table>\n" : "</tbody></table></details>\n", r->out);
	fprintf(r->out,
		"<details class=\"more\"><summary>Secrets %zu to %zu of %zu</summary>"
		"<table class=\"secrets\"><tbody>\n",
		at + 1, end, total);
}

static int html_table(sfmc_reporter *r, const sfmc_groups *gs, bool repo_names)
{
	size_t total = 0, at = 0;
	int rc = 0;

	for (size_t i = 0; i < gs->n; i++)
		total += shown(&gs->v[i]);
	fputs("<h2>Secrets</h2>\n<p><label>Filter <input id=\"q\" type=\"search\"></label> <label>Status "
	      "<select id=\"st\"><option value=\"\">all</option>",
	      r->out);
	for (size_t s = 0; s < NSTATUS; s++)
		fprintf(r->out, "<option>%s</option>", statuses[s]);
	fputs("</select></label> (click a heading to sort)</p>\n<table id=\"secrets\" class=\"secrets\"><thead><tr>"
	      "<th>Secret</th><th>Rule</th><th>Locations</th><th>First seen</th><th>Last seen</th><th>Author</th>"
	      "<th>Client / tenant</th><th>Triage</th><th>Remediation</th></tr></thead>\n<tbody>\n",
	      r->out);
	for (size_t i = 0; i < gs->n && rc == 0; i++) {
		if (!shown(&gs->v[i]))
			continue;
		if (at >= SFMC_HTML_FIRST_ROWS && (at - SFMC_HTML_FIRST_ROWS) % SFMC_HTML_CHUNK_ROWS == 0)
			html_part(r, at, total);
		rc = html_row(r, &gs->v[i], repo_names);
		at++;
	}
	fputs(at > SFMC_HTML_FIRST_ROWS ? "</tbody></table></details>\n" : "</tbody></table>\n", r->out);
	return rc == 0 ? html_remediation(r, gs) : rc;
}

static int html_end(sfmc_reporter *r, const sfmc_results *res)
{
	html_state *st = r->state;
	counts k;

	if (sfmc_groups_build(&st->groups, res) < 0)
		return -1;
	st->built = true;
	count(r, &st->groups, &k);
	html_counts(r, &k);
	timeline(r, &st->groups);
	if (html_table(r, &st->groups, k.repos > 1) < 0)
		return -1;
	if (res->nerrors)
		fprintf(r->out, "<p><b>%zu error%s</b>: the scan did not read everything (see the text report).</p>\n",
			res->nerrors, res->nerrors == 1 ? "" : "s");
	fprintf(r->out, "<script>%s</script>\n</body></html>\n", script);
	return 0;
}

static void html_dispose(sfmc_reporter *r)
{
	html_state *st = r->state;

	if (st->built)
		sfmc_groups_dispose(&st->groups);
}

const sfmc_report_type sfmc_report_type_html = {
	.name = "html",
	.state_size = sizeof(html_state),
	.begin = html_begin,
	.finding = html_finding,
	.end = html_end,
	.dispose = html_dispose,
};
