/* gitrepo.h - opening repositories the way git would in this environment,
 * and libgit2 error messages. Reading only: nothing a repository configures
 * (hooks, filters, fsmonitor) is ever run. */
#ifndef SFMC_GITREPO_H
#define SFMC_GITREPO_H

#include <stdbool.h>

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

/* Initialises libgit2 once per process (every open does it). Returns 0 or SFMC_ERROR (message set). */
int sfmc_gitrepo_init(void);

/* Opens the bare repository at exactly path (no search upwards, no GIT_*
 * variable), or, when create, makes one there (path may exist, empty; the
 * user's templates and hooks are not copied): clones (git/clone.h). Returns 0
 * or SFMC_ERROR (message set; a repository with a work tree is refused). */
int sfmc_gitrepo_open_bare(git_repository **out, const char *path, bool create);

/* The CA certificates HTTPS remotes are checked against, for the process:
 * the PEM file when given, else the system's bundle. libgit2 starts with
 * none (see repo.c: the scanner pays for them only when it connects); with
 * no bundle found, no certificate is trusted. Returns 0 or SFMC_ERROR (the
 * file cannot be read or holds no certificate; message set). */
int sfmc_gitrepo_load_cas(const char *file);

/* Opens the repository containing path as a user names it on the command
 * line (no GIT_* variable applies; NULL: GIT_REPOSITORY_OPEN_FROM_ENV from
 * "."): `hook install|uninstall`. Returns 0 or SFMC_ERROR (message set). */
int sfmc_gitrepo_discover(git_repository **out, const char *path);

/* HEAD's commit id (40 hex + NUL). Returns 0, or SFMC_ERROR (message set)
 * for an unborn or unreadable HEAD. */
int sfmc_gitrepo_head(git_repository *repo, char out[GIT_OID_HEXSZ + 1]);

/* The hooks directory git uses: core.hooksPath (relative to where hooks run:
 * the work tree, or the git directory of a bare repository), else
 * <commondir>/hooks; no trailing '/'. malloc'd, NULL on failure (message set). */
char *sfmc_gitrepo_hooks_dir(git_repository *repo);

/* Appends the path of the index git would use to path: GIT_INDEX_FILE (as
 * given: relative to the current directory), else <gitdir>/index. */
int sfmc_gitrepo_index_file(git_repository *repo, sfmc_buf *path);

/* The web address of remote "origin" as a forge shows
 * it: https://host/owner/name, from https or scp-like ssh URLs, without
 * ".git" or credentials. malloc'd; NULL when there is none or it is not a
 * forge address (no message). */
char *sfmc_gitrepo_web_url(git_repository *repo);

/* Sets the error message to "<what>: <libgit2's last message>"; returns -1. */
int sfmc_gitrepo_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
