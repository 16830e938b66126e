#include "core/checksum.h"

#include <string.h>

/* One row per algorithm; parameters from the CRC catalogue (reveng). */
static const sfmc_crc_algo algos[] = {
	{ "crc32", 32, 0x04C11DB7, 0xFFFFFFFF, true, true, 0xFFFFFFFF, 0xCBF43926 },
	{ "crc32c", 32, 0x1EDC6F41, 0xFFFFFFFF, true, true, 0xFFFFFFFF, 0xE3069283 },
	{ "crc32-bzip2", 32, 0x04C11DB7, 0xFFFFFFFF, false, false, 0xFFFFFFFF, 0xFC891918 },
	{ "crc16-ccitt", 16, 0x1021, 0xFFFF, false, false, 0x0000, 0x29B1 },
	{ "crc64-xz", 64, 0x42F0E1EBA9EA3693ULL, ~0ULL, true, true, ~0ULL, 0x995DC9BBDF1939FAULL },
};

static uint64_t reflect(uint64_t v, unsigned bits)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < bits; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

static uint64_t mask_of(unsigned width)
{
	return width >= 64 ? ~0ULL : ((1ULL << width) - 1);
}

/* Bit-at-a-time: checksums run only on regex matches, never on bulk data. */
uint64_t sfmc_checksum_crc(const sfmc_crc_algo *a, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t top = 1ULL << (a->width - 1), mask = mask_of(a->width);
	uint64_t crc = a->init & mask;

	for (size_t i = 0; i < len; i++) {
		uint64_t byte = a->refin ? reflect(p[i], 8) : p[i];
		for (int b = 7; b >= 0; b--) {
			uint64_t bit = ((byte >> b) & 1) ^ ((crc & top) ? 1 : 0);
			crc = (crc << 1) & mask;
			if (bit)
				crc ^= a->poly;
		}
	}
	if (a->refout)
		crc = reflect(crc, a->width);
	return (crc ^ a->xorout) & mask;
}

static int encode_digits(uint64_t v, unsigned width, char *out, const char *alphabet, unsigned base)
{
	for (unsigned i = width; i-- > 0;) {
		out[i] = alphabet[v % base];
		v /= base;
	}
	return v ? -1 : 0;
}

static int enc_hex(uint64_t v, unsigned w, char *out)
{
	return encode_digits(v, w, out, "0123456789abcdef", 16);
}

static int enc_hex_upper(uint64_t v, unsigned w, char *out)
{
	return encode_digits(v, w, out, "0123456789ABCDEF", 16);
}

static int enc_decimal(uint64_t v, unsigned w, char *out)
{
	return encode_digits(v, w, out, "0123456789", 10);
}

/* GitHub-token style base62 (0-9A-Za-z). */
static int enc_base62(uint64_t v, unsigned w, char *out)
{
	return encode_digits(v, w, out, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 62);
}

static const sfmc_encoding encodings[] = {
	{ "hex", enc_hex },
	{ "hex-upper", enc_hex_upper },
	{ "decimal", enc_decimal },
	{ "base62", enc_base62 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const sfmc_crc_algo *sfmc_checksum_algo_find(const char *name)
{
	for (size_t i = 0; i < COUNT(algos); i++)
		if (!strcmp(algos[i].name, name))
			return &algos[i];
	return NULL;
}

const sfmc_crc_algo *sfmc_checksum_algo_at(size_t i)
{
	return i < COUNT(algos) ? &algos[i] : NULL;
}

const sfmc_encoding *sfmc_checksum_encoding_find(const char *name)
{
	for (size_t i = 0; i < COUNT(encodings); i++)
		if (!strcmp(encodings[i].name, name))
			return &encodings[i];
	return NULL;
}

const sfmc_encoding *sfmc_checksum_encoding_at(size_t i)
{
	return i < COUNT(encodings) ? &encodings[i] : NULL;
}

int sfmc_checksum_compute(const sfmc_checksum_spec *spec, const void *data, size_t len, char *out)
{
	return spec->encoding->encode(sfmc_checksum_crc(spec->algo, data, len), spec->width, out);
}

bool sfmc_checksum_verify(const sfmc_checksum_spec *spec, const void *data, size_t len,
			  const char *value, size_t value_len)
{
	char want[SFMC_CHECKSUM_MAX_WIDTH];

	if (value_len != spec->width || spec->width > sizeof(want))
		return false;
	if (sfmc_checksum_compute(spec, data, len, want) < 0)
		return false;
	return memcmp(want, value, value_len) == 0;
}
