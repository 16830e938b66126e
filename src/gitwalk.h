/* gitwalk.h - which commits a git scan covers, and in which order: those
 * reachable from the include tips and not from the exclude tips, parents
 * before children (topological), older commit time first among ties.
 * Unlike git_revwalk it does not stop at the first unreadable commit: that
 * commit becomes an error in out->errors and the walk goes on. Missing
 * parents of a shallow clone's boundary commits are not errors. */
#ifndef SFMC_GITWALK_H
#define SFMC_GITWALK_H

#include <stddef.h>

#include <git2.h>

#include "finding.h"

/* Sets *commits (malloc'd, caller frees) to the selected commit ids, oldest
 * first. Zero ids among the tips are ignored. Returns 0 or -1 (message set). */
int sfmc_gitwalk_select(git_repository *repo, const git_oid *include, size_t ninclude, const git_oid *exclude,
			size_t nexclude, sfmc_results *out, git_oid **commits, size_t *ncommits);

#endif
