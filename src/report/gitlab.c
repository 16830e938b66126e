/* gitlab.c - --format gitlab: a GitLab secret-detection report
 * (schema 15.2.1, gl-secret-detection-report.json), built with jansson.
 * Suppressed findings are left out: GitLab has no way to mark them. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/json.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

#ifndef SFMC_VERSION
#define SFMC_VERSION "0.0.0"
#endif

#define GITLAB_VERSION "15.2.1"
#define GITLAB_SCHEMA                                                                                        \
	"https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v" GITLAB_VERSION \
	"/dist/secret-detection-report-format.json"
/* location.commit.sha is required; a scan outside git has no commit. */
#define GITLAB_NO_COMMIT "0000000000000000000000000000000000000000"
/* GitLab's limits on name, solution and description (characters; bytes are never more). */
#define GITLAB_NAME_MAX 255
#define GITLAB_SOLUTION_MAX 7000
#define GITLAB_DESCRIPTION_MAX ((size_t)1 << 20)

typedef struct gitlab_state {
	json_t *vulns;
} gitlab_state;

/* "YYYY-MM-DDThh:mm:ss" in UTC: the schema allows no zone and no fraction. */
static void local_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(out, 32, "%s", "1970-01-01T00:00:00");
}

static const char *severity(const sfmc_finding *f)
{
	static const struct {
		const char *rule, *gitlab;
	} map[] = { { "critical", "Critical" }, { "high", "High" }, { "medium", "Medium" },
		    { "low", "Low" },           { "info", "Info" } };
	/* A checksum that does not verify may be an example: one step below the rule. */
	if (f->level != SFMC_LEVEL_ERROR)
		return "Medium";
	for (size_t i = 0; f->rule->severity && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].rule, f->rule->severity))
			return map[i].gitlab;
	return "Unknown";
}

/* A stable UUID (version 8, RFC 9562) from what identifies the finding. */
static int finding_uuid(const sfmc_finding *f, const char *sha, char out[37])
{
	sfmc_buf b = SFMC_BUF_INIT;
	char hex[65];
	int rc;

	sfmc_buf_init(&b, 0);
	rc = sfmc_buf_printf(&b, "%s%c%s%c%s%c%llu%c%llu%c", f->rule->id, 0, f->fingerprint, 0, sha, 0,
			     (unsigned long long)f->line, 0, (unsigned long long)f->column, 0);
	if (rc == 0)
		rc = sfmc_buf_put(&b, f->path, f->path_len);
	if (rc == 0 && (rc = sfmc_fingerprint_hex(b.ptr, b.size, hex)) == 0) {
		hex[12] = '8';
		hex[16] = "89ab"[strtol((char[]){ hex[16], 0 }, NULL, 16) & 3];
		snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	}
	sfmc_buf_dispose(&b);
	return rc;
}

/* A string from scanned content or history as r shows it, in valid UTF-8. */
static json_t *lossy(const sfmc_reporter *r, const char *s, size_t len)
{
	size_t n;
	char *red = sfmc_report_str(r, s, s ? len : 0, &n), *u = red ? sfmc_text_lossy_utf8(red, n) : NULL;
	json_t *j = u ? json_string(u) : NULL;

	free(red);
	free(u);
	return j;
}

static json_t *commit_object(const sfmc_reporter *r, const sfmc_finding *f, const char *sha)
{
	const sfmc_commit_info *c = f->commit;
	char when[32];
	json_t *o = json_pack("{s:s}", "sha", sha);

	if (!o || !c || !c->commit[0])
		return o;
	sfmc_report_time(c->time, when);
	if (json_object_set_new(o, "author", lossy(r, c->author_name, c->author_name ? strlen(c->author_name) : 0)) ||
	    json_object_set_new(o, "date", json_string(when)) ||
	    json_object_set_new(o, "message", lossy(r, c->summary, c->summary ? strlen(c->summary) : 0))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int gitlab_finding(sfmc_reporter *r, const sfmc_finding *f)
{
	gitlab_state *st = r->state;
	const char *sha = f->commit && f->commit->commit[0] ? f->commit->commit
			: r->meta->head_commit && *r->meta->head_commit ? r->meta->head_commit : GITLAB_NO_COMMIT;
	const char *name = f->rule->name && *f->rule->name ? f->rule->name : f->rule->id;
	char uuid[37], *secret;
	json_t *v;

	if (f->suppressed)
		return 0;
	if (finding_uuid(f, sha, uuid) < 0 || !(secret = sfmc_report_secret(r, f)))
		return sfmc_error_set("out of memory building the GitLab report");
	v = json_pack("{s:s, s:o, s:o, s:s, s:o, s:[{s:s, s:o, s:s}], s:{s:o, s:I, s:I, s:o}, s:o}", "id", uuid, "name",
		      sfmc_json_string_max(name, GITLAB_NAME_MAX), "description",
		      sfmc_json_string_max(f->rule->description && *f->rule->description ? f->rule->description : name,
					   GITLAB_DESCRIPTION_MAX),
		      "severity", severity(f), "solution",
		      sfmc_json_string_max(f->rule->remediation ? f->rule->remediation : "Rotate the secret.",
					   GITLAB_SOLUTION_MAX),
		      "identifiers", "type", "sfmc_scan_rule_id", "name", sfmc_json_string_max(name, GITLAB_NAME_MAX),
		      "value", f->rule->id, "location", "file", lossy(r, f->path, f->path_len), "start_line",
		      (json_int_t)f->line, "end_line", (json_int_t)f->line, "commit", commit_object(r, f, sha),
		      "raw_source_code_extract", lossy(r, secret, strlen(secret)));
	free(secret);
	/* A commit or tag message has no file: the location is the commit alone (file is optional). */
	if (v && f->location != SFMC_LOCATION_FILE)
		json_object_del(json_object_get(v, "location"), "file");
	if (!v || json_array_append_new(st->vulns, v))
		return sfmc_error_set("out of memory building the GitLab report");
	return 0;
}

static json_t *messages(const sfmc_reporter *r, const sfmc_results *res)
{
	json_t *a = json_array();
	sfmc_buf b = SFMC_BUF_INIT;
	int rc = 0;

	sfmc_buf_init(&b, 0);
	for (size_t i = 0; a && i < res->nerrors; i++) {
		sfmc_buf_clear(&b);
		rc |= sfmc_buf_printf(&b, "not scanned %s: %s", res->errors[i].path, res->errors[i].text);
		rc |= json_array_append_new(a,
					    json_pack("{s:s, s:o}", "level", "warn", "value", lossy(r, b.ptr, b.size)));
	}
	for (size_t i = 0; a && i < res->nskipped; i++) {
		sfmc_buf_clear(&b);
		rc |= sfmc_buf_printf(&b, "skipped %s: %s", res->skipped[i].path, res->skipped[i].text);
		rc |= json_array_append_new(a,
					    json_pack("{s:s, s:o}", "level", "warn", "value", lossy(r, b.ptr, b.size)));
	}
	sfmc_buf_dispose(&b);
	if (rc) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int gitlab_end(sfmc_reporter *r, const sfmc_results *res)
{
	gitlab_state *st = r->state;
	char t0[32], t1[32];
	json_t *tool, *root;

	local_time(r->meta->start_time, t0);
	local_time(r->meta->end_time, t1);
	tool = json_pack("{s:s, s:s, s:s, s:{s:s}}", "id", "sfmc-scan", "name", "sfmc-scan", "version", SFMC_VERSION,
			 "vendor", "name", "sfmc-scan");
	root = json_pack("{s:s, s:s, s:{s:O, s:o, s:s, s:s, s:s, s:s, s:o}, s:O}", "version", GITLAB_VERSION, "schema",
			 GITLAB_SCHEMA, "scan", "analyzer", tool, "scanner", tool, "type", "secret_detection",
			 "start_time", t0, "end_time", t1, "status", res->nerrors ? "failure" : "success", "messages",
			 messages(r, res), "vulnerabilities", st->vulns);
	if (!root)
		return sfmc_error_set("out of memory building the GitLab report");
	return sfmc_json_dump(root, r->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

static int gitlab_begin(sfmc_reporter *r)
{
	gitlab_state *st = r->state;
	return (st->vulns = json_array()) ? 0 : sfmc_error_set("out of memory");
}

static void gitlab_dispose(sfmc_reporter *r)
{
	gitlab_state *st = r->state;

	json_decref(st->vulns);
}

const sfmc_report_type sfmc_report_type_gitlab = {
	.name = "gitlab",
	.state_size = sizeof(gitlab_state),
	.begin = gitlab_begin,
	.finding = gitlab_finding,
	.end = gitlab_end,
	.dispose = gitlab_dispose,
};
