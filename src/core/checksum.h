/* checksum.h - checksum algorithms and encodings a rule can name.
 * Adding a CRC is one row in the algorithm table of checksum.c; adding an
 * encoding is one function and one row in the encoding table. */
#ifndef SFMC_CHECKSUM_H
#define SFMC_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A CRC in the Rocksoft/"Catalogue of CRC algorithms" parameter model. */
typedef struct sfmc_crc_algo {
	const char *name;
	unsigned width; /* bits, 1..64 */
	uint64_t poly;
	uint64_t init;
	bool refin;
	bool refout;
	uint64_t xorout;
	uint64_t check; /* CRC of "123456789", verified by the unit tests */
} sfmc_crc_algo;

/* Writes `value` as exactly `width` characters (zero-padded) to out[width];
 * returns -1 when it does not fit. out gets no NUL. */
typedef int (*sfmc_encode_fn)(uint64_t value, unsigned width, char *out);

typedef struct sfmc_encoding {
	const char *name;
	sfmc_encode_fn encode;
} sfmc_encoding;

/* What a rule's `checksum:` mapping compiles to. */
typedef struct sfmc_checksum_spec {
	const sfmc_crc_algo *algo;
	const sfmc_encoding *encoding;
	unsigned width;    /* characters of the encoded value */
	int cover_group;   /* capture group number the CRC is computed over */
	int value_group;   /* capture group number holding the encoded CRC */
} sfmc_checksum_spec;

#define SFMC_CHECKSUM_MAX_WIDTH 64

const sfmc_crc_algo *sfmc_checksum_algo_find(const char *name);
const sfmc_crc_algo *sfmc_checksum_algo_at(size_t i); /* NULL past the end */
const sfmc_encoding *sfmc_checksum_encoding_find(const char *name);
const sfmc_encoding *sfmc_checksum_encoding_at(size_t i);

uint64_t sfmc_checksum_crc(const sfmc_crc_algo *algo, const void *data, size_t len);

/* Encodes the checksum of data into out[spec->width] (no NUL). */
int sfmc_checksum_compute(const sfmc_checksum_spec *spec, const void *data, size_t len, char *out);

/* true when `value` is the encoded checksum of `data`. */
bool sfmc_checksum_verify(const sfmc_checksum_spec *spec, const void *data, size_t len,
			  const char *value, size_t value_len);

#endif
