/* treewalk.h - the blobs each commit of a git scan introduces: a blob is
 * introduced by a commit when it differs at its path from every parent (a
 * root commit, or a parent that cannot be read, introduces the whole tree;
 * gitlinks are skipped). Trees are read raw and compared with their
 * parents' trees by a merge of sorted entries (gittree.h).
 *
 * Commits are walked in fixed blocks of SFMC_WALK_BLOCK_COMMITS consecutive
 * commits, on several threads; what the blocks found is added to the blob
 * set in commit order afterwards, so the set, and every report, is the same
 * whatever the thread count. Unreadable trees are errors in out; the walk
 * goes on (fail closed). */
#ifndef SFMC_TREEWALK_H
#define SFMC_TREEWALK_H

#include <stdbool.h>
#include <stddef.h>

#include <git2.h>

#include "git/blobset.h"
#include "git/pack.h"
#include "core/finding.h"
#include "git/revwalk.h"

typedef struct sfmc_treewalk_opts {
	const char *repo_path; /* opened again by each extra thread (NULL: GIT_DIR or .) */
	unsigned threads;      /* 0: all CPUs */
	bool use_visited;      /* whole history: a (tree, path) walked once in a block covers its later visits */
	sfmc_packset *packs;   /* the caller's (pack.h), shared by the threads' tree readers; NULL: libgit2 alone */
} sfmc_treewalk_opts;

/* Adds commits[0, n) (oldest first) to set, then every (blob, path, commit)
 * they introduce. Returns 0, or -1 (message set) when the walk could not run
 * (out of memory, no object database). */
int sfmc_treewalk_commits(git_repository *repo, const sfmc_gitwalk_commit *commits, size_t n,
			  const sfmc_treewalk_opts *opts, sfmc_blobset *set, sfmc_results *out);

/* Adds every blob under tree id (paths relative to it, no commit); an
 * unreadable tree is an error under where. Returns 0 or -1 (message set). */
int sfmc_treewalk_tree(git_repository *repo, const git_oid *id, const char *where, sfmc_blobset *set,
		       sfmc_results *out);

#endif
