/* stdin.h - the stdin source: one stream (standard input, or any fd) scanned
 * as a single input named by a label. */
#ifndef SFMC_SOURCE_STDIN_H
#define SFMC_SOURCE_STDIN_H

#include "core/finding.h"
#include "core/rules.h"

/* Scans fd to its end as one stream named label; an unreadable stream is
 * recorded in out->errors. Returns 0, or -1 (message set) when no scanner
 * could be made. */
int sfmc_source_fd_scan(int fd, const char *label, const sfmc_ruleset *rules, sfmc_results *out);

#endif
