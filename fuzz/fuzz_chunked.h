/* fuzz_chunked.h - the memory-vs-chunked comparison shared by fuzz_detect and
 * the fuzz_decode_<decoder> targets: the same bytes scanned in memory and
 * through a memfd in small chunks must give the same return code and count. */
#ifndef SFMC_FUZZ_CHUNKED_H
#define SFMC_FUZZ_CHUNKED_H

/* memfd_create needs _GNU_SOURCE before the includer's first header. */
#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before including fuzz_chunked.h"
#endif
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "detect/scan.h"

/* Scans data through a memfd with chunks of `chunk` bytes. */
static int scan_chunked(sfmc_scanner *s, const uint8_t *data, size_t size, size_t chunk, sfmc_results *out)
{
	sfmc_provenance prov = { "fuzz", 4, NULL, NULL, NULL, 0 };
	int fd = memfd_create("fuzz", MFD_CLOEXEC), rc;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	s->chunk_size = chunk;
	rc = sfmc_scanner_scan_fd(s, fd, &prov, out);
	close(fd);
	return rc;
}

/* Fills `mem` (in-memory scan) and `fd` (chunked scan); the caller disposes
 * both and compares the findings. Aborts if the return codes or counts differ. */
static void scan_both(sfmc_scanner *s, const uint8_t *data, size_t size, size_t chunk, sfmc_results *mem,
		      sfmc_results *fd)
{
	sfmc_provenance prov = { "fuzz", 4, NULL, NULL, NULL, 0 };
	int rm, rf;

	sfmc_results_init(mem);
	sfmc_results_init(fd);
	rm = sfmc_scanner_scan_mem(s, data, size, &prov, mem);
	rf = scan_chunked(s, data, size, chunk, fd);
	if (rm != rf || mem->nfindings != fd->nfindings)
		abort();
}

#endif
