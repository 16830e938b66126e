/* audit.h - the app's side of the datastore (triage/datastore.h): --datastore
 * on dir and git scans, and the `triage` and `report` commands. */
#ifndef SFMC_AUDIT_H
#define SFMC_AUDIT_H

#include "app/cli.h"
#include "report/report.h"
#include "source/source.h"
#include "triage/datastore.h"

/* One run's datastore and what reports ask of it. */
typedef struct sfmc_audit {
	sfmc_datastore *ds;
	char rules_hash[65];
	char *root;                 /* the repository (or directory) scanned, canonical */
	char *web_url;              /* its forge, or NULL */
	const sfmc_results *loaded; /* report: findings read back (origins per index) */
	bool quiet;
	bool partial; /* --range: a part of the history */
	sfmc_report_context rctx;
} sfmc_audit;

/* --datastore on a scan: opens it and, for git unless --show-secrets (read
 * back findings are redacted), lets the source skip blobs scanned before. */
int sfmc_audit_open(sfmc_audit *a, const sfmc_cli *cli, const sfmc_ruleset *rules, sfmc_source_ctx *ctx,
		    const sfmc_source_type *type);
/* Records the scan (one transaction) and points ropts at the triage. */
int sfmc_audit_record(sfmc_audit *a, const sfmc_scan_meta *meta, const sfmc_results *res, sfmc_report_opts *ropts);
/* The highest level among unsuppressed findings not triaged rotated,
 * false-positive or accepted (--fail-on-untriaged). */
sfmc_level sfmc_audit_untriaged_level(sfmc_audit *a, const sfmc_results *res);
void sfmc_audit_close(sfmc_audit *a);

int sfmc_cmd_triage(const sfmc_cli *cli);
int sfmc_cmd_report(const sfmc_cli *cli);

#endif
