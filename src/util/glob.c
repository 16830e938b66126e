#include "util/glob.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "util/array.h"
#include "util/error.h"

void sfmc_glob_dispose(sfmc_glob *g)
{
	free(g->text);
	for (size_t i = 0; i < g->nsegs; i++)
		free(g->segs[i]);
	free(g->segs);
	memset(g, 0, sizeof(*g));
}

/* Points at the ']' closing the bracket expression at p, or NULL. */
static const char *bracket_end(const char *p)
{
	const char *q = p + 1;

	if (*q == '!' || *q == '^')
		q++;
	if (*q == ']')
		q++; /* a leading ']' is a member, not the end */
	while (*q && *q != ']') {
		if (q[0] == '[' && q[1] == ':') {
			const char *e = strstr(q + 2, ":]");
			if (!e)
				return NULL;
			q = e + 2;
		} else {
			q++;
		}
	}
	return *q ? q : NULL;
}

/* Checks one segment's syntax: closed brackets, no dangling backslash. */
static const char *segment_problem(const char *s)
{
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return "'.' and '..' segments are not allowed";
	for (const char *p = s; *p; p++) {
		if (*p == '\\' && !*++p)
			return "ends with a backslash";
		if (*p == '[' && !(p = bracket_end(p)))
			return "unclosed '['";
	}
	return NULL;
}

static int add_segment(sfmc_glob *g, const char *s, size_t len)
{
	if (SFMC_ARRAY_GROW(g->segs, g->nsegs, g->asegs) < 0)
		return -1;
	if (!(g->segs[g->nsegs] = strndup(s, len)))
		return sfmc_error_set("out of memory");
	g->nsegs++;
	return 0;
}

/* Splits body ('/'-separated, no leading or trailing '/') into segments. */
static int split_pattern(sfmc_glob *g, const char *body, size_t len)
{
	const char *p = body, *end = body + len;

	while (p <= end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *stop = slash ? slash : end;
		const char *why;

		if (stop == p)
			return sfmc_error_set("invalid glob '%s': empty path segment", g->text);
		if (add_segment(g, p, (size_t)(stop - p)) < 0)
			return -1;
		if ((why = segment_problem(g->segs[g->nsegs - 1])))
			return sfmc_error_set("invalid glob '%s': %s", g->text, why);
		if (g->nsegs > SFMC_MAX_GLOB_SEGMENTS)
			return sfmc_error_set("invalid glob '%s': more than %d segments", g->text, SFMC_MAX_GLOB_SEGMENTS);
		p = stop + 1;
	}
	return 0;
}

int sfmc_glob_compile(sfmc_glob *g, const char *pattern)
{
	const char *body = pattern;
	size_t len;
	bool anchored;

	memset(g, 0, sizeof(*g));
	if (!(g->text = strdup(pattern)))
		return sfmc_error_set("out of memory");
	if (*body == '!') {
		g->negate = true;
		body++;
	}
	len = strlen(body);
	if (len && body[len - 1] == '/') {
		g->dir_only = true;
		len--;
	}
	/* gitignore: a '/' at the start or in the middle anchors at the root. */
	anchored = memchr(body, '/', len) != NULL;
	if (len && *body == '/')
		body++, len--;
	if (!len) {
		sfmc_error_set("invalid glob '%s': matches nothing", pattern);
		goto fail;
	}
	if ((!anchored && add_segment(g, "**", 2) < 0) || split_pattern(g, body, len) < 0)
		goto fail;
	return 0;
fail:
	sfmc_glob_dispose(g);
	return -1;
}

/* Splits a path into NUL-terminated segments inside copy (empty ones and
 * "." are dropped). Returns the count or -1. */
static long split_path(const char *path, char **copy, char ***segs)
{
	size_t n = 0, cap = 1;
	char *save = NULL, *tok;

	*segs = NULL;
	if (!(*copy = strdup(path)))
		return -1;
	for (const char *p = path; *p; p++)
		cap += *p == '/';
	if (!(*segs = malloc(cap * sizeof(**segs)))) {
		free(*copy);
		return -1;
	}
	for (tok = strtok_r(*copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (strcmp(tok, "."))
			(*segs)[n++] = tok;
	return (long)n;
}

static bool is_star2(const char *s)
{
	return s[0] == '*' && s[1] == '*' && !s[2];
}

/* Dynamic programming over segments (no backtracking blow-up): after the
 * loop, next[j] says whether segs[i..] of the glob match path[j..ns). */
static bool match_segments(const sfmc_glob *g, char *const *path, size_t ns, bool *row, bool *next)
{
	for (size_t j = 0; j <= ns; j++)
		next[j] = j == ns;
	for (size_t i = g->nsegs; i-- > 0;) {
		bool *t;
		row[ns] = is_star2(g->segs[i]) && next[ns];
		for (size_t j = ns; j-- > 0;) {
			if (is_star2(g->segs[i]))
				row[j] = next[j] || row[j + 1];
			else
				row[j] = next[j + 1] && fnmatch(g->segs[i], path[j], 0) == 0;
		}
		t = row, row = next, next = t;
	}
	return next[0];
}

static bool matches(const sfmc_glob *g, char *const *path, size_t ns, bool is_dir, bool *rows)
{
	if (g->dir_only && !is_dir)
		return false;
	return match_segments(g, path, ns, rows, rows + ns + 1);
}

bool sfmc_glob_match(const sfmc_glob *g, const char *path, bool is_dir)
{
	sfmc_glob plain = *g;
	plain.negate = false; /* alone, a glob only says "matches" */
	return sfmc_glob_list_excludes(&plain, 1, path, is_dir);
}

bool sfmc_glob_list_excludes(const sfmc_glob *v, size_t n, const char *path, bool is_dir)
{
	char *copy = NULL, **segs = NULL;
	bool *rows = NULL, excluded = false;
	long ns = n ? split_path(path, &copy, &segs) : -1;

	/* Out of memory means "not excluded": scanning more is the safe side. */
	if (ns <= 0 || !(rows = malloc(2 * ((size_t)ns + 1) * sizeof(*rows))))
		goto cleanup;
	for (size_t k = 1; k <= (size_t)ns; k++) {
		bool dir = k < (size_t)ns || is_dir;
		excluded = false;
		for (size_t i = n; i-- > 0;)
			if (matches(&v[i], segs, k, dir, rows)) {
				excluded = !v[i].negate;
				break;
			}
		if (excluded)
			break; /* nothing inside an excluded directory comes back */
	}
cleanup:
	free(rows);
	free(segs);
	free(copy);
	return excluded;
}
