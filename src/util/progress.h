/* progress.h - the live progress line on stderr ("--progress"): items
 * (files or blobs) done / total, bytes, throughput and ETA, redrawn by a
 * ticker thread at most 10 times a second. Counters are process-wide
 * atomics, so scanning threads only add to them; counting costs nothing
 * when no line is shown. */
#ifndef SFMC_PROGRESS_H
#define SFMC_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* Resets the counters; with show, starts drawing the line (noun: "files"). */
int sfmc_progress_start(const char *noun, bool show);
/* More items to do (a walk finds files as it goes). */
void sfmc_progress_expect(uint64_t items);
/* The total is now final (the ETA is shown from then on). */
void sfmc_progress_expect_done(void);
/* Work done: whole items and bytes (bytes may come before their item). */
void sfmc_progress_add(uint64_t items, uint64_t bytes);
/* Stops the ticker and erases the line. */
void sfmc_progress_stop(void);

#endif
