/* group.h - --group: findings gathered per distinct secret (fingerprint),
 * with every location and commit, first and last seen (commit times) and
 * whether HEAD's tree still holds the secret (git modes). Groups borrow the
 * findings of the results they were built from. */
#ifndef SFMC_GROUP_H
#define SFMC_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/rules.h"

typedef struct sfmc_group {
	const sfmc_finding **items; /* every location, oldest commit first, one commit's together */
	size_t n;
	size_t ncommits;            /* distinct commits among the locations */
	size_t nsuppressed;         /* locations that are suppressed */
	sfmc_level level;           /* highest level among the locations */
	/* Commit that introduced it first / most recently at some path; NULL
	 * when no location has git provenance. */
	const sfmc_finding *first_seen, *last_seen;
	int at_head;                /* 1 in HEAD's tree, 0 not, -1 unknown (no HEAD) */
} sfmc_group;

typedef struct sfmc_groups {
	sfmc_group *v;               /* sorted by fingerprint */
	size_t n;
	const sfmc_finding **items;  /* storage behind every group's items */
} sfmc_groups;

int sfmc_groups_build(sfmc_groups *g, const sfmc_results *res);
/* true when items[i] is the first location of its commit (items of one
 * commit are adjacent), for listing each commit once. */
bool sfmc_group_new_commit(const sfmc_group *g, size_t i);
void sfmc_groups_dispose(sfmc_groups *g);

/* Sets at_head of every group by scanning the blobs of HEAD's tree in the
 * repository at repo (NULL: GIT_DIR or the current directory) with rules.
 * An unborn HEAD holds nothing. Returns 0 or -1 (message set). */
int sfmc_groups_mark_head(sfmc_groups *g, const char *repo, const sfmc_ruleset *rules, uint64_t max_file_size);

#endif
