/* shell.h - runs a shell command line (printf-style) in a cmocka test and
 * fails the test unless it exits 0: how unit tests build real git
 * repositories with the git CLI. Include after <cmocka.h>. */
#ifndef SFMC_TEST_SHELL_H
#define SFMC_TEST_SHELL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static inline void __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

#endif
