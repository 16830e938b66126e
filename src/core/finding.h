/* finding.h - findings and the result set a scan produces.
 * A sfmc_results owns every string in it; findings are value types whose
 * pointers belong to the enclosing results. */
#ifndef SFMC_FINDING_H
#define SFMC_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rules.h"

/* Git provenance of a finding (NULL for files and streams). */
typedef struct sfmc_commit_info {
	char commit[41];     /* hex id, "" when unknown (dangling blob) */
	char *author_name;
	char *author_email;
	int64_t time;        /* commit time, seconds since the epoch UTC */
	char *summary;       /* subject line */
} sfmc_commit_info;

/* Where a scanned blob came from; borrowed by the scanner, copied into findings. */
typedef struct sfmc_provenance {
	const char *path;       /* relative path bytes (may be non-UTF-8) */
	size_t path_len;
	const char *blob;       /* git blob hex id or NULL */
	const sfmc_commit_info *commit; /* or NULL */
	/* Inside an archive: path is "outer!member[!inner...]" and member holds
	 * the member parts (after the outer path) separated by NUL bytes. */
	const char *member;
	size_t member_len;
} sfmc_provenance;

typedef enum sfmc_suppress_kind {
	SFMC_SUPPRESS_NONE = 0,
	SFMC_SUPPRESS_INLINE,   /* sfmc-scan:allow on the line */
	SFMC_SUPPRESS_CONFIG,   /* an allow entry of the config file */
	SFMC_SUPPRESS_BASELINE, /* present in --baseline */
} sfmc_suppress_kind;

/* "inline", "config", "baseline" (or "none"). */
const char *sfmc_suppress_kind_name(sfmc_suppress_kind k);

/* What a finding's text is: a file (blob, stream) or a git message (no path in the tree). */
typedef enum sfmc_location {
	SFMC_LOCATION_FILE = 0,
	SFMC_LOCATION_COMMIT_MESSAGE, /* path "commit/<sha>/message", commit set */
	SFMC_LOCATION_TAG_MESSAGE,    /* path "tag/<name>/message", tag and tag_id set */
} sfmc_location;

/* "file", "commit-message", "tag-message". */
const char *sfmc_location_name(sfmc_location l);

/* A companion value found near the secret (context rules). */
typedef struct sfmc_context_value {
	char *value;     /* NULL: none found */
	uint64_t line;   /* 1-based */
	unsigned others; /* other distinct candidates of this kind in the window */
} sfmc_context_value;

/* Live verification result (--verify); NONE when not asked. */
typedef enum sfmc_verify_status {
	SFMC_VERIFY_NONE = 0,
	SFMC_VERIFY_LIVE,
	SFMC_VERIFY_INVALID,
	SFMC_VERIFY_UNKNOWN,
	SFMC_VERIFY_UNVERIFIABLE,
} sfmc_verify_status;

/* "live", "invalid", "unknown", "unverifiable" (NULL for NONE). */
const char *sfmc_verify_status_name(sfmc_verify_status s);

typedef struct sfmc_finding {
	const sfmc_rule *rule;
	sfmc_level level;
	bool checksum_valid;
	char *path;          /* NUL-terminated, may contain invalid UTF-8 */
	size_t path_len;
	uint64_t offset;     /* byte offset in the blob */
	uint64_t line;       /* 1-based */
	uint64_t column;     /* 1-based byte column of the first byte */
	uint64_t end_column; /* 1-based byte column of the last byte (inclusive) */
	char *secret;        /* the whole secret; never printed unless asked */
	size_t secret_len;
	char fingerprint[65];/* hex SHA-256 of the secret */
	char *encoding;      /* NULL = plain; else e.g. "base64" */
	char blob[41];       /* git blob id or "" */
	sfmc_commit_info *commit; /* owned copy or NULL */
	sfmc_suppress_kind suppressed;
	char *suppress_reason;
	/* Inside an archive (else NULL): the parts of path after the outer file,
	 * NUL-separated (path ends with them joined by '!'). */
	char *member;
	size_t member_len;
	sfmc_location location; /* messages: path is the logical name above, line/column within the message */
	char *tag;              /* tag message: the tag's name (bytes from history), else NULL */
	char tag_id[41];        /* tag message: the tag object's hex id, else "" */

	sfmc_context_value context[SFMC_CONTEXT_KINDS]; /* by sfmc_context_kind; [0] unused */
	sfmc_verify_status verify;
	const char *verify_reason; /* static text, NULL when none */
	long verify_http;          /* HTTP status, 0: no answer */
	/* `audit` and `merge`: the repository the finding is in, as reports show
	 * it (credentials stripped); NULL for a scan of one source. */
	char *repository;
	/* Read back from a report (merge): secret holds the form that report
	 * showed (redacted, or whole with --show-secrets), printed as it is. */
	bool secret_shown;
} sfmc_finding;

typedef struct sfmc_issue {
	char *path;   /* file, object or stream the problem concerns */
	char *text;   /* reason (skipped) or message (error) */
} sfmc_issue;

typedef struct sfmc_stats {
	uint64_t files;      /* files, blobs or streams scanned */
	uint64_t bytes;      /* bytes scanned */
	uint64_t skipped;
	uint64_t duration_ms;
} sfmc_stats;

typedef struct sfmc_results {
	sfmc_finding *findings;
	size_t nfindings, afindings;
	sfmc_issue *skipped;
	size_t nskipped, askipped;
	sfmc_issue *errors;
	size_t nerrors, aerrors;
	sfmc_stats stats;
	bool shallow;                /* git: a shallow clone, history truncated: not a full audit */
	char (*shallow_commits)[41]; /* its boundary commits ($GIT_DIR/shallow), hex */
	size_t nshallow, ashallow;
} sfmc_results;

void sfmc_results_init(sfmc_results *r);
void sfmc_results_dispose(sfmc_results *r);
/* Appends a copy of f (deep: strings are duplicated). */
int sfmc_results_add_finding(sfmc_results *r, const sfmc_finding *f);
int sfmc_results_add_skipped(sfmc_results *r, const char *path, const char *reason);
int sfmc_results_add_error(sfmc_results *r, const char *path, const char *message);
/* Marks the history shallow and records one boundary commit (40 hex digits). */
int sfmc_results_add_shallow(sfmc_results *r, const char *hex);
/* Moves everything from src into dst and leaves src empty. */
int sfmc_results_merge(sfmc_results *dst, sfmc_results *src);
/* Sorts findings by repository, path, line, column, rule; errors and skips by path. */
void sfmc_results_sort(sfmc_results *r);
/* Removes findings that equal an earlier one in (path, offset, rule, commit). */
void sfmc_results_dedup(sfmc_results *r);

void sfmc_finding_dispose(sfmc_finding *f);
/* Deep copy; commit info is duplicated. */
int sfmc_finding_copy(sfmc_finding *dst, const sfmc_finding *src);
/* Redacted form: the rule's keyword prefix plus up to SFMC_REDACT_SHOW chars and "…". */
char *sfmc_finding_redact(const sfmc_finding *f);
/* Fills f->fingerprint from f->secret. */
int sfmc_finding_fingerprint(sfmc_finding *f);
/* Hex SHA-256 of data; 0, or -1 (message set) when libcrypto fails. */
int sfmc_fingerprint_hex(const void *data, size_t len, char out[65]);
/* Initialises libcrypto and its SHA-256 on the calling thread (call before
 * starting threads: a worker failing lazy initialisation crashes OpenSSL). */
int sfmc_fingerprint_init(void);

int sfmc_commit_info_copy(sfmc_commit_info **dst, const sfmc_commit_info *src);
void sfmc_commit_info_free(sfmc_commit_info *c);

/* Highest unsuppressed level among findings. */
sfmc_level sfmc_results_max_level(const sfmc_results *r);
/* An unsuppressed finding verified live (--fail-on live). */
bool sfmc_results_any_live(const sfmc_results *r);

#endif
