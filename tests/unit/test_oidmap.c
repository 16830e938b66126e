/* Unit tests: the (oid, tag) hash map and the path interner the git source
 * builds its blob set on, through growth and collisions on the tag alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/oidmap.h"
#include "util/strtab.h"

static git_oid oid_of(uint32_t i)
{
	git_oid id;
	memset(&id, 0, sizeof(id));
	for (int k = 0; k < 4; k++) /* spread the bits over the hashed prefix too */
		id.id[k] = (unsigned char)(i >> (8 * k)) ^ (unsigned char)(i * 31u >> 3);
	memcpy(id.id + 16, &i, sizeof(i));
	return id;
}

static void oidmap_put_get_grow(void **state)
{
	sfmc_oidmap m;
	uint32_t v;
	(void)state;
	sfmc_oidmap_init(&m);
	for (uint32_t i = 0; i < 5000; i++) {
		git_oid id = oid_of(i);
		v = i * 2;
		assert_int_equal(sfmc_oidmap_put(&m, &id, 0, &v), 0);
		v = i * 2 + 1; /* same oid, another tag: another key */
		assert_int_equal(sfmc_oidmap_put(&m, &id, 7, &v), 0);
	}
	for (uint32_t i = 0; i < 5000; i++) {
		git_oid id = oid_of(i);
		v = 12345;
		assert_int_equal(sfmc_oidmap_put(&m, &id, 0, &v), 1);
		assert_int_equal(v, i * 2);
		assert_int_equal(sfmc_oidmap_get(&m, &id, 7, &v), 1);
		assert_int_equal(v, i * 2 + 1);
		assert_int_equal(sfmc_oidmap_get(&m, &id, 8, &v), 0);
	}
	{
		git_oid id = oid_of(3);
		sfmc_oidmap_set(&m, &id, 7, 99);
		assert_int_equal(sfmc_oidmap_get(&m, &id, 7, &v), 1);
		assert_int_equal(v, 99);
	}
	assert_int_equal(m.n, 10000);
	sfmc_oidmap_dispose(&m);
}

static void oidmap_empty(void **state)
{
	sfmc_oidmap m;
	git_oid id = oid_of(1);
	uint32_t v;
	(void)state;
	sfmc_oidmap_init(&m);
	assert_int_equal(sfmc_oidmap_get(&m, &id, 0, &v), 0);
	sfmc_oidmap_set(&m, &id, 0, 1); /* no-op, no crash */
	sfmc_oidmap_dispose(&m);
}

static void strtab_interns_bytes(void **state)
{
	sfmc_strtab t;
	uint32_t a, b, c, d, e;
	char name[32];
	size_t len;
	(void)state;
	sfmc_strtab_init(&t);
	assert_int_equal(sfmc_strtab_intern(&t, "dir/a.txt", 9, &a), 0);
	assert_int_equal(sfmc_strtab_intern(&t, "", 0, &b), 0);
	assert_int_equal(sfmc_strtab_intern(&t, "caf\xe9\0x", 6, &c), 0); /* any bytes, NUL included */
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "p/%d", i);
		assert_int_equal(sfmc_strtab_intern(&t, name, strlen(name), &e), 0);
	}
	assert_int_equal(sfmc_strtab_intern(&t, "dir/a.txt", 9, &d), 0);
	assert_int_equal(d, a);
	assert_int_not_equal(a, b);
	assert_string_equal(sfmc_strtab_get(&t, a, &len), "dir/a.txt");
	assert_int_equal(len, 9);
	assert_memory_equal(sfmc_strtab_get(&t, c, &len), "caf\xe9\0x", 6);
	assert_int_equal(len, 6);
	assert_string_equal(sfmc_strtab_get(&t, b, NULL), "");
	assert_int_equal(t.n, 3003);
	sfmc_strtab_dispose(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(oidmap_put_get_grow),
		cmocka_unit_test(oidmap_empty),
		cmocka_unit_test(strtab_interns_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
