/* staged.h - the staged source (`sfmc-scan staged`, pre-commit): the
 * blobs of index entries added or changed relative to HEAD's tree (every
 * entry when there is no HEAD yet), read from the object database, never from
 * the working tree. Gitlinks are skipped; both sides of an unmerged entry are
 * scanned. GIT_INDEX_FILE is honoured (commit -a / commit PATH).
 *
 * Cost follows the change: the index file is read directly (gitindex.h) and
 * every directory whose cache-tree id equals HEAD's tree there is skipped, so
 * only HEAD's trees along the changed paths are read. Whatever that fast way
 * does not handle (split or sparse index, core.ignorecase, a malformed file)
 * goes through libgit2's whole-index diff instead, with the same results. */
#ifndef SFMC_SOURCE_INDEX_H
#define SFMC_SOURCE_INDEX_H

#include "git/blobset.h"
#include "core/finding.h"
#include "core/rules.h"
#include "source/git.h"

/* Scans the staged changes of repo (opened by the caller from repo_path,
 * NULL: GIT_DIR or "."; worker threads open their own). Findings carry the
 * path and the staged blob, no commit. Returns 0, or -1 (message set) when
 * there is no index (a bare repository). */
int sfmc_source_index_scan(git_repository *repo, const char *repo_path, const sfmc_ruleset *rules,
			   const sfmc_git_opts *opts, sfmc_results *out);

/* How sfmc_source_index_collect reads the index: AUTO is the fast way with
 * libgit2 as the fallback; the other two exist so tests can compare them. */
typedef enum sfmc_index_way { SFMC_INDEX_AUTO, SFMC_INDEX_LIBGIT2, SFMC_INDEX_FAST } sfmc_index_way;

/* Adds the staged blobs of repo (paths, no commit) to set. Returns 0, or -1
 * (message set; with SFMC_INDEX_FAST: the fast way does not handle this index). */
int sfmc_source_index_collect(git_repository *repo, sfmc_index_way way, sfmc_blobset *set);

#endif
