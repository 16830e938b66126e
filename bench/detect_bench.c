/* detect_bench.c - detector microbenchmark: GB/s of the keyword prefilter +
 * PCRE2 detector (and of the whole in-memory scanner on small blobs) over
 * deterministic synthetic text. Not a test: nothing here asserts a time.
 *
 *   detect_bench [-s MiB] [-r repeats] [-c case]
 * cases: nocand (source-like text, no keyword), source (source-like text
 * with SFMC_ identifiers and a few tokens), random (binary), small (the
 * scanner on 4 KiB blobs, per-call overhead), scan (the whole scanner,
 * keyword search and encoded-secret decoders, on the source corpus in one
 * buffer). For callgrind use -r 1. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detect/detect.h"
#include "core/finding.h"
#include "core/rules.h"
#include "detect/scan.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const words[] = {
	"static", "const", "int", "return", "if", "else", "for", "while", "struct", "char", "size_t",
	"buffer", "length", "offset", "value", "result", "error", "NULL", "config", "client", "secret",
	"token", "request", "response", "SIZE_MAX", "SSL_CTX", "Set_", "STATUS_OK", "self", "def",
	"import", "from", "class", "function", "var", "let", "=", "==", "(", ")", "{", "}", ";", ",",
	"->", ".", "0", "1", "42", "\"hello\"", "'x'", "//", "#", "apiKey", "Salesforce", "Marketing",
};

/* Source-like lines from a small vocabulary; `ident` adds SFMC_ names. */
static void gen_source(unsigned char *p, size_t n, bool ident)
{
	size_t i = 0, col = 0;
	while (i < n) {
		const char *w = words[next() % (sizeof(words) / sizeof(words[0]))];
		char tmp[32];
		size_t l;
		if (ident && next() % 512 == 0)
			w = "SFMC_CHUNK_SIZE";
		if (col == 0) {
			snprintf(tmp, sizeof(tmp), "%*s", (int)(next() % 4) * 4, "");
			w = tmp[0] ? tmp : w;
		}
		l = strlen(w);
		for (size_t k = 0; k < l && i < n; k++)
			p[i++] = (unsigned char)w[k];
		col += l;
		if (i < n)
			p[i++] = col > 60 || next() % 12 == 0 ? '\n' : ' ';
		if (p[i - 1] == '\n')
			col = 0;
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_match(const sfmc_match *m, void *payload)
{
	(void)m;
	(*(size_t *)payload)++;
	return 0;
}

/* Plants valid tokens (from the test vectors) every `every` bytes. */
static void plant(unsigned char *p, size_t n, size_t every)
{
	static const char tok[] = " SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcc ";
	for (size_t at = every; at + sizeof(tok) < n; at += every)
		memcpy(p + at, tok, sizeof(tok) - 1);
}

int main(int argc, char **argv)
{
	size_t mib = 64, repeats = 5, matches = 0;
	const char *which = "nocand";
	sfmc_ruleset rules;
	sfmc_detector *d = NULL;
	unsigned char *buf;
	double best = 1e9;
	int opt;

	while ((opt = getopt(argc, argv, "s:r:c:")) != -1) {
		if (opt == 's')
			mib = strtoul(optarg, NULL, 10);
		else if (opt == 'r')
			repeats = strtoul(optarg, NULL, 10);
		else if (opt == 'c')
			which = optarg;
		else
			return fprintf(stderr, "usage: detect_bench [-s MiB] [-r repeats] [-c nocand|source|random|small|scan]\n"), 2;
	}
	size_t n = mib << 20;
	sfmc_rules_init(&rules);
	if (!(buf = malloc(n)) || sfmc_rules_add_default(&rules) < 0 || sfmc_detector_new(&d, &rules) < 0)
		return fprintf(stderr, "detect_bench: setup failed\n"), 2;
	if (!strcmp(which, "random"))
		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)next();
	else
		gen_source(buf, n, strcmp(which, "nocand") != 0);
	if (strcmp(which, "nocand") && strcmp(which, "random"))
		plant(buf, n, (size_t)1 << 20);
	for (size_t r = 0; r < repeats; r++) {
		double t0 = now();
		matches = 0;
		if (!strcmp(which, "scan")) {
			sfmc_scanner s;
			sfmc_results res;
			sfmc_provenance prov = { "f", 1, NULL, NULL, NULL, 0 };
			sfmc_scanner_init(&s, &rules);
			sfmc_results_init(&res);
			t0 = now();
			sfmc_scanner_scan_mem(&s, buf, n, &prov, &res);
			matches = res.nfindings;
			sfmc_results_dispose(&res);
			sfmc_scanner_dispose(&s);
		} else if (!strcmp(which, "small")) {
			sfmc_scanner s;
			sfmc_results res;
			sfmc_provenance prov = { "f", 1, NULL, NULL, NULL, 0 };
			sfmc_scanner_init(&s, &rules);
			sfmc_results_init(&res);
			for (size_t at = 0; at + 4096 <= n; at += 4096)
				sfmc_scanner_scan_mem(&s, buf + at, 4096, &prov, &res);
			matches = res.nfindings;
			sfmc_results_dispose(&res);
			sfmc_scanner_dispose(&s);
		} else {
			sfmc_detector_begin(d);
			sfmc_detector_scan(d, buf, n, 0, 0, n, count_match, &matches);
		}
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	printf("%-7s %zu MiB: best of %zu %.4f s = %.2f GB/s (%zu matches)\n", which, mib, repeats, best,
	       (double)n / best / 1e9, matches);
	sfmc_detector_free(d);
	sfmc_rules_dispose(&rules);
	free(buf);
	return 0;
}
