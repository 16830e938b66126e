/* scan.h - turns bytes with provenance into findings: drives the detector
 * over memory or a file descriptor (in overlapping chunks, so memory stays
 * bounded for any file size), computes line and column, fingerprints.
 * One scanner per thread; it borrows the ruleset. */
#ifndef SFMC_SCAN_H
#define SFMC_SCAN_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "detect/decode.h"
#include "detect/detect.h"
#include "core/finding.h"

typedef struct sfmc_pending sfmc_pending;
typedef struct sfmc_archive_walk sfmc_archive_walk;

/* Where a chunked scan reads from: read returns bytes (0 at the end) or -1 with errno set. */
typedef struct sfmc_reader {
	ssize_t (*read)(void *ctx, void *buf, size_t want);
	void *ctx;
} sfmc_reader;

/* A stream that cannot be read twice (a pipe, an archive member) is copied
 * to an unlinked temporary file while it is scanned, when its first bytes
 * show an archive, so that its members can be extracted afterwards. */
typedef struct sfmc_spool {
	bool want;      /* in: copy it if it is an archive */
	bool archive;   /* out: its first bytes are an archive's */
	bool deep;      /* out: they are, but nested deeper than archive_depth */
	bool truncated; /* out: longer than SFMC_ARCHIVE_MAX_SPOOL: not all copied */
	int fd;         /* the copy, or -1 */
	int src;        /* in: the descriptor read, or -1: a regular file is read again instead */
	uint64_t bytes; /* bytes read */
} sfmc_spool;

typedef struct sfmc_scanner {
	const sfmc_ruleset *rules;
	sfmc_detector *det;
	unsigned char *chunk;   /* read buffer for descriptors */
	size_t chunk_cap;
	size_t overlap;
	size_t chunk_size;      /* 0: SFMC_CHUNK_SIZE; tests and fuzzers use tiny chunks to hit the edges */
	size_t back;            /* context kept before the next chunk's first hit */
	sfmc_decode *dec;       /* encoded-content stage; NULL when no rule decodes */
	sfmc_pending *pending;  /* matches of the current chunk */
	size_t npending, apending;
	int cb_error;
	unsigned archive_depth;  /* nested archives opened (ruleset's; 0: none) */
	unsigned archive_level;  /* nesting of what is being scanned now (0: the file itself) */
	sfmc_archive_walk *walk; /* limits of the outer file being extracted, NULL outside */
	struct sfmc_context *ctx; /* credential context stage; NULL when no context rules */
} sfmc_scanner;

int sfmc_scanner_init(sfmc_scanner *s, const sfmc_ruleset *rules);
void sfmc_scanner_dispose(sfmc_scanner *s);

/* Scans one in-memory blob; findings (with prov copied) go to out.
 * Counts one file and len bytes in out->stats. Returns 0 or -1 (message set;
 * nothing is recorded in out->errors: that is the caller's choice). */
int sfmc_scanner_scan_mem(sfmc_scanner *s, const void *data, size_t len, const sfmc_provenance *prov,
			  sfmc_results *out);

/* Reads rd to its end in overlapping chunks and scans it (raw bytes only;
 * counts nothing in out->stats); sp (required) copies it aside, see sfmc_spool. */
int sfmc_scanner_scan_reader(sfmc_scanner *s, const sfmc_reader *rd, const sfmc_provenance *prov, sfmc_results *out,
			     sfmc_spool *sp);

/* Both: when the first bytes are an archive's or a compressed stream's
 * (detect/archive.h), its members are scanned too, under the "!" paths.
 * Reads fd to end of file in chunks and scans it. Returns 0 or -1 (read
 * error or regex failure, message set); findings before the error are kept. */
int sfmc_scanner_scan_fd(sfmc_scanner *s, int fd, const sfmc_provenance *prov, sfmc_results *out);

#endif
