/* report.h - reporters are sinks: begin, one call per finding, end.
 * A new format is one new report_<name>.c and one row in report.c. */
#ifndef SFMC_REPORT_H
#define SFMC_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/finding.h"
#include "core/rules.h"

/* What every reporter may want to know about the scan, filled by the app from
 * the source's type and its describe(): reporters never compare mode names
 * or open repositories. Borrowed. */
typedef struct sfmc_scan_meta {
	const char *mode;          /* the source's name as reports show it: "dir", "stdin", "git", "staged", ... */
	const char *unit;          /* what it scans, singular: "file" or "blob" */
	const char *units;         /* plural: "files" or "blobs" */
	bool git;                  /* the source reads a git repository (paths are relative to workdir) */
	const char *workdir;       /* git sources: the work tree's top with a trailing '/', NULL when bare */
	const char *const *roots;  /* PATHs / repository as given */
	size_t nroots;
	const sfmc_ruleset *rules;
	int64_t start_time;        /* seconds since the epoch */
	int64_t end_time;
	const char *head_commit;   /* git modes: HEAD commit id, else NULL */
} sfmc_scan_meta;

typedef struct sfmc_report_opts {
	bool show_secrets;
	bool color;      /* text only */
	bool quiet;      /* text only: no summary */
	const struct sfmc_groups *groups; /* --group (text, json): per distinct secret; else NULL */
	sfmc_level fail_on;
} sfmc_report_opts;

typedef struct sfmc_reporter sfmc_reporter;
struct sfmc_reporter {
	FILE *out;
	const sfmc_scan_meta *meta;
	const sfmc_report_opts *opts;
	int (*begin)(sfmc_reporter *r);
	int (*finding)(sfmc_reporter *r, const sfmc_finding *f); /* suppressed ones too */
	int (*end)(sfmc_reporter *r, const sfmc_results *res);
	void (*free)(sfmc_reporter *r);
	void *state;
};

/* Each format's constructor fills the callbacks (and state) of r. */
typedef int (*sfmc_report_ctor)(sfmc_reporter *r);
int sfmc_report_text_new(sfmc_reporter *r);
int sfmc_report_json_new(sfmc_reporter *r);
int sfmc_report_jsonl_new(sfmc_reporter *r);
int sfmc_report_sarif_new(sfmc_reporter *r);
int sfmc_report_gitlab_new(sfmc_reporter *r);

/* true when name is a known format. */
bool sfmc_report_known(const char *name);
/* Comma-separated list of formats, for usage messages. */
const char *sfmc_report_names(void);
/* Writes res in `format` to out. Returns 0 or -1 (message set). */
int sfmc_report_write(const char *format, FILE *out, const sfmc_scan_meta *meta, const sfmc_report_opts *opts,
		      const sfmc_results *res);

/* The stderr summary (errors always; counts unless quiet). */
void sfmc_report_summary(const sfmc_scan_meta *meta, const sfmc_report_opts *opts, const sfmc_results *res);

/* Shared by formats: the secret as shown (redacted unless asked). malloc'd. */
char *sfmc_report_secret(const sfmc_reporter *r, const sfmc_finding *f);
/* ISO 8601 UTC, "2026-01-02T03:04:05Z". */
void sfmc_report_time(int64_t t, char out[32]);
/* True when a git commit is older than the rule's lifetime. */
bool sfmc_report_likely_expired(const sfmc_finding *f, int64_t now);

#endif
