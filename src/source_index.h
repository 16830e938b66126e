/* source_index.h - the staged source (`sfmc-scan staged`, pre-commit): the
 * blobs of index entries added or changed relative to HEAD's tree (every
 * entry when there is no HEAD yet), read from the object database, never from
 * the working tree. Cost follows the change: one index-to-tree diff, then only
 * the staged blobs are read. Gitlinks are skipped; both sides of an unmerged
 * entry are scanned. GIT_INDEX_FILE is honoured (commit -a / commit PATH). */
#ifndef SFMC_SOURCE_INDEX_H
#define SFMC_SOURCE_INDEX_H

#include "finding.h"
#include "rules.h"
#include "source_git.h"

/* Scans the staged changes of the repository containing repo_path (NULL:
 * GIT_DIR or "."). Findings carry the path and the staged blob, no commit.
 * Returns 0, or -1 (message set) when there is no repository or index. */
int sfmc_source_index_scan(const char *repo_path, const sfmc_ruleset *rules, const sfmc_git_opts *opts,
			   sfmc_results *out);

#endif
