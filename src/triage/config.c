#include "triage/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"
#include "util/yaml.h"

void sfmc_config_init(sfmc_config *c)
{
	memset(c, 0, sizeof(*c));
	c->fail_on = SFMC_LEVEL_ERROR;
}

static void allow_dispose(sfmc_allow *a)
{
	free(a->fingerprint);
	sfmc_glob_dispose(&a->path);
	free(a->rule_id);
	free(a->reason);
}

void sfmc_config_dispose(sfmc_config *c)
{
	free(c->file);
	sfmc_yaml_strings_free(c->rules, c->nrules);
	for (size_t i = 0; i < c->npaths; i++)
		sfmc_glob_dispose(&c->paths[i]);
	free(c->paths);
	for (size_t i = 0; i < c->nallow; i++)
		allow_dispose(&c->allow[i]);
	free(c->allow);
	sfmc_config_init(c);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* The key of pair p, checked to be a scalar that no earlier pair of map uses. */
static const char *pair_key(sfmc_yaml *y, yaml_node_t *map, yaml_node_pair_t *p)
{
	yaml_node_t *k = sfmc_yaml_node(y, p->key);

	if (k->type != YAML_SCALAR_NODE) {
		sfmc_yaml_error(y, k, "keys must be plain names, not %s",
				k->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping");
		return NULL;
	}
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
		yaml_node_t *e = sfmc_yaml_node(y, q->key);
		if (e->type == YAML_SCALAR_NODE && !strcmp(scalar(e), scalar(k))) {
			sfmc_yaml_error(y, k, "duplicate key '%s'", scalar(k));
			return NULL;
		}
	}
	return scalar(k);
}

/* Items of a list-valued key: a lone scalar is one item, null is none. */
static int list_items(sfmc_yaml *y, yaml_node_t *v, const char *key, yaml_node_item_t **b, yaml_node_item_t **e,
		      yaml_node_item_t *single)
{
	*b = *e = single;
	if (sfmc_yaml_is_null(v))
		return 0;
	if (v->type == YAML_SCALAR_NODE) {
		*e = single + 1;
		return 0;
	}
	if (sfmc_yaml_expect(y, v, YAML_SEQUENCE_NODE, key) < 0)
		return -1;
	*b = v->data.sequence.items.start;
	*e = v->data.sequence.items.top;
	return 0;
}

static int parse_rules(sfmc_config *c, sfmc_yaml *y, yaml_node_t *v, const char *dir)
{
	char **files;
	size_t n;

	if (sfmc_yaml_is_null(v))
		return 0;
	if (sfmc_yaml_strings(y, v, "rules", &files, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sfmc_buf b = SFMC_BUF_INIT;
		if (files[i][0] == '/' || !dir)
			continue;
		if (sfmc_buf_printf(&b, "%s/%s", dir, files[i]) < 0) {
			sfmc_yaml_strings_free(files, n);
			return -1;
		}
		free(files[i]);
		files[i] = sfmc_buf_detach(&b);
	}
	sfmc_yaml_strings_free(c->rules, c->nrules);
	c->rules = files;
	c->nrules = n;
	return 0;
}

static int parse_fail_on(sfmc_config *c, sfmc_yaml *y, yaml_node_t *v)
{
	static const struct {
		const char *name;
		sfmc_level level;
	} levels[] = { { "error", SFMC_LEVEL_ERROR }, { "warning", SFMC_LEVEL_WARNING }, { "never", SFMC_LEVEL_NONE } };

	if (sfmc_yaml_expect(y, v, YAML_SCALAR_NODE, "fail_on") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(scalar(v), levels[i].name)) {
			c->fail_on = levels[i].level;
			c->has_fail_on = true;
			return 0;
		}
	return sfmc_yaml_error(y, v, "fail_on must be error, warning or never, not '%.40s'", scalar(v));
}

static int parse_max_file_size(sfmc_config *c, sfmc_yaml *y, yaml_node_t *v)
{
	if (sfmc_yaml_expect(y, v, YAML_SCALAR_NODE, "max_file_size") < 0)
		return -1;
	/* The same syntax as --max-file-size. */
	if (sfmc_text_parse_size(scalar(v), &c->max_file_size) < 0)
		return sfmc_yaml_error(y, v, "max_file_size must be bytes (e.g. 1048576 or 10M), not '%.40s'", scalar(v));
	c->has_max_file_size = true;
	return 0;
}

/* Compiles the glob of scalar node v; errors point at v. */
static int compile_glob(sfmc_yaml *y, yaml_node_t *v, const char *key, sfmc_glob *g)
{
	char *text = NULL, msg[512];
	int rc = -1;

	if (sfmc_yaml_string(y, v, key, &text) < 0)
		return -1;
	if (sfmc_glob_compile(g, text) == 0)
		rc = 0;
	else {
		snprintf(msg, sizeof(msg), "%s", sfmc_error_last());
		sfmc_yaml_error(y, v, "%s: %s", key, msg);
	}
	free(text);
	return rc;
}

static int parse_paths(sfmc_config *c, sfmc_yaml *y, yaml_node_t *v)
{
	yaml_node_item_t *b, *e, single = (yaml_node_item_t)(v - y->doc.nodes.start) + 1;

	if (list_items(y, v, "paths", &b, &e, &single) < 0)
		return -1;
	for (yaml_node_item_t *it = b; it < e; it++) {
		if (SFMC_ARRAY_GROW(c->paths, c->npaths, c->apaths) < 0)
			return -1;
		if (compile_glob(y, sfmc_yaml_node(y, *it), "paths", &c->paths[c->npaths]) < 0)
			return -1;
		c->npaths++;
	}
	return 0;
}

static int parse_fingerprint(sfmc_yaml *y, yaml_node_t *v, char **out)
{
	size_t n = 0;

	if (sfmc_yaml_string(y, v, "fingerprint", out) < 0)
		return -1;
	for (char *p = *out; *p; p++, n++)
		if (isxdigit((unsigned char)*p))
			*p = (char)tolower((unsigned char)*p);
		else
			n = 1000;
	if (n != 64)
		return sfmc_yaml_error(y, v, "fingerprint must be 64 hexadecimal digits (the SHA-256 in reports)");
	return 0;
}

/* One key of an allow entry. */
static int parse_allow_key(sfmc_yaml *y, const char *key, yaml_node_t *v, sfmc_allow *a, yaml_node_t *at)
{
	if (!strcmp(key, "fingerprint"))
		return parse_fingerprint(y, v, &a->fingerprint);
	if (!strcmp(key, "rule_id"))
		return sfmc_yaml_string(y, v, "rule_id", &a->rule_id);
	if (!strcmp(key, "reason")) {
		if (sfmc_yaml_string(y, v, "reason", &a->reason) < 0)
			return -1;
		if (!a->reason[strspn(a->reason, " \t\r\n")])
			return sfmc_yaml_error(y, v, "reason must not be empty");
		return 0;
	}
	if (!strcmp(key, "path")) {
		if (compile_glob(y, v, "path", &a->path) < 0)
			return -1;
		if (a->path.negate)
			return sfmc_yaml_error(y, v, "path: a negated glob ('!') cannot select findings");
		return 0;
	}
	return sfmc_yaml_error(y, at, "unknown key '%s' in an allow entry (expected fingerprint, path, rule_id, reason)",
			       key);
}

static int parse_allow_entry(sfmc_yaml *y, yaml_node_t *m, sfmc_allow *a)
{
	if (sfmc_yaml_expect(y, m, YAML_MAPPING_NODE, "an allow entry") < 0)
		return -1;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *key = pair_key(y, m, p);
		if (!key || parse_allow_key(y, key, sfmc_yaml_node(y, p->value), a, sfmc_yaml_node(y, p->key)) < 0)
			return -1;
	}
	if (!a->fingerprint && !a->path.text && !a->rule_id)
		return sfmc_yaml_error(y, m, "allow entry matches nothing (give a fingerprint, a path or a rule_id)");
	if (!a->reason)
		return sfmc_yaml_error(y, m, "allow entry has no reason (say why the finding is safe to ignore)");
	return 0;
}

static int parse_allow(sfmc_config *c, sfmc_yaml *y, yaml_node_t *v)
{
	yaml_node_item_t *b, *e, single = 0;

	if (v->type == YAML_SCALAR_NODE && !sfmc_yaml_is_null(v))
		return sfmc_yaml_expect(y, v, YAML_SEQUENCE_NODE, "allow");
	if (list_items(y, v, "allow", &b, &e, &single) < 0)
		return -1;
	for (yaml_node_item_t *it = b; it < e; it++) {
		if (SFMC_ARRAY_GROW(c->allow, c->nallow, c->aallow) < 0)
			return -1;
		memset(&c->allow[c->nallow], 0, sizeof(sfmc_allow));
		c->nallow++; /* counted first so that dispose frees a half-parsed entry */
		if (parse_allow_entry(y, sfmc_yaml_node(y, *it), &c->allow[c->nallow - 1]) < 0)
			return -1;
	}
	return 0;
}

static int parse_document(sfmc_config *c, sfmc_yaml *y, const char *dir)
{
	yaml_node_t *root = sfmc_yaml_root(y);

	if (sfmc_yaml_expect(y, root, YAML_MAPPING_NODE, "a config file") < 0)
		return -1;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *key = pair_key(y, root, p);
		yaml_node_t *v = sfmc_yaml_node(y, p->value);
		int rc;

		if (!key)
			return -1;
		if (!strcmp(key, "rules"))
			rc = parse_rules(c, y, v, dir);
		else if (!strcmp(key, "fail_on"))
			rc = parse_fail_on(c, y, v);
		else if (!strcmp(key, "max_file_size"))
			rc = parse_max_file_size(c, y, v);
		else if (!strcmp(key, "paths"))
			rc = parse_paths(c, y, v);
		else if (!strcmp(key, "allow"))
			rc = parse_allow(c, y, v);
		else
			rc = sfmc_yaml_error(y, sfmc_yaml_node(y, p->key),
					     "unknown key '%s' (expected rules, fail_on, max_file_size, paths, allow)", key);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Parses the loaded document into c; an empty document is an empty config. */
static int load(sfmc_config *c, sfmc_yaml *y, int loaded, const char *name, const char *dir)
{
	bool empty = y->loaded && !sfmc_yaml_root(y); /* an error to sfmc_yaml_load, fine here */
	int rc = empty ? 0 : loaded < 0 ? -1 : parse_document(c, y, dir);

	if (rc == 0 && !(c->file = strdup(name)))
		rc = sfmc_error_set("out of memory");
	if (rc < 0)
		sfmc_config_dispose(c);
	return rc;
}

int sfmc_config_load_buffer(sfmc_config *c, const char *data, size_t len, const char *name, const char *dir)
{
	sfmc_yaml y;
	int rc;

	sfmc_config_dispose(c);
	rc = load(c, &y, sfmc_yaml_load(&y, data, len, name), name, dir);
	sfmc_yaml_dispose(&y);
	return rc;
}

int sfmc_config_load_file(sfmc_config *c, const char *path)
{
	sfmc_yaml y;
	char *data = NULL, *dir = NULL, *slash;
	int rc = -1;

	sfmc_config_dispose(c);
	if (!(dir = strdup(path)))
		return sfmc_error_set("out of memory");
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0'; /* "/x.yaml" keeps "/" */
	rc = load(c, &y, sfmc_yaml_load_file(&y, path, &data), path, slash ? dir : NULL);
	sfmc_yaml_dispose(&y);
	free(data);
	free(dir);
	return rc;
}

int sfmc_config_discover(sfmc_config *c, const char *root)
{
	sfmc_buf path = SFMC_BUF_INIT;
	struct stat st;
	int rc = 0;

	sfmc_config_dispose(c);
	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0; /* a single file or a missing root: the source reports that */
	if (sfmc_buf_printf(&path, "%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/", SFMC_CONFIG_NAME) < 0)
		return -1;
	/* A link could make a checked-out tree read (and quote) any file. */
	if (lstat(path.ptr, &st) < 0) {
		if (errno != ENOENT) /* none is fine; unreadable is not */
			rc = sfmc_error_set_errno("%s: cannot read", path.ptr);
	} else if (S_ISLNK(st.st_mode)) {
		rc = sfmc_error_set("%s: a symbolic link (not followed; name the file with --config)", path.ptr);
	} else {
		rc = sfmc_config_load_file(c, path.ptr);
	}
	sfmc_buf_dispose(&path);
	return rc;
}

int sfmc_config_add_rules(const sfmc_config *c, sfmc_ruleset *rules)
{
	for (size_t i = 0; i < c->nrules; i++)
		if (sfmc_rules_add_file(rules, c->rules[i]) < 0)
			return -1;
	return 0;
}

bool sfmc_config_excludes(const sfmc_config *c, const char *path, bool is_dir)
{
	return c && c->npaths && sfmc_glob_list_excludes(c->paths, c->npaths, path, is_dir);
}

const sfmc_allow *sfmc_config_allows(const sfmc_config *c, const sfmc_finding *f)
{
	for (size_t i = 0; c && i < c->nallow; i++) {
		const sfmc_allow *a = &c->allow[i];
		if ((!a->fingerprint || !strcmp(a->fingerprint, f->fingerprint)) &&
		    (!a->rule_id || !strcmp(a->rule_id, f->rule->id)) &&
		    (!a->path.text || sfmc_glob_match(&a->path, f->path, false)))
			return a;
	}
	return NULL;
}
