#include "gitrepo.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "limits.h"
#include "util/error.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void shutdown_libgit2(void)
{
	git_libgit2_shutdown();
}

/* Once per process, not per repository: each libgit2 initialisation parses
 * every system CA certificate (mbedTLS), ~55M instructions, which a run that
 * opens the repository three times (config, source, HEAD) paid three times. */
static void init_libgit2(void)
{
	if ((init_rc = git_libgit2_init()) < 0)
		return;
	/* Bounded memory whatever the repository's size: libgit2's object cache
	 * (trees and commits of the walk) and its mapped pack windows. */
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)SFMC_GIT_OBJECT_CACHE_BYTES);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)SFMC_GIT_MAPPED_BYTES);
	atexit(shutdown_libgit2);
}

int sfmc_gitrepo_open(git_repository **out, const char *path)
{
	*out = NULL;
	pthread_once(&init_once, init_libgit2);
	if (init_rc < 0)
		return sfmc_error_set("cannot initialise libgit2");
	if (git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0)
		return sfmc_gitrepo_error("%s: not a git repository", path ? path : "GIT_DIR or .");
	return 0;
}

void sfmc_gitrepo_close(git_repository *repo)
{
	git_repository_free(repo);
}

int sfmc_gitrepo_error(const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return sfmc_error_set("%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}
