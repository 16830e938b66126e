/* sarif.c - --format sarif: SARIF 2.1.0 for GitHub code scanning and
 * other SARIF viewers, built with jansson. One run; every rule described;
 * locations relative to %SRCROOT% (the scanned root); errors become tool
 * execution notifications and executionSuccessful=false. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/bounds.h"
#include "report/json.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

#ifndef SFMC_VERSION
#define SFMC_VERSION "0.0.0"
#endif

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#define SRCROOT "%SRCROOT%"
/* GitHub's limits on rule fields (characters; bytes are never more). */
#define SARIF_NAME_MAX 255
#define SARIF_DESCRIPTION_MAX 1024

/* primaryLocationLineHash keys seen so far, for the ":occurrence" suffix. */
typedef struct sarif_state {
	json_t *results;
	json_t *seen;    /* hash -> count */
	size_t nresults; /* results kept (GitHub rejects more than SFMC_SARIF_MAX_RESULTS) */
	size_t dropped;
} sarif_state;

static const char *nonempty(const char *s, const char *fallback)
{
	return s && *s ? s : fallback;
}

/* help.markdown: the remediation with a heading; numbered steps stay a list. */
static json_t *help_markdown(const sfmc_rule *rule)
{
	sfmc_buf b = SFMC_BUF_INIT;
	json_t *j = NULL;

	sfmc_buf_init(&b, 0);
	if (sfmc_buf_printf(&b, "## %s\n\n%s\n\n### How to fix\n\n%s\n", nonempty(rule->name, rule->id),
			    nonempty(rule->description, nonempty(rule->name, rule->id)),
			    nonempty(rule->remediation, "Rotate the secret, then remove it from the code.")) == 0)
		j = json_stringn(b.ptr, b.size);
	sfmc_buf_dispose(&b);
	return j;
}

static json_t *rule_object(const sfmc_rule *rule)
{
	const char *name = nonempty(rule->name, rule->id);
	const char *full = nonempty(rule->description, name);

	return json_pack("{s:s, s:o, s:{s:o}, s:{s:o}, s:{s:s, s:o}, s:{s:s}, s:{s:[s, s], s:s, s:s}}",
			 "id", rule->id, "name", sfmc_json_string_max(name, SARIF_NAME_MAX),
			 "shortDescription", "text", sfmc_json_string_max(name, SARIF_DESCRIPTION_MAX),
			 "fullDescription", "text", sfmc_json_string_max(full, SARIF_DESCRIPTION_MAX),
			 "help", "text", nonempty(rule->remediation, "Rotate the secret, then remove it from the code."),
			 "markdown", help_markdown(rule),
			 "defaultConfiguration", "level", "error",
			 "properties", "tags", "security", "secret",
			 "security-severity", sfmc_rule_security_severity(rule),
			 "precision", rule->has_checksum ? "very-high" : "medium");
}

static json_t *driver(const sfmc_ruleset *rules)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < rules->nrules; i++)
		if (json_array_append_new(arr, rule_object(&rules->rules[i]))) {
			json_decref(arr);
			return NULL;
		}
	return json_pack("{s:s, s:s, s:s, s:o*}", "name", "sfmc-scan", "version", SFMC_VERSION, "semanticVersion",
			 SFMC_VERSION, "rules", arr);
}

/* The file URI of the directory paths are relative to, with a trailing
 * slash: the work tree in git modes, a single directory root of `dir`, else
 * the working directory (file roots and several roots are reported as given). */
static json_t *srcroot(const sfmc_reporter *r)
{
	const sfmc_scan_meta *meta = r->meta;
	char *real = NULL, *uri = NULL, *red = NULL;
	size_t n;
	const char *base = ".";
	struct stat st;
	sfmc_buf b = SFMC_BUF_INIT;
	json_t *j = NULL;

	if (meta->git && meta->workdir)
		base = meta->workdir;
	else if (meta->nroots == 1 && stat(meta->roots[0], &st) == 0 && S_ISDIR(st.st_mode))
		base = meta->roots[0];
	if ((real = realpath(base, NULL)) && (red = sfmc_report_str(r, real, strlen(real), &n)))
		uri = sfmc_text_uri_path(red, n);
	free(real);
	free(red);
	if (!uri)
		return NULL;
	sfmc_buf_init(&b, 0);
	if (sfmc_buf_printf(&b, "file://%s%s", uri, uri[strlen(uri) - 1] == '/' ? "" : "/") == 0)
		j = json_pack("{s:{s:s}}", SRCROOT, "uri", b.ptr);
	sfmc_buf_dispose(&b);
	free(uri);
	return j;
}

/* {"uri": ..., "uriBaseId": "%SRCROOT%"} for a path (redacted); absolute paths become file URIs. */
static json_t *artifact_location(const sfmc_reporter *r, const char *path, size_t len)
{
	size_t n;
	char *red = sfmc_report_str(r, path, len, &n), *enc = red ? sfmc_text_uri_path(red, n) : NULL;
	const char *colon, *slash;
	sfmc_buf b = SFMC_BUF_INIT;
	json_t *j = NULL;

	free(red);
	if (!enc)
		return NULL;
	sfmc_buf_init(&b, 0);
	colon = strchr(enc, ':');
	slash = strchr(enc, '/');
	if (enc[0] == '/') {
		if (sfmc_buf_printf(&b, "file://%s", enc) == 0)
			j = json_pack("{s:s}", "uri", b.ptr);
	} else if (colon && (!slash || colon < slash)) {
		/* "a:b" would read as a URI scheme: "./a:b" stays a relative reference. */
		if (sfmc_buf_printf(&b, "./%s", enc) == 0)
			j = json_pack("{s:s, s:s}", "uri", b.ptr, "uriBaseId", SRCROOT);
	} else {
		j = json_pack("{s:s, s:s}", "uri", enc, "uriBaseId", SRCROOT);
	}
	sfmc_buf_dispose(&b);
	free(enc);
	return j;
}

/* Stable across line moves: rule, path and secret, plus the occurrence number. */
static json_t *line_hash(sarif_state *st, const sfmc_finding *f)
{
	sfmc_buf b = SFMC_BUF_INIT;
	char hex[65], key[32];
	json_int_t n;
	json_t *j = NULL;

	sfmc_buf_init(&b, 0);
	if (sfmc_buf_printf(&b, "%s", f->rule->id) < 0 || sfmc_buf_put(&b, "", 1) < 0 ||
	    sfmc_buf_put(&b, f->path, f->path_len) < 0 || sfmc_buf_put(&b, "", 1) < 0 ||
	    sfmc_buf_puts(&b, f->fingerprint) < 0 || sfmc_fingerprint_hex(b.ptr, b.size, hex) < 0)
		goto cleanup;
	snprintf(key, sizeof(key), "%.16s", hex);
	n = json_integer_value(json_object_get(st->seen, key)) + 1;
	if (json_object_set_new(st->seen, key, json_integer(n)) == 0) {
		sfmc_buf_clear(&b);
		if (sfmc_buf_printf(&b, "%s:%lld", key, (long long)n) == 0)
			j = json_string(b.ptr);
	}
cleanup:
	sfmc_buf_dispose(&b);
	return j;
}

/* result.properties: the JSON report's finding minus what SARIF already says. */
static json_t *result_properties(const sfmc_reporter *r, const sfmc_finding *f)
{
	static const char *const dup[] = { "rule_id", "level", "line", "column", "end_column", "suppression", "fingerprint" };
	json_t *p = sfmc_json_finding(r, f);
	for (size_t i = 0; p && i < sizeof(dup) / sizeof(dup[0]); i++)
		json_object_del(p, dup[i]);
	return p;
}

static json_t *suppressions(const sfmc_reporter *r, const sfmc_finding *f)
{
	const char *why = nonempty(f->suppress_reason, "suppressed");
	char *shown;
	json_t *j;

	if (!f->suppressed || !(shown = sfmc_report_str(r, why, strlen(why), NULL)))
		return NULL;
	j = json_pack("[{s:s, s:s, s:s}]", "kind", f->suppressed == SFMC_SUPPRESS_INLINE ? "inSource" : "external",
		      "status", "accepted", "justification", shown);
	free(shown);
	return j;
}

static json_t *message(const sfmc_reporter *r, const sfmc_finding *f)
{
	char *secret = sfmc_report_secret(r, f), *shown;
	sfmc_buf b = SFMC_BUF_INIT;
	json_t *j = NULL;

	if (!secret)
		return NULL;
	shown = sfmc_text_lossy_utf8(secret, strlen(secret));
	sfmc_buf_init(&b, 0);
	if (shown &&
	    sfmc_buf_printf(&b, "%s %s. Secret %s%s%s. %s", nonempty(f->rule->name, f->rule->id),
			    f->level == SFMC_LEVEL_ERROR ? "found" : "look-alike found (checksum does not verify)", shown,
			    f->encoding ? ", encoded as " : "", f->encoding ? f->encoding : "",
			    f->level == SFMC_LEVEL_ERROR ? "Rotate it: it may already have been copied."
							 : "If it is a real secret, rotate it.") == 0)
		j = json_pack("{s:s}", "text", b.ptr);
	if (j && f->commit && f->commit->commit[0]) {
		sfmc_buf_clear(&b);
		if (sfmc_buf_printf(&b, "%s Committed in %.12s.", json_string_value(json_object_get(j, "text")),
				    f->commit->commit) < 0 || json_object_set_new(j, "text", json_string(b.ptr))) {
			json_decref(j);
			j = NULL;
		}
	}
	sfmc_buf_dispose(&b);
	free(shown);
	free(secret);
	return j;
}

static int rule_index(const sfmc_reporter *r, const sfmc_rule *rule)
{
	const sfmc_ruleset *set = r->meta->rules;
	if (set && rule >= set->rules && rule < set->rules + set->nrules)
		return (int)(rule - set->rules);
	return -1;
}

/* A message has no file: its location is logical ("commit/<sha>/message"),
 * and the physical location GitHub requires of every result names the
 * same string as a relative URI outside %SRCROOT%. Returns 0 or -1. */
static int logical_location(const sfmc_reporter *r, const sfmc_finding *f, json_t *res)
{
	json_t *loc = json_array_get(json_object_get(res, "locations"), 0);
	json_t *art = json_object_get(json_object_get(loc, "physicalLocation"), "artifactLocation");
	char *name;
	json_t *l;

	if (f->location == SFMC_LOCATION_FILE)
		return 0;
	if (!loc || !art || !(name = sfmc_report_str(r, f->path, f->path_len, NULL)))
		return -1;
	json_object_del(art, "uriBaseId");
	l = json_pack("[{s:s, s:s}]", "fullyQualifiedName", name, "kind", "resource");
	free(name);
	return !l || json_object_set_new(loc, "logicalLocations", l) ? -1 : 0;
}

static int sarif_finding(sfmc_reporter *r, const sfmc_finding *f)
{
	sarif_state *st = r->state;
	json_t *res;
	int idx = rule_index(r, f->rule);

	if (st->nresults >= SFMC_SARIF_MAX_RESULTS) {
		st->dropped++;
		return 0;
	}
	res = json_pack("{s:s, s:s, s:o, s:[{s:{s:o, s:{s:I, s:I, s:I, s:I}}}], s:{s:s, s:o}, s:o, s:o*}", "ruleId",
			f->rule->id, "level", f->level == SFMC_LEVEL_ERROR ? "error" : "warning", "message",
			message(r, f), "locations", "physicalLocation", "artifactLocation",
			artifact_location(r, f->path, f->path_len), "region", "startLine", (json_int_t)f->line,
			"startColumn", (json_int_t)f->column, "endLine", (json_int_t)f->line, "endColumn",
			(json_int_t)f->end_column + 1, "partialFingerprints", "sfmcSecretSha256/v1", f->fingerprint,
			"primaryLocationLineHash", line_hash(st, f), "properties", result_properties(r, f),
			"suppressions", suppressions(r, f));
	if (!res || (idx >= 0 && json_object_set_new(res, "ruleIndex", json_integer(idx))) ||
	    logical_location(r, f, res) < 0 || json_array_append_new(st->results, res))
		return sfmc_error_set("out of memory building SARIF");
	st->nresults++;
	return 0;
}

static json_t *notification(const sfmc_reporter *r, const char *level, const sfmc_issue *is)
{
	sfmc_buf b = SFMC_BUF_INIT;
	char *lossy = NULL, *shown = NULL;
	size_t n;
	json_t *j = NULL;

	sfmc_buf_init(&b, 0);
	if (sfmc_buf_printf(&b, "%s: %s", is->path, is->text) == 0 && (shown = sfmc_report_str(r, b.ptr, b.size, &n)) &&
	    (lossy = sfmc_text_lossy_utf8(shown, n)))
		j = json_pack("{s:s, s:{s:s}, s:[{s:{s:o}}]}", "level", level, "message", "text", lossy, "locations",
			      "physicalLocation", "artifactLocation", artifact_location(r, is->path, strlen(is->path)));
	free(lossy);
	free(shown);
	sfmc_buf_dispose(&b);
	return j;
}

static json_t *invocation(const sfmc_reporter *r, const sfmc_results *res, size_t dropped)
{
	char t0[32], t1[32], msg[160];
	json_t *notes = json_array(), *inv;
	int rc = 0;

	for (size_t i = 0; notes && i < res->nerrors; i++)
		rc |= json_array_append_new(notes, notification(r, "error", &res->errors[i]));
	for (size_t i = 0; notes && i < res->nskipped; i++)
		rc |= json_array_append_new(notes, notification(r, "warning", &res->skipped[i]));
	if (dropped) {
		snprintf(msg, sizeof(msg), "%zu more results were left out: GitHub accepts at most %d per run", dropped,
			 SFMC_SARIF_MAX_RESULTS);
		rc |= json_array_append_new(notes, json_pack("{s:s, s:{s:s}}", "level", "warning", "message", "text", msg));
	}
	sfmc_report_time(r->meta->start_time, t0);
	sfmc_report_time(r->meta->end_time, t1);
	inv = json_pack("{s:b, s:s, s:s, s:o}", "executionSuccessful", res->nerrors == 0, "startTimeUtc", t0,
			"endTimeUtc", t1, "toolExecutionNotifications", notes);
	if (rc) {
		json_decref(inv);
		return NULL;
	}
	return inv;
}

/* `git URL`: the repository scanned, its HEAD commit and branch when known; NULL for a local scan.
 * The branch's name comes from the remote: shown through the choke point, like every ref. */
static json_t *provenance(const sfmc_reporter *r)
{
	const sfmc_scan_meta *meta = r->meta;
	size_t n = 0;
	char *shown = meta->branch ? sfmc_report_str(r, meta->branch, strlen(meta->branch), &n) : NULL;
	char *branch = shown ? sfmc_text_lossy_utf8(shown, n) : NULL; /* a ref name may be any bytes */
	json_t *j = NULL;

	free(shown);
	if (meta->repository_uri && (branch || !meta->branch))
		j = json_pack("[{s:s, s:s*, s:s*}]", "repositoryUri", meta->repository_uri, "revisionId",
			      meta->head_commit, "branch", branch);
	free(branch);
	return j;
}

static int sarif_begin(sfmc_reporter *r)
{
	sarif_state *st = r->state;
	st->results = json_array();
	st->seen = json_object();
	return st->results && st->seen ? 0 : sfmc_error_set("out of memory");
}

static int sarif_end(sfmc_reporter *r, const sfmc_results *res)
{
	sarif_state *st = r->state;
	char category[64];
	json_t *run, *root;

	/* One category per mode, so a dir scan and a git scan of one commit do not replace each other. */
	snprintf(category, sizeof(category), "sfmc-scan/%s/", r->meta->mode);
	run = json_pack("{s:{s:o}, s:{s:s}, s:o*, s:o*, s:[o], s:O}", "tool", "driver", driver(r->meta->rules),
			"automationDetails", "id", category, "originalUriBaseIds", srcroot(r),
			"versionControlProvenance", provenance(r), "invocations", invocation(r, res, st->dropped),
			"results", st->results);
	root = json_pack("{s:s, s:s, s:[o]}", "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs", run);
	if (!root)
		return sfmc_error_set("out of memory building SARIF");
	return sfmc_json_dump(root, r->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

static void sarif_dispose(sfmc_reporter *r)
{
	sarif_state *st = r->state;

	json_decref(st->results);
	json_decref(st->seen);
}

const sfmc_report_type sfmc_report_type_sarif = {
	.name = "sarif",
	.state_size = sizeof(sarif_state),
	.begin = sarif_begin,
	.finding = sarif_finding,
	.end = sarif_end,
	.dispose = sarif_dispose,
};
