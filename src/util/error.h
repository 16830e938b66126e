/* error.h - a per-thread "last error" message, set by the failing function
 * and read by its caller (the libgit2 git_error_last() convention). */
#ifndef SFMC_ERROR_H
#define SFMC_ERROR_H

#include <stdarg.h>

/* Return codes, libgit2 style: 0 is success, negatives are named. Every
 * negative code but SFMC_EDECLINED comes with a message (sfmc_error_last). */
typedef enum sfmc_error_code {
	SFMC_OK = 0,
	SFMC_ERROR = -1,     /* failed; message set */
	SFMC_EDECLINED = -2, /* this path does not handle the input: the caller falls back (no message) */
	SFMC_ENOTFOUND = -3, /* the object, ref or file does not exist */
	SFMC_EINVALID = -4,  /* malformed input (a damaged object, a bad line) */
	SFMC_EUSAGE = -5,    /* the command line is wrong (exit 2 with usage) */
	SFMC_EEXISTS = -6,   /* would overwrite something that is not ours */
	SFMC_ELIMIT = -7,    /* a bound of util/bounds.h was reached */
	SFMC_EBUSY = -8,     /* a resource is held by another process */
} sfmc_error_code;

/* Sets the calling thread's message; always returns SFMC_ERROR (-1) so callers can
 * `return sfmc_error_set(...)`. */
int sfmc_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, appending ": strerror(errno)". */
int sfmc_error_set_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prepends "PREFIX: " (PREFIX from fmt) to the current message, e.g. a
 * FILE:LINE; returns SFMC_ERROR. */
int sfmc_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The message; "" when none. Owned by the thread, valid until the next set. */
const char *sfmc_error_last(void);
void sfmc_error_clear(void);

#endif
