/* detect.h - the detector: keyword prefilter -> PCRE2 on the window around
 * each hit -> checksum and placeholder checks. One detector per thread; it
 * borrows the ruleset, which must outlive it. */
#ifndef SFMC_DETECT_H
#define SFMC_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rules.h"

typedef struct sfmc_match {
	const sfmc_rule *rule;
	uint64_t offset;            /* absolute offset in the stream */
	const unsigned char *bytes; /* the match, inside the scanned buffer */
	size_t length;
	sfmc_level level;
	bool checksum_valid;
} sfmc_match;

/* Return < 0 to stop the scan (that value is returned by the scan). */
typedef int (*sfmc_match_cb)(const sfmc_match *m, void *payload);

typedef struct sfmc_detector sfmc_detector;

int sfmc_detector_new(sfmc_detector **out, const sfmc_ruleset *rules);
void sfmc_detector_free(sfmc_detector *d);

/* Starts a new stream (forgets where earlier matches ended). */
void sfmc_detector_begin(sfmc_detector *d);

/* Scans buf[0,len), which starts at stream offset `base`. Only keyword hits
 * in [from, limit) are examined, so overlapping chunks are scanned once;
 * matches may extend to len. Calls cb per match, in no particular order.
 * Returns 0, a negative cb value, or -1 with a message (e.g. PCRE2 limit). */
int sfmc_detector_scan(sfmc_detector *d, const unsigned char *buf, size_t len, uint64_t base,
		       size_t from, size_t limit, sfmc_match_cb cb, void *payload);

/* A keyword of rule `rule` (index in the ruleset) starts at buf[pos]. */
typedef struct sfmc_keyword_hit {
	size_t pos;
	size_t rule;
} sfmc_keyword_hit;

/* sfmc_detector_scan given the keyword hits in [from, limit) found by
 * another search (sorted by pos; a hit per keyword that starts there, in the
 * order of the rule's keywords): same matches, same order, no search. */
int sfmc_detector_scan_hits(sfmc_detector *d, const unsigned char *buf, size_t len, uint64_t base,
			    const sfmc_keyword_hit *hits, size_t nhits, sfmc_match_cb cb, void *payload);

/* Bytes of overlap needed between chunks for the loaded rules. */
size_t sfmc_detector_overlap(const sfmc_ruleset *rules);

/* Classifies one whole string as a token of `rule` (used by `check`):
 * returns 1 and fills m when the entire string is one match, else 0. */
int sfmc_detector_classify(sfmc_detector *d, const unsigned char *s, size_t len, sfmc_match *m);

#endif
