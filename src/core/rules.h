/* rules.h - detection rules, loaded from YAML (libyaml) and compiled with
 * PCRE2 (JIT when available). A ruleset owns its rules and their patterns. */
#ifndef SFMC_RULES_H
#define SFMC_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/checksum.h"

typedef enum sfmc_level {
	SFMC_LEVEL_NONE = 0,
	SFMC_LEVEL_WARNING = 1,
	SFMC_LEVEL_ERROR = 2,
} sfmc_level;

typedef struct sfmc_rule {
	char *id;
	char *name;
	char *description;
	char *severity;    /* critical | high | medium | low | info */
	char *remediation; /* how to rotate; shown in reports */
	char **keywords;   /* literals for the prefilter; none = regex on every byte */
	size_t nkeywords;
	char *regex;
	pcre2_code *re;
	bool has_checksum;
	sfmc_checksum_spec checksum;
	int body_group;               /* group "body" (placeholder test), -1: whole match */
	unsigned placeholder_min_distinct;
	unsigned max_lifetime_days;   /* 0: no lifetime */
	size_t window;                /* bytes a match may start before its keyword */
	unsigned decoders;            /* decoders it lets apply: bits of sfmc_decoder_bit() (detect/decoders.h) */
	char *file;                   /* where the rule was defined */
	size_t line;
} sfmc_rule;

typedef struct sfmc_ruleset {
	sfmc_rule *rules;
	size_t nrules, arules;
	size_t max_window;   /* largest rule window */
	size_t max_keyword;  /* longest keyword */
	unsigned archive_depth; /* nested archives scanners open (--archive-depth; 0: none) */
} sfmc_ruleset;

void sfmc_rules_init(sfmc_ruleset *set);
/* Appends the rules of a YAML rules file/buffer; ids must stay unique. */
int sfmc_rules_add_file(sfmc_ruleset *set, const char *path);
int sfmc_rules_add_buffer(sfmc_ruleset *set, const char *data, size_t len, const char *name);
/* The rules/sfmc.yaml embedded at build time. */
int sfmc_rules_add_default(sfmc_ruleset *set);
const char *sfmc_rules_default_text(size_t *len);
void sfmc_rules_dispose(sfmc_ruleset *set);

const sfmc_rule *sfmc_rules_find(const sfmc_ruleset *set, const char *id);
const char *sfmc_level_name(sfmc_level level);
/* SARIF security-severity score for a rule's severity ("9.5" for critical). */
const char *sfmc_rule_security_severity(const sfmc_rule *rule);

#endif
