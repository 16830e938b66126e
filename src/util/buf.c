#include "util/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "util/error.h"

void sfmc_buf_init(sfmc_buf *b, size_t limit)
{
	b->ptr = NULL;
	b->size = b->asize = 0;
	b->limit = limit ? limit : SFMC_BUF_DEFAULT_LIMIT;
}

int sfmc_buf_grow(sfmc_buf *b, size_t want)
{
	size_t limit = b->limit ? b->limit : SFMC_BUF_DEFAULT_LIMIT;
	size_t n;
	char *p;

	if (want < b->asize)
		return 0;
	if (want >= limit)
		return sfmc_error_set("buffer limit of %zu bytes exceeded", limit);
	n = b->asize ? b->asize : 64;
	while (n <= want)
		n = n > limit / 2 ? limit : n * 2;
	p = realloc(b->ptr, n);
	if (!p)
		return sfmc_error_set("out of memory (%zu bytes)", n);
	b->ptr = p;
	b->asize = n;
	return 0;
}

int sfmc_buf_put(sfmc_buf *b, const void *data, size_t len)
{
	if (len > SIZE_MAX - b->size - 1 || sfmc_buf_grow(b, b->size + len + 1) < 0)
		return len > SIZE_MAX - b->size - 1 ? sfmc_error_set("buffer overflow") : -1;
	if (len)
		memcpy(b->ptr + b->size, data, len);
	b->size += len;
	b->ptr[b->size] = '\0';
	return 0;
}

int sfmc_buf_puts(sfmc_buf *b, const char *s)
{
	return sfmc_buf_put(b, s, strlen(s));
}

int sfmc_buf_putc(sfmc_buf *b, char c)
{
	return sfmc_buf_put(b, &c, 1);
}

int sfmc_buf_printf(sfmc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sfmc_buf_grow(b, b->size + (size_t)n + 1) < 0)
		return n < 0 ? sfmc_error_set("format error") : -1;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->size, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->size += (size_t)n;
	return 0;
}

void sfmc_buf_clear(sfmc_buf *b)
{
	b->size = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

char *sfmc_buf_detach(sfmc_buf *b)
{
	char *p = b->ptr;
	if (!p)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->size = b->asize = 0;
	return p;
}

void sfmc_buf_dispose(sfmc_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->size = b->asize = 0;
}
