/* git.h - the git history source (through libgit2; never spawns git,
 * never runs anything a repository configures: hooks, filters, fsmonitor).
 *
 * Pipeline: commits (topological, oldest first) -> the blobs each commit
 * introduces (differs from every parent at that path) -> each unique blob read
 * and scanned once, in parallel -> findings expanded to every (secret, path)
 * pair, attributed to the earliest commit in which that path holds the secret.
 *
 * The caller opens repo (sfmc_source_open, git/repo.h: GIT_DIR when
 * repo_path is NULL, GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES
 * are honoured, so a pre-receive hook can scan objects still in the push
 * quarantine) and owns it; repo_path is where it was opened from, for the
 * worker threads that open their own. Bare repositories, worktrees (.git file) and shallow clones
 * work; gitlinks (submodules) are skipped. Objects that cannot be read are
 * recorded in out->errors and the rest of the scan completes.
 *
 * Every function returns 0, or -1 (message set, see util/error.h) when the
 * scan could not run at all (no repository, bad revision). Findings, skips and
 * errors are appended to out, which the caller owns. */
#ifndef SFMC_SOURCE_GIT_H
#define SFMC_SOURCE_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "core/finding.h"
#include "core/rules.h"

typedef struct sfmc_git_opts {
	unsigned threads;       /* 0: all CPUs */
	uint64_t max_file_size; /* 0: no limit; larger blobs are recorded as skipped */
	bool all_objects;       /* sfmc_source_git_scan: also objects no ref reaches */
	const git_oid *tags;    /* annotated tags whose messages are scanned too (pushed tags; borrowed) */
	size_t ntags;
	const struct sfmc_blobset_hooks *hooks; /* blobs scanned before (the datastore); NULL: none */
} sfmc_git_opts;

/* `sfmc-scan git [REPO]`: every blob reachable from every ref (branches,
 * remotes, tags, refs/stash and its reflog, notes) and HEAD; with
 * opts->all_objects also every commit of the object database that no ref
 * reaches (amended or rebased away: findings keep that commit) and every
 * other blob (dangling: no commit, path = blob id). repo_path NULL: GIT_DIR
 * or ".". */
int sfmc_source_git_scan(git_repository *repo, const char *repo_path, const sfmc_ruleset *rules,
			 const sfmc_git_opts *opts, sfmc_results *out);

/* `sfmc-scan git --range SPEC`: SPEC is "A..B" (commits reachable from B and
 * not from A; A need not be an ancestor of B), "A...B" (either side, not
 * their merge bases) or "B" (B and all its ancestors). A revision that does
 * not exist fails the call with a message naming it. */
int sfmc_source_git_scan_range(git_repository *repo, const char *repo_path, const char *range,
			       const sfmc_ruleset *rules, const sfmc_git_opts *opts, sfmc_results *out);

/* For hooks (pre-push, pre-receive): scans the blobs introduced by the
 * commits reachable from include[] and not from exclude[] (nor, when
 * hide_all_refs, from any ref of the repository: `git rev-list INC --not
 * --all`). A blob is introduced by a commit when it differs at its path from
 * every parent (a root commit, or a shallow boundary, introduces its whole
 * tree; a blob that only a merge's result holds is attributed to the merge).
 * All-zero oids (deleted or new refs) are ignored; a missing include commit
 * is an error in out->errors, a missing exclude commit (a remote commit never
 * fetched) only excludes less. Findings carry the commit and blob. */
int sfmc_source_git_scan_commits(git_repository *repo, const char *repo_path, const git_oid *include,
				 size_t ninclude, const git_oid *exclude, size_t nexclude, bool hide_all_refs,
				 const sfmc_ruleset *rules, const sfmc_git_opts *opts, sfmc_results *out);

#endif
