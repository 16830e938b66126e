/* scan.h - turns bytes with provenance into findings: drives the detector
 * over memory or a file descriptor (in overlapping chunks, so memory stays
 * bounded for any file size), computes line and column, fingerprints.
 * One scanner per thread; it borrows the ruleset. */
#ifndef SFMC_SCAN_H
#define SFMC_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "detect/decode.h"
#include "detect/detect.h"
#include "core/finding.h"

typedef struct sfmc_pending sfmc_pending;

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
	struct sfmc_context *ctx; /* credential context stage; NULL when no context rules */
} sfmc_scanner;

int sfmc_scanner_init(sfmc_scanner *s, const sfmc_ruleset *rules);
void sfmc_scanner_dispose(sfmc_scanner *s);

/* Scans one in-memory blob; findings (with prov copied) go to out.
 * Counts one file and len bytes in out->stats. Returns 0 or -1 (message set;
 * nothing is recorded in out->errors: that is the caller's choice). */
int sfmc_scanner_scan_mem(sfmc_scanner *s, const void *data, size_t len, const sfmc_provenance *prov,
			  sfmc_results *out);

/* Reads fd to end of file in chunks and scans it. Returns 0 or -1 (read
 * error or regex failure, message set); findings before the error are kept. */
int sfmc_scanner_scan_fd(sfmc_scanner *s, int fd, const sfmc_provenance *prov, sfmc_results *out);

#endif
