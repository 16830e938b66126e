/* Unit tests: checksum algorithms and the token test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/checksum.h"

static void catalogue_check_values(void **state)
{
	(void)state;
	for (size_t i = 0; sfmc_checksum_algo_at(i); i++) {
		const sfmc_crc_algo *a = sfmc_checksum_algo_at(i);
		assert_int_equal(sfmc_checksum_crc(a, "123456789", 9), a->check);
	}
	assert_int_equal(sfmc_checksum_crc(sfmc_checksum_algo_find("crc32"), "123456789", 9), 0xcbf43926);
}

static const sfmc_checksum_spec *spec(void)
{
	static sfmc_checksum_spec s;
	s.algo = sfmc_checksum_algo_find("crc32");
	s.encoding = sfmc_checksum_encoding_find("hex");
	s.width = 8;
	return &s;
}

static void token_vectors(void **state)
{
	static const char *valid[] = {
		"SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953",
		"SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcc",
		"SFMC_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA35994afa",
	};
	const char *bad = "SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd";
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(strlen(valid[i]), 64);
		assert_true(sfmc_checksum_verify(spec(), valid[i], 56, valid[i] + 56, 8));
	}
	assert_false(sfmc_checksum_verify(spec(), bad, 56, bad + 56, 8));
	/* uppercase hex is not the encoding */
	assert_false(sfmc_checksum_verify(spec(), valid[0], 56, "62A6E953", 8));
	/* wrong width */
	assert_false(sfmc_checksum_verify(spec(), valid[0], 56, valid[0] + 56, 7));
}

static void encodings(void **state)
{
	char out[16];
	(void)state;
	assert_int_equal(sfmc_checksum_encoding_find("hex")->encode(0xab, 4, out), 0);
	assert_memory_equal(out, "00ab", 4);
	assert_int_equal(sfmc_checksum_encoding_find("hex")->encode(0x1ab, 2, out), -1);
	assert_int_equal(sfmc_checksum_encoding_find("base62")->encode(61, 2, out), 0);
	assert_memory_equal(out, "0z", 2);
	assert_null(sfmc_checksum_encoding_find("rot13"));
	assert_null(sfmc_checksum_algo_find("md5"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(catalogue_check_values),
		cmocka_unit_test(token_vectors),
		cmocka_unit_test(encodings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
