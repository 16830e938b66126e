/* archive.h - archives and compressed files inside scanned bytes.
 *
 * The scanner funnel (scan.c) asks sfmc_archive_sniff about the first bytes
 * of everything it scans, whatever the source; when they are an archive's
 * (zip family, tar, 7z, cpio, ar, rar) or a compressed stream's (gzip,
 * bzip2, xz, zstd, lz4, lzip: compressed tars, or libarchive's "raw" format
 * for a single compressed file), the members are read with libarchive and
 * fed through the same chunked scan, under "outer!member" paths, nested up
 * to the ruleset's archive_depth, within the limits of util/bounds.h.
 * Extraction runs on the thread scanning the outer file; its state lives in
 * that thread's scanner. */
#ifndef SFMC_ARCHIVE_H
#define SFMC_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "detect/scan.h"

/* true when p[0,n) starts like an archive or a compressed stream. */
bool sfmc_archive_sniff(const void *p, size_t n);

/* Reads the members of the archive in fd (a regular file, rewound) or else
 * in data[0,len), already scanned raw under prov, and scans them; then drops
 * the raw findings (from index first on) whose rule and secret a member
 * finding of this archive repeats. What is not read (a limit, an encrypted
 * member, a damaged archive) lands in out->skipped with the member's path.
 * Returns 0 or -1 (message set) when scanning itself fails. */
int sfmc_archive_scan(sfmc_scanner *s, int fd, const void *data, size_t len, const sfmc_provenance *prov,
		      sfmc_results *out, size_t first);
/* The same for a stream copied aside while it was scanned (sfmc_spool). */
int sfmc_archive_scan_spool(sfmc_scanner *s, sfmc_spool *sp, const sfmc_provenance *prov, sfmc_results *out,
			    size_t first);

/* The spool's unlinked temporary file ($TMPDIR, else /tmp). 0 or -1 (message set). */
int sfmc_archive_spool_open(sfmc_spool *sp);
/* Appends n bytes; past SFMC_ARCHIVE_MAX_SPOOL marks it truncated. 0 or -1. */
int sfmc_archive_spool_write(sfmc_spool *sp, const void *buf, size_t n);
void sfmc_archive_spool_close(sfmc_spool *sp);

#endif
