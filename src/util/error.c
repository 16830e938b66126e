#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last[1024];

int sfmc_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last, sizeof(last), fmt, ap);
	va_end(ap);
	return -1;
}

int sfmc_error_set_errno(const char *fmt, ...)
{
	int err = errno;
	size_t n;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last, sizeof(last), fmt, ap);
	va_end(ap);
	n = strlen(last);
	snprintf(last + n, sizeof(last) - n, ": %s", strerror(err));
	return -1;
}

const char *sfmc_error_last(void)
{
	return last;
}

void sfmc_error_clear(void)
{
	last[0] = '\0';
}

int sfmc_error_prefix(const char *fmt, ...)
{
	char prefix[512], out[sizeof(last)];
	size_t n, keep = strlen(last);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	n = (size_t)snprintf(out, sizeof(out), "%s: ", prefix);
	if (keep > sizeof(out) - 1 - n)
		keep = sizeof(out) - 1 - n;
	memcpy(out + n, last, keep);
	out[n + keep] = '\0';
	memcpy(last, out, n + keep + 1);
	return -1;
}
