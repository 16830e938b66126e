/* gitrepo.h - opening repositories the way git would in this environment,
 * and libgit2 error messages. Reading only: nothing a repository configures
 * (hooks, filters, fsmonitor) is ever run. */
#ifndef SFMC_GITREPO_H
#define SFMC_GITREPO_H

#include <git2.h>

/* Opens the repository containing path (NULL: GIT_DIR, else "."), honouring
 * GIT_DIR, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES,
 * GIT_INDEX_FILE and GIT_CEILING_DIRECTORIES (GIT_REPOSITORY_OPEN_FROM_ENV), so
 * a pre-receive hook sees the push quarantine. Initialises libgit2 once per
 * process (shut down at exit); release the repository with
 * sfmc_gitrepo_close. Returns 0 or -1 (message set). */
int sfmc_gitrepo_open(git_repository **out, const char *path);
void sfmc_gitrepo_close(git_repository *repo);

/* Sets the error message to "<what>: <libgit2's last message>"; returns -1. */
int sfmc_gitrepo_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
