/* fuzz_decode_base64.c - the base64 decoder on arbitrary bytes (see fuzz_decode.h). */
#define DECODER "base64"
#include "fuzz_decode.h"
