/* glob.h - gitignore-style path globs. '*', '?' and '[...]' stay within one
 * path segment (glibc fnmatch), a '**' segment spans any number of segments,
 * a trailing '/' matches directories only, a leading '!' negates (in lists),
 * and a pattern without an inner '/' matches a name at any depth; a leading
 * '/' anchors it at the root. A compiled glob owns its strings.
 * (libgit2's public pathspec lets '*' cross '/' and its gitignore matcher
 * needs a repository, so segments are matched here with fnmatch.) */
#ifndef SFMC_GLOB_H
#define SFMC_GLOB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sfmc_glob {
	char *text;     /* the pattern as written */
	char **segs;    /* segments; "**" spans segments */
	size_t nsegs, asegs;
	bool dir_only;  /* trailing '/' */
	bool negate;    /* leading '!' */
} sfmc_glob;

/* Compiles pattern; on error the message is "invalid glob '...': why". */
int sfmc_glob_compile(sfmc_glob *g, const char *pattern);
void sfmc_glob_dispose(sfmc_glob *g);

/* true when g (its '!' ignored) matches the relative path ('/'-separated)
 * or one of its parent directories. */
bool sfmc_glob_match(const sfmc_glob *g, const char *path, bool is_dir);

/* gitignore list semantics: the last glob matching a path decides (negated
 * globs re-include), and a path inside an excluded directory is excluded. */
bool sfmc_glob_list_excludes(const sfmc_glob *v, size_t n, const char *path, bool is_dir);

#endif
