#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/error.h"

/* Every format, once: a new one is a file and a row here. */
static const sfmc_report_type *const formats[] = {
	&sfmc_report_type_text,  &sfmc_report_type_json,   &sfmc_report_type_jsonl,
	&sfmc_report_type_sarif, &sfmc_report_type_gitlab, &sfmc_report_type_html,
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static const sfmc_report_type *find_type(const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i]->name, name))
			return formats[i];
	return NULL;
}

bool sfmc_report_known(const char *name)
{
	return find_type(name) != NULL;
}

const char *sfmc_report_names(void)
{
	static char names[256];
	size_t len = 0;

	if (!names[0])
		for (size_t i = 0; i < NFORMATS && len < sizeof(names); i++)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? "|" : "",
						formats[i]->name);
	return names;
}

/* begin, every finding, end: the calls one run of a format makes. */
static int run(sfmc_reporter *r, const sfmc_results *res)
{
	const sfmc_report_type *t = r->type;

	if (t->begin && t->begin(r) < 0)
		return -1;
	for (size_t k = 0; k < res->nfindings; k++)
		if (t->finding(r, &res->findings[k]) < 0)
			return -1;
	if (t->end && t->end(r, res) < 0)
		return -1;
	if (fflush(r->out) != 0 || ferror(r->out))
		return sfmc_error_set_errno("cannot write the %s report", t->name);
	return 0;
}

int sfmc_report_write(const char *format, FILE *out, const sfmc_scan_meta *meta, const sfmc_report_opts *opts,
		      const sfmc_results *res)
{
	sfmc_reporter r = { .out = out, .meta = meta, .opts = opts, .type = find_type(format) };
	int rc;

	if (!r.type)
		return sfmc_error_set("unknown format '%s' (expected %s)", format, sfmc_report_names());
	if (r.type->state_size && !(r.state = calloc(1, r.type->state_size)))
		return sfmc_error_set("out of memory");
	rc = run(&r, res);
	if (r.type->dispose)
		r.type->dispose(&r);
	free(r.state);
	return rc;
}

char *sfmc_report_secret(const sfmc_reporter *r, const sfmc_finding *f)
{
	if (r->opts->show_secrets || f->secret_shown) { /* secret_shown: already as a report showed it */
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
