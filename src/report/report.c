#include "report/report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/error.h"

static const struct {
	const char *name;
	sfmc_report_ctor ctor;
} formats[] = {
	{ "text", sfmc_report_text_new },
	{ "json", sfmc_report_json_new },
	{ "jsonl", sfmc_report_jsonl_new },
	{ "sarif", sfmc_report_sarif_new },
	{ "gitlab", sfmc_report_gitlab_new },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

bool sfmc_report_known(const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i].name, name))
			return true;
	return false;
}

const char *sfmc_report_names(void)
{
	static char names[256];
	if (!names[0])
		for (size_t i = 0; i < NFORMATS; i++) {
			size_t len = strlen(names);
			snprintf(names + len, sizeof(names) - len, "%s%s", i ? "|" : "", formats[i].name);
		}
	return names;
}

int sfmc_report_write(const char *format, FILE *out, const sfmc_scan_meta *meta, const sfmc_report_opts *opts,
		      const sfmc_results *res)
{
	sfmc_reporter r;
	size_t i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.out = out;
	r.meta = meta;
	r.opts = opts;
	for (i = 0; i < NFORMATS && strcmp(formats[i].name, format); i++)
		;
	if (i == NFORMATS)
		return sfmc_error_set("unknown format '%s' (expected %s)", format, sfmc_report_names());
	if (formats[i].ctor(&r) < 0)
		return -1;
	if (r.begin && r.begin(&r) < 0)
		goto cleanup;
	for (size_t k = 0; k < res->nfindings; k++)
		if (r.finding(&r, &res->findings[k]) < 0)
			goto cleanup;
	if (r.end && r.end(&r, res) < 0)
		goto cleanup;
	if (fflush(out) != 0 || ferror(out)) {
		sfmc_error_set_errno("cannot write the %s report", format);
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (r.free)
		r.free(&r);
	return rc;
}

char *sfmc_report_secret(const sfmc_reporter *r, const sfmc_finding *f)
{
	if (r->opts->show_secrets) {
		char *s = malloc(f->secret_len + 1);
		if (s) {
			memcpy(s, f->secret, f->secret_len);
			s[f->secret_len] = '\0';
		}
		return s;
	}
	return sfmc_finding_redact(f);
}

void sfmc_report_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%s", "1970-01-01T00:00:00Z");
}

bool sfmc_report_likely_expired(const sfmc_finding *f, int64_t now)
{
	return f->commit && f->rule->max_lifetime_days &&
	       now - f->commit->time > (int64_t)f->rule->max_lifetime_days * 86400;
}
