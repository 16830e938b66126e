/* gitrepo.h - opening repositories the way git would in this environment,
 * and libgit2 error messages. Reading only: nothing a repository configures
 * (hooks, filters, fsmonitor) is ever run. */
#ifndef SFMC_GITREPO_H
#define SFMC_GITREPO_H

#include <git2.h>

#include "util/buf.h"

/* Opens the repository containing path (NULL: GIT_DIR, else "."), honouring
 * GIT_DIR, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES,
 * GIT_CEILING_DIRECTORIES, GIT_DISCOVERY_ACROSS_FILESYSTEM and GIT_NAMESPACE
 * as GIT_REPOSITORY_OPEN_FROM_ENV does, so a pre-receive hook sees the push
 * quarantine. The index is not loaded: see sfmc_gitrepo_index_file. Initialises libgit2 once per
 * process (shut down at exit); release the repository with
 * sfmc_gitrepo_close. Returns 0 or -1 (message set). */
int sfmc_gitrepo_open(git_repository **out, const char *path);
void sfmc_gitrepo_close(git_repository *repo);

/* *out: the top of the work tree of the repository at path (NULL: as
 * sfmc_gitrepo_open finds it) with a trailing '/', malloc'd; NULL when the
 * repository is bare or cannot be opened (not an error: callers fall back).
 * Returns 0, or -1 only when out of memory. */
int sfmc_gitrepo_workdir(char **out, const char *path);

/* Appends the path of the index git would use to path: GIT_INDEX_FILE (as
 * given: relative to the current directory), else <gitdir>/index. */
int sfmc_gitrepo_index_file(git_repository *repo, sfmc_buf *path);

/* Sets the error message to "<what>: <libgit2's last message>"; returns -1. */
int sfmc_gitrepo_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
