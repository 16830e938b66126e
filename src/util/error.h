/* error.h - a per-thread "last error" message, set by the failing function
 * and read by its caller (the libgit2 git_error_last() convention). */
#ifndef SFMC_ERROR_H
#define SFMC_ERROR_H

#include <stdarg.h>

/* Sets the calling thread's message; always returns -1 so callers can
 * `return sfmc_error_set(...)`. */
int sfmc_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, appending ": strerror(errno)". */
int sfmc_error_set_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The message; "" when none. Owned by the thread, valid until the next set. */
const char *sfmc_error_last(void);
void sfmc_error_clear(void);

#endif
