#include "util/yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/bounds.h"
#include "util/error.h"

static int parser_error(const yaml_parser_t *p, const char *name)
{
	return sfmc_error_set("%s:%zu:%zu: %s%s%s", name, p->problem_mark.line + 1, p->problem_mark.column + 1,
			      p->problem ? p->problem : "YAML error", p->context ? " " : "", p->context ? p->context : "");
}

/* A second document would be silently ignored: refuse it instead. */
static int expect_stream_end(yaml_parser_t *p, const char *name)
{
	yaml_document_t next;
	bool more;
	size_t line, col;

	if (!yaml_parser_load(p, &next))
		return parser_error(p, name);
	more = yaml_document_get_root_node(&next) != NULL;
	line = next.start_mark.line + 1;
	col = next.start_mark.column + 1;
	yaml_document_delete(&next);
	return more ? sfmc_error_set("%s:%zu:%zu: only one YAML document is allowed", name, line, col) : 0;
}

int sfmc_yaml_load(sfmc_yaml *y, const char *data, size_t len, const char *name)
{
	yaml_parser_t parser;
	int rc = -1;

	y->name = name;
	y->loaded = false;
	if (!yaml_parser_initialize(&parser))
		return sfmc_error_set("%s: cannot initialise YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		parser_error(&parser, name);
		goto cleanup;
	}
	y->loaded = true;
	if (!yaml_document_get_root_node(&y->doc)) {
		sfmc_error_set("%s:1:1: empty YAML document", name);
		goto cleanup;
	}
	if (expect_stream_end(&parser, name) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	yaml_parser_delete(&parser);
	return rc;
}

int sfmc_yaml_load_file(sfmc_yaml *y, const char *path, char **data_out)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, rc = -1;

	*data_out = NULL;
	y->loaded = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return sfmc_error_set_errno("%s: cannot open", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sfmc_error_set("%s: not a regular file", path);
		goto cleanup;
	}
	if ((size_t)st.st_size > SFMC_MAX_YAML_FILE) {
		sfmc_error_set("%s: larger than %zu bytes", path, SFMC_MAX_YAML_FILE);
		goto cleanup;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		sfmc_error_set("%s: out of memory", path);
		goto cleanup;
	}
	while (got < (size_t)st.st_size && (n = read(fd, data + got, (size_t)st.st_size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sfmc_error_set_errno("%s: cannot read", path);
			goto cleanup;
		}
		got += (size_t)n;
	}
	data[got] = '\0';
	if (sfmc_yaml_load(y, data, got, path) < 0)
		goto cleanup;
	*data_out = data;
	data = NULL;
	rc = 0;
cleanup:
	free(data);
	close(fd);
	return rc;
}

void sfmc_yaml_dispose(sfmc_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

yaml_node_t *sfmc_yaml_root(sfmc_yaml *y)
{
	return yaml_document_get_root_node(&y->doc);
}

yaml_node_t *sfmc_yaml_node(sfmc_yaml *y, int index)
{
	return yaml_document_get_node(&y->doc, index);
}

int sfmc_yaml_error(sfmc_yaml *y, const yaml_node_t *node, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!node)
		return sfmc_error_set("%s: %s", y->name, msg);
	return sfmc_error_set("%s:%zu:%zu: %s", y->name, node->start_mark.line + 1,
			      node->start_mark.column + 1, msg);
}

static const char *type_name(yaml_node_type_t t)
{
	switch (t) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "empty";
	}
}

int sfmc_yaml_expect(sfmc_yaml *y, yaml_node_t *node, yaml_node_type_t type, const char *what)
{
	if (node->type != type)
		return sfmc_yaml_error(y, node, "%s must be %s, not %s", what, type_name(type),
				       type_name(node->type));
	return 0;
}

bool sfmc_yaml_is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE)
		return false;
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
}

int sfmc_yaml_string(sfmc_yaml *y, yaml_node_t *node, const char *key, char **out)
{
	if (sfmc_yaml_expect(y, node, YAML_SCALAR_NODE, key) < 0)
		return -1;
	if (sfmc_yaml_is_null(node))
		return sfmc_yaml_error(y, node, "%s must not be empty", key);
	if (strlen((const char *)node->data.scalar.value) != node->data.scalar.length)
		return sfmc_yaml_error(y, node, "%s must not contain NUL", key);
	*out = strdup((const char *)node->data.scalar.value);
	return *out ? 0 : sfmc_error_set("out of memory");
}

int sfmc_yaml_int(sfmc_yaml *y, yaml_node_t *node, const char *key, int64_t min, int64_t max, int64_t *out)
{
	const char *v;
	char *end;
	long long n;

	if (sfmc_yaml_expect(y, node, YAML_SCALAR_NODE, key) < 0)
		return -1;
	v = (const char *)node->data.scalar.value;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return sfmc_yaml_error(y, node, "%s must be an integer, not '%.40s'", key, v);
	if (n < min || n > max)
		return sfmc_yaml_error(y, node, "%s must be between %lld and %lld", key, (long long)min,
				       (long long)max);
	*out = n;
	return 0;
}

int sfmc_yaml_bool(sfmc_yaml *y, yaml_node_t *node, const char *key, bool *out)
{
	const char *v;

	if (sfmc_yaml_expect(y, node, YAML_SCALAR_NODE, key) < 0)
		return -1;
	v = (const char *)node->data.scalar.value;
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
		*out = false;
	else
		return sfmc_yaml_error(y, node, "%s must be true or false, not '%.40s'", key, v);
	return 0;
}

void sfmc_yaml_strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int sfmc_yaml_strings(sfmc_yaml *y, yaml_node_t *node, const char *key, char ***out, size_t *n)
{
	yaml_node_item_t *it;
	char **v = NULL;
	size_t count = 0, i = 0;

	*out = NULL;
	*n = 0;
	if (node->type == YAML_SCALAR_NODE) {
		v = calloc(1, sizeof(*v));
		if (!v || sfmc_yaml_string(y, node, key, &v[0]) < 0) {
			free(v);
			return -1;
		}
		*out = v;
		*n = 1;
		return 0;
	}
	if (sfmc_yaml_expect(y, node, YAML_SEQUENCE_NODE, key) < 0)
		return -1;
	count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	v = calloc(count ? count : 1, sizeof(*v));
	if (!v)
		return sfmc_error_set("out of memory");
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++, i++) {
		if (sfmc_yaml_string(y, sfmc_yaml_node(y, *it), key, &v[i]) < 0) {
			sfmc_yaml_strings_free(v, i);
			return -1;
		}
	}
	*out = v;
	*n = count;
	return 0;
}
