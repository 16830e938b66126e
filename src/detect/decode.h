/* decode.h - the encoded-content stage: finds secrets hidden under base64 /
 * base64url, UTF-16LE/BE, percent-encoding and JSON/JS string escapes.
 * From each rule's keywords it derives the literal forms they take under each
 * decoder (and chains of two, e.g. base64 in base64), searches those
 * literals in one pass, decodes only a bounded window around each hit into
 * scratch memory, runs its own detector on the decoded bytes and maps each
 * match back to where its encoded text starts. Decoders are the rows of one
 * static const table in decode.c (name, the decoders it chains over, ways
 * of decoding a hit, keyword derivation, window decoding); rules name them
 * through detect/decoders.h. One sfmc_decode per thread; it borrows the
 * ruleset, which must outlive it. */
#ifndef SFMC_DECODE_H
#define SFMC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "core/rules.h"

typedef struct sfmc_decoded_match {
	const sfmc_match *match; /* bytes/length: the decoded secret (scratch memory) */
	uint64_t offset;         /* stream offset of the first encoded byte */
	uint64_t end;            /* stream offset of the last encoded byte (inclusive) */
	const char *encoding;    /* "base64", "base64>utf16le", ...; valid during the call */
} sfmc_decoded_match;

/* Return < 0 to stop the scan (that value is returned by the scan). */
typedef int (*sfmc_decoded_cb)(const sfmc_decoded_match *m, void *payload);

typedef struct sfmc_decode sfmc_decode;

/* *out stays NULL (and 0 is returned) when no rule enables a decoder. */
int sfmc_decode_new(sfmc_decode **out, const sfmc_ruleset *rules);
void sfmc_decode_free(sfmc_decode *dc);
/* Starts a new stream (forgets the findings already reported). */
void sfmc_decode_begin(sfmc_decode *dc);

/* Like sfmc_detector_scan: only literal hits in [from, limit) are examined;
 * a hit's window reaches sfmc_decode_reach() bytes either side (clamped to
 * buf). Matches whose bytes appear unencoded at the same place are left to
 * the plain detector. Returns 0, a negative cb value, or -1 (message set). */
int sfmc_decode_scan(sfmc_decode *dc, const unsigned char *buf, size_t len, uint64_t base, size_t from,
		     size_t limit, sfmc_decoded_cb cb, void *payload);

/* Fused search: true when the literal search of sfmc_decode_scan also
 * covers every rule's keywords (each rule has keywords, at most
 * SFMC_DECODE_MAX_FUSED in all). Then each sfmc_decode_scan records the
 * keyword hits in [from, limit) for sfmc_detector_scan_hits, so the buffer
 * is searched once. */
bool sfmc_decode_fused(const sfmc_decode *dc);
/* The last scan's keyword hits (dc's memory, valid until the next scan);
 * false when there were more than SFMC_DECODE_MAX_PLAIN_HITS: then run
 * sfmc_detector_scan on the buffer. */
bool sfmc_decode_plain_hits(const sfmc_decode *dc, const sfmc_keyword_hit **hits, size_t *n);

/* Bytes a decode window reaches on either side of a hit; 0 when no rule
 * enables a decoder. Chunked scans must keep that much context. */
size_t sfmc_decode_reach(const sfmc_ruleset *rules);

/* Windows decoded at each level since sfmc_decode_begin (tests check that
 * back-to-back literals cost linear work). */
size_t sfmc_decode_windows(const sfmc_decode *dc, int level);

/* The derived literals, for tests and tooling: i-th literal's bytes and the
 * chain of decoders it is searched for (e.g. "base64>base64"). */
size_t sfmc_decode_nliterals(const sfmc_decode *dc);
const unsigned char *sfmc_decode_literal(const sfmc_decode *dc, size_t i, size_t *len, const char **chain);

#endif
