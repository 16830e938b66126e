/* fuzz_detect.c - the detector on arbitrary bytes with the default rules.
 * The first byte picks a chunk size; the rest is scanned twice, in memory
 * and through a memfd in tiny chunks, and both must give the same findings
 * (so chunk edges can neither hide nor invent a secret). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_chunked.h"
#include "core/rules.h"
#include "detect/scan.h"

static sfmc_ruleset rules;
static sfmc_scanner scanner;

static void setup(void)
{
	static int ready;
	if (ready)
		return;
	sfmc_rules_init(&rules);
	if (sfmc_rules_add_default(&rules) < 0 || sfmc_scanner_init(&scanner, &rules) < 0)
		abort();
	ready = 1;
}

static int same(const sfmc_finding *a, const sfmc_finding *b)
{
	return a->rule == b->rule && a->level == b->level && a->checksum_valid == b->checksum_valid &&
	       a->offset == b->offset && a->line == b->line && a->column == b->column &&
	       a->end_column == b->end_column && a->secret_len == b->secret_len &&
	       !memcmp(a->secret, b->secret, a->secret_len) && a->suppressed == b->suppressed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sfmc_results mem, fd;
	size_t chunk;
	sfmc_match m;

	if (size < 1)
		return 0;
	setup();
	chunk = scanner.overlap + data[0];
	data++, size--;
	scan_both(&scanner, data, size, chunk, &mem, &fd);
	for (size_t i = 0; i < mem.nfindings; i++)
		if (!same(&mem.findings[i], &fd.findings[i]))
			abort();
	(void)sfmc_detector_classify(scanner.det, data, size, &m);
	sfmc_results_dispose(&mem);
	sfmc_results_dispose(&fd);
	return 0;
}
