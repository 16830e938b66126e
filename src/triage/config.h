/* config.h - the project config file (.sfmc-scan.yaml, libyaml): extra rule
 * files, fail_on, max_file_size, paths never scanned, and allow entries that
 * suppress findings (each with a reason). A config owns all its strings. */
#ifndef SFMC_CONFIG_H
#define SFMC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/rules.h"
#include "util/glob.h"

/* Name of the config file looked for at the scanned root. */
#define SFMC_CONFIG_NAME ".sfmc-scan.yaml"

/* One allow entry: every given criterion must hold for a finding. */
typedef struct sfmc_allow {
	char *fingerprint;  /* 64 lowercase hex digits, or NULL */
	sfmc_glob path;     /* path.text is NULL when absent */
	char *rule_id;      /* or NULL */
	char *reason;       /* required */
} sfmc_allow;

typedef struct sfmc_config {
	char *file;              /* the file loaded; NULL when there is none */
	char **rules;            /* extra rule files, resolved against the config's directory */
	size_t nrules;
	sfmc_level fail_on;
	bool has_fail_on;
	uint64_t max_file_size;  /* 0: no limit */
	bool has_max_file_size;
	sfmc_glob *paths;        /* never scanned */
	size_t npaths, apaths;
	sfmc_allow *allow;
	size_t nallow, aallow;
} sfmc_config;

void sfmc_config_init(sfmc_config *c);
void sfmc_config_dispose(sfmc_config *c);

/* Parses a config held in memory; name is used in messages and dir resolves
 * relative rule files (NULL: as given). Errors are "name:line:col: ...". */
int sfmc_config_load_buffer(sfmc_config *c, const char *data, size_t len, const char *name, const char *dir);
/* Reads and parses path (a missing file is an error). */
int sfmc_config_load_file(sfmc_config *c, const char *path);
/* Loads root/.sfmc-scan.yaml when it exists; none is not an error. The app
 * passes the source's config root (a git source: its work tree's top). */
int sfmc_config_discover(sfmc_config *c, const char *root);

/* Appends the config's rule files to rules. */
int sfmc_config_add_rules(const sfmc_config *c, sfmc_ruleset *rules);
/* true when a relative path lies under a `paths` glob. */
bool sfmc_config_excludes(const sfmc_config *c, const char *path, bool is_dir);
/* The first allow entry that matches f, or NULL. */
const sfmc_allow *sfmc_config_allows(const sfmc_config *c, const sfmc_finding *f);

#endif
