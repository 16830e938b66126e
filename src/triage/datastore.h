/* datastore.h - audits that last: a SQLite file (--datastore FILE.db) that
 * records what each scan read and found, the triage of each secret, and
 * which git blobs were already scanned with which rules (incremental runs).
 * Tables and migrations are described in docs/datastore.md.
 *
 * The datastore never holds a whole secret: a finding is kept as its
 * fingerprint, its length and the characters a redacted report shows.
 * One handle per process, used from one thread. Two processes may share a
 * file: a write waits SFMC_DATASTORE_BUSY_MS, then fails with SFMC_EBUSY
 * ("datastore busy"); SQLite's locking keeps the file consistent. */
#ifndef SFMC_DATASTORE_H
#define SFMC_DATASTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/rules.h"
#include "git/blobset.h"

typedef struct sfmc_datastore sfmc_datastore;

/* Triage states; "reintroduced" is set by a scan, never by hand. */
#define SFMC_TRIAGE_STATUSES "open|rotated|false-positive|accepted"

/* Opens (creating and migrating) the datastore at path. Returns 0, SFMC_EBUSY
 * or SFMC_ERROR (message set). */
int sfmc_datastore_open(sfmc_datastore **out, const char *path);
void sfmc_datastore_close(sfmc_datastore *ds);
const char *sfmc_datastore_path(const sfmc_datastore *ds);

/* Hex SHA-256 of what decides a scan's findings: the program version and
 * every rule's id, pattern, keywords, checksum, decoders and limits. */
int sfmc_datastore_rules_hash(const sfmc_ruleset *rules, char out[65]);

/* Incremental git scans: the hooks skip blobs this datastore already
 * scanned with rules_hash (their findings are read back, redacted) and
 * remember those scanned now until sfmc_datastore_record. rules must outlive
 * the scan. Sets *hooks (points into ds). */
int sfmc_datastore_blob_hooks(sfmc_datastore *ds, const char *rules_hash, const sfmc_ruleset *rules,
			      const sfmc_blobset_hooks **hooks);
/* Blobs read back from the datastore rather than scanned in the last scan. */
size_t sfmc_datastore_reused(const sfmc_datastore *ds);

/* What a scan was, for its row. Borrowed. */
typedef struct sfmc_datastore_scan {
	const char *repository; /* its canonical path */
	const char *mode;       /* "git", "dir" */
	const char *remote_url; /* the forge, or NULL */
	const char *head_commit;
	const char *rules_hash;
	int64_t started, finished;
	bool partial; /* --range, or errors: adds locations, never drops those of earlier scans */
} sfmc_datastore_scan;

/* Records a scan of one repository in ONE transaction: its row, the blobs
 * scanned whole, the findings and their locations (replacing that
 * repository's earlier ones unless the scan is partial), and flags rotated secrets
 * seen again in a newer commit as reintroduced. Nothing is written when it
 * fails. */
int sfmc_datastore_record(sfmc_datastore *ds, const sfmc_datastore_scan *scan, const sfmc_results *res);

/* Sets a secret's triage (fingerprint: a unique prefix of at least 8 hex
 * digits). Returns 0, SFMC_ENOTFOUND, SFMC_EINVALID (ambiguous), SFMC_EBUSY. */
int sfmc_datastore_triage(sfmc_datastore *ds, const char *fingerprint, const char *status, const char *reason,
			  char full[65]);

/* A secret's triage: status ("open" when never triaged, or "reintroduced")
 * and reason (NULL: none); borrowed until the handle closes. */
typedef struct sfmc_triage_info {
	const char *status;
	const char *reason;
} sfmc_triage_info;
int sfmc_datastore_triage_get(sfmc_datastore *ds, const char *fingerprint, sfmc_triage_info *out);
/* true when the status means someone looked at it (not open, not reintroduced). */
bool sfmc_triage_settled(const char *status);

/* What `report` reads back. */
typedef struct sfmc_datastore_query {
	const char *status;     /* only secrets with this triage status; NULL: all */
	const char *repository; /* only locations in repositories whose path contains this; NULL: all */
	int64_t since;          /* only locations of commits (or scans) at or after; 0: all */
} sfmc_datastore_query;

/* Appends the recorded locations matching q to out (empty: finding i of out
 * is the i-th read back) as findings, their secrets redacted placeholders
 * (never print them with --show-secrets), rules looked up in rules; sets
 * *nrepos to the number of repositories they come from. */
int sfmc_datastore_load(sfmc_datastore *ds, const sfmc_datastore_query *q, const sfmc_ruleset *rules, sfmc_results *out,
			size_t *nrepos);
/* The repository (and forge URL, or NULL) of the i-th finding read back. */
int sfmc_datastore_origin(const sfmc_datastore *ds, size_t i, const char **repository, const char **remote_url);

#endif
