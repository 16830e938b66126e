/* text.h - byte-string helpers for reports: UTF-8 checks, lossy
 * conversion, terminal-safe escaping and base64 (results are malloc'd);
 * and the byte-count syntax shared by --max-file-size and the config. */
#ifndef SFMC_TEXT_H
#define SFMC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool sfmc_text_is_utf8(const char *s, size_t len);
/* Valid UTF-8 copy: each invalid byte becomes U+FFFD. */
char *sfmc_text_lossy_utf8(const char *s, size_t len);
/* Printable copy for a terminal: control bytes, DEL and invalid UTF-8 become
 * \xNN (and \n \t \r), C1 controls and bidi/invisible format characters
 * (U+202E...) \uNNNN, backslash becomes \\, so a name cannot move the cursor
 * or reorder what is shown. */
char *sfmc_text_escape(const char *s, size_t len);
char *sfmc_text_base64(const void *data, size_t len);
/* RFC 3986 percent-encoding of a path for a URI reference ('/' kept). */
char *sfmc_text_uri_path(const char *s, size_t len);

/* Parses a byte count: "123", "10K", "5M", "1G" (binary units). 0 or -1. */
int sfmc_text_parse_size(const char *s, uint64_t *out);

#endif
