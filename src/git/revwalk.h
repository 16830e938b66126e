/* gitwalk.h - which commits a git scan covers, and in which order: those
 * reachable from the include tips and not from the exclude tips, parents
 * before children (topological), older commit time first among ties.
 * Unlike git_revwalk it does not stop at the first unreadable commit: that
 * commit becomes an error in out->errors and the walk goes on. Missing
 * parents of a shallow clone's boundary commits are not errors. */
#ifndef SFMC_GITWALK_H
#define SFMC_GITWALK_H

#include <stdbool.h>
#include <stddef.h>

#include <git2.h>

#include "core/finding.h"
#include "git/pack.h"

/* One selected commit: its root tree and every parent it names (a shallow
 * boundary's too, though the walk did not follow them). */
typedef struct sfmc_gitwalk_commit {
	git_oid id, tree;
	git_oid *parents;
	size_t nparents;
} sfmc_gitwalk_commit;

/* Shown each commit's message (the bytes after the header's blank line) as
 * the walk reads it, so that messages are scanned without reading commits
 * twice: from the walk's thread (slot 0) or the read-ahead thread (slot 1),
 * concurrently. A commit may be shown twice, and commits the walk reads but
 * does not select (the excluded side of a range) are shown too: the caller
 * keeps what belongs to the selected commits. A negative return stops the
 * walk (message set). */
typedef struct sfmc_gitwalk_msgs {
	int (*fn)(void *payload, unsigned slot, const git_oid *id, const unsigned char *msg, size_t len);
	void *payload;
} sfmc_gitwalk_msgs;

/* Sets *commits (malloc'd; free with sfmc_gitwalk_free) to the selected
 * commits, oldest first; packed commits are read with readers over packs
 * (the scan's set, see pack.h; NULL: libgit2 alone). Zero ids among the tips are ignored. read_ahead
 * (long walks without exclude tips, when a second core is free): a second
 * thread reads and parses packed commits ahead of the walk; the result is
 * the same. msgs: NULL, or shown every message read. Returns 0 or -1 (message set). */
int sfmc_gitwalk_select(git_repository *repo, sfmc_packset *packs, const git_oid *include, size_t ninclude,
			const git_oid *exclude, size_t nexclude, bool read_ahead, const sfmc_gitwalk_msgs *msgs,
			sfmc_results *out, sfmc_gitwalk_commit **commits, size_t *ncommits);
void sfmc_gitwalk_free(sfmc_gitwalk_commit *commits, size_t n);

#endif
