/* fuzz_decode_escape.c - the escape decoder on arbitrary bytes (see fuzz_decode.h). */
#define DECODER "escape"
#include "fuzz_decode.h"
