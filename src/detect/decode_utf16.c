/* decode_utf16.c - the UTF-16LE/BE decoder (see decoder.h). */
#include "detect/decoder.h"

/* ASCII bytes interleaved with zeros; the trailing zero is left out so the
 * one literal serves little- and big-endian text. */
static int derive_utf16(sfmc_decode *dc, const unsigned char *p, size_t n, const lit *parent, int self)
{
	unsigned char tmp[2 * SFMC_MAX_KEYWORD_LEN * 4];
	int rc;

	if (2 * n > sizeof(tmp))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!p[i] || p[i] >= 0x80)
			return 0;
		tmp[2 * i] = p[i];
		tmp[2 * i + 1] = 0;
	}
	rc = sfmc_decode_add_form(dc, tmp, 2 * n - 1, parent, self, 0);
	return rc;
}

/* A non-zero byte before the hit rules out big-endian (whose ASCII units
 * are 0, c). Otherwise both orders decode the same text and the parity of
 * the stream offset decides: whole-file UTF-16, with or without BOM, has its
 * code units at even offsets. Inside decoded bytes (abs unknown) little-endian
 * is the usual case (PowerShell -EncodedCommand). */
static bool utf16_le(const unsigned char *in, size_t hit, uint64_t abs)
{
	return hit == 0 || in[hit - 1] != 0 || abs == ABS_UNKNOWN || (abs & 1) == 0;
}

/* Byte order and code unit parity. */
static unsigned way_utf16(runcount *rc, const hitctx *h, size_t *run)
{
	bool le = utf16_le(h->in, h->at, h->abs);

	(void)rc, (void)run;
	return (unsigned)(2 * le + ((le ? h->at : h->at - 1) & 1));
}

static const char *decode_utf16(const hitctx *h, unsigned reading, window *w)
{
	const unsigned char *in = h->in;
	size_t lo = h->lo, hi = h->hi;
	bool le = utf16_le(in, h->at, h->abs);
	size_t u = le ? h->at : h->at - 1;

	if (reading)
		return NULL;
	for (size_t p = lo + ((u - lo) & 1); p + 1 < hi; p += 2) {
		unsigned char low = le ? in[p] : in[p + 1], high = le ? in[p + 1] : in[p];
		w->out[w->n] = high == 0 && low < 0x80 ? low : 0xff; /* non-ASCII: never part of a token */
		w->from[w->n] = (uint32_t)(p - w->base);
		w->to[w->n++] = (uint32_t)(p + 1 - w->base);
	}
	return le ? "utf16le" : "utf16be";
}

const struct decoder sfmc_decoder_utf16 = {
	.name = "utf16",
	.inner = "base64",
	.nways = 4, /* byte orders x code unit parities */
	.way = way_utf16,
	.derive = derive_utf16,
	.decode = decode_utf16,
};
