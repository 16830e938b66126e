/* decoders.h - the decoders a rule may name (`decoders: [base64, ...]`),
 * looked up in the one decoder table (decode.c). A rule's decoder set is an
 * unsigned with the bit sfmc_decoder_bit() gives each named decoder.
 * Constant data: safe from any thread. */
#ifndef SFMC_DECODERS_H
#define SFMC_DECODERS_H

#include <stddef.h>

/* The bit of the decoder called name; 0 when there is none such. */
unsigned sfmc_decoder_bit(const char *name);
/* Every decoder's bit: a rule's default set. */
unsigned sfmc_decoder_all(void);
/* The i-th decoder's name (table order); NULL past the last. */
const char *sfmc_decoder_name(size_t i);

#endif
