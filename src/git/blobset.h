/* blobset.h - the git blob stage shared by `git` and `staged`: the set of
 * unique blobs to scan and every (path, commit) holding each, then each blob
 * read and scanned ONCE in parallel, then findings expanded to every
 * (secret, path) pair with its earliest commit.
 *
 * Collection and reading are separate on purpose: sources fill the set;
 * blobs are read in pack order (sfmc_packorder_sort) unless the caller sets
 * `order` before sfmc_blobset_scan. Findings do not depend on the order. */
#ifndef SFMC_BLOBSET_H
#define SFMC_BLOBSET_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "core/finding.h"
#include "core/rules.h"
#include "git/pack.h"
#include "util/oidmap.h"
#include "util/strtab.h"

#define SFMC_NO_COMMIT UINT32_MAX

/* One place a blob occurs: path id (in paths) and commit index (or SFMC_NO_COMMIT). */
typedef struct sfmc_blob_occ {
	uint32_t blob, path, commit;
} sfmc_blob_occ;

typedef struct sfmc_blobset {
	git_oid *oids;         /* the unique blobs, in the order found */
	size_t n, a;
	size_t *order;         /* read order: oids[order[i]], i < n; NULL: pack order (owned) */
	sfmc_oidmap index;     /* blob id -> index in oids */
	sfmc_oidmap pairs;     /* (blob id, path id) -> index in occs: each pair once */
	sfmc_blob_occ *occs;
	size_t nocc, aocc;
	sfmc_strtab paths;     /* every path and directory prefix seen */
	git_oid *commits;      /* commit index -> id; a lower index is an older commit */
	size_t ncommits, acommits;
} sfmc_blobset;

void sfmc_blobset_init(sfmc_blobset *s);
void sfmc_blobset_dispose(sfmc_blobset *s);

/* Appends a commit; callers add commits oldest first (topological order),
 * so that the first commit recorded for a (blob, path) is its earliest. */
int sfmc_blobset_add_commit(sfmc_blobset *s, const git_oid *id, uint32_t *idx);
/* Records that path (an id of s->paths) holds blob in commit (or
 * SFMC_NO_COMMIT). A pair already recorded keeps its older commit. */
int sfmc_blobset_add(sfmc_blobset *s, const git_oid *blob, uint32_t path, uint32_t commit);
/* Adds a blob with no known path or commit (a dangling object). */
int sfmc_blobset_add_orphan(sfmc_blobset *s, const git_oid *blob);

/* What the app remembers of earlier scans (the datastore), so that the git
 * layer never depends on it. Called on the scanning thread, before and after
 * the workers run. */
typedef struct sfmc_blobset_hooks {
	/* 1: blob hex was scanned before with these rules; its findings (blob
	 * set) are appended to into and it is not read. 0: scan it. -1: error. */
	int (*known)(void *ctx, const char *hex, sfmc_results *into);
	/* After the scan: blob hex was read and scanned whole; its findings, if any, follow. */
	int (*scanned)(void *ctx, const char *hex);
	int (*finding)(void *ctx, const sfmc_finding *f);
	void *ctx;
} sfmc_blobset_hooks;

typedef struct sfmc_blobset_opts {
	unsigned threads;       /* 0: all CPUs */
	uint64_t max_file_size; /* 0: no limit */
	sfmc_packset *packs;    /* the caller's (see pack.h), shared by every worker's reader; NULL: libgit2 alone */
	const sfmc_blobset_hooks *hooks; /* NULL: every blob is read */
} sfmc_blobset_opts;

/* Reads every blob of s once from the repository at repo_path (one
 * repository handle per worker), scans it, and appends one finding per
 * distinct (rule, secret, path), attributed to the earliest commit in which
 * that path holds the secret, with line and column in that commit's blob. A
 * blob with no path is reported under its id. Unreadable objects become
 * errors in out; returns -1 only when the scan cannot run. */
int sfmc_blobset_scan(sfmc_blobset *s, const char *repo_path, const sfmc_ruleset *rules,
		      const sfmc_blobset_opts *opts, sfmc_results *out);

#endif
