/* text.c - --format text: one "path:line:column: level: message" line per
 * finding (editors jump to it), git provenance below it; with --group, one
 * block per secret. The stderr summary is summary.c's. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "triage/group.h"
#include "report/report.h"
#include "util/error.h"
#include "util/text.h"

static const char *col(const sfmc_reporter *r, const char *code)
{
	return r->opts->color ? code : "";
}

static size_t len0(const char *s)
{
	return s ? strlen(s) : 0;
}

/* "    client id X (line N), tenant mc... (line N), MID N (line N)"; identifiers
 * from scanned content, through the choke point (which leaves them whole). */
static void text_context(sfmc_reporter *r, const sfmc_finding *f, const char *indent)
{
	static const char *const label[SFMC_CONTEXT_KINDS] = { NULL, "client id", "tenant", "MID" };
	bool any = false;

	for (int k = 1; k < SFMC_CONTEXT_KINDS; k++) {
		const sfmc_context_value *v = &f->context[k];
		char *shown = v->value ? sfmc_report_str_escaped(r, v->value, strlen(v->value)) : NULL;
		if (!shown)
			continue;
		fprintf(r->out, "%s%s %s (line %llu", any ? ", " : indent, label[k], shown,
			(unsigned long long)v->line);
		if (v->others)
			fprintf(r->out, "; %u other%s nearby", v->others, v->others == 1 ? "" : "s");
		fputc(')', r->out);
		any = true;
		free(shown);
	}
	if (any)
		fputc('\n', r->out);
}

/* "    verification: invalid (HTTP 401): reason" */
static void text_verify(sfmc_reporter *r, const sfmc_finding *f)
{
	if (!f->verify)
		return;
	fprintf(r->out, "    verification: %s%s%s", f->verify == SFMC_VERIFY_LIVE ? col(r, "\033[1;31m") : "",
		sfmc_verify_status_name(f->verify), f->verify == SFMC_VERIFY_LIVE ? col(r, "\033[0m") : "");
	if (f->verify_http)
		fprintf(r->out, " (HTTP %ld)", f->verify_http);
	fprintf(r->out, "%s%s\n", f->verify_reason ? ": " : "", f->verify_reason ? f->verify_reason : "");
}

/* "    triage: rotated: reason" when a datastore knows it (the reason is the user's text, escaped). */
static void text_triage(sfmc_reporter *r, const sfmc_finding *f)
{
	const sfmc_report_context *c = r->opts->context;
	const char *reason = NULL, *status = c && c->triage ? c->triage(c->ctx, f, &reason) : NULL;
	char *shown = reason ? sfmc_text_escape(reason, strlen(reason)) : NULL;

	if (status && strcmp(status, "open")) /* open: nobody decided yet, the default */
		fprintf(r->out, "    triage: %s%s%s\n", status, shown ? ": " : "", shown ? shown : "");
	free(shown);
}

static int print_finding(sfmc_reporter *r, const sfmc_finding *f)
{
	char *path, *secret, *enc = NULL;
	char when[32];
	int rc = 0;

	if (f->suppressed || r->opts->groups)
		return 0; /* groups are printed at the end */
	path = sfmc_report_place(r, f);
	secret = sfmc_report_secret(r, f);
	if (secret)
		enc = sfmc_text_escape(secret, strlen(secret));
	if (!path || !secret || !enc) {
		rc = sfmc_error_set("out of memory");
		goto cleanup;
	}
	if (f->verify == SFMC_VERIFY_LIVE) /* a working credential: said first, in bold */
		fprintf(r->out, "%sLIVE%s ", col(r, "\033[1;31m"), col(r, "\033[0m"));
	fprintf(r->out, "%s%s:%llu:%llu:%s %s%s:%s %s (%s) [%s]%s%s: %s\n", col(r, "\033[1m"), path,
		(unsigned long long)f->line, (unsigned long long)f->column, col(r, "\033[0m"),
		col(r, f->level == SFMC_LEVEL_ERROR ? "\033[1;31m" : "\033[1;33m"), sfmc_level_name(f->level),
		col(r, "\033[0m"), f->rule->name ? f->rule->name : f->rule->id,
		f->rule->has_checksum ? (f->checksum_valid ? "checksum valid" : "checksum mismatch") : "no checksum",
		f->rule->id, f->encoding ? " encoding " : "", f->encoding ? f->encoding : "", enc);
	if (f->commit) {
		char *name = sfmc_report_str_escaped(r, f->commit->author_name, len0(f->commit->author_name));
		char *email = sfmc_report_str_escaped(r, f->commit->author_email, len0(f->commit->author_email));
		sfmc_report_time(f->commit->time, when);
		fprintf(r->out, "    commit %.12s by %s <%s> on %s%s\n", f->commit->commit, name ? name : "?",
			email ? email : "?", when,
			sfmc_report_likely_expired(f, (int64_t)time(NULL)) ? " (older than the secret's lifetime)" : "");
		free(name);
		free(email);
	}
	text_context(r, f, "    ");
	text_verify(r, f);
	text_triage(r, f);
cleanup:
	free(path);
	free(secret);
	free(enc);
	return rc;
}

/* Live secrets first: other verified findings wait for text_end. */
static int text_finding(sfmc_reporter *r, const sfmc_finding *f)
{
	if (f->verify && f->verify != SFMC_VERIFY_LIVE)
		return 0;
	return print_finding(r, f);
}

/* One location of a group: path:line:column, commit, suppression. */
static int text_location(sfmc_reporter *r, const sfmc_finding *f)
{
	char *path = sfmc_report_place(r, f);
	char *why =
		f->suppress_reason ? sfmc_report_str_escaped(r, f->suppress_reason, strlen(f->suppress_reason)) : NULL;

	if (!path || (f->suppress_reason && !why)) {
		free(path);
		return sfmc_error_set("out of memory");
	}
	fprintf(r->out, "    %s:%llu:%llu", path, (unsigned long long)f->line, (unsigned long long)f->column);
	if (f->commit && f->location == SFMC_LOCATION_FILE) /* a message's place names its commit */
		fprintf(r->out, " (commit %.12s)", f->commit->commit);
	if (f->suppressed)
		fprintf(r->out, " [suppressed, %s: %s]", sfmc_suppress_kind_name(f->suppressed), why ? why : "");
	fputc('\n', r->out);
	free(path);
	free(why);
	return 0;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* true when an earlier location showed the same context as items[i]. */
static bool group_context_seen(const sfmc_group *g, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		bool eq = true;
		for (int k = 1; k < SFMC_CONTEXT_KINDS; k++)
			eq = eq && same(g->items[j]->context[k].value, g->items[i]->context[k].value);
		if (eq)
			return true;
	}
	return false;
}

/* audit, merge: "in 3 repositories, first committed 2025-01-03 in org/api". */
static void text_group_repositories(sfmc_reporter *r, const sfmc_group *g)
{
	const sfmc_finding *first = g->first_seen ? g->first_seen : g->items[0];
	size_t n = 0;
	char when[32], *repo;

	if (!first->repository)
		return;
	for (size_t i = 0; i < g->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = same(g->items[j]->repository, g->items[i]->repository);
		n += !seen;
	}
	if (!(repo = sfmc_text_escape(first->repository, strlen(first->repository))))
		return;
	fprintf(r->out, "    in %zu repositor%s", n, n == 1 ? "y" : "ies");
	if (first->commit) {
		sfmc_report_time(first->commit->time, when);
		fprintf(r->out, ", first committed %.10s in %s", when, repo);
	}
	fputc('\n', r->out);
	free(repo);
}

/* A secret and everywhere it was seen; groups whose every location is
 * suppressed are left out, like suppressed findings. */
static int text_group(sfmc_reporter *r, const sfmc_group *g)
{
	const sfmc_finding *f = g->items[0];
	char *secret = sfmc_report_secret(r, f), *enc = secret ? sfmc_text_escape(secret, strlen(secret)) : NULL;
	char first[32], last[32];
	int rc = 0;

	if (!enc) {
		rc = sfmc_error_set("out of memory");
		goto cleanup;
	}
	fprintf(r->out, "%s%s%s [%s] %s%s%s: %zu location%s", col(r, "\033[1m"), enc, col(r, "\033[0m"), f->rule->id,
		col(r, g->level == SFMC_LEVEL_ERROR ? "\033[1;31m" : "\033[1;33m"), sfmc_level_name(g->level),
		col(r, "\033[0m"), g->n, g->n == 1 ? "" : "s");
	if (g->ncommits)
		fprintf(r->out, " in %zu commit%s", g->ncommits, g->ncommits == 1 ? "" : "s");
	if (g->at_head >= 0)
		fprintf(r->out, ", %s at HEAD", g->at_head ? "still present" : "not present");
	fprintf(r->out, "\n    fingerprint %s\n", f->fingerprint);
	if (g->first_seen) {
		sfmc_report_time(g->first_seen->commit->time, first);
		sfmc_report_time(g->last_seen->commit->time, last);
		fprintf(r->out, "    first seen %s (commit %.12s), last seen %s (commit %.12s)\n", first,
			g->first_seen->commit->commit, last, g->last_seen->commit->commit);
	}
	text_group_repositories(r, g);
	for (size_t i = 0; i < g->n && rc == 0; i++) {
		rc = text_location(r, g->items[i]);
		if (rc == 0 && !group_context_seen(g, i))
			text_context(r, g->items[i], "      ");
		if (rc == 0)
			text_verify(r, g->items[i]);
	}
cleanup:
	free(secret);
	free(enc);
	return rc;
}

static int text_end(sfmc_reporter *r, const sfmc_results *res)
{
	const sfmc_groups *gs = r->opts->groups;

	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].verify && res->findings[i].verify != SFMC_VERIFY_LIVE &&
		    print_finding(r, &res->findings[i]) < 0)
			return -1;
	for (size_t i = 0; gs && i < gs->n; i++)
		if (gs->v[i].nsuppressed < gs->v[i].n && text_group(r, &gs->v[i]) < 0)
			return -1;
	/* the summary is the run's (main.c), printed once whatever the reports */
	return 0;
}

const sfmc_report_type sfmc_report_type_text = {
	.name = "text",
	.finding = text_finding,
	.end = text_end,
};
