/* yaml.h - thin helpers over libyaml's document API that turn every
 * mistake into a "file:line:column: message" error (1-based). */
#ifndef SFMC_YAML_H
#define SFMC_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

typedef struct sfmc_yaml {
	yaml_document_t doc;
	const char *name; /* file name used in messages; borrowed */
	bool loaded;
} sfmc_yaml;

/* Parses one YAML document from data; an empty document is an error. */
int sfmc_yaml_load(sfmc_yaml *y, const char *data, size_t len, const char *name);
/* Reads and parses a file (at most SFMC_MAX_YAML_FILE bytes). */
int sfmc_yaml_load_file(sfmc_yaml *y, const char *path, char **data_out);
void sfmc_yaml_dispose(sfmc_yaml *y);

yaml_node_t *sfmc_yaml_root(sfmc_yaml *y);
yaml_node_t *sfmc_yaml_node(sfmc_yaml *y, int index);

/* Sets the error "name:line:col: fmt..." at node; returns -1. */
int sfmc_yaml_error(sfmc_yaml *y, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* true for an empty plain scalar, "~" or "null" (a key given no value). */
bool sfmc_yaml_is_null(const yaml_node_t *node);
int sfmc_yaml_expect(sfmc_yaml *y, yaml_node_t *node, yaml_node_type_t type, const char *what);
/* Scalar accessors: type-checked, errors name the key. */
int sfmc_yaml_string(sfmc_yaml *y, yaml_node_t *node, const char *key, char **out);
int sfmc_yaml_int(sfmc_yaml *y, yaml_node_t *node, const char *key, int64_t min, int64_t max, int64_t *out);
int sfmc_yaml_bool(sfmc_yaml *y, yaml_node_t *node, const char *key, bool *out);
/* A sequence of strings (a lone scalar is accepted as a one-item list). */
int sfmc_yaml_strings(sfmc_yaml *y, yaml_node_t *node, const char *key, char ***out, size_t *n);
void sfmc_yaml_strings_free(char **v, size_t n);

#endif
