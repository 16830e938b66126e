/* fuzz_decode_utf16.c - the utf16 decoder on arbitrary bytes (see fuzz_decode.h). */
#define DECODER "utf16"
#include "fuzz_decode.h"
