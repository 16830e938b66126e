/* clone.h - a remote repository, fetched into a local bare repository for
 * the history scan (`sfmc-scan git URL`): every ref under refs/ (the mirror
 * refspec), through libgit2, only because the command line names a URL.
 *
 * The clone goes to a fresh temporary directory (mkdtemp under $TMPDIR),
 * removed by sfmc_gitclone_dispose, or by a watcher process when this one
 * dies first (SIGINT, SIGTERM, a crash); or to --clone-dir DIR, kept, and
 * fetched into again (with prune) on the next run.
 *
 * Credentials are never shown: every message names the URL without its
 * userinfo (sfmc_gitclone_shown_url), libgit2's messages are scrubbed of
 * the URL's credentials and the token (sfmc_gitclone_scrub), and neither is
 * written to disk (the clone's remote.origin.url is the shown URL; no
 * FETCH_HEAD, no reflog).
 * Not thread-safe: one clone at a time, from the main thread. */
#ifndef SFMC_GIT_CLONE_H
#define SFMC_GIT_CLONE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct sfmc_gitclone_opts {
	const char *url;       /* as given: may hold credentials */
	const char *dir;       /* --clone-dir: kept and reused; NULL: a temporary directory */
	const char *token_env; /* --git-token-env: the variable holding an HTTPS token; NULL: none */
	const char *cacert;    /* --git-cacert: PEM CA certificates instead of the system's; NULL: the system's */
	bool progress;         /* draw objects received on the progress line (util/progress.h) */
} sfmc_gitclone_opts;

typedef struct sfmc_gitclone {
	char *path;              /* the local bare repository */
	char *shown;             /* the URL without credentials */
	char *uri;               /* shown as an absolute URI (sfmc_gitclone_uri) */
	char *branch;            /* the branch the remote's HEAD names ("main"), NULL when it named none */
	bool temporary;          /* path is removed by sfmc_gitclone_dispose */
	bool reused;             /* --clone-dir held a clone of this URL: fetched into */
	uint64_t objects, bytes; /* received */
	pid_t watcher;           /* removes a temporary path if this process dies; 0: none */
	int watch_fd;            /* the watcher's pipe (it acts when the pipe closes); -1: none */
	int lock_fd;             /* --clone-dir, flock'd for the run; -1: none */
} sfmc_gitclone;

/* Whether a `git` argument names a remote repository: an existing local path
 * never does; https://, http://, ssh:// (also git+ssh://, ssh+git://), git://
 * and file:// URLs do, and so does the scp-like [user@]host:path (a ':' before
 * any '/'). *is_url is set; returns SFMC_OK, or SFMC_EUSAGE (message set) for
 * another scheme ("ftp://..."). */
int sfmc_gitclone_classify(const char *arg, bool *is_url);

/* url without its userinfo ("https://user:pw@host/x" -> "https://host/x",
 * "git@host:x" -> "host:x"): what every message and report shows. malloc'd,
 * NULL when out of memory (message set). */
char *sfmc_gitclone_shown_url(const char *url);

/* url as an absolute URI without userinfo for SARIF's repositoryUri: the
 * scp-like host:path becomes ssh://host/path; bytes a URI cannot hold are
 * percent-encoded. malloc'd; NULL when out of memory. */
char *sfmc_gitclone_uri(const char *url);

/* msg (libgit2's) as a message may show it: on one line, url's userinfo,
 * its password (or its user when alone: it may be a token), as written and
 * percent-decoded, and the token replaced by "***". malloc'd; NULL when out
 * of memory. */
char *sfmc_gitclone_scrub(const char *msg, const char *url, const char *token);

/* Clones or fetches o->url into out (zeroed first). Returns SFMC_OK, or
 * SFMC_ERROR (message set, naming the shown URL: unreachable, refused
 * credentials or certificate, a --clone-dir holding another repository ...)
 * or SFMC_EBUSY (--clone-dir in use by another run), in which case nothing
 * is left behind but a --clone-dir that existed. Call sfmc_gitclone_dispose
 * in both cases. */
int sfmc_gitclone_fetch(sfmc_gitclone *out, const sfmc_gitclone_opts *o);

/* Removes a temporary clone, releases --clone-dir and frees out's fields. */
void sfmc_gitclone_dispose(sfmc_gitclone *c);

#endif
