/* decoder.h - what the decode stage (decode.c) shares with its decoders
 * (decode_base64.c, decode_utf16.c, decode_escape.c): the derived literal,
 * the decoded window, the hit a decoder reads and the decoder row. A new
 * decoder is one file defining a `const struct decoder` and one row of the
 * table in decode.c. Internal to the decode stage; not thread-safe beyond
 * what decode.h says. */
#ifndef SFMC_DECODER_H
#define SFMC_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/bounds.h"
#include "detect/decode.h"

/* A literal a keyword becomes under a chain of decoders. */
typedef struct lit {
	size_t off, len;                            /* bytes in the arena */
	unsigned char chain[SFMC_DECODE_MAX_DEPTH]; /* decoder rows, outermost first */
	unsigned char depth;
	unsigned char phase;             /* base64: characters from a quad boundary */
	char name[SFMC_DECODE_MAX_NAME]; /* "base64>utf16" */
} lit;

/* One decoded window: bytes and, per byte, the input span it came from. */
typedef struct window {
	unsigned char *out;
	size_t base;         /* input offset that from/to/pos count from */
	uint32_t *from, *to; /* relative to base: a window is far below 4 GiB */
	size_t n;
	uint32_t *pos;                   /* base64: input offsets of the alphabet characters */
	size_t start[4], end[4], nspans; /* base64: the current hit's readings (found at reading 0) */
} window;

/* Base64 alphabet characters counted along one level's input (ways that
 * count from the start of a run). */
typedef struct runcount {
	size_t at;    /* input counted up to */
	size_t run;   /* start of the current base64 run */
	size_t chars; /* alphabet characters in the run before `at` */
} runcount;

#define ABS_UNKNOWN UINT64_MAX /* stream offset of decoded bytes */

/* A literal's hit and the input around it a decoder may read. */
typedef struct hitctx {
	const unsigned char *in;
	size_t n;      /* input length */
	size_t lo, hi; /* the window: in[lo, hi) */
	size_t at;     /* where the literal starts */
	const lit *l;
	uint64_t abs; /* stream offset of `at` (ABS_UNKNOWN inside decoded bytes) */
} hitctx;

/* A decoder: one row of the table in decode.c. Its bit in a rule's
 * `decoders` set is 1 << its row. */
struct decoder {
	const char *name;  /* in rules (`decoders: [...]`) and encoding chains */
	const char *inner; /* decoders whose literals it is chained over ("base64 utf16") */
	bool split;        /* a literal may be cut by a line break: search two overlapping halves */
	unsigned nways;    /* ways of decoding a hit, each with its own work-bound slot */
	/* Which way decodes the hit (< nways; NULL: the one way); *run: the
	 * input the way counts from (0: none). */
	unsigned (*way)(runcount *rc, const hitctx *h, size_t *run);
	/* Adds the encoded forms of parent[0,n) with sfmc_decode_add_form. */
	int (*derive)(sfmc_decode *dc, const unsigned char *parent, size_t n, const lit *from, int self);
	/* Decodes the window around the hit into w, the reading-th way (an input
	 * may be read several ways, e.g. base64 lines joined or not); returns the
	 * encoding's name, NULL past the last reading. */
	const char *(*decode)(const hitctx *h, unsigned reading, window *w);
};

/* Appends bytes as the form decoder row `self` gives the literal `parent`
 * (NULL: a keyword), phase: base64 characters from a quad boundary. Forms
 * too short to search are dropped. Returns 0, or -1 (message set). */
int sfmc_decode_add_form(sfmc_decode *dc, const void *bytes, size_t len, const lit *parent, int self, unsigned phase);

/* The decoders (rows of decode.c's table). */
extern const struct decoder sfmc_decoder_base64, sfmc_decoder_utf16, sfmc_decoder_percent, sfmc_decoder_escape;

#endif
