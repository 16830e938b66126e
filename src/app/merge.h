/* merge.h - what `audit` and `merge` share: the repositories of an audit,
 * each with how its scan went, and every finding (repository set), read
 * from each repository's scan report (audit) or from audit JSON Lines files
 * (merge), then rendered, sorted, in any report format (docs/audit.md). */
#ifndef SFMC_MERGE_H
#define SFMC_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/cli.h"
#include "core/finding.h"
#include "report/report.h"

/* One repository of an audit. */
typedef struct sfmc_merge_repo {
	char *name;    /* as reports show it (credentials stripped) */
	char *error;   /* why it was not scanned completely; NULL: ok */
	int exit_code; /* its scan's exit code; -1: none (killed by a signal, never started) */
	size_t nfindings;
	int64_t start_time, end_time; /* seconds since the epoch */
	sfmc_results res;             /* its errors, skips, stats and shallow boundary; no findings */
} sfmc_merge_repo;

/* A secret's triage as a report made with --datastore showed it. */
typedef struct sfmc_merge_triage {
	char *repository;
	char fingerprint[65];
	const char *status; /* one of the merge's texts */
	char *reason;       /* NULL: none */
} sfmc_merge_triage;

typedef struct sfmc_merge {
	const sfmc_ruleset *rules; /* borrowed: rule ids of findings are looked up in it */
	sfmc_merge_repo *repos;
	size_t nrepos, arepos;
	sfmc_results res; /* every finding, each with its repository */
	char **texts;     /* verification reasons and triage statuses read back (findings point into them) */
	size_t ntexts, atexts;
	sfmc_merge_triage *triage; /* by (repository, fingerprint) once sorted */
	size_t ntriage, atriage;
	sfmc_report_context rctx; /* what reports ask of the findings read back */
} sfmc_merge;

/* How one repository's scan (a child process) ended. */
typedef struct sfmc_merge_scan {
	const char *report; /* its --format json report; NULL or empty: none */
	size_t report_len;
	int exit_code;       /* -1: killed */
	const char *failure; /* why it failed when it says nothing itself (signal, stderr), or NULL */
	int64_t start_time, end_time;
	uint64_t duration_ms;
} sfmc_merge_scan;

void sfmc_merge_init(sfmc_merge *m, const sfmc_ruleset *rules);
void sfmc_merge_dispose(sfmc_merge *m);

/* Adds repository name and what its scan reported. An unreadable report
 * makes the repository's error (the audit goes on). Returns 0, or -1 (out
 * of memory; message set). */
int sfmc_merge_add_scan(sfmc_merge *m, const char *name, const sfmc_merge_scan *scan);

/* Reads an audit JSONL file (repository and finding lines). Returns 0, or
 * SFMC_EINVALID with "FILE:LINE: ..." set for a malformed file, a finding
 * whose repository has no repository line, or a repository read twice. */
int sfmc_merge_read(sfmc_merge *m, const char *path);

/* Sorts, then writes the reports cli asks for (--format, --output,
 * --report, --group) and the summary on stderr. Returns the exit code: 2
 * when a repository was not scanned completely or a report not written,
 * else 1 for findings at --fail-on, else 0. */
int sfmc_merge_report(sfmc_merge *m, const sfmc_cli *cli);

/* `merge FILE...` */
int sfmc_cmd_merge(const sfmc_cli *cli);

#endif
