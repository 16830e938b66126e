/* fuzz_decode_percent.c - the percent decoder on arbitrary bytes (see fuzz_decode.h). */
#define DECODER "percent"
#include "fuzz_decode.h"
