/* banned.h - functions that overrun or truncate silently are a compile error.
 * Force-included first into every C file of the project by CMake (-include),
 * so it pulls in the system headers that declare them before defining the
 * macros: their later #includes are then no-ops behind the include guards.
 * _GNU_SOURCE is set for the whole build (CMakeLists.txt) because those
 * headers are now read before any file's own feature-test macros.
 * Use snprintf, or sfmc_buf (util/buf.h) when the length is not bounded. */
#ifndef SFMC_BANNED_H
#define SFMC_BANNED_H

#include <stdio.h>
#include <string.h>

#define SFMC_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) SFMC_BANNED(strcpy)
#undef strncpy
#define strncpy(x, y, n) SFMC_BANNED(strncpy)
#undef strcat
#define strcat(x, y) SFMC_BANNED(strcat)
#undef strncat
#define strncat(x, y, n) SFMC_BANNED(strncat)
#undef sprintf
#define sprintf(...) SFMC_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SFMC_BANNED(vsprintf)
#undef gets
#define gets(x) SFMC_BANNED(gets)

#endif
