/* summary.c - the run's summary on stderr, printed once whatever the report
 * formats: every error (even with --quiet: they change the verdict), then
 * the counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/text.h"

static void human_bytes(uint64_t n, char out[32])
{
	const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int i = 0;
	while (v >= 1024 && i < 4)
		v /= 1024, i++;
	snprintf(out, 32, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

/* --verify: "verification: 1 live, 2 invalid, 0 unknown, 3 unverifiable". */
static void verify_counts(const sfmc_results *res)
{
	size_t n[SFMC_VERIFY_UNVERIFIABLE + 1] = { 0 };
	bool any = false;

	for (size_t i = 0; i < res->nfindings; i++)
		if (!res->findings[i].suppressed && res->findings[i].verify) {
			n[res->findings[i].verify]++;
			any = true;
		}
	if (any)
		fprintf(stderr, "sfmc-scan: verification: %zu live, %zu invalid, %zu unknown, %zu unverifiable\n",
			n[SFMC_VERIFY_LIVE], n[SFMC_VERIFY_INVALID], n[SFMC_VERIFY_UNKNOWN],
			n[SFMC_VERIFY_UNVERIFIABLE]);
}

void sfmc_report_summary(const sfmc_scan_meta *meta, const sfmc_report_opts *opts, const sfmc_results *res)
{
	const sfmc_reporter r = { .out = stderr, .meta = meta, .opts = opts };
	size_t errors = 0, warnings = 0, suppressed = 0;
	char bytes[32];

	/* Errors are never hidden, not even by --quiet: they change the verdict. */
	for (size_t i = 0; i < res->nerrors; i++) {
		/* They may quote paths and ref names. */
		char *p = sfmc_report_str_escaped(&r, res->errors[i].path, strlen(res->errors[i].path));
		char *m = sfmc_report_str_escaped(&r, res->errors[i].text, strlen(res->errors[i].text));
		fprintf(stderr, "sfmc-scan: error: %s: %s\n", p ? p : "?", m ? m : "?");
		free(p);
		free(m);
	}
	if (opts->quiet)
		return;
	for (size_t i = 0; i < res->nfindings; i++) {
		const sfmc_finding *f = &res->findings[i];
		if (f->suppressed)
			suppressed++;
		else
			f->level == SFMC_LEVEL_ERROR ? errors++ : warnings++;
	}
	human_bytes(res->stats.bytes, bytes);
	fprintf(stderr, "sfmc-scan: %zu finding%s (%zu error%s, %zu warning%s)", errors + warnings,
		errors + warnings == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	if (suppressed)
		fprintf(stderr, ", %zu suppressed", suppressed);
	if (meta->stored)
		fprintf(stderr, "; read back %llu %s from the datastore, nothing scanned",
			(unsigned long long)res->stats.files, res->stats.files == 1 ? meta->unit : meta->units);
	else
		fprintf(stderr, "; scanned %llu %s, %s in %llu ms (%.1f MiB/s)", (unsigned long long)res->stats.files,
			res->stats.files == 1 ? meta->unit : meta->units, bytes,
			(unsigned long long)res->stats.duration_ms,
			(double)res->stats.bytes / (1 << 20) /
				((double)(res->stats.duration_ms ? res->stats.duration_ms : 1) / 1000));
	if (res->stats.skipped)
		fprintf(stderr, "; %llu skipped", (unsigned long long)res->stats.skipped);
	if (res->nerrors)
		fprintf(stderr, "; %zu could not be read", res->nerrors);
	fputc('\n', stderr);
	verify_counts(res);
	if (res->shallow)
		fprintf(stderr, "sfmc-scan: history is shallow (%zu boundary commit%s): not a full audit\n",
			res->nshallow, res->nshallow == 1 ? "" : "s");
	if (errors + warnings && !opts->show_secrets)
		fprintf(stderr, "sfmc-scan: secrets are redacted; --show-secrets prints them whole.\n");
}
