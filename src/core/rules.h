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

/* Companion values a context rule finds near a secret (never reported alone). */
typedef enum sfmc_context_kind {
	SFMC_CONTEXT_NONE = 0,
	SFMC_CONTEXT_CLIENT_ID,
	SFMC_CONTEXT_SUBDOMAIN,  /* tenant subdomain, stored lowercase */
	SFMC_CONTEXT_ACCOUNT_ID, /* Business Unit MID */
	SFMC_CONTEXT_KINDS
} sfmc_context_kind;

/* "client_id", "subdomain", "account_id"; NULL for NONE. */
const char *sfmc_context_kind_name(sfmc_context_kind k);

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
	sfmc_context_kind context; /* context rules: what they find; NONE for secret rules */
	int value_group;           /* context rules: group "value" (whole match when absent) */
	unsigned context_lines;    /* context rules: lines searched before and after the secret */
} sfmc_rule;

struct sfmc_finding;

/* Sees each finding as a scanner makes it (before any filter), from any
 * scanning thread at once: fn must be thread-safe; f is borrowed for the call. */
typedef struct sfmc_finding_tap {
	void (*fn)(void *payload, const struct sfmc_finding *f);
	void *payload;
} sfmc_finding_tap;

typedef struct sfmc_ruleset {
	sfmc_rule *rules;
	size_t nrules, arules;
	size_t max_window;   /* largest rule window */
	size_t max_keyword;  /* longest keyword */
	unsigned archive_depth; /* nested archives scanners open (--archive-depth; 0: none) */
	/* Per outer file, against bombs (--archive-max-bytes, -ratio, -members; defaults in bounds.h). */
	uint64_t archive_max_bytes;
	unsigned archive_max_ratio, archive_max_members;
	sfmc_rule *context;     /* context rules (`context:` key), kept apart: the detector never runs them */
	size_t ncontext, acontext;
	const sfmc_finding_tap *tap; /* set by the app for one run (--verify); NULL: none */
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
