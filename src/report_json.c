/* report_json.c - --format json: one object with findings, stats, skips and
 * errors, built with jansson. */
#include "report_json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static const char *suppress_kind(sfmc_suppress_kind k)
{
	switch (k) {
	case SFMC_SUPPRESS_INLINE: return "inline";
	case SFMC_SUPPRESS_CONFIG: return "config";
	case SFMC_SUPPRESS_BASELINE: return "baseline";
	default: return "none";
	}
}

static int add_commit(json_t *o, const sfmc_finding *f)
{
	const sfmc_commit_info *c = f->commit;
	char when[32];
	int rc = 0;

	sfmc_report_time(c->time, when);
	rc |= json_object_set_new(o, "commit", json_string(c->commit));
	rc |= sfmc_json_set_bytes(o, "author_name", c->author_name ? c->author_name : "",
				  c->author_name ? strlen(c->author_name) : 0);
	rc |= sfmc_json_set_bytes(o, "author_email", c->author_email ? c->author_email : "",
				  c->author_email ? strlen(c->author_email) : 0);
	rc |= json_object_set_new(o, "commit_time", json_string(when));
	rc |= sfmc_json_set_bytes(o, "summary", c->summary ? c->summary : "", c->summary ? strlen(c->summary) : 0);
	rc |= json_object_set_new(o, "likely_expired", json_boolean(sfmc_report_likely_expired(f, (int64_t)time(NULL))));
	return rc ? -1 : 0;
}

json_t *sfmc_json_finding(const sfmc_reporter *r, const sfmc_finding *f)
{
	json_t *o = json_object();
	char *secret = sfmc_report_secret(r, f);
	int rc = 0;

	if (!o || !secret)
		goto fail;
	rc |= json_object_set_new(o, "rule_id", json_string(f->rule->id));
	rc |= json_object_set_new(o, "level", json_string(sfmc_level_name(f->level)));
	rc |= json_object_set_new(o, "checksum_valid", json_boolean(f->checksum_valid));
	rc |= sfmc_json_set_bytes(o, "path", f->path, f->path_len);
	rc |= json_object_set_new(o, "line", json_integer((json_int_t)f->line));
	rc |= json_object_set_new(o, "column", json_integer((json_int_t)f->column));
	rc |= json_object_set_new(o, "end_column", json_integer((json_int_t)f->end_column));
	rc |= sfmc_json_set_bytes(o, "secret", secret, strlen(secret));
	rc |= json_object_set_new(o, "fingerprint", json_string(f->fingerprint));
	rc |= json_object_set_new(o, "encoding", json_string(f->encoding ? f->encoding : "plain"));
	if (f->blob[0])
		rc |= json_object_set_new(o, "blob", json_string(f->blob));
	if (f->commit)
		rc |= add_commit(o, f);
	if (f->suppressed) {
		json_t *s = json_pack("{s:s, s:s}", "kind", suppress_kind(f->suppressed), "reason",
				      f->suppress_reason ? f->suppress_reason : "");
		rc |= json_object_set_new(o, "suppression", s);
	}
	free(secret);
	if (rc)
		goto fail;
	return o;
fail:
	free(secret);
	json_decref(o);
	sfmc_error_set("out of memory building JSON");
	return NULL;
}

json_t *sfmc_json_issues(const sfmc_issue *v, size_t n, const char *textkey)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_object();
		if (!o || sfmc_json_set_bytes(o, "path", v[i].path, strlen(v[i].path)) ||
		    sfmc_json_set_bytes(o, textkey, v[i].text, strlen(v[i].text)) || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
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
	    json_object_set(root, "findings", st->findings) ||
	    json_object_set(root, "suppressed", st->suppressed) ||
	    json_object_set_new(root, "stats", stats) ||
	    json_object_set_new(root, "skipped", sfmc_json_issues(res->skipped, res->nskipped, "reason")) ||
	    json_object_set_new(root, "errors", sfmc_json_issues(res->errors, res->nerrors, "message"))) {
		json_decref(root);
		return sfmc_error_set("out of memory building JSON");
	}
	return sfmc_json_dump(root, r->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

static void json_free(sfmc_reporter *r)
{
	json_state *st = r->state;
	if (st) {
		json_decref(st->findings);
		json_decref(st->suppressed);
	}
	free(st);
}

int sfmc_report_json_new(sfmc_reporter *r)
{
	if (!(r->state = calloc(1, sizeof(json_state))))
		return sfmc_error_set("out of memory");
	r->begin = json_begin;
	r->finding = json_finding;
	r->end = json_end;
	r->free = json_free;
	return 0;
}
