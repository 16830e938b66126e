/* filter.h - the stage between sources and reporters: sorts and dedups the
 * findings, drops those under config `paths` (for sources that cannot skip
 * paths themselves), and marks allowed (config) and baselined findings as
 * suppressed with their reason. Suppressed findings stay in the results. */
#ifndef SFMC_FILTER_H
#define SFMC_FILTER_H

#include <stdbool.h>

#include "triage/baseline.h"
#include "triage/config.h"
#include "core/finding.h"

typedef struct sfmc_filter {
	const sfmc_config *config; /* borrowed; NULL: none */
	sfmc_baseline baseline;    /* empty without --baseline */
	bool filter_paths;         /* drop findings under config `paths` */
} sfmc_filter;

/* Loads baseline_file when not NULL (errors name the file). */
int sfmc_filter_init(sfmc_filter *f, const sfmc_config *config, const char *baseline_file, bool filter_paths);
void sfmc_filter_dispose(sfmc_filter *f);

/* Sorts, dedups, drops and marks res's findings. Inline suppressions made
 * by the scanner are kept; config wins over baseline. */
int sfmc_filter_apply(const sfmc_filter *f, sfmc_results *res);

/* Whether some filter could suppress or drop a finding of fi's secret at
 * some location (config `paths` for path-blind sources, an allow entry, a
 * baseline entry of its fingerprint): path-blind, so true is only "maybe".
 * Thread-safe (reads only). */
bool sfmc_filter_may_suppress(const sfmc_filter *f, const sfmc_finding *fi);

#endif
