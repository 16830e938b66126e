/* group.h - --group: findings gathered per distinct secret (fingerprint),
 * with every location and commit, first and last seen (commit times) and
 * whether HEAD's tree still holds the secret (git modes: told by the source,
 * triage reads no repository). Groups borrow the findings of the results
 * they were built from. */
#ifndef SFMC_GROUP_H
#define SFMC_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"

/* Whether HEAD's tree still holds a group's secret. */
typedef enum sfmc_at_head {
	SFMC_AT_HEAD_UNKNOWN = -1, /* not a git scan, or HEAD could not be read */
	SFMC_AT_HEAD_NO = 0,
	SFMC_AT_HEAD_YES = 1,
} sfmc_at_head;

typedef struct sfmc_group {
	const sfmc_finding **items; /* every location, oldest commit first, one commit's together */
	size_t n;
	size_t ncommits;            /* distinct commits among the locations */
	size_t nsuppressed;         /* locations that are suppressed */
	sfmc_level level;           /* highest level among the locations */
	/* Commit that introduced it first / most recently at some path; NULL
	 * when no location has git provenance. */
	const sfmc_finding *first_seen, *last_seen;
	sfmc_at_head at_head;
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

/* at_head of every group. */
void sfmc_groups_set_at_head(sfmc_groups *g, sfmc_at_head at_head);
/* Marks the group of f's fingerprint (if any) SFMC_AT_HEAD_YES; groups is an
 * sfmc_groups *. Shaped as sfmc_source_type.scan_current's callback: the app
 * sets every group to NO, then lets the source report what HEAD holds. */
void sfmc_groups_mark_held(const sfmc_finding *f, void *groups);

#endif
