/* fuzz_decode.h - body of the fuzz_decode_<decoder> targets (each defines
 * DECODER and includes this). One rule that applies only DECODER; the first
 * input byte picks a read-chunk size; the rest is scanned in memory and
 * through a memfd in small chunks, and both must give the same findings.
 * Every decoded finding must name DECODER as its outer layer, lie inside the
 * input and hold a whole token of the rule. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_chunked.h"
#include "core/rules.h"
#include "detect/scan.h"

static const char yaml[] =
	"rules:\n"
	"  - id: t\n"
	"    keywords: [SFMC_]\n"
	"    decoders: [" DECODER "]\n"
	"    regex: '(?<![A-Za-z0-9])(?<payload>SFMC_(?<body>[A-Za-z0-9]{51}))(?<check>[A-Za-z0-9]{8})(?![A-Za-z0-9])'\n"
	"    checksum: {algorithm: crc32, covers: payload, value: check, encoding: hex, width: 8}\n"
	"    window: 64\n";

static sfmc_ruleset rules;
static sfmc_scanner scanner;

static void setup(void)
{
	static int ready;
	if (ready)
		return;
	sfmc_rules_init(&rules);
	if (sfmc_rules_add_buffer(&rules, yaml, sizeof(yaml) - 1, "fuzz.yaml") < 0 ||
	    sfmc_scanner_init(&scanner, &rules) < 0 || !scanner.dec)
		abort();
	ready = 1;
}

static const char *enc(const sfmc_finding *f)
{
	return f->encoding ? f->encoding : "plain";
}

static int same(const sfmc_finding *a, const sfmc_finding *b)
{
	return a->level == b->level && a->offset == b->offset && a->line == b->line && a->column == b->column &&
	       a->end_column == b->end_column && !strcmp(enc(a), enc(b)) && a->secret_len == b->secret_len &&
	       !memcmp(a->secret, b->secret, a->secret_len);
}

static void check(const sfmc_finding *f, size_t size)
{
	sfmc_match m;
	if (f->offset >= size || f->end_column < f->column)
		abort();
	if (f->encoding && strncmp(f->encoding, DECODER, strlen(DECODER)))
		abort();
	if (sfmc_detector_classify(scanner.det, (const unsigned char *)f->secret, f->secret_len, &m) != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sfmc_results mem, fd;
	size_t chunk;

	if (size < 1)
		return 0;
	setup();
	chunk = scanner.overlap + data[0];
	data++, size--;
	scan_both(&scanner, data, size, chunk, &mem, &fd);
	sfmc_results_sort(&mem);
	sfmc_results_sort(&fd);
	for (size_t i = 0; i < mem.nfindings; i++) {
		if (!same(&mem.findings[i], &fd.findings[i]))
			abort();
		check(&mem.findings[i], size);
	}
	sfmc_results_dispose(&mem);
	sfmc_results_dispose(&fd);
	return 0;
}
