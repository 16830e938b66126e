/* dir.h - the directory source: walks PATHs without following
 * symbolic links, scans regular files in parallel, records what it skips. */
#ifndef SFMC_SOURCE_DIR_H
#define SFMC_SOURCE_DIR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/rules.h"

typedef struct sfmc_dir_opts {
	unsigned threads;
	uint64_t max_file_size; /* 0: no limit */
	bool prefix_root;       /* report paths as ROOT/rel (several roots) */
	/* Optional: true when a relative path must not be scanned (config `paths`). */
	bool (*exclude)(const char *relpath, bool is_dir, void *ctx);
	void *exclude_ctx;
} sfmc_dir_opts;

/* Scans one root (a directory or a single file) into out. Problems with
 * individual files land in out->errors / out->skipped; returns -1 only
 * when the scan itself cannot run (message set). */
int sfmc_source_dir_scan(const char *root, const sfmc_ruleset *rules, const sfmc_dir_opts *opts,
			 sfmc_results *out);

#endif
