/* buf.h - the one growable byte buffer, with a size limit.
 * The buffer owns ptr; ptr is always NUL-terminated once allocated. */
#ifndef SFMC_BUF_H
#define SFMC_BUF_H

#include <stddef.h>

typedef struct sfmc_buf {
	char *ptr;
	size_t size;  /* bytes in use, excluding the NUL */
	size_t asize; /* bytes allocated */
	size_t limit; /* growth beyond this fails */
} sfmc_buf;

#define SFMC_BUF_INIT { NULL, 0, 0, 0 }

/* limit 0 means SFMC_BUF_DEFAULT_LIMIT. */
void sfmc_buf_init(sfmc_buf *b, size_t limit);
int sfmc_buf_grow(sfmc_buf *b, size_t want);
int sfmc_buf_put(sfmc_buf *b, const void *data, size_t len);
int sfmc_buf_puts(sfmc_buf *b, const char *s);
int sfmc_buf_putc(sfmc_buf *b, char c);
int sfmc_buf_printf(sfmc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sfmc_buf_clear(sfmc_buf *b);
/* Hands ownership of the string to the caller and resets b. */
char *sfmc_buf_detach(sfmc_buf *b);
void sfmc_buf_dispose(sfmc_buf *b);

#endif
