/* merge.c - the repositories of an audit and their findings (merge.h):
 * read back from JSON reports and audit JSON Lines, rendered sorted. */
#define _GNU_SOURCE
#include "app/merge.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/commands.h"
#include "report/json.h"
#include "report/report.h"
#include "triage/datastore.h"
#include "triage/group.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/bounds.h"
#include "util/error.h"

void sfmc_merge_init(sfmc_merge *m, const sfmc_ruleset *rules)
{
	memset(m, 0, sizeof(*m));
	m->rules = rules;
	sfmc_results_init(&m->res);
}

static void repo_dispose(sfmc_merge_repo *p)
{
	free(p->name);
	free(p->error);
	sfmc_results_dispose(&p->res);
}

void sfmc_merge_dispose(sfmc_merge *m)
{
	for (size_t i = 0; i < m->nrepos; i++)
		repo_dispose(&m->repos[i]);
	free(m->repos);
	sfmc_results_dispose(&m->res);
	for (size_t i = 0; i < m->ntexts; i++)
		free(m->texts[i]);
	free(m->texts);
	for (size_t i = 0; i < m->ntriage; i++) {
		free(m->triage[i].repository);
		free(m->triage[i].reason);
	}
	free(m->triage);
	memset(m, 0, sizeof(*m));
}

/* ---- reading JSON back ------------------------------------------------ */

static const char *str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static char *dup_str(json_t *o, const char *key, bool *oom)
{
	const char *s = str_of(o, key);
	char *d = s ? strdup(s) : NULL;

	*oom |= s && !d;
	return d;
}

/* "2026-01-02T03:04:05Z" as seconds since the epoch; -1 when malformed. */
static int parse_time(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;

	if (!end || *end)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static uint64_t u64_of(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));
	return v > 0 ? (uint64_t)v : 0;
}

/* The verification reason as its own string (findings hold static texts). */
static const char *keep_text(sfmc_merge *m, const char *s)
{
	for (size_t i = 0; i < m->ntexts; i++)
		if (!strcmp(m->texts[i], s))
			return m->texts[i];
	if (SFMC_ARRAY_GROW(m->texts, m->ntexts, m->atexts) < 0 || !(m->texts[m->ntexts] = strdup(s)))
		return NULL;
	return m->texts[m->ntexts++];
}

static int commit_from_json(sfmc_finding *f, json_t *o)
{
	const char *id = str_of(o, "commit");
	bool oom = false;

	if (!id)
		return 0;
	if (strlen(id) >= sizeof(f->commit->commit) || !(f->commit = calloc(1, sizeof(*f->commit))))
		return sfmc_error_set("bad \"commit\"");
	snprintf(f->commit->commit, sizeof(f->commit->commit), "%s", id);
	if (parse_time(str_of(o, "commit_time"), &f->commit->time) < 0)
		return sfmc_error_set("bad or missing \"commit_time\"");
	f->commit->author_name = dup_str(o, "author_name", &oom);
	f->commit->author_email = dup_str(o, "author_email", &oom);
	f->commit->summary = dup_str(o, "summary", &oom);
	return oom ? sfmc_error_set("out of memory") : 0;
}

/* context, verification, suppression. */
static int extras_from_json(sfmc_merge *m, sfmc_finding *f, json_t *o)
{
	json_t *ctx = json_object_get(o, "context"), *v = json_object_get(o, "verification");
	json_t *s = json_object_get(o, "suppression");
	const char *name;
	bool oom = false;

	for (int k = 1; k < SFMC_CONTEXT_KINDS; k++) {
		json_t *e = json_object_get(ctx, sfmc_context_kind_name((sfmc_context_kind)k));
		if (!e)
			continue;
		f->context[k].value = dup_str(e, "value", &oom);
		f->context[k].line = u64_of(e, "line");
		f->context[k].others = (unsigned)u64_of(e, "others");
	}
	if (v) {
		name = str_of(v, "status");
		for (int k = SFMC_VERIFY_LIVE; k <= SFMC_VERIFY_UNVERIFIABLE && name; k++)
			if (!strcmp(name, sfmc_verify_status_name((sfmc_verify_status)k)))
				f->verify = (sfmc_verify_status)k;
		if (!f->verify)
			return sfmc_error_set("bad \"verification\"");
		if (str_of(v, "reason") && !(f->verify_reason = keep_text(m, str_of(v, "reason"))))
			oom = true;
		f->verify_http = (long)u64_of(v, "http_status");
	}
	if (s) {
		name = str_of(s, "kind");
		for (int k = SFMC_SUPPRESS_INLINE; k <= SFMC_SUPPRESS_BASELINE && name; k++)
			if (!strcmp(name, sfmc_suppress_kind_name((sfmc_suppress_kind)k)))
				f->suppressed = (sfmc_suppress_kind)k;
		if (!f->suppressed)
			return sfmc_error_set("bad \"suppression\"");
		f->suppress_reason = dup_str(s, "reason", &oom);
	}
	return oom ? sfmc_error_set("out of memory") : 0;
}

/* "triage": {status, reason} of a report made with --datastore, kept by
 * (repository, fingerprint): triage is per secret in one datastore. */
static int triage_from_json(sfmc_merge *m, const char *repository, const char *fingerprint, json_t *o)
{
	json_t *t = json_object_get(o, "triage");
	const char *status = str_of(t, "status"), *reason = str_of(t, "reason");
	sfmc_merge_triage *e;
	char word[32];

	if (!t)
		return 0;
	snprintf(word, sizeof(word), "|%.20s|", status ? status : "");
	if (!status || strlen(status) > 20 || !strstr("|" SFMC_TRIAGE_STATUSES "|reintroduced|", word))
		return sfmc_error_set("bad \"triage\"");
	if (SFMC_ARRAY_GROW(m->triage, m->ntriage, m->atriage) < 0)
		return -1;
	e = &m->triage[m->ntriage];
	memset(e, 0, sizeof(*e));
	snprintf(e->fingerprint, sizeof(e->fingerprint), "%s", fingerprint);
	e->status = keep_text(m, status);
	e->repository = strdup(repository);
	e->reason = reason ? strdup(reason) : NULL;
	m->ntriage++;
	if (!e->status || !e->repository || (reason && !e->reason))
		return sfmc_error_set("out of memory");
	return 0;
}

/* Where: path (and archive_path), or a commit or tag message. */
static int place_from_json(sfmc_finding *f, json_t *o)
{
	const char *loc = str_of(o, "location"), *path = str_of(o, "path");
	json_t *arch = json_object_get(o, "archive_path"), *tag = json_object_get(o, "tag");
	sfmc_buf member = SFMC_BUF_INIT;

	f->location = !loc                             ? SFMC_LOCATION_FILE
		      : !strcmp(loc, "commit-message") ? SFMC_LOCATION_COMMIT_MESSAGE
		      : !strcmp(loc, "tag-message")    ? SFMC_LOCATION_TAG_MESSAGE
						       : (sfmc_location)-1;
	if ((int)f->location < 0)
		return sfmc_error_set("bad \"location\"");
	if (f->location == SFMC_LOCATION_FILE && !path)
		return sfmc_error_set("no \"path\"");
	if (tag && (!str_of(tag, "id") || strlen(str_of(tag, "id")) >= sizeof(f->tag_id)))
		return sfmc_error_set("bad \"tag\"");
	if (tag) {
		snprintf(f->tag_id, sizeof(f->tag_id), "%s", str_of(tag, "id"));
		if (str_of(tag, "name") && !(f->tag = strdup(str_of(tag, "name"))))
			return sfmc_error_set("out of memory");
	}
	for (size_t i = 1; i < json_array_size(arch); i++) {
		const char *part = json_string_value(json_array_get(arch, i));
		if (!part || (i > 1 && sfmc_buf_putc(&member, '\0') < 0) || sfmc_buf_puts(&member, part) < 0) {
			sfmc_buf_dispose(&member);
			return sfmc_error_set("bad \"archive_path\"");
		}
	}
	f->member_len = member.size;
	f->member = json_array_size(arch) > 1 ? sfmc_buf_detach(&member) : NULL;
	sfmc_buf_dispose(&member);
	if (!path && f->commit) /* a message: its logical path, as triage names it */
		(void)asprintf(&f->path, "%s/%s/message", f->tag ? "tag" : "commit",
			       f->tag ? f->tag : f->commit->commit);
	else
		f->path = strdup(path ? path : "");
	if (!f->path)
		return sfmc_error_set("out of memory");
	f->path_len = strlen(f->path);
	return 0;
}

/* The secret: whole when it hashes to the fingerprint (a --show-secrets
 * report; redacted again unless --show-secrets), else as that report showed it. */
static int secret_from_json(sfmc_finding *f, json_t *o)
{
	const char *s = str_of(o, "secret"), *fp = str_of(o, "fingerprint");
	char hex[65];

	if (!s || !fp || strlen(fp) != 64)
		return sfmc_error_set("no \"secret\" or \"fingerprint\"");
	snprintf(f->fingerprint, sizeof(f->fingerprint), "%s", fp);
	if (!(f->secret = strdup(s)))
		return sfmc_error_set("out of memory");
	f->secret_len = strlen(s);
	f->secret_shown = sfmc_fingerprint_hex(s, f->secret_len, hex) < 0 || strcmp(hex, fp) != 0;
	return 0;
}

/* A finding of a JSON report (sfmc_json_finding's object) back into f. */
static int finding_from_json(sfmc_merge *m, sfmc_finding *f, json_t *o)
{
	const char *rule = str_of(o, "rule_id"), *level = str_of(o, "level"), *enc = str_of(o, "encoding");
	const char *blob = str_of(o, "blob");

	memset(f, 0, sizeof(*f));
	if (!json_is_object(o) || !rule || !level)
		return sfmc_error_set("not a finding (no \"rule_id\" or \"level\")");
	if (!(f->rule = sfmc_rules_find(m->rules, rule)))
		return sfmc_error_set("unknown rule '%s' (give the --rules the audit used)", rule);
	f->level = !strcmp(level, "error") ? SFMC_LEVEL_ERROR : !strcmp(level, "warning") ? SFMC_LEVEL_WARNING : 0;
	if (!f->level)
		return sfmc_error_set("bad \"level\" '%s'", level);
	f->checksum_valid = json_is_true(json_object_get(o, "checksum_valid"));
	f->line = u64_of(o, "line");
	f->column = u64_of(o, "column");
	f->end_column = u64_of(o, "end_column");
	if (blob && strlen(blob) < sizeof(f->blob))
		snprintf(f->blob, sizeof(f->blob), "%s", blob);
	if ((enc && strcmp(enc, "plain") && !(f->encoding = strdup(enc))) ||
	    (str_of(o, "repository") && !(f->repository = strdup(str_of(o, "repository")))))
		return sfmc_error_set("out of memory");
	if (secret_from_json(f, o) < 0 || commit_from_json(f, o) < 0 || place_from_json(f, o) < 0 ||
	    extras_from_json(m, f, o) < 0)
		return -1;
	return 0;
}

/* Adds each finding of array a (with repository name) to m. */
static int findings_from_json(sfmc_merge *m, json_t *a, const char *name, size_t *n)
{
	for (size_t i = 0; i < json_array_size(a); i++) {
		sfmc_finding f;
		json_t *o = json_array_get(a, i);
		int rc = finding_from_json(m, &f, o);

		free(f.repository);
		f.repository = (char *)name;
		if (rc == 0)
			rc = triage_from_json(m, name, f.fingerprint, o);
		if (rc == 0)
			rc = sfmc_results_add_finding(&m->res, &f);
		f.repository = NULL;
		sfmc_finding_dispose(&f);
		if (rc < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

static int issues_from_json(sfmc_results *res, json_t *a, const char *textkey, bool skipped)
{
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *e = json_array_get(a, i);
		const char *path = str_of(e, "path"), *text = str_of(e, textkey);
		if (!path || !text)
			return sfmc_error_set("bad \"%s\" entry", skipped ? "skipped" : "errors");
		if ((skipped ? sfmc_results_add_skipped : sfmc_results_add_error)(res, path, text) < 0)
			return -1;
	}
	return 0;
}

/* stats, skipped, errors and the shallow boundary of a report (or a repository line). */
static int outcome_from_json(sfmc_results *res, json_t *o)
{
	json_t *stats = json_object_get(o, "stats"), *shallow = json_object_get(o, "shallow_commits");

	if (!json_is_object(stats) || !json_is_array(json_object_get(o, "errors")))
		return sfmc_error_set("no \"stats\" or \"errors\"");
	if (issues_from_json(res, json_object_get(o, "skipped"), "reason", true) < 0 ||
	    issues_from_json(res, json_object_get(o, "errors"), "message", false) < 0)
		return -1;
	res->stats.files = u64_of(stats, "files");
	res->stats.bytes = u64_of(stats, "bytes");
	res->stats.skipped = u64_of(stats, "skipped");
	res->stats.duration_ms = u64_of(stats, "duration_ms");
	for (size_t i = 0; i < json_array_size(shallow); i++) {
		const char *c = json_string_value(json_array_get(shallow, i));
		if (!c || strlen(c) != 40 || sfmc_results_add_shallow(res, c) < 0)
			return sfmc_error_set("bad \"shallow_commits\"");
	}
	res->shallow |= json_is_true(json_object_get(o, "shallow"));
	return 0;
}

static sfmc_merge_repo *add_repo(sfmc_merge *m, const char *name)
{
	sfmc_merge_repo *p;

	if (SFMC_ARRAY_GROW(m->repos, m->nrepos, m->arepos) < 0)
		return NULL;
	p = &m->repos[m->nrepos];
	memset(p, 0, sizeof(*p));
	sfmc_results_init(&p->res);
	if (!(p->name = strdup(name))) {
		sfmc_error_set("out of memory");
		return NULL;
	}
	m->nrepos++;
	return p;
}

/* The repository's error from its scan's outcome: the first error it
 * reported, else how it ended. NULL: scanned completely. */
static char *scan_error(const sfmc_merge_repo *p, const sfmc_merge_scan *s, const char *bad_report)
{
	char *e = NULL;
	int n = 0;

	if (bad_report)
		n = asprintf(&e, "its report could not be read: %s%s%s", bad_report, s->failure ? "; " : "",
			     s->failure ? s->failure : "");
	else if (p->res.nerrors)
		n = asprintf(&e, "%s: %s", p->res.errors[0].path, p->res.errors[0].text);
	else if (s->failure)
		e = strdup(s->failure);
	else if (!s->report_len)
		e = strdup("the scan wrote no report");
	else if (s->exit_code != SFMC_EXIT_CLEAN && s->exit_code != SFMC_EXIT_FINDINGS)
		n = asprintf(&e, "the scan exited with status %d", s->exit_code);
	else
		return NULL;
	return n < 0 ? NULL : e;
}

int sfmc_merge_add_scan(sfmc_merge *m, const char *name, const sfmc_merge_scan *s)
{
	sfmc_merge_repo *p = add_repo(m, name);
	json_t *j = NULL;
	json_error_t jerr;
	const char *bad = NULL;
	char why[256];

	if (!p)
		return -1;
	p->exit_code = s->exit_code;
	p->start_time = s->start_time;
	p->end_time = s->end_time;
	if (s->report && s->report_len) {
		if (!(j = json_loadb(s->report, s->report_len, 0, &jerr)) || !json_is_object(j))
			snprintf(why, sizeof(why), "line %d: %s", jerr.line, j ? "not an object" : jerr.text);
		else if (outcome_from_json(&p->res, j) < 0 ||
			 findings_from_json(m, json_object_get(j, "findings"), p->name, &p->nfindings) < 0 ||
			 findings_from_json(m, json_object_get(j, "suppressed"), p->name, &p->nfindings) < 0)
			snprintf(why, sizeof(why), "%s", sfmc_error_last());
		else
			why[0] = '\0';
		bad = why[0] ? why : NULL;
	}
	p->res.stats.duration_ms = s->duration_ms;
	json_decref(j);
	p->error = scan_error(p, s, bad);
	if (!p->error && (bad || p->res.nerrors || s->failure || !s->report_len ||
			  (s->exit_code != SFMC_EXIT_CLEAN && s->exit_code != SFMC_EXIT_FINDINGS)))
		return sfmc_error_set("out of memory");
	return 0;
}

/* A repository line of an audit JSONL file. */
static int repo_from_json(sfmc_merge *m, json_t *o)
{
	const char *name = str_of(o, "repository"), *status = str_of(o, "status"), *err = str_of(o, "error");
	json_t *code = json_object_get(o, "exit_code");
	sfmc_merge_repo *p;

	if (!name || !*name || !status || (strcmp(status, "ok") && strcmp(status, "error")))
		return sfmc_error_set("a repository line needs \"repository\" and \"status\" (ok or error)");
	if (!strcmp(status, "error") != !!err)
		return sfmc_error_set("\"error\" is given exactly when \"status\" is error");
	if (!(p = add_repo(m, name)))
		return -1;
	p->exit_code = json_is_integer(code) ? (int)json_integer_value(code) : -1;
	p->nfindings = u64_of(o, "findings");
	if (parse_time(str_of(o, "start_time"), &p->start_time) < 0 ||
	    parse_time(str_of(o, "end_time"), &p->end_time) < 0)
		return sfmc_error_set("bad or missing \"start_time\" or \"end_time\"");
	if (err && !(p->error = strdup(err)))
		return sfmc_error_set("out of memory");
	return outcome_from_json(&p->res, o);
}

/* One line: a repository or a finding. */
static int line_from_json(sfmc_merge *m, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, 0, &jerr);
	const char *type = str_of(o, "type");
	sfmc_finding f;
	int rc;

	if (!o || !json_is_object(o)) {
		json_decref(o);
		return o ? sfmc_error_set("not a JSON object") : sfmc_error_set("not JSON: %s", jerr.text);
	}
	if (type && !strcmp(type, "repository"))
		rc = repo_from_json(m, o);
	else if (type && !strcmp(type, "finding")) {
		rc = finding_from_json(m, &f, o);
		if (rc == 0 && !f.repository)
			rc = sfmc_error_set("a finding line needs \"repository\"");
		if (rc == 0)
			rc = triage_from_json(m, f.repository, f.fingerprint, o);
		if (rc == 0)
			rc = sfmc_results_add_finding(&m->res, &f);
		sfmc_finding_dispose(&f);
	} else
		rc = sfmc_error_set("not an audit line (\"type\" is neither \"repository\" nor \"finding\")");
	json_decref(o);
	return rc;
}

static int cmp_repo(const void *a, const void *b)
{
	return strcmp(((const sfmc_merge_repo *)a)->name, ((const sfmc_merge_repo *)b)->name);
}

/* Fail closed on a cut file: every finding of [f0, end) has its repository
 * among the repositories of [r0, end), each of which got the findings it declares. */
static int check_file(sfmc_merge *m, const char *path, size_t r0, size_t f0)
{
	sfmc_merge_repo *v = m->repos + r0;
	size_t n = m->nrepos - r0, *got = calloc(n + 1, sizeof(*got));
	int rc = 0;

	if (!got)
		return sfmc_error_set("out of memory");
	if (n) /* qsort and bsearch never get a NULL array (an empty shard: no repository yet) */
		qsort(v, n, sizeof(*v), cmp_repo);
	for (size_t i = f0; i < m->res.nfindings && rc == 0; i++) {
		sfmc_merge_repo key = { .name = m->res.findings[i].repository };
		sfmc_merge_repo *p = n ? bsearch(&key, v, n, sizeof(*v), cmp_repo) : NULL;
		if (!p)
			rc = sfmc_error_set(
				"%s: findings of repository '%s' but no repository line for it (a cut file?)", path,
				key.name);
		else
			got[p - v]++;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		if (got[i] != v[i].nfindings)
			rc = sfmc_error_set("%s: repository '%s' declares %zu findings, %zu read (a cut file?)", path,
					    v[i].name, v[i].nfindings, got[i]);
	free(got);
	return rc < 0 ? SFMC_EINVALID : 0;
}

int sfmc_merge_read(sfmc_merge *m, const char *path)
{
	FILE *in = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, lineno = 0, r0 = m->nrepos, f0 = m->res.nfindings;
	ssize_t n;
	int rc = 0;

	if (!in)
		return sfmc_error_set_errno("%s: cannot open", path);
	while (rc == 0 && (errno = 0, n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (strspn(line, " \t") == (size_t)n)
			continue;
		if ((size_t)n > SFMC_AUDIT_MAX_LINE)
			rc = sfmc_error_set("line longer than %d bytes", SFMC_AUDIT_MAX_LINE);
		else
			rc = line_from_json(m, line, (size_t)n);
		if (rc < 0)
			rc = sfmc_error_prefix("%s:%zu", path, lineno);
	}
	if (rc == 0 && (ferror(in) || errno))
		rc = sfmc_error_set_errno("%s: cannot read", path);
	free(line);
	fclose(in);
	/* An empty file is a shard no repository fell into; text without a repository line is not an audit. */
	if (rc == 0 && m->nrepos == r0 && lineno)
		rc = sfmc_error_set("%s: no repository line: not an audit JSONL file", path);
	if (rc == 0)
		rc = check_file(m, path, r0, f0);
	return rc < 0 ? SFMC_EINVALID : 0;
}

/* ---- rendering --------------------------------------------------------- */

static int add_prefixed(sfmc_results *view, const char *repo, const sfmc_issue *it, bool skipped)
{
	char *path = NULL;
	int rc;

	if (asprintf(&path, "%s: %s", repo, it->path) < 0)
		return sfmc_error_set("out of memory");
	rc = (skipped ? sfmc_results_add_skipped : sfmc_results_add_error)(view, path, it->text);
	free(path);
	return rc;
}

/* The audit as one result set: m's findings (borrowed), each repository's
 * errors and skips named "REPOSITORY: path", the totals of the stats. */
static int build_view(const sfmc_merge *m, sfmc_results *view)
{
	sfmc_results_init(view);
	for (size_t i = 0; i < m->nrepos; i++) {
		const sfmc_merge_repo *p = &m->repos[i];
		for (size_t k = 0; k < p->res.nerrors; k++)
			if (add_prefixed(view, p->name, &p->res.errors[k], false) < 0)
				return -1;
		for (size_t k = 0; k < p->res.nskipped; k++)
			if (add_prefixed(view, p->name, &p->res.skipped[k], true) < 0)
				return -1;
		if (p->error && !p->res.nerrors && sfmc_results_add_error(view, p->name, p->error) < 0)
			return -1;
		for (size_t k = 0; k < p->res.nshallow; k++)
			if (sfmc_results_add_shallow(view, p->res.shallow_commits[k]) < 0)
				return -1;
		view->stats.files += p->res.stats.files;
		view->stats.bytes += p->res.stats.bytes;
		view->stats.duration_ms += p->res.stats.duration_ms;
	}
	view->stats.skipped = view->nskipped;
	view->findings = m->res.findings;
	view->nfindings = m->res.nfindings;
	return 0;
}

static void view_dispose(sfmc_results *view)
{
	view->findings = NULL; /* m's */
	view->nfindings = 0;
	sfmc_results_dispose(view);
}

static json_t *repo_line(const sfmc_reporter *r, const sfmc_merge_repo *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "type", "repository", "repository", p->name, "status",
			      p->error ? "error" : "ok");
	char t0[32], t1[32];
	int rc = !o;

	sfmc_report_time(p->start_time, t0);
	sfmc_report_time(p->end_time, t1);
	if (o && p->error)
		rc |= sfmc_json_set_shown(r, o, "error", p->error, strlen(p->error));
	if (o) {
		rc |= json_object_set_new(o, "exit_code", p->exit_code < 0 ? json_null() : json_integer(p->exit_code));
		rc |= json_object_set_new(o, "findings", json_integer((json_int_t)p->nfindings));
		rc |= json_object_set_new(o, "stats",
					  json_pack("{s:I, s:I, s:I, s:I}", "files", (json_int_t)p->res.stats.files,
						    "bytes", (json_int_t)p->res.stats.bytes, "skipped",
						    (json_int_t)p->res.stats.skipped, "duration_ms",
						    (json_int_t)p->res.stats.duration_ms));
		rc |= json_object_set_new(o, "start_time", json_string(t0));
		rc |= json_object_set_new(o, "end_time", json_string(t1));
		rc |= json_object_set_new(o, "skipped", sfmc_json_issues(r, p->res.skipped, p->res.nskipped, "reason"));
		rc |= json_object_set_new(o, "errors", sfmc_json_issues(r, p->res.errors, p->res.nerrors, "message"));
		rc |= json_object_set_new(o, "shallow", json_boolean(p->res.shallow));
	}
	for (size_t i = 0; !rc && i < p->res.nshallow; i++) {
		if (i == 0)
			rc |= json_object_set_new(o, "shallow_commits", json_array());
		rc |= json_array_append_new(json_object_get(o, "shallow_commits"),
					    json_string(p->res.shallow_commits[i]));
	}
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *finding_line(const sfmc_reporter *r, const sfmc_finding *f)
{
	json_t *o = json_pack("{s:s}", "type", "finding"), *v = sfmc_json_finding(r, f);
	const char *k;
	json_t *e;

	if (o && v)
		json_object_foreach(v, k, e) if (json_object_set(o, k, e))
		{
			json_decref(o);
			o = NULL;
			break;
		}
	json_decref(v);
	if (!v) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The audit JSONL: per repository (sorted) its line, then its findings (sorted). */
static int write_jsonl(const sfmc_reporter *r, const sfmc_merge *m)
{
	size_t k = 0;

	for (size_t i = 0; i <= m->nrepos; i++) {
		const char *name = i < m->nrepos ? m->repos[i].name : NULL;
		if (name && sfmc_json_dump(repo_line(r, &m->repos[i]), r->out, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
			return -1;
		for (; k < m->res.nfindings && (!name || !strcmp(m->res.findings[k].repository, name)); k++)
			if (sfmc_json_dump(finding_line(r, &m->res.findings[k]), r->out,
					   JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
				return -1;
	}
	if (fflush(r->out) != 0 || ferror(r->out))
		return sfmc_error_set_errno("cannot write the jsonl report");
	return 0;
}

typedef struct merge_out {
	const sfmc_merge *m;
	const sfmc_scan_meta *meta;
	sfmc_report_opts ropts;
	const sfmc_results *view;
} merge_out;

/* One report: FORMAT to PATH (NULL: stdout). Returns 0 or -1 (printed). */
static int write_one(const merge_out *o, const char *format, const char *path, bool show_secrets)
{
	FILE *out = sfmc_app_open_output(path, show_secrets);
	sfmc_reporter r = { .out = out, .meta = o->meta, .opts = &o->ropts };
	int rc = -1;

	if (out)
		rc = !strcmp(format, "jsonl") ? write_jsonl(&r, o->m)
					      : sfmc_report_write(format, out, o->meta, &o->ropts, o->view);
	if (rc < 0)
		sfmc_app_fail(sfmc_error_last());
	if (out && out != stdout && fclose(out) != 0) {
		fprintf(stderr, "sfmc-scan: %s: cannot write the report\n", path);
		rc = -1;
	}
	return rc;
}

static void fill_meta(const sfmc_merge *m, sfmc_scan_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	meta->mode = "audit";
	meta->unit = "blob";
	meta->units = "blobs";
	meta->git = true;
	meta->rules = m->rules;
	for (size_t i = 0; i < m->nrepos; i++) {
		if (!meta->start_time || (m->repos[i].start_time && m->repos[i].start_time < meta->start_time))
			meta->start_time = m->repos[i].start_time;
		if (m->repos[i].end_time > meta->end_time)
			meta->end_time = m->repos[i].end_time;
	}
}

static int cmp_triage(const void *a, const void *b)
{
	const sfmc_merge_triage *x = a, *y = b;
	int c = strcmp(x->repository, y->repository);

	return c ? c : strcmp(x->fingerprint, y->fingerprint);
}

/* The triage a report showed for f's secret in f's repository, or NULL. */
static const char *triage_cb(void *ctx, const sfmc_finding *f, const char **reason)
{
	const sfmc_merge *m = ctx;
	sfmc_merge_triage key = { .repository = f->repository }, *t;

	snprintf(key.fingerprint, sizeof(key.fingerprint), "%s", f->fingerprint);
	t = m->ntriage && f->repository ? bsearch(&key, m->triage, m->ntriage, sizeof(key), cmp_triage) : NULL;
	*reason = t ? t->reason : NULL;
	return t ? t->status : NULL;
}

static const char *origin_cb(void *ctx, const sfmc_finding *f, const char **web_url)
{
	(void)ctx;
	*web_url = NULL;
	return f->repository;
}

static const char *verification_cb(void *ctx, const sfmc_finding *f)
{
	(void)ctx;
	return f->verify ? sfmc_verify_status_name(f->verify) : NULL;
}

static const char *client_cb(void *ctx, const sfmc_finding *f, const char **tenant)
{
	(void)ctx;
	*tenant = f->context[SFMC_CONTEXT_SUBDOMAIN].value;
	return f->context[SFMC_CONTEXT_CLIENT_ID].value;
}

/* What reports ask of the findings read back: triage, repository, verification, client. */
static void set_context(sfmc_merge *m)
{
	bool verified = false;

	for (size_t i = 0; i < m->res.nfindings && !verified; i++)
		verified = m->res.findings[i].verify != SFMC_VERIFY_NONE;
	if (m->ntriage)
		qsort(m->triage, m->ntriage, sizeof(*m->triage), cmp_triage);
	m->rctx = (sfmc_report_context){ .triage = m->ntriage ? triage_cb : NULL,
					 .origin = origin_cb,
					 .verification = verified ? verification_cb : NULL,
					 .client = client_cb,
					 .ctx = m };
}

/* The exit code once every report is written. */
static int merge_exit(const sfmc_merge *m, const sfmc_cli *cli, bool written)
{
	size_t failed = 0;

	for (size_t i = 0; i < m->nrepos; i++)
		failed += m->repos[i].error != NULL;
	if (!cli->quiet || failed)
		fprintf(stderr, "sfmc-scan: %zu repositor%s, %zu not scanned completely\n", m->nrepos,
			m->nrepos == 1 ? "y" : "ies", failed);
	if (failed || !written)
		return SFMC_EXIT_ERROR;
	if (cli->fail_on_live)
		return sfmc_results_any_live(&m->res) ? SFMC_EXIT_FINDINGS : SFMC_EXIT_CLEAN;
	if (cli->fail_on != SFMC_LEVEL_NONE && sfmc_results_max_level(&m->res) >= cli->fail_on)
		return SFMC_EXIT_FINDINGS;
	return SFMC_EXIT_CLEAN;
}

int sfmc_merge_report(sfmc_merge *m, const sfmc_cli *cli)
{
	sfmc_scan_meta meta;
	sfmc_results view;
	sfmc_groups groups = { 0 };
	merge_out o = { .m = m, .meta = &meta, .view = &view };
	bool written = true;
	int rc = SFMC_EXIT_ERROR;

	if (m->nrepos)
		qsort(m->repos, m->nrepos, sizeof(*m->repos), cmp_repo);
	sfmc_results_sort(&m->res);
	fill_meta(m, &meta);
	if (build_view(m, &view) < 0 || (cli->group && sfmc_groups_build(&groups, &view) < 0)) {
		sfmc_app_fail(sfmc_error_last());
		goto cleanup;
	}
	o.ropts.show_secrets = cli->show_secrets;
	o.ropts.quiet = cli->quiet;
	o.ropts.fail_on = cli->fail_on;
	o.ropts.groups = cli->group ? &groups : NULL;
	set_context(m);
	o.ropts.context = &m->rctx;
	written = write_one(&o, cli->format_set ? cli->format : "jsonl", cli->output, cli->show_secrets) == 0;
	sfmc_report_summary(&meta, &o.ropts, &view);
	for (int i = 0; i < cli->nreports; i++)
		written &= write_one(&o, cli->reports[i].format, cli->reports[i].path, cli->show_secrets) == 0;
	rc = merge_exit(m, cli, written);
cleanup:
	sfmc_groups_dispose(&groups);
	view_dispose(&view);
	return rc;
}

/* Two inputs (or two lines of a --repos file) naming one repository. */
static int check_unique(const sfmc_merge *m)
{
	for (size_t i = 1; i < m->nrepos; i++)
		if (!strcmp(m->repos[i - 1].name, m->repos[i].name))
			return sfmc_error_set("repository '%s' is in more than one input: merge each shard once",
					      m->repos[i].name);
	return 0;
}

int sfmc_cmd_merge(const sfmc_cli *cli)
{
	sfmc_ruleset rules;
	sfmc_merge m;
	int rc = SFMC_EXIT_ERROR;

	if (!cli->nargs)
		return sfmc_app_fail("merge: give the audit JSONL files to merge (see sfmc-scan merge --help)");
	if (sfmc_app_load_rules(cli, &rules) < 0) {
		sfmc_rules_dispose(&rules);
		return sfmc_app_fail(sfmc_error_last());
	}
	sfmc_merge_init(&m, &rules);
	for (int i = 0; i < cli->nargs; i++)
		if (sfmc_merge_read(&m, cli->args[i]) < 0) {
			sfmc_app_fail(sfmc_error_last());
			goto cleanup;
		}
	if (m.nrepos)
		qsort(m.repos, m.nrepos, sizeof(*m.repos), cmp_repo);
	if (check_unique(&m) < 0) {
		sfmc_app_fail(sfmc_error_last());
		goto cleanup;
	}
	rc = sfmc_merge_report(&m, cli);
cleanup:
	sfmc_merge_dispose(&m);
	sfmc_rules_dispose(&rules);
	return rc;
}
