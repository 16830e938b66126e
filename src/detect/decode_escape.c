/* decode_escape.c - the two escape-sequence decoders, percent-encoding and
 * JSON/JS string escapes, which share their keyword forms (see decoder.h). */
#include "detect/decoder.h"

#include <string.h>

static bool is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The literal up to its first non-alphanumeric byte plus the escape
 * introducer: "SFMC_" -> "SFMC%" (covers %5F and %5f). */
static int derive_prefix(sfmc_decode *dc, const unsigned char *p, size_t n, const lit *parent, int self,
			 char introducer)
{
	unsigned char tmp[SFMC_MAX_KEYWORD_LEN * 4 + 1];
	size_t i = 0;

	while (i < n && is_alnum(p[i]))
		i++;
	if (i == n || i + 1 > sizeof(tmp))
		return 0; /* nothing would be escaped */
	memcpy(tmp, p, i);
	tmp[i] = (unsigned char)introducer;
	return sfmc_decode_add_form(dc, tmp, i + 1, parent, self, 0);
}

static int derive_percent(sfmc_decode *dc, const unsigned char *p, size_t n, const lit *parent, int self)
{
	return derive_prefix(dc, p, n, parent, self, '%');
}

static int derive_escape(sfmc_decode *dc, const unsigned char *p, size_t n, const lit *parent, int self)
{
	return derive_prefix(dc, p, n, parent, self, '\\');
}

static void put(window *w, unsigned char c, size_t from, size_t to)
{
	w->out[w->n] = c;
	w->from[w->n] = (uint32_t)(from - w->base);
	w->to[w->n++] = (uint32_t)(to - w->base);
}

/* Value of n hex digits at p, or -1. */
static long hex_run(const unsigned char *p, size_t n)
{
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		int h = hexv(p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static const char *decode_percent(const hitctx *h, unsigned reading, window *w)
{
	const unsigned char *in = h->in;
	size_t lo = h->lo, hi = h->hi;

	if (reading)
		return NULL;
	for (size_t p = lo; p < hi; p++) {
		long v = in[p] == '%' && hi - p >= 3 ? hex_run(in + p + 1, 2) : -1;
		if (v >= 0) {
			put(w, (unsigned char)v, p, p + 2);
			p += 2;
		} else {
			put(w, in[p], p, p);
		}
	}
	return "percent";
}

/* One escape at in[p] (a backslash): decoded byte and length, 0 if none. */
static size_t escape_at(const unsigned char *in, size_t p, size_t hi, unsigned char *out)
{
	static const char simple[] = "\\\\//\"\"''n\nt\tr\rb\bf\f";
	long v = -1;
	size_t len = 0, i;

	if (hi - p < 2)
		return 0;
	if (in[p + 1] == 'u' && hi - p >= 6 && (v = hex_run(in + p + 2, 4)) >= 0) {
		len = 6;
	} else if (in[p + 1] == 'u' && hi - p >= 4 && in[p + 2] == '{') { /* JS \u{5f} */
		for (i = p + 3, v = 0; i < hi && i < p + 9 && hexv(in[i]) >= 0; i++)
			v = v << 4 | hexv(in[i]);
		len = i < hi && in[i] == '}' && i > p + 3 ? i - p + 1 : 0;
	} else if (in[p + 1] == 'x' && hi - p >= 4 && (v = hex_run(in + p + 2, 2)) >= 0) {
		len = 4;
	} else {
		for (i = 0; simple[i]; i += 2)
			if (in[p + 1] == (unsigned char)simple[i]) {
				*out = (unsigned char)simple[i + 1];
				return 2;
			}
		return 0;
	}
	if (len)
		*out = v < 0x80 ? (unsigned char)v : 0xff; /* non-ASCII: never part of a token */
	return len;
}

static const char *decode_escape(const hitctx *h, unsigned reading, window *w)
{
	const unsigned char *in = h->in;
	size_t lo = h->lo, hi = h->hi;

	if (reading)
		return NULL;
	for (size_t p = lo; p < hi; p++) {
		unsigned char c;
		size_t len = in[p] == '\\' ? escape_at(in, p, hi, &c) : 0;
		if (len) {
			put(w, c, p, p + len - 1);
			p += len - 1;
		} else {
			put(w, in[p], p, p);
		}
	}
	return "escape";
}

const struct decoder sfmc_decoder_percent = {
	.name = "percent",
	.inner = "",
	.nways = 1,
	.derive = derive_percent,
	.decode = decode_percent,
};

const struct decoder sfmc_decoder_escape = {
	.name = "escape",
	.inner = "",
	.nways = 1,
	.derive = derive_escape,
	.decode = decode_escape,
};
