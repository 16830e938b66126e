/* head.h - what HEAD's tree holds now: its blobs scanned once each (for
 * --group's "still present at HEAD"). Reads through a repository the caller
 * opened (git/repo.h) and owns; one thread at a time. */
#ifndef SFMC_GITHEAD_H
#define SFMC_GITHEAD_H

#include <stdint.h>

#include <git2.h>

#include "core/finding.h"
#include "core/rules.h"

/* Scans each distinct blob of HEAD's tree (blobs larger than max_file_size,
 * when not 0, are left out; gitlinks are other repositories) with rules and
 * calls found for every finding. An unborn HEAD holds nothing: 0, no call.
 * Returns 0 or SFMC_ERROR (message set). */
int sfmc_githead_scan(git_repository *repo, const sfmc_ruleset *rules, uint64_t max_file_size,
		      void (*found)(const sfmc_finding *f, void *payload), void *payload);

#endif
