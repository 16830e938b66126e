#include "core/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "detect/decoders.h"
#include "util/array.h"
#include "util/error.h"
#include "util/yaml.h"

void sfmc_rules_init(sfmc_ruleset *set)
{
	memset(set, 0, sizeof(*set));
	set->archive_depth = SFMC_ARCHIVE_DEPTH;
	set->archive_max_bytes = SFMC_ARCHIVE_MAX_BYTES;
	set->archive_max_ratio = SFMC_ARCHIVE_MAX_RATIO;
	set->archive_max_members = SFMC_ARCHIVE_MAX_MEMBERS;
}

static void rule_dispose(sfmc_rule *r)
{
	free(r->id);
	free(r->name);
	free(r->description);
	free(r->severity);
	free(r->remediation);
	sfmc_yaml_strings_free(r->keywords, r->nkeywords);
	free(r->regex);
	pcre2_code_free(r->re);
	free(r->file);
	memset(r, 0, sizeof(*r));
}

void sfmc_rules_dispose(sfmc_ruleset *set)
{
	for (size_t i = 0; i < set->nrules; i++)
		rule_dispose(&set->rules[i]);
	for (size_t i = 0; i < set->ncontext; i++)
		rule_dispose(&set->context[i]);
	free(set->rules);
	free(set->context);
	sfmc_rules_init(set);
}

const sfmc_rule *sfmc_rules_find(const sfmc_ruleset *set, const char *id)
{
	for (size_t i = 0; i < set->nrules; i++)
		if (!strcmp(set->rules[i].id, id))
			return &set->rules[i];
	return NULL;
}

const char *sfmc_context_kind_name(sfmc_context_kind k)
{
	static const char *const names[SFMC_CONTEXT_KINDS] = { NULL, "client_id", "subdomain", "account_id" };
	return (unsigned)k < SFMC_CONTEXT_KINDS ? names[k] : NULL;
}

static const sfmc_rule *context_find(const sfmc_ruleset *set, const char *id)
{
	for (size_t i = 0; i < set->ncontext; i++)
		if (!strcmp(set->context[i].id, id))
			return &set->context[i];
	return NULL;
}

/* true when r defines context rule `have` again, word for word (kind, regex, lines). */
static bool same_context_rule(const sfmc_rule *have, const sfmc_rule *r)
{
	return have && r->context && have->context == r->context && have->context_lines == r->context_lines &&
	       !strcmp(have->regex, r->regex);
}

const char *sfmc_level_name(sfmc_level level)
{
	return level == SFMC_LEVEL_ERROR ? "error" : level == SFMC_LEVEL_WARNING ? "warning" : "none";
}

static const struct {
	const char *name, *score;
} severities[] = {
	{ "critical", "9.5" }, { "high", "8.0" }, { "medium", "5.5" }, { "low", "3.0" }, { "info", "0.1" },
};

static const char *severity_score(const char *severity)
{
	for (size_t i = 0; i < sizeof(severities) / sizeof(severities[0]); i++)
		if (!strcmp(severities[i].name, severity))
			return severities[i].score;
	return NULL;
}

const char *sfmc_rule_security_severity(const sfmc_rule *rule)
{
	const char *s = severity_score(rule->severity);
	return s ? s : "8.0";
}

static const char *scalar(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int group_number(sfmc_yaml *y, yaml_node_t *at, const sfmc_rule *r, const char *name, const char *key)
{
	int g = pcre2_substring_number_from_name(r->re, (PCRE2_SPTR)name);
	if (g < 0)
		return sfmc_yaml_error(y, at, "%s: regex has no capture group named '%s'", key, name);
	return g;
}

/* checksum: {algorithm, covers, value, encoding, width} */
static int parse_checksum(sfmc_yaml *y, yaml_node_t *node, sfmc_rule *r)
{
	sfmc_checksum_spec *c = &r->checksum;
	char *algo = NULL, *enc = NULL, *covers = NULL, *value = NULL;
	yaml_node_t *covers_at = node, *value_at = node, *algo_at = node, *enc_at = node;
	int64_t width = 8;
	int rc = -1;

	if (sfmc_yaml_expect(y, node, YAML_MAPPING_NODE, "checksum") < 0)
		return -1;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = sfmc_yaml_node(y, p->key), *v = sfmc_yaml_node(y, p->value);
		const char *key = k->type == YAML_SCALAR_NODE ? scalar(k) : "";
		char **dst = NULL;

		if (!strcmp(key, "algorithm"))
			dst = &algo, algo_at = v;
		else if (!strcmp(key, "encoding"))
			dst = &enc, enc_at = v;
		else if (!strcmp(key, "covers"))
			dst = &covers, covers_at = v;
		else if (!strcmp(key, "value"))
			dst = &value, value_at = v;
		else if (!strcmp(key, "width")) {
			if (sfmc_yaml_int(y, v, "checksum.width", 1, SFMC_CHECKSUM_MAX_WIDTH, &width) < 0)
				goto cleanup;
			continue;
		} else {
			sfmc_yaml_error(y, k, "unknown checksum key '%s' (expected algorithm, covers, value, encoding, width)", key);
			goto cleanup;
		}
		free(*dst);
		*dst = NULL;
		if (sfmc_yaml_string(y, v, key, dst) < 0)
			goto cleanup;
	}
	c->algo = sfmc_checksum_algo_find(algo ? algo : "crc32");
	if (!c->algo) {
		sfmc_yaml_error(y, algo_at, "unknown checksum algorithm '%s'", algo);
		goto cleanup;
	}
	c->encoding = sfmc_checksum_encoding_find(enc ? enc : "hex");
	if (!c->encoding) {
		sfmc_yaml_error(y, enc_at, "unknown checksum encoding '%s'", enc);
		goto cleanup;
	}
	c->width = (unsigned)width;
	if ((c->cover_group = group_number(y, covers_at, r, covers ? covers : "payload", "checksum.covers")) < 0 ||
	    (c->value_group = group_number(y, value_at, r, value ? value : "check", "checksum.value")) < 0)
		goto cleanup;
	r->has_checksum = true;
	rc = 0;
cleanup:
	free(algo);
	free(enc);
	free(covers);
	free(value);
	return rc;
}

/* The regex scalar's column of pattern byte `off`, when its source text is
 * the pattern itself (one line, no escapes); else the scalar's own column. */
static yaml_node_t regex_error_at(const yaml_node_t *at, size_t off)
{
	yaml_node_t n = *at;
	yaml_scalar_style_t st = at->data.scalar.style;
	size_t quotes = st == YAML_SINGLE_QUOTED_SCALAR_STYLE || st == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? 2 : 0;

	if ((quotes || st == YAML_PLAIN_SCALAR_STYLE) && at->start_mark.line == at->end_mark.line &&
	    at->end_mark.index - at->start_mark.index == at->data.scalar.length + quotes)
		n.start_mark.column += quotes / 2 + off;
	return n;
}

static int compile_regex(sfmc_yaml *y, yaml_node_t *at, sfmc_rule *r)
{
	int err;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[256];
	uint32_t minlen = 0;
	yaml_node_t err_at;

	/* USE_OFFSET_LIMIT lets the detector bound where a match may start. */
	r->re = pcre2_compile((PCRE2_SPTR)r->regex, PCRE2_ZERO_TERMINATED, PCRE2_USE_OFFSET_LIMIT, &err, &off, NULL);
	if (!r->re) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		err_at = regex_error_at(at, (size_t)off);
		return sfmc_yaml_error(y, &err_at, "regex error at offset %zu: %s", (size_t)off, (char *)msg);
	}
	/* An empty match would be a finding at every byte. */
	if (pcre2_pattern_info(r->re, PCRE2_INFO_MINLENGTH, &minlen) == 0 && minlen == 0)
		return sfmc_yaml_error(y, at, "regex can match the empty string");
	/* JIT is an optimisation: a platform without it still matches. */
	(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	return 0;
}

/* "base64, utf16, ...": the decoders a rule may name. */
static void decoder_names(char *buf, size_t cap)
{
	const char *name;

	buf[0] = '\0';
	for (size_t i = 0; (name = sfmc_decoder_name(i)); i++)
		snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? ", " : "", name);
}

static int parse_decoders(sfmc_yaml *y, yaml_node_t *v, sfmc_rule *r)
{
	char **list, names[256];
	size_t n;

	if (sfmc_yaml_strings(y, v, "decoders", &list, &n) < 0)
		return -1;
	r->decoders = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned bit = sfmc_decoder_bit(list[i]);
		if (!bit) {
			/* The message quotes list[i]: set it before the list is freed. */
			decoder_names(names, sizeof(names));
			sfmc_yaml_error(y, v, "unknown decoder '%s' (expected %s)", list[i], names);
			sfmc_yaml_strings_free(list, n);
			return -1;
		}
		r->decoders |= bit;
	}
	sfmc_yaml_strings_free(list, n);
	return 0;
}

static int check_keywords(sfmc_yaml *y, yaml_node_t *at, sfmc_rule *r)
{
	if (r->nkeywords > SFMC_MAX_KEYWORDS)
		return sfmc_yaml_error(y, at, "at most %d keywords per rule", SFMC_MAX_KEYWORDS);
	for (size_t i = 0; i < r->nkeywords; i++) {
		size_t len = strlen(r->keywords[i]);
		if (len > SFMC_MAX_KEYWORD_LEN)
			return sfmc_yaml_error(y, at, "keyword longer than %d bytes", SFMC_MAX_KEYWORD_LEN);
	}
	return 0;
}

/* context: client_id | subdomain | account_id */
static int parse_context(sfmc_yaml *y, yaml_node_t *v, sfmc_rule *r)
{
	char *kind = NULL;
	int rc = -1;

	if (sfmc_yaml_string(y, v, "context", &kind) < 0)
		return -1;
	for (int k = SFMC_CONTEXT_NONE + 1; k < SFMC_CONTEXT_KINDS; k++)
		if (!strcmp(kind, sfmc_context_kind_name((sfmc_context_kind)k)))
			r->context = (sfmc_context_kind)k, rc = 0;
	if (rc < 0)
		sfmc_yaml_error(y, v, "unknown context '%s' (expected client_id, subdomain or account_id)", kind);
	free(kind);
	return rc;
}

/* Where in the YAML a rule's regex, checksum and keywords were written, for
 * the messages of the checks that run once all keys are read. */
typedef struct rule_spots {
	yaml_node_t *regex, *checksum, *keywords, *context_lines;
} rule_spots;

/* The string-valued key's field in r, or NULL when key is not one of them. */
static char **string_field(sfmc_rule *r, const char *key)
{
	const struct {
		const char *key;
		char **dst;
	} fields[] = {
		{ "id", &r->id },
		{ "name", &r->name },
		{ "description", &r->description },
		{ "severity", &r->severity },
		{ "remediation", &r->remediation },
		{ "regex", &r->regex },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(key, fields[i].key))
			return fields[i].dst;
	return NULL;
}

/* One key of a rule mapping: its value parsed into r (a repeated key wins). */
static int parse_rule_key(sfmc_yaml *y, yaml_node_t *k, yaml_node_t *v, sfmc_rule *r, rule_spots *at)
{
	const char *key = scalar(k);
	char **dst = string_field(r, key);
	int64_t n;

	if (dst) {
		if (dst == &r->regex)
			at->regex = v;
		free(*dst);
		*dst = NULL;
		return sfmc_yaml_string(y, v, key, dst);
	}
	if (!strcmp(key, "keywords")) {
		sfmc_yaml_strings_free(r->keywords, r->nkeywords);
		at->keywords = v;
		return sfmc_yaml_strings(y, v, key, &r->keywords, &r->nkeywords);
	} else if (!strcmp(key, "checksum")) {
		at->checksum = v;
	} else if (!strcmp(key, "placeholder_min_distinct")) {
		if (sfmc_yaml_int(y, v, key, 0, 256, &n) < 0)
			return -1;
		r->placeholder_min_distinct = (unsigned)n;
	} else if (!strcmp(key, "max_lifetime_days")) {
		if (sfmc_yaml_int(y, v, key, 0, 100000, &n) < 0)
			return -1;
		r->max_lifetime_days = (unsigned)n;
	} else if (!strcmp(key, "window")) {
		if (sfmc_yaml_int(y, v, key, 1, SFMC_MAX_WINDOW, &n) < 0)
			return -1;
		r->window = (size_t)n;
	} else if (!strcmp(key, "decoders")) {
		return parse_decoders(y, v, r);
	} else if (!strcmp(key, "context")) {
		return parse_context(y, v, r);
	} else if (!strcmp(key, "context_lines")) {
		at->context_lines = v;
		if (sfmc_yaml_int(y, v, key, 0, SFMC_CONTEXT_MAX_LINES, &n) < 0)
			return -1;
		r->context_lines = (unsigned)n;
	} else {
		return sfmc_yaml_error(y, k, "unknown rule key '%s'", key);
	}
	return 0;
}

/* The checks that need every key read, then the regex and checksum compiled. */
static int finish_rule(sfmc_yaml *y, yaml_node_t *node, sfmc_rule *r, const rule_spots *at)
{
	if (!r->id)
		return sfmc_yaml_error(y, node, "rule has no 'id'");
	if (!r->regex)
		return sfmc_yaml_error(y, node, "rule '%s' has no 'regex'", r->id);
	if (!r->severity && !(r->severity = strdup("high")))
		return sfmc_error_set("out of memory");
	if (!severity_score(r->severity))
		return sfmc_yaml_error(y, node, "severity must be critical, high, medium, low or info, not '%s'", r->severity);
	if (check_keywords(y, at->keywords, r) < 0 || compile_regex(y, at->regex, r) < 0)
		return -1;
	if (at->checksum && parse_checksum(y, at->checksum, r) < 0)
		return -1;
	r->body_group = pcre2_substring_number_from_name(r->re, (PCRE2_SPTR) "body");
	if (r->body_group < 0)
		r->body_group = -1;
	r->value_group = pcre2_substring_number_from_name(r->re, (PCRE2_SPTR) "value");
	if (r->value_group < 0)
		r->value_group = 0;
	if (!r->context && at->context_lines)
		return sfmc_yaml_error(y, at->context_lines, "context_lines: only a context rule (context:) has it");
	return 0;
}

static int parse_rule(sfmc_yaml *y, yaml_node_t *node, sfmc_rule *r)
{
	rule_spots at = { NULL, NULL, node, NULL };

	if (sfmc_yaml_expect(y, node, YAML_MAPPING_NODE, "a rule") < 0)
		return -1;
	r->body_group = -1;
	r->placeholder_min_distinct = 8;
	r->window = SFMC_DEFAULT_WINDOW;
	r->decoders = sfmc_decoder_all();
	r->context_lines = SFMC_CONTEXT_LINES;
	r->line = node->start_mark.line + 1;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = sfmc_yaml_node(y, p->key), *v = sfmc_yaml_node(y, p->value);

		if (sfmc_yaml_expect(y, k, YAML_SCALAR_NODE, "a rule key") < 0 || parse_rule_key(y, k, v, r, &at) < 0)
			return -1;
	}
	return finish_rule(y, node, r, &at);
}

static int add_rule(sfmc_ruleset *set, sfmc_yaml *y, yaml_node_t *node)
{
	sfmc_rule r;

	memset(&r, 0, sizeof(r));
	if (set->nrules >= SFMC_MAX_RULES)
		return sfmc_yaml_error(y, node, "more than %d rules", SFMC_MAX_RULES);
	if (parse_rule(y, node, &r) < 0)
		goto fail;
	if (same_context_rule(context_find(set, r.id), &r)) { /* e.g. a copy of the default file added by a config */
		rule_dispose(&r);
		return 0;
	}
	if (sfmc_rules_find(set, r.id) || context_find(set, r.id)) {
		sfmc_yaml_error(y, node, "duplicate rule id '%s'", r.id);
		goto fail;
	}
	if (!(r.file = strdup(y->name))) {
		sfmc_error_set("out of memory");
		goto fail;
	}
	if (r.context) { /* kept apart: never detected or reported alone */
		if (SFMC_ARRAY_GROW(set->context, set->ncontext, set->acontext) < 0)
			goto fail;
		set->context[set->ncontext++] = r;
		return 0;
	}
	if (SFMC_ARRAY_GROW(set->rules, set->nrules, set->arules) < 0)
		goto fail;
	set->rules[set->nrules++] = r;
	if (r.window > set->max_window)
		set->max_window = r.window;
	for (size_t i = 0; i < r.nkeywords; i++)
		if (strlen(r.keywords[i]) > set->max_keyword)
			set->max_keyword = strlen(r.keywords[i]);
	return 0;
fail:
	rule_dispose(&r);
	return -1;
}

static int add_document(sfmc_ruleset *set, sfmc_yaml *y)
{
	yaml_node_t *root = sfmc_yaml_root(y), *rules = NULL;

	if (sfmc_yaml_expect(y, root, YAML_MAPPING_NODE, "a rules file") < 0)
		return -1;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = sfmc_yaml_node(y, p->key);
		if (k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), "rules"))
			rules = sfmc_yaml_node(y, p->value);
		else
			return sfmc_yaml_error(y, k, "unknown key '%s' (a rules file has only 'rules:')",
					       k->type == YAML_SCALAR_NODE ? scalar(k) : "?");
	}
	if (!rules)
		return sfmc_yaml_error(y, root, "no 'rules:' list");
	if (sfmc_yaml_expect(y, rules, YAML_SEQUENCE_NODE, "rules") < 0)
		return -1;
	if (rules->data.sequence.items.top == rules->data.sequence.items.start)
		return sfmc_yaml_error(y, rules, "'rules:' is empty");
	for (yaml_node_item_t *it = rules->data.sequence.items.start; it < rules->data.sequence.items.top; it++)
		if (add_rule(set, y, sfmc_yaml_node(y, *it)) < 0)
			return -1;
	return 0;
}

int sfmc_rules_add_buffer(sfmc_ruleset *set, const char *data, size_t len, const char *name)
{
	sfmc_yaml y;
	int rc = -1;

	if (sfmc_yaml_load(&y, data, len, name) == 0)
		rc = add_document(set, &y);
	sfmc_yaml_dispose(&y);
	return rc;
}

int sfmc_rules_add_file(sfmc_ruleset *set, const char *path)
{
	sfmc_yaml y;
	char *data = NULL;
	int rc = -1;

	if (sfmc_yaml_load_file(&y, path, &data) == 0)
		rc = add_document(set, &y);
	sfmc_yaml_dispose(&y);
	free(data);
	return rc;
}

int sfmc_rules_add_default(sfmc_ruleset *set)
{
	size_t len;
	const char *text = sfmc_rules_default_text(&len);
	return sfmc_rules_add_buffer(set, text, len, "<builtin>/rules/sfmc.yaml");
}
