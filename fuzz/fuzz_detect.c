/* fuzz_detect.c - the detector on arbitrary bytes with the default rules.
 * The first byte picks a chunk size; the rest is scanned twice, in memory
 * and through a memfd in tiny chunks, and both must give the same findings
 * (so chunk edges can neither hide nor invent a secret). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rules.h"
#include "scan.h"

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

/* Scans data through a memfd with chunks of `chunk` bytes. */
static int scan_chunked(const uint8_t *data, size_t size, size_t chunk, sfmc_results *out)
{
	sfmc_provenance prov = { "fuzz", 4, NULL, NULL };
	int fd = memfd_create("fuzz", MFD_CLOEXEC), rc;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	scanner.chunk_size = chunk;
	rc = sfmc_scanner_scan_fd(&scanner, fd, &prov, out);
	close(fd);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sfmc_provenance prov = { "fuzz", 4, NULL, NULL };
	sfmc_results mem, fd;
	size_t chunk;
	int rm, rf;
	sfmc_match m;

	if (size < 1)
		return 0;
	setup();
	chunk = scanner.overlap + data[0];
	data++, size--;
	sfmc_results_init(&mem);
	sfmc_results_init(&fd);
	rm = sfmc_scanner_scan_mem(&scanner, data, size, &prov, &mem);
	rf = scan_chunked(data, size, chunk, &fd);
	if (rm != rf || mem.nfindings != fd.nfindings)
		abort();
	for (size_t i = 0; i < mem.nfindings; i++)
		if (!same(&mem.findings[i], &fd.findings[i]))
			abort();
	(void)sfmc_detector_classify(scanner.det, data, size, &m);
	sfmc_results_dispose(&mem);
	sfmc_results_dispose(&fd);
	return 0;
}
