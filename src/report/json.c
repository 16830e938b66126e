/* json.c - --format json: one object with findings, stats, skips and
 * errors, built with jansson. */
#include "report/json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "triage/group.h"
#include "util/error.h"
#include "util/text.h"

#ifndef SFMC_VERSION
#define SFMC_VERSION "0.0.0"
#endif

int sfmc_json_set_bytes(json_t *obj, const char *key, const char *s, size_t len)
{
	char *lossy, *b64, kb[64];
	int rc;

	if (sfmc_text_is_utf8(s, len))
		return json_object_set_new(obj, key, json_stringn(s, len));
	lossy = sfmc_text_lossy_utf8(s, len);
	b64 = sfmc_text_base64(s, len);
	snprintf(kb, sizeof(kb), "%s_bytes", key);
	rc = (!lossy || !b64 || json_object_set_new(obj, key, json_string(lossy)) ||
	      json_object_set_new(obj, kb, json_string(b64))) ? -1 : 0;
	free(lossy);
	free(b64);
	return rc;
}

int sfmc_json_set_shown(const sfmc_reporter *r, json_t *obj, const char *key, const char *s, size_t len)
{
	size_t n;
	char *shown = sfmc_report_str(r, s, len, &n);
	int rc = shown ? sfmc_json_set_bytes(obj, key, shown, n) : -1;

	free(shown);
	return rc;
}

static size_t len0(const char *s)
{
	return s ? strlen(s) : 0;
}

static int add_commit(const sfmc_reporter *r, json_t *o, const sfmc_finding *f)
{
	const sfmc_commit_info *c = f->commit;
	char when[32];
	int rc = 0;

	sfmc_report_time(c->time, when);
	rc |= json_object_set_new(o, "commit", json_string(c->commit));
	rc |= sfmc_json_set_shown(r, o, "author_name", c->author_name, len0(c->author_name));
	rc |= sfmc_json_set_shown(r, o, "author_email", c->author_email, len0(c->author_email));
	rc |= json_object_set_new(o, "commit_time", json_string(when));
	rc |= sfmc_json_set_shown(r, o, "summary", c->summary, len0(c->summary));
	rc |= json_object_set_new(o, "likely_expired", json_boolean(sfmc_report_likely_expired(f, (int64_t)time(NULL))));
	if (f->rule->max_lifetime_days) {
		sfmc_report_time(c->time + (int64_t)f->rule->max_lifetime_days * 86400, when);
		rc |= json_object_set_new(o, "expires_by", json_string(when));
	}
	return rc ? -1 : 0;
}

/* "context": {client_id: {value, line[, others]}, ...}; values are
 * identifiers from scanned content: through the choke point, which leaves
 * them whole (they match no secret rule). */
static int add_context(const sfmc_reporter *r, json_t *o, const sfmc_finding *f)
{
	json_t *ctx = json_object();
	int rc = ctx ? 0 : -1;

	for (int k = 1; k < SFMC_CONTEXT_KINDS && ctx; k++) {
		const sfmc_context_value *v = &f->context[k];
		json_t *e;
		if (!v->value)
			continue;
		e = json_pack("{s:I}", "line", (json_int_t)v->line);
		rc |= !e || sfmc_json_set_shown(r, e, "value", v->value, strlen(v->value));
		if (e && v->others)
			rc |= json_object_set_new(e, "others", json_integer(v->others));
		rc |= json_object_set_new(ctx, sfmc_context_kind_name((sfmc_context_kind)k), e);
	}
	rc |= json_object_set_new(o, "context", ctx);
	return rc ? -1 : 0;
}

static int add_verification(json_t *o, const sfmc_finding *f)
{
	json_t *v = json_pack("{s:s}", "status", sfmc_verify_status_name(f->verify));
	int rc = v ? 0 : -1;

	if (v && f->verify_reason)
		rc |= json_object_set_new(v, "reason", json_string(f->verify_reason));
	if (v && f->verify_http)
		rc |= json_object_set_new(v, "http_status", json_integer(f->verify_http));
	rc |= json_object_set_new(o, "verification", v);
	return rc ? -1 : 0;
}

/* "archive_path": the outer file then each member, every part through the choke point. */
static int add_archive_path(const sfmc_reporter *r, json_t *o, const sfmc_finding *f)
{
	json_t *a = json_array(), *holder = json_object();
	size_t outer = f->path_len - f->member_len - 1, at = 0;
	int rc = !a || !holder || sfmc_json_set_shown(r, holder, "p", f->path, outer) ||
		 json_array_append(a, json_object_get(holder, "p"));

	while (rc == 0 && at <= f->member_len) {
		const char *part = f->member + at, *end = memchr(part, '\0', f->member_len - at);
		size_t n = end ? (size_t)(end - part) : f->member_len - at;
		rc = sfmc_json_set_shown(r, holder, "p", part, n) || json_array_append(a, json_object_get(holder, "p"));
		at += n + 1;
	}
	json_decref(holder);
	if (rc || json_object_set_new(o, "archive_path", a)) {
		json_decref(rc ? a : NULL);
		return -1;
	}
	return 0;
}

/* "triage": {"status", "reason"} when a datastore knows the secret's triage
 * (the reason is the user's own text from `triage --reason`). */
static int add_triage(const sfmc_reporter *r, json_t *o, const sfmc_finding *f)
{
	const sfmc_report_context *c = r->opts->context;
	const char *reason = NULL, *status = c && c->triage ? c->triage(c->ctx, f, &reason) : NULL;
	json_t *t;

	if (!status)
		return 0;
	if (!(t = json_pack("{s:s}", "status", status)) ||
	    (reason && json_object_set_new(t, "reason", json_string(reason))))
		return json_decref(t), -1;
	return json_object_set_new(o, "triage", t);
}

json_t *sfmc_json_finding(const sfmc_reporter *r, const sfmc_finding *f)
{
	json_t *o = json_object();
	char *secret = sfmc_report_secret(r, f);
	int rc = 0;

	if (!o || !secret)
		goto fail;
	/* The repository: audit and merge name each finding's; `git URL` names the one it cloned (merged
	 * reports of many). A local scan's findings have no such key. */
	if (f->repository || r->meta->repository)
		rc |= json_object_set_new(o, "repository",
					  json_string(f->repository ? f->repository : r->meta->repository));
	rc |= json_object_set_new(o, "rule_id", json_string(f->rule->id));
	rc |= json_object_set_new(o, "level", json_string(sfmc_level_name(f->level)));
	rc |= json_object_set_new(o, "checksum_valid", json_boolean(f->checksum_valid));
	if (f->location == SFMC_LOCATION_FILE) { /* files keep the reports they always had: no location key */
		rc |= sfmc_json_set_shown(r, o, "path", f->path, f->path_len);
		if (f->member && f->path_len > f->member_len)
			rc |= add_archive_path(r, o, f);
	} else {
		rc |= json_object_set_new(o, "location", json_string(sfmc_location_name(f->location)));
	}
	if (f->location == SFMC_LOCATION_TAG_MESSAGE) {
		json_t *t = json_pack("{s:s}", "id", f->tag_id);
		rc |= !t || sfmc_json_set_shown(r, t, "name", f->tag, len0(f->tag));
		rc |= json_object_set_new(o, "tag", t);
	}
	rc |= json_object_set_new(o, "line", json_integer((json_int_t)f->line));
	rc |= json_object_set_new(o, "column", json_integer((json_int_t)f->column));
	rc |= json_object_set_new(o, "end_column", json_integer((json_int_t)f->end_column));
	rc |= sfmc_json_set_bytes(o, "secret", secret, strlen(secret));
	rc |= json_object_set_new(o, "fingerprint", json_string(f->fingerprint));
	rc |= json_object_set_new(o, "encoding", json_string(f->encoding ? f->encoding : "plain"));
	if (f->blob[0])
		rc |= json_object_set_new(o, "blob", json_string(f->blob));
	if (f->commit)
		rc |= add_commit(r, o, f);
	rc |= add_context(r, o, f);
	if (f->verify)
		rc |= add_verification(o, f);
	rc |= add_triage(r, o, f);
	if (f->suppressed) {
		json_t *s = json_pack("{s:s}", "kind", sfmc_suppress_kind_name(f->suppressed));
		rc |= !s || sfmc_json_set_shown(r, s, "reason", f->suppress_reason, len0(f->suppress_reason));
		rc |= json_object_set_new(o, "suppression", s);
	}
	free(secret);
	secret = NULL; /* fail: frees it too */
	if (rc)
		goto fail;
	return o;
fail:
	free(secret);
	json_decref(o);
	sfmc_error_set("out of memory building JSON");
	return NULL;
}

json_t *sfmc_json_issues(const sfmc_reporter *r, const sfmc_issue *v, size_t n, const char *textkey)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_object();
		if (!o || sfmc_json_set_shown(r, o, "path", v[i].path, strlen(v[i].path)) ||
		    sfmc_json_set_shown(r, o, textkey, v[i].text, strlen(v[i].text))) {
			json_decref(o);
			o = NULL; /* append_new(NULL) fails without freeing a */
		}
		if (json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *sfmc_json_string_max(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return json_string(s);
	while (n > 0 && (n > max || ((unsigned char)s[n] & 0xc0) == 0x80))
		n--;
	return json_stringn(s, n);
}

int sfmc_json_dump(json_t *j, FILE *out, size_t flags)
{
	int rc;
	if (!j)
		return sfmc_error_set("out of memory building JSON");
	rc = json_dumpf(j, out, flags);
	json_decref(j);
	if (rc < 0 || fputc('\n', out) == EOF)
		return sfmc_error_set_errno("cannot write JSON");
	return 0;
}

typedef struct json_state {
	json_t *findings, *suppressed;
} json_state;

static int json_begin(sfmc_reporter *r)
{
	json_state *st = r->state;
	st->findings = json_array();
	st->suppressed = json_array();
	return st->findings && st->suppressed ? 0 : sfmc_error_set("out of memory");
}

static int json_finding(sfmc_reporter *r, const sfmc_finding *f)
{
	json_state *st = r->state;
	json_t *o = sfmc_json_finding(r, f);
	if (!o || json_array_append_new(f->suppressed ? st->suppressed : st->findings, o))
		return -1;
	return 0;
}

/* {"commit", "time"} of a first/last-seen location, or null. */
static json_t *json_seen(const sfmc_finding *f)
{
	char when[32];

	if (!f)
		return json_null();
	sfmc_report_time(f->commit->time, when);
	return json_pack("{s:s, s:s}", "commit", f->commit->commit, "time", when);
}

/* The distinct commits of a group, oldest first. */
static json_t *json_group_commits(const sfmc_group *g)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < g->n; i++)
		if (sfmc_group_new_commit(g, i) && json_array_append_new(a, json_string(g->items[i]->commit->commit))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* audit, merge: the distinct repositories of a group, in the order of its locations (oldest first). */
static int json_group_repositories(json_t *o, const sfmc_group *g)
{
	json_t *a;

	if (!g->items[0]->repository)
		return 0;
	if (!(a = json_array()))
		return -1;
	for (size_t i = 0; i < g->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < json_array_size(a) && !seen; j++)
			seen = !strcmp(json_string_value(json_array_get(a, j)), g->items[i]->repository);
		if (!seen && json_array_append_new(a, json_string(g->items[i]->repository))) {
			json_decref(a);
			return -1;
		}
	}
	return json_object_set_new(o, "repositories", a);
}

/* dst gets each kind's value (line numbers differ between locations). */
static void context_values(json_t *dst, json_t *ctx)
{
	const char *k;
	json_t *v;

	if (!dst || !ctx)
		return;
	json_object_foreach(ctx, k, v) json_object_set(dst, k, json_object_get(v, "value"));
}

/* Every distinct context seen with a group's secret ({client_id, subdomain, account_id} values). */
static json_t *json_group_contexts(const sfmc_reporter *r, const sfmc_group *g)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < g->n; i++) {
		json_t *c = json_object(), *loc = sfmc_json_finding(r, g->items[i]), *ctx;
		bool dup = false;
		ctx = loc ? json_object_get(loc, "context") : NULL;
		context_values(c, ctx);
		for (size_t j = 0; j < json_array_size(a) && !dup; j++)
			dup = json_equal(json_array_get(a, j), c);
		if (!dup && json_object_size(c) && json_array_append(a, c))
			a = (json_decref(a), NULL);
		json_decref(c);
		json_decref(loc);
	}
	return a;
}

static json_t *json_group(const sfmc_reporter *r, const sfmc_group *g)
{
	json_t *o = json_object(), *locs = json_array();
	char *secret = sfmc_report_secret(r, g->items[0]);
	int rc = !o || !locs || !secret;

	for (size_t i = 0; !rc && i < g->n; i++)
		rc |= json_array_append_new(locs, sfmc_json_finding(r, g->items[i]));
	if (!rc) {
		rc |= json_object_set_new(o, "fingerprint", json_string(g->items[0]->fingerprint));
		rc |= json_object_set_new(o, "rule_id", json_string(g->items[0]->rule->id));
		rc |= json_object_set_new(o, "level", json_string(sfmc_level_name(g->level)));
		rc |= sfmc_json_set_bytes(o, "secret", secret, strlen(secret));
		rc |= json_object_set_new(o, "suppressed", json_boolean(g->nsuppressed == g->n));
		rc |= json_object_set_new(o, "first_seen", json_seen(g->first_seen));
		rc |= json_object_set_new(o, "last_seen", json_seen(g->last_seen));
		rc |= json_object_set_new(o, "present_at_head", g->at_head < 0 ? json_null() : json_boolean(g->at_head));
		rc |= json_object_set_new(o, "commits", json_group_commits(g));
		rc |= json_group_repositories(o, g);
		rc |= json_object_set(o, "locations", locs);
		rc |= json_object_set_new(o, "contexts", json_group_contexts(r, g));
	}
	free(secret);
	json_decref(locs);
	if (rc) {
		json_decref(o);
		sfmc_error_set("out of memory building JSON");
		return NULL;
	}
	return o;
}

/* Adds "groups" (--group) to root. */
static int json_groups(const sfmc_reporter *r, json_t *root)
{
	const sfmc_groups *gs = r->opts->groups;
	json_t *a = json_array();

	for (size_t i = 0; a && i < gs->n; i++)
		if (json_array_append_new(a, json_group(r, &gs->v[i]))) {
			json_decref(a);
			a = NULL;
		}
	if (!a || json_object_set_new(root, "groups", a))
		return sfmc_error_set("out of memory building JSON");
	return 0;
}

/* The boundary commits of a shallow clone (the history behind them is not scanned). */
static json_t *shallow_commits(const sfmc_results *res)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < res->nshallow; i++)
		if (json_array_append_new(a, json_string(res->shallow_commits[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static int json_end(sfmc_reporter *r, const sfmc_results *res)
{
	json_state *st = r->state;
	json_t *root = json_object(), *stats;

	stats = json_pack("{s:I, s:I, s:I, s:I}", "files", (json_int_t)res->stats.files, "bytes",
			  (json_int_t)res->stats.bytes, "skipped", (json_int_t)res->stats.skipped, "duration_ms",
			  (json_int_t)res->stats.duration_ms);
	if (!root || !stats ||
	    json_object_set_new(root, "tool", json_pack("{s:s, s:s}", "name", "sfmc-scan", "version", SFMC_VERSION)) ||
	    json_object_set_new(root, "mode", json_string(r->meta->mode)) ||
	    (r->meta->repository && json_object_set_new(root, "repository", json_string(r->meta->repository))) ||
	    json_object_set(root, "findings", st->findings) || json_object_set(root, "suppressed", st->suppressed) ||
	    json_object_set_new(root, "stats", stats) ||
	    json_object_set_new(root, "skipped", sfmc_json_issues(r, res->skipped, res->nskipped, "reason")) ||
	    json_object_set_new(root, "errors", sfmc_json_issues(r, res->errors, res->nerrors, "message")) ||
	    (res->shallow && (json_object_set_new(root, "shallow", json_true()) ||
			      json_object_set_new(root, "shallow_commits", shallow_commits(res)))) ||
	    (r->opts->groups && json_groups(r, root) < 0)) {
		json_decref(root);
		return sfmc_error_set("out of memory building JSON");
	}
	return sfmc_json_dump(root, r->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

static void json_dispose(sfmc_reporter *r)
{
	json_state *st = r->state;

	json_decref(st->findings);
	json_decref(st->suppressed);
}

const sfmc_report_type sfmc_report_type_json = {
	.name = "json",
	.state_size = sizeof(json_state),
	.begin = json_begin,
	.finding = json_finding,
	.end = json_end,
	.dispose = json_dispose,
};
