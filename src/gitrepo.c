#include "gitrepo.h"

#include <stdarg.h>
#include <stdio.h>

#include "limits.h"
#include "util/error.h"

int sfmc_gitrepo_open(git_repository **out, const char *path)
{
	*out = NULL;
	if (git_libgit2_init() < 0)
		return sfmc_error_set("cannot initialise libgit2");
	/* Bounded memory whatever the repository's size: libgit2's object cache
	 * (trees and commits of the walk) and its mapped pack windows. */
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)SFMC_GIT_OBJECT_CACHE_BYTES);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)SFMC_GIT_MAPPED_BYTES);
	if (git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		sfmc_gitrepo_error("%s: not a git repository", path ? path : "GIT_DIR or .");
		git_libgit2_shutdown();
		return -1;
	}
	return 0;
}

void sfmc_gitrepo_close(git_repository *repo)
{
	if (!repo)
		return;
	git_repository_free(repo);
	git_libgit2_shutdown();
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
