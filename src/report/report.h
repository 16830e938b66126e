/* report.h - reporters are sinks: begin, one call per finding, end.
 * A new format is one new file defining a sfmc_report_type and one row in report.c. */
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
	bool stored;               /* `report`: read back from a datastore, nothing scanned */
	const char *repository;    /* `git URL`: the URL without credentials; NULL for a local repository */
	const char *repository_uri; /* the same as an absolute URI (SARIF) */
	const char *branch;         /* `git URL`: the branch the remote's HEAD names; NULL: unknown */
} sfmc_scan_meta;

/* What a report may show beyond the findings, given by the app (the
 * datastore, verification): a NULL member or NULL context: not known. */
typedef struct sfmc_report_context {
	/* The secret's triage status ("open", "rotated", ...) and reason (may be NULL). */
	const char *(*triage)(void *ctx, const sfmc_finding *f, const char **reason);
	/* The repository holding f and its forge's web address (NULL: unknown). */
	const char *(*origin)(void *ctx, const sfmc_finding *f, const char **web_url);
	/* Live verification: "live", "invalid" or "unknown"; NULL: it did not run. */
	const char *(*verification)(void *ctx, const sfmc_finding *f);
	/* The OAuth client id and tenant the secret belongs to, when known. */
	const char *(*client)(void *ctx, const sfmc_finding *f, const char **tenant);
	void *ctx;
} sfmc_report_context;

typedef struct sfmc_report_opts {
	bool show_secrets;
	bool color;      /* text only */
	bool quiet;      /* text only: no summary */
	const struct sfmc_groups *groups; /* --group (text, json): per distinct secret; else NULL */
	sfmc_level fail_on;
	const sfmc_report_context *context; /* html: triage, origins; NULL: none */
} sfmc_report_opts;

typedef struct sfmc_reporter sfmc_reporter;

/* A report format: constant operations, one `const sfmc_report_type` per
 * format file (like curl's Curl_cftype). report.c allocates state_size bytes
 * (zeroed) for each run and calls begin, finding (for every finding,
 * suppressed ones too), end, then dispose (always, even after a failure).
 * begin, end and dispose may be NULL. Returns 0 or -1 (message set). */
typedef struct sfmc_report_type {
	const char *name;  /* as given to --format */
	size_t state_size; /* bytes of r->state; 0: none */
	int (*begin)(sfmc_reporter *r);
	int (*finding)(sfmc_reporter *r, const sfmc_finding *f);
	int (*end)(sfmc_reporter *r, const sfmc_results *res);
	void (*dispose)(sfmc_reporter *r); /* releases what state points to, not state itself */
} sfmc_report_type;

/* One run of a format: where it writes, what it knows, its own state.
 * Everything borrowed except state (owned by report.c). */
struct sfmc_reporter {
	FILE *out;
	const sfmc_scan_meta *meta;
	const sfmc_report_opts *opts;
	const sfmc_report_type *type;
	void *state;
};

/* The formats; report.c lists them once. */
extern const sfmc_report_type sfmc_report_type_text;
extern const sfmc_report_type sfmc_report_type_json;
extern const sfmc_report_type sfmc_report_type_jsonl;
extern const sfmc_report_type sfmc_report_type_sarif;
extern const sfmc_report_type sfmc_report_type_gitlab;
extern const sfmc_report_type sfmc_report_type_html;

/* true when name is a known format. */
bool sfmc_report_known(const char *name);
/* Comma-separated list of formats, for usage messages. */
const char *sfmc_report_names(void);
/* Writes res in `format` to out. Returns 0 or -1 (message set). */
int sfmc_report_write(const char *format, FILE *out, const sfmc_scan_meta *meta, const sfmc_report_opts *opts,
		      const sfmc_results *res);

/* The stderr summary (errors always; counts unless quiet); summary.c. */
void sfmc_report_summary(const sfmc_scan_meta *meta, const sfmc_report_opts *opts, const sfmc_results *res);

/* The redaction choke point (redact.c). Every string that comes from scanned
 * content or history - paths, labels, author names and emails, commit
 * summaries, ref and tag names, suppression reasons, error and skip messages
 * - is printed through it, by every format, the summary, the baseline and
 * the hook advice. sfmc_redact shows each substring a rule of `rules`
 * matches as sfmc_finding_redact shows a secret (keyword, a few characters,
 * "…"); s may be NULL (""), is not NUL-terminated (len bytes). Returns a
 * malloc'd NUL-terminated string, its length in *out_len (may be NULL), or
 * NULL (message set). */
char *sfmc_redact(const sfmc_ruleset *rules, const char *s, size_t len, size_t *out_len);
/* s as r shows it: whole with --show-secrets, else sfmc_redact with the run's rules. */
char *sfmc_report_str(const sfmc_reporter *r, const char *s, size_t len, size_t *out_len);

/* sfmc_report_str, then escaped for a terminal (sfmc_text_escape): text, summary. */
char *sfmc_report_str_escaped(const sfmc_reporter *r, const char *s, size_t len);
/* Where f is, as text shows it (through sfmc_report_str_escaped): its path,
 * or "commit <sha12> message", "tag <name> (<id12>) message" for a message. */
char *sfmc_report_place(const sfmc_reporter *r, const sfmc_finding *f);

/* Shared by formats: the secret as shown (redacted unless asked). malloc'd. */
char *sfmc_report_secret(const sfmc_reporter *r, const sfmc_finding *f);
/* ISO 8601 UTC, "2026-01-02T03:04:05Z". */
void sfmc_report_time(int64_t t, char out[32]);
/* True when a git commit is older than the rule's lifetime. */
bool sfmc_report_likely_expired(const sfmc_finding *f, int64_t now);

/* Writes res as a baseline (--write-baseline): the JSON report, secrets always
 * redacted, and so are tokens in paths and commit metadata (sfmc_redact); such
 * a path still matches the finding it was written for (sfmc_baseline_has).
 * Refuses absolute paths, so a baseline works in any checkout. Never writes
 * through a symbolic link. Returns 0 or SFMC_ERROR (message set). */
int sfmc_report_write_baseline(const char *path, const sfmc_scan_meta *meta, const sfmc_results *res);

#endif
