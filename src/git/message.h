/* message.h - commit and annotated tag messages scanned as text (issue 16).
 *
 * A message has no path in any tree: its findings carry a location
 * (core/finding.h: SFMC_LOCATION_COMMIT_MESSAGE or _TAG_MESSAGE), a logical
 * path ("commit/<sha>/message", "tag/<name>/message") that sorting,
 * grouping, allow globs and baselines use, and line and column within the
 * message (line 1 is the subject). Commit messages are scanned while the
 * history walk reads the commits (git/revwalk.h: sfmc_gitwalk_msgs), so no
 * commit is read twice; tags are read after it. Messages do not count as
 * scanned blobs in the statistics.
 *
 * A sfmc_gitmsg belongs to one scan: slot 0 is used by the walk's thread,
 * slot 1 by its read-ahead thread, never one slot by two threads. */
#ifndef SFMC_GITMSG_H
#define SFMC_GITMSG_H

#include <stdbool.h>
#include <stddef.h>

#include <git2.h>

#include "core/finding.h"
#include "core/rules.h"
#include "detect/scan.h"
#include "git/revwalk.h"

typedef struct sfmc_gitmsg {
	sfmc_scanner scanners[2];
	bool ready[2];
	sfmc_results found[2];  /* per slot: findings of every message shown, selected or not */
	sfmc_gitwalk_msgs walk; /* what sfmc_gitwalk_select is given */
} sfmc_gitmsg;

/* Returns 0 or -1 (message set). The ruleset must outlive m. */
int sfmc_gitmsg_init(sfmc_gitmsg *m, const sfmc_ruleset *rules);
void sfmc_gitmsg_dispose(sfmc_gitmsg *m);

/* Moves the findings of the selected commits' messages (each commit once)
 * into out, with their commit's author, time and summary, and the messages
 * that could not be scanned as errors. Returns 0 or -1 (message set). */
int sfmc_gitmsg_finish(sfmc_gitmsg *m, git_repository *repo, const sfmc_gitwalk_commit *commits, size_t n,
		       sfmc_results *out);

/* Scans the message of each annotated tag of ids (repeats are scanned
 * once) into out; a tag that cannot be read is an error in out->errors.
 * Returns 0 or -1 (message set). */
int sfmc_gitmsg_scan_tags(sfmc_gitmsg *m, git_repository *repo, const git_oid *ids, size_t n, sfmc_results *out);

/* Scans a message that is no commit yet (the commit-msg hook) into out:
 * location commit-message, no commit, logical path "commit/new/message".
 * Returns 0 or -1 (message set). */
int sfmc_gitmsg_scan_new(sfmc_scanner *s, const void *msg, size_t len, sfmc_results *out);

#endif
