/* baseline.h - --baseline / --write-baseline: a JSON report written earlier
 * by sfmc-scan (--format json), read with jansson. A finding is in the
 * baseline when its (fingerprint, path) is (report/report.h writes one:
 * sfmc_report_write_baseline); a "…" in a baseline's path stands for the
 * redacted rest of a token. A commit or tag message's finding is in it when
 * its fingerprint is, at any path or message (its entries have a "location"
 * and no path). A baseline owns its strings. */
#ifndef SFMC_BASELINE_H
#define SFMC_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"

typedef struct sfmc_baseline_entry {
	char fingerprint[65];
	char *path; /* as in the JSON report (UTF-8; invalid bytes as U+FFFD) */
} sfmc_baseline_entry;

typedef struct sfmc_baseline {
	char *file;                   /* where it was read from */
	sfmc_baseline_entry *entries; /* sorted by fingerprint, then path */
	size_t n, alloc;
} sfmc_baseline;

void sfmc_baseline_init(sfmc_baseline *b);
void sfmc_baseline_dispose(sfmc_baseline *b);

/* Reads the "findings" and "suppressed" arrays of a JSON report; errors
 * name the file (and line:column for malformed JSON). */
int sfmc_baseline_load_buffer(sfmc_baseline *b, const char *data, size_t len, const char *name);
int sfmc_baseline_load_file(sfmc_baseline *b, const char *path);

/* Whether any entry, at any path, has this fingerprint. */
bool sfmc_baseline_has_fingerprint(const sfmc_baseline *b, const char *fingerprint);
bool sfmc_baseline_has(const sfmc_baseline *b, const sfmc_finding *f);

#endif
