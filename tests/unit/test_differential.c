/* Differential test: the detector (prefilter + PCRE2 + checksum, in memory
 * and chunked through a pipe) against a deliberately naive byte-by-byte
 * reference with its own bitwise CRC-32, on thousands of pseudo-random
 * buffers with valid, invalid, placeholder and near-miss tokens planted at
 * random offsets, offset 0, the end, and around chunk edges. Deterministic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/bounds.h"
#include "core/rules.h"
#include "detect/scan.h"

#define SEED 0x5f3c9a1e2d4b7f61ULL
#define ROUNDS 3000
#define BIG_ROUNDS 4
#define MAX_HITS 4096

typedef struct hit {
	uint64_t offset, line, column;
	sfmc_level level;
} hit;

/* ---- the reference: SFMC_ + 51 alnum + 8 alnum, alnum-bounded ---- */

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static uint32_t ref_crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
	}
	return ~c;
}

static size_t reference(const unsigned char *b, size_t n, hit *out)
{
	uint64_t line = 1, line_start = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char hex[9];
		unsigned char seen[256] = { 0 };
		unsigned distinct = 0;
		size_t j = 5;
		bool valid;

		if (b[i] == '\n') {
			line++;
			line_start = i + 1;
		}
		if (b[i] != 'S' || i + 64 > n || memcmp(b + i, "SFMC_", 5) || (i && is_alnum(b[i - 1])) ||
		    (i + 64 < n && is_alnum(b[i + 64])))
			continue;
		while (j < 64 && is_alnum(b[i + j]))
			j++;
		if (j < 64)
			continue;
		snprintf(hex, sizeof(hex), "%08x", ref_crc32(b + i, 56));
		valid = !memcmp(hex, b + i + 56, 8);
		for (j = 5; j < 56; j++)
			distinct += !seen[b[i + j]]++;
		if (!valid && distinct < 8)
			continue; /* a placeholder */
		out[k++] = (hit){ i, line, i - line_start + 1, valid ? SFMC_LEVEL_ERROR : SFMC_LEVEL_WARNING };
	}
	return k;
}

/* ---- buffers ---- */

static uint64_t rng = SEED;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t below(size_t n)
{
	return n ? (size_t)(next() % n) : 0;
}

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static void filler(unsigned char *b, size_t n)
{
	static const char sep[] = " \n=_\"':\t-/.";
	for (size_t i = 0; i < n; i++) {
		size_t r = below(100);
		b[i] = r < 60 ? (unsigned char)alnum[below(62)] : r < 85 ? (unsigned char)sep[below(sizeof(sep) - 1)] :
		       r < 90 ? (unsigned char)"SFMC_"[below(5)] : (unsigned char)below(256);
	}
}

/* Writes one token-like string of some kind at buf[at..at+64) (or shorter),
 * usually between separators so that it can match. */
static void plant(unsigned char *buf, size_t n, size_t at)
{
	unsigned char *b = buf + at;
	size_t room = n - at;
	unsigned char t[80];
	size_t len = 64, kind = below(9);
	size_t distinct = kind == 2 || kind == 3 ? 1 + below(7) : 62;

	memcpy(t, "SFMC_", 5);
	for (size_t i = 5; i < 56; i++)
		t[i] = (unsigned char)alnum[below(distinct)];
	snprintf((char *)t + 56, 9, "%08x", ref_crc32(t, 56));
	switch (kind) {
	case 1: /* invalid checksum */
	case 2: /* placeholder with a wrong checksum: dropped */
		for (size_t i = 56; i < 64; i++)
			t[i] = (unsigned char)alnum[below(62)];
		break;
	case 3: /* placeholder with a valid checksum: reported */
		break;
	case 4: /* upper-case hex: a mismatch */
		for (size_t i = 56; i < 64; i++)
			if (t[i] >= 'a')
				t[i] = (unsigned char)(t[i] - 32);
		break;
	case 5: /* one body character short or long */
		len = below(2) ? 63 : 65;
		if (len == 65)
			memmove(t + 6, t + 5, 59), t[5] = 'x';
		else
			memmove(t + 5, t + 6, 58);
		break;
	case 6: /* wrong prefix */
		t[below(5)] = (unsigned char)"sfmc-"[below(5)];
		break;
	case 7: /* glued to an alphanumeric neighbour */
		t[64] = (unsigned char)alnum[below(62)];
		len = 65;
		break;
	default: /* 0, 8: valid */
		break;
	}
	if (len > room)
		len = room; /* cut at the end of the buffer: a truncated token */
	memcpy(b, t, len);
	if (at && below(4))
		b[-1] = (unsigned char)" \n\"="[below(4)];
	if (len < room && below(4))
		b[len] = (unsigned char)" \n\"'"[below(4)];
}

/* ---- the detector, in memory and through a pipe ---- */

typedef struct feed {
	int fd;
	const unsigned char *data;
	size_t len;
} feed;

static void *writer(void *arg)
{
	feed *f = arg;
	for (size_t off = 0; off < f->len;) {
		ssize_t n = write(f->fd, f->data + off, f->len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(f->fd);
	return NULL;
}

static size_t detector(sfmc_scanner *s, const unsigned char *b, size_t n, size_t chunk, hit *out)
{
	sfmc_provenance prov = { "d", 1, NULL, NULL, NULL, 0 };
	sfmc_results res;
	size_t k;

	sfmc_results_init(&res);
	if (chunk == 0) {
		assert_int_equal(sfmc_scanner_scan_mem(s, b, n, &prov, &res), 0);
	} else {
		int p[2];
		pthread_t tid;
		feed f;

		assert_int_equal(pipe(p), 0);
		f = (feed){ p[1], b, n };
		assert_int_equal(pthread_create(&tid, NULL, writer, &f), 0);
		s->chunk_size = chunk;
		assert_int_equal(sfmc_scanner_scan_fd(s, p[0], &prov, &res), 0);
		pthread_join(tid, NULL);
		close(p[0]);
	}
	sfmc_results_sort(&res);
	assert_true(res.nfindings <= MAX_HITS);
	for (k = 0; k < res.nfindings; k++) {
		const sfmc_finding *f = &res.findings[k];
		assert_int_equal(f->level == SFMC_LEVEL_ERROR, f->checksum_valid);
		assert_int_equal(f->secret_len, 64);
		assert_memory_equal(f->secret, b + f->offset, 64);
		out[k] = (hit){ f->offset, f->line, f->column, f->level };
	}
	sfmc_results_dispose(&res);
	return k;
}

static void compare(const char *how, size_t round, const hit *want, size_t nwant, const hit *got, size_t ngot)
{
	for (size_t i = 0; i < nwant || i < ngot; i++) {
		if (i < nwant && i < ngot && !memcmp(&want[i], &got[i], sizeof(hit)))
			continue;
		if (i < nwant)
			print_error("reference: offset %llu line %llu column %llu level %d\n",
				    (unsigned long long)want[i].offset, (unsigned long long)want[i].line,
				    (unsigned long long)want[i].column, want[i].level);
		if (i < ngot)
			print_error("detector:  offset %llu line %llu column %llu level %d\n",
				    (unsigned long long)got[i].offset, (unsigned long long)got[i].line,
				    (unsigned long long)got[i].column, got[i].level);
		fail_msg("%s, round %zu (seed %#llx): finding %zu differs (%zu expected, %zu found)", how, round,
			 (unsigned long long)SEED, i, nwant, ngot);
	}
}

typedef struct fixture {
	sfmc_ruleset rules;
	sfmc_scanner scanner;
	hit want[MAX_HITS], got[MAX_HITS];
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	if (harness_open(&fx->rules, &fx->scanner, NULL) < 0) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	harness_close(&fx->rules, &fx->scanner, NULL);
	free(fx);
	return 0;
}

/* Plants tokens at 0, at the end, at random, and around each chunk edge. */
static void plant_all(unsigned char *b, size_t n, size_t chunk, size_t count)
{
	if (n >= 64 && below(3) == 0)
		plant(b, n, 0);
	if (n >= 64 && below(3) == 0)
		plant(b, n, n - 64);
	for (size_t i = 0; i < count && n; i++) {
		size_t at = below(n);
		if (chunk && below(2)) { /* near a multiple of the chunk size, where reads split */
			size_t edge = chunk * (1 + below(n / chunk + 1));
			at = below(4) == 0 ? edge - below(3) : edge + below(200) > 100 ? edge + below(200) - 100 : 0;
			at = at < n ? at : n - 1;
		}
		plant(b, n, at);
	}
}

static void random_buffers(void **state)
{
	fixture *fx = *state;
	unsigned char *b = malloc(8192);
	size_t count[3] = { 0 };

	assert_non_null(b);
	for (size_t round = 0; round < ROUNDS; round++) {
		size_t n = below(8) == 0 ? below(80) : below(8192);
		size_t chunk = fx->scanner.overlap + below(3000), nwant, ngot;

		filler(b, n);
		plant_all(b, n, chunk, below(8));
		nwant = reference(b, n, fx->want);
		for (size_t i = 0; i < nwant; i++)
			count[fx->want[i].level]++;
		ngot = detector(&fx->scanner, b, n, 0, fx->got);
		compare("in memory", round, fx->want, nwant, fx->got, ngot);
		ngot = detector(&fx->scanner, b, n, chunk, fx->got);
		compare("through a pipe in small chunks", round, fx->want, nwant, fx->got, ngot);
	}
	/* The generator must really produce findings of both levels, or this proves nothing. */
	print_message("%zu errors and %zu warnings compared\n", count[SFMC_LEVEL_ERROR], count[SFMC_LEVEL_WARNING]);
	assert_true(count[SFMC_LEVEL_ERROR] > ROUNDS / 4 && count[SFMC_LEVEL_WARNING] > ROUNDS / 4);
	free(b);
}

/* The real chunk size: buffers spanning one or two SFMC_CHUNK_SIZE edges. */
static void real_chunk_edges(void **state)
{
	fixture *fx = *state;
	size_t cap = 2 * SFMC_CHUNK_SIZE + 8192, errors = 0;
	unsigned char *b = malloc(cap);

	assert_non_null(b);
	filler(b, cap);
	for (size_t round = 0; round < BIG_ROUNDS; round++) {
		size_t n = SFMC_CHUNK_SIZE - 4096 + below(SFMC_CHUNK_SIZE + 12288), nwant, ngot;

		for (int k = 0; k < 60; k++) { /* the read limit, the kept tail, and the overlap end */
			size_t at = SFMC_CHUNK_SIZE * (1 + (size_t)(k & 1)) - 3000 + below(6000);
			if (at < n)
				plant(b, n, at);
		}
		plant_all(b, n, 0, 20);
		nwant = reference(b, n, fx->want);
		ngot = detector(&fx->scanner, b, n, SFMC_CHUNK_SIZE, fx->got);
		compare("through a pipe in 8 MiB chunks", round, fx->want, nwant, fx->got, ngot);
		for (size_t i = 0; i < nwant; i++)
			errors += fx->want[i].level == SFMC_LEVEL_ERROR;
	}
	assert_true(errors > 0);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(random_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(real_chunk_edges, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
