/* Unit tests: loading rules files, good and bad. Every error must name
 * file:line:column of the offending YAML node. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/bounds.h"
#include "core/rules.h"
#include "detect/decoders.h"
#include "util/error.h"

#define RULE_HEAD "rules:\n  - id: r1\n"

/* Loads text as "t.yaml" and returns the result code; the set is disposed. */
static int load(const char *text)
{
	sfmc_ruleset set;
	int rc;

	sfmc_rules_init(&set);
	sfmc_error_clear();
	rc = sfmc_rules_add_buffer(&set, text, strlen(text), "t.yaml");
	if (rc == 0)
		assert_true(set.nrules > 0);
	sfmc_rules_dispose(&set);
	return rc;
}

/* text must fail with a message starting with `prefix` and containing `part`. */
static void expect_error(const char *text, const char *prefix, const char *part)
{
	const char *msg;

	if (load(text) != -1)
		fail_msg("loaded without error: %s", text);
	msg = sfmc_error_last();
	if (strncmp(msg, prefix, strlen(prefix)) || !strstr(msg, part))
		fail_msg("got \"%s\", expected prefix \"%s\" and \"%s\"", msg, prefix, part);
}

static void default_rules(void **state)
{
	sfmc_ruleset set;
	const sfmc_rule *r;

	(void)state;
	sfmc_rules_init(&set);
	assert_int_equal(sfmc_rules_add_default(&set), 0);
	assert_int_equal(set.nrules, 1);
	r = sfmc_rules_find(&set, "sfmc-client-secret");
	assert_non_null(r);
	assert_int_equal(r->nkeywords, 1);
	assert_string_equal(r->keywords[0], "SFMC_");
	assert_true(r->has_checksum);
	assert_string_equal(r->checksum.algo->name, "crc32");
	assert_string_equal(r->checksum.encoding->name, "hex");
	assert_int_equal(r->checksum.width, 8);
	assert_true(r->checksum.cover_group > 0);
	assert_true(r->checksum.value_group > 0);
	assert_true(r->body_group > 0);
	assert_int_equal(r->placeholder_min_distinct, 8);
	assert_int_equal(r->max_lifetime_days, 180);
	assert_string_equal(r->severity, "critical");
	assert_non_null(strstr(r->remediation, "Staged Secret > Generate"));
	assert_int_equal(r->window, 64);
	assert_int_equal(set.max_window, 64);
	assert_int_equal(set.max_keyword, 5);
	sfmc_rules_dispose(&set);
}

/* The embedded text is rules/sfmc.yaml byte for byte. */
static void default_is_the_rules_file(void **state)
{
	char path[4096];
	const char *src = getenv("SFMC_SOURCE_DIR");
	size_t len, got;
	const char *text = sfmc_rules_default_text(&len);
	char *file;
	FILE *f;

	(void)state;
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/rules/sfmc.yaml", src);
	assert_non_null(f = fopen(path, "rb"));
	assert_non_null(file = malloc(len + 2));
	got = fread(file, 1, len + 1, f);
	fclose(f);
	assert_int_equal(got, len);
	assert_memory_equal(file, text, len);
	free(file);
}

/* Only id and regex are required; everything else has a default. */
static void minimal_rule_defaults(void **state)
{
	static const char text[] = RULE_HEAD "    regex: 'K_[0-9]{4}'\n";
	sfmc_ruleset set;
	const sfmc_rule *r;

	(void)state;
	sfmc_rules_init(&set);
	assert_int_equal(sfmc_rules_add_buffer(&set, text, strlen(text), "t.yaml"), 0);
	r = sfmc_rules_find(&set, "r1");
	assert_non_null(r);
	assert_null(r->name);
	assert_int_equal(r->nkeywords, 0);
	assert_false(r->has_checksum);
	assert_string_equal(r->severity, "high");
	assert_int_equal(r->placeholder_min_distinct, 8);
	assert_int_equal(r->max_lifetime_days, 0);
	assert_int_equal(r->window, SFMC_DEFAULT_WINDOW);
	assert_int_equal(r->decoders, sfmc_decoder_all());
	assert_int_equal(r->body_group, -1);
	assert_string_equal(r->file, "t.yaml");
	assert_int_equal(r->line, 2);
	sfmc_rules_dispose(&set);
}

/* Checksum sub-keys default to crc32 / payload / check / hex / 8. */
static void checksum_defaults_and_tables(void **state)
{
	static const char text[] =
		"rules:\n"
		"  - id: a\n"
		"    regex: '(?<payload>K_[a-z]{4})(?<check>[0-9A-F]{8})'\n"
		"    checksum: {}\n"
		"  - id: b\n"
		"    keywords: K_\n"
		"    regex: '(?<p>K_[a-z]{4})(?<c>[0-9A-F]{8})'\n"
		"    checksum: {algorithm: crc32c, encoding: hex-upper, covers: p, value: c, width: 8}\n";
	sfmc_ruleset set;
	const sfmc_rule *a, *b;

	(void)state;
	sfmc_rules_init(&set);
	assert_int_equal(sfmc_rules_add_buffer(&set, text, strlen(text), "t.yaml"), 0);
	a = sfmc_rules_find(&set, "a");
	b = sfmc_rules_find(&set, "b");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a->has_checksum);
	assert_string_equal(a->checksum.algo->name, "crc32");
	assert_string_equal(a->checksum.encoding->name, "hex");
	assert_int_equal(a->checksum.width, 8);
	assert_int_equal(a->checksum.cover_group, 1);
	assert_int_equal(a->checksum.value_group, 2);
	assert_string_equal(b->checksum.algo->name, "crc32c");
	assert_string_equal(b->checksum.encoding->name, "hex-upper");
	/* a lone scalar is a one-item keyword list */
	assert_int_equal(b->nkeywords, 1);
	assert_string_equal(b->keywords[0], "K_");
	sfmc_rules_dispose(&set);
}

static void file_errors(void **state)
{
	(void)state;
	expect_error("", "t.yaml:1:1: ", "empty YAML document");
	expect_error("rules: [\n", "t.yaml:2:1: ", "");
	expect_error("- a\n", "t.yaml:1:1: ", "a rules file must be a mapping, not a list");
	expect_error("rules: []\n", "t.yaml:1:8: ", "'rules:' is empty");
	expect_error("rules:\n", "t.yaml:1:7: ", "rules must be a list, not a scalar");
	expect_error("version: 1\n", "t.yaml:1:1: ", "unknown key 'version'");
	expect_error(RULE_HEAD "    regex: x\nother: 1\n", "t.yaml:4:1: ", "unknown key 'other'");
	expect_error("rules:\n  - just-a-string\n", "t.yaml:2:5: ", "a rule must be a mapping, not a scalar");
	/* a second document (or an error in it) would otherwise be ignored */
	expect_error(RULE_HEAD "    regex: x\n---\nrules:\n  - id: r2\n    regex: y\n", "t.yaml:4:1: ",
		     "only one YAML document is allowed");
	expect_error(RULE_HEAD "    regex: x\n---\nrules: [\n", "t.yaml:6:1: ", "");
	assert_int_equal(load("---\n" RULE_HEAD "    regex: x\n...\n"), 0); /* explicit markers: one document */
}

static void rule_errors(void **state)
{
	(void)state;
	expect_error(RULE_HEAD "    regex: x\n    colour: red\n", "t.yaml:4:5: ", "unknown rule key 'colour'");
	expect_error("rules:\n  - regex: x\n    name: n\n", "t.yaml:2:5: ", "rule has no 'id'");
	expect_error(RULE_HEAD "    name: n\n", "t.yaml:2:5: ", "rule 'r1' has no 'regex'");
	expect_error(RULE_HEAD "    regex: x\n  - id: r1\n    regex: y\n", "t.yaml:4:5: ", "duplicate rule id 'r1'");
	expect_error(RULE_HEAD "    regex: x\n    severity: urgent\n", "t.yaml:2:5: ", "not 'urgent'");
	expect_error(RULE_HEAD "    regex: x\n    decoders: [rot13]\n", "t.yaml:4:15: ", "unknown decoder 'rot13'");
}

static void type_errors(void **state)
{
	(void)state;
	expect_error("rules:\n  - id: [a, b]\n    regex: x\n", "t.yaml:2:9: ", "id must be a scalar, not a list");
	expect_error(RULE_HEAD "    regex: {a: 1}\n", "t.yaml:3:12: ", "regex must be a scalar, not a mapping");
	expect_error(RULE_HEAD "    regex: ~\n", "t.yaml:3:12: ", "regex must not be empty");
	expect_error(RULE_HEAD "    regex: x\n    keywords: {a: b}\n", "t.yaml:4:15: ", "keywords must be a list, not a mapping");
	expect_error(RULE_HEAD "    regex: x\n    keywords: [[a]]\n", "t.yaml:4:16: ", "keywords must be a scalar, not a list");
	expect_error(RULE_HEAD "    regex: x\n    window: wide\n", "t.yaml:4:13: ", "window must be an integer, not 'wide'");
	expect_error(RULE_HEAD "    regex: x\n    window: '64'\n", "t.yaml:4:13: ", "window must be an integer");
	expect_error(RULE_HEAD "    regex: x\n    window: 0\n", "t.yaml:4:13: ", "window must be between 1 and 65536");
	expect_error(RULE_HEAD "    regex: x\n    placeholder_min_distinct: 300\n", "t.yaml:4:31: ", "between 0 and 256");
	expect_error(RULE_HEAD "    regex: x\n    max_lifetime_days: -1\n", "t.yaml:4:24: ", "max_lifetime_days must be between");
	expect_error(RULE_HEAD "    regex: x\n    checksum: crc32\n", "t.yaml:4:15: ", "checksum must be a mapping, not a scalar");
	expect_error(RULE_HEAD "    regex: (?<payload>x)(?<check>y)\n    checksum:\n      width: 99\n", "t.yaml:5:14: ",
		     "checksum.width must be between 1 and 64");
}

#define CK_RULE RULE_HEAD "    regex: '(?<payload>K_[a-z]{4})(?<check>[0-9a-f]{8})'\n    checksum:\n"

static void checksum_errors(void **state)
{
	(void)state;
	expect_error(CK_RULE "      algorithm: md5\n", "t.yaml:5:18: ", "unknown checksum algorithm 'md5'");
	expect_error(CK_RULE "      encoding: rot13\n", "t.yaml:5:17: ", "unknown checksum encoding 'rot13'");
	expect_error(CK_RULE "      covers: nope\n", "t.yaml:5:15: ", "checksum.covers: regex has no capture group named 'nope'");
	expect_error(CK_RULE "      value: nope\n", "t.yaml:5:14: ", "checksum.value: regex has no capture group named 'nope'");
	expect_error(CK_RULE "      salt: 1\n", "t.yaml:5:7: ", "unknown checksum key 'salt'");
	/* Without covers/value the default group names must exist. */
	expect_error(RULE_HEAD "    regex: 'K_[a-z]{4}'\n    checksum: {algorithm: crc32}\n", "t.yaml:4:15: ",
		     "regex has no capture group named 'payload'");
}

/* PCRE2 errors point at the offending character when the scalar is written
 * without escapes, else at the scalar; the message keeps PCRE2's offset. */
static void regex_errors(void **state)
{
	(void)state;
	/* plain scalar: column 12 + offset 8 */
	expect_error(RULE_HEAD "    regex: SFMC_[a-\n", "t.yaml:3:20: ", "regex error at offset 8: missing terminating ]");
	/* single-quoted: the quote is one more column */
	expect_error(RULE_HEAD "    regex: 'ab(?<x'\n", "t.yaml:3:19: ", "regex error at offset 6:");
	expect_error(RULE_HEAD "    regex: \"ab)\"\n", "t.yaml:3:15: ", "regex error at offset 2: unmatched closing parenthesis");
	/* an escape makes source and value differ: the scalar itself is named */
	expect_error(RULE_HEAD "    regex: \"\\x41b)\"\n", "t.yaml:3:12: ", "regex error at offset 2:");
	expect_error(RULE_HEAD "    regex: |\n      a(b\n", "t.yaml:3:12: ", "regex error at offset 4: missing closing parenthesis");
	/* a pattern that can match nothing at all would flag every byte */
	expect_error(RULE_HEAD "    regex: ''\n", "t.yaml:3:12: ", "regex can match the empty string");
	expect_error(RULE_HEAD "    regex: 'a*|b'\n", "t.yaml:3:12: ", "regex can match the empty string");
}

/* A real file: the message names the path as given. */
static void file_on_disk(void **state)
{
	char path[] = "/tmp/sfmc-rules-XXXXXX";
	const char text[] = RULE_HEAD "    regex: x\n    oops: 1\n";
	sfmc_ruleset set;
	char want[64];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	sfmc_rules_init(&set);
	assert_int_equal(sfmc_rules_add_file(&set, path), -1);
	snprintf(want, sizeof(want), "%s:4:5: unknown rule key 'oops'", path);
	assert_string_equal(sfmc_error_last(), want);
	sfmc_rules_dispose(&set);
	unlink(path);
	assert_int_equal(sfmc_rules_add_file(&set, path), -1);
	assert_non_null(strstr(sfmc_error_last(), "cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_rules),
		cmocka_unit_test(default_is_the_rules_file),
		cmocka_unit_test(minimal_rule_defaults),
		cmocka_unit_test(checksum_defaults_and_tables),
		cmocka_unit_test(file_errors),
		cmocka_unit_test(rule_errors),
		cmocka_unit_test(type_errors),
		cmocka_unit_test(checksum_errors),
		cmocka_unit_test(regex_errors),
		cmocka_unit_test(file_on_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
