#include "util/text.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* Length of the valid UTF-8 sequence at s, or 0 (no overlongs, surrogates). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

bool sfmc_text_is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

char *sfmc_text_lossy_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	sfmc_buf b = SFMC_BUF_INIT;

	sfmc_buf_init(&b, 0);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i);
		int rc = n ? sfmc_buf_put(&b, p + i, n) : sfmc_buf_puts(&b, "\xEF\xBF\xBD");
		if (rc < 0) {
			sfmc_buf_dispose(&b);
			return NULL;
		}
		i += n ? n : 1;
	}
	return sfmc_buf_detach(&b);
}

/* Code points that reorder or hide text on a terminal (Trojan Source,
 * CVE-2021-42574): bidi embeddings, overrides, isolates and marks, zero-width
 * characters, line/paragraph separators, BOM. */
static bool is_invisible_format(uint32_t cp)
{
	return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* The code point of the valid n-byte UTF-8 sequence at p. */
static uint32_t utf8_decode(const unsigned char *p, size_t n)
{
	static const unsigned char lead_mask[5] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
	uint32_t cp = p[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (p[i] & 0x3F);
	return cp;
}

char *sfmc_text_escape(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	sfmc_buf b = SFMC_BUF_INIT;
	int rc = 0;

	sfmc_buf_init(&b, 0);
	for (size_t i = 0; i < len && rc == 0;) {
		size_t n = utf8_seq(p + i, len - i);
		unsigned c = p[i];

		if (n > 1) {
			uint32_t cp = utf8_decode(p + i, n);
			/* C1 controls (U+0080..U+009F) can drive terminals too. */
			if (cp < 0xA0 || is_invisible_format(cp))
				rc = sfmc_buf_printf(&b, "\\u%04x", (unsigned)cp);
			else
				rc = sfmc_buf_put(&b, p + i, n);
			i += n;
			continue;
		}
		if (c == '\\')
			rc = sfmc_buf_puts(&b, "\\\\");
		else if (c == '\n')
			rc = sfmc_buf_puts(&b, "\\n");
		else if (c == '\t')
			rc = sfmc_buf_puts(&b, "\\t");
		else if (c == '\r')
			rc = sfmc_buf_puts(&b, "\\r");
		else if (c < 0x20 || c == 0x7F || !n)
			rc = sfmc_buf_printf(&b, "\\x%02x", c);
		else
			rc = sfmc_buf_putc(&b, (char)c);
		i++;
	}
	if (rc < 0) {
		sfmc_buf_dispose(&b);
		return NULL;
	}
	return sfmc_buf_detach(&b);
}

char *sfmc_text_base64(const void *data, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *out = malloc(4 * ((len + 2) / 3) + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < len ? p[i + 2] : 0);
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

char *sfmc_text_uri_path(const char *s, size_t len)
{
	static const char safe[] = "-._~/!$&'()*+,;=:@";
	sfmc_buf b = SFMC_BUF_INIT;
	int rc = 0;

	sfmc_buf_init(&b, 0);
	for (size_t i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr(safe, c)))
			rc = sfmc_buf_putc(&b, (char)c);
		else
			rc = sfmc_buf_printf(&b, "%%%02X", c);
	}
	if (rc < 0) {
		sfmc_buf_dispose(&b);
		return NULL;
	}
	return sfmc_buf_detach(&b);
}

/* Parses "123", "10K", "5M", "1G" (binary units). */
int sfmc_text_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}
