#include "triage/baseline.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/bounds.h"
#include "util/array.h"
#include "util/error.h"
#include "util/text.h"

void sfmc_baseline_init(sfmc_baseline *b)
{
	memset(b, 0, sizeof(*b));
}

void sfmc_baseline_dispose(sfmc_baseline *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->entries[i].path);
	free(b->entries);
	free(b->file);
	sfmc_baseline_init(b);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const sfmc_baseline_entry *a = pa, *b = pb;
	int c = strcmp(a->fingerprint, b->fingerprint);
	return c ? c : strcmp(a->path, b->path);
}

static bool is_fingerprint(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n == 64 && !s[n];
}

/* Adds the (fingerprint, path) of every finding in array `key` of root. */
static int add_array(sfmc_baseline *b, json_t *root, const char *key, const char *name, bool required)
{
	json_t *arr = json_object_get(root, key), *it;
	size_t i;

	if (!arr && !required)
		return 0;
	if (!json_is_array(arr))
		return sfmc_error_set("%s: not an sfmc-scan JSON report (no '%s' array); write one with --write-baseline",
				      name, key);
	json_array_foreach(arr, i, it) {
		const char *fp = json_string_value(json_object_get(it, "fingerprint"));
		const char *path = json_string_value(json_object_get(it, "path"));
		const char *loc = json_string_value(json_object_get(it, "location"));
		sfmc_baseline_entry *e;

		if (!fp || !is_fingerprint(fp))
			return sfmc_error_set("%s: %s[%zu]: 'fingerprint' must be 64 lowercase hexadecimal digits", name, key, i);
		if (!path && loc && strcmp(loc, "file"))
			path = ""; /* a message: matched by its fingerprint alone */
		if (!path)
			return sfmc_error_set("%s: %s[%zu]: no 'path' string", name, key, i);
		if (SFMC_ARRAY_GROW(b->entries, b->n, b->alloc) < 0)
			return -1;
		e = &b->entries[b->n];
		memcpy(e->fingerprint, fp, sizeof(e->fingerprint));
		if (!(e->path = strdup(path)))
			return sfmc_error_set("out of memory");
		b->n++;
	}
	return 0;
}

/* Fills b from a parsed report (NULL: parse error in err); steals root. */
static int load(sfmc_baseline *b, json_t *root, const json_error_t *err, const char *name)
{
	int rc = -1;

	sfmc_baseline_dispose(b);
	if (!root) {
		if (err->line > 0)
			return sfmc_error_set("%s:%d:%d: %s", name, err->line, err->column, err->text);
		return sfmc_error_set("%s: %s", name, err->text);
	}
	if (!json_is_object(root)) {
		sfmc_error_set("%s: not an sfmc-scan JSON report (not an object)", name);
		goto cleanup;
	}
	if (add_array(b, root, "findings", name, true) < 0 || add_array(b, root, "suppressed", name, false) < 0)
		goto cleanup;
	if (!(b->file = strdup(name))) {
		sfmc_error_set("out of memory");
		goto cleanup;
	}
	if (b->n > 1)
		qsort(b->entries, b->n, sizeof(*b->entries), cmp_entry);
	rc = 0;
cleanup:
	json_decref(root);
	if (rc < 0)
		sfmc_baseline_dispose(b);
	return rc;
}

int sfmc_baseline_load_buffer(sfmc_baseline *b, const char *data, size_t len, const char *name)
{
	json_error_t err;
	json_t *root = json_loadb(data, len, 0, &err);
	return load(b, root, &err, name);
}

int sfmc_baseline_load_file(sfmc_baseline *b, const char *path)
{
	json_error_t err;
	struct stat st;

	if (stat(path, &st) < 0)
		return sfmc_error_set_errno("%s: cannot open the baseline", path);
	if (!S_ISREG(st.st_mode))
		return sfmc_error_set("%s: the baseline is not a regular file", path);
	if ((uint64_t)st.st_size > SFMC_MAX_BASELINE_FILE)
		return sfmc_error_set("%s: baseline larger than %zu bytes", path, SFMC_MAX_BASELINE_FILE);
	return load(b, json_load_file(path, 0, &err), &err, path);
}

#define ELLIPSIS "\xe2\x80\xa6"

/* Whether path is what sfmc_redact made of pat: each "…" stands for one or more bytes (the rest of a
 * token). Greedy with one backtrack point, as for '?*' globs: linear in practice, never exponential. */
static bool redacted_match(const char *pat, const char *path)
{
	const char *star = NULL, *retry = NULL;

	while (*path) {
		if (!strncmp(pat, ELLIPSIS, 3)) {
			pat += 3, path++;
			star = pat, retry = path;
		} else if (*pat == *path) {
			pat++, path++;
		} else if (star) {
			pat = star, path = ++retry;
		} else {
			return false;
		}
	}
	return !*pat;
}

/* An entry of f's fingerprint whose path, redacted when the baseline was written, matches path. */
static bool has_redacted(const sfmc_baseline *b, const char *fingerprint, const char *path)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) { /* the first entry of the fingerprint */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(b->entries[mid].fingerprint, fingerprint) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < b->n && !strcmp(b->entries[lo].fingerprint, fingerprint); lo++)
		if (strstr(b->entries[lo].path, ELLIPSIS) && redacted_match(b->entries[lo].path, path))
			return true;
	return false;
}

/* Whether any entry has this fingerprint. */
bool sfmc_baseline_has_fingerprint(const sfmc_baseline *b, const char *fingerprint)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(b->entries[mid].fingerprint, fingerprint) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->n && !strcmp(b->entries[lo].fingerprint, fingerprint);
}

bool sfmc_baseline_has(const sfmc_baseline *b, const sfmc_finding *f)
{
	sfmc_baseline_entry key;
	bool found;

	if (!b->n)
		return false;
	/* A message's secret is the same secret wherever the baseline saw it. */
	if (f->location != SFMC_LOCATION_FILE)
		return sfmc_baseline_has_fingerprint(b, f->fingerprint);
	memcpy(key.fingerprint, f->fingerprint, sizeof(key.fingerprint));
	/* Reports carry paths as UTF-8, so compare in that form. */
	if (!(key.path = sfmc_text_lossy_utf8(f->path, f->path_len)))
		return false;
	found = bsearch(&key, b->entries, b->n, sizeof(*b->entries), cmp_entry) != NULL ||
		has_redacted(b, key.fingerprint, key.path);
	free(key.path);
	return found;
}
