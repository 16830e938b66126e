/* remote.c - ls-remote through libgit2 (see remote.h). */
#include "git/remote.h"

#include <string.h>

#include "git/repo.h"
#include "util/error.h"

static int open_remote(git_remote **out, git_repository *repo, const char *name, const char *url)
{
	/* Detached: git passes the URL it pushes to, already rewritten (insteadOf); reading the config again
	 * is not needed, and libgit2 1.5 leaks a regex match block when it does. */
	git_config *cfg = NULL;
	const char *configured;
	char key[512];
	int rc;

	if (url && *url)
		return git_remote_create_detached(out, url);
	if (!name || !*name || (size_t)snprintf(key, sizeof(key), "remote.%s.url", name) >= sizeof(key))
		return sfmc_error_set("no remote name or URL");
	/* The remote's URL from the config (git_remote_lookup leaks in libgit2 1.5). */
	if ((rc = git_repository_config_snapshot(&cfg, repo)) == 0 &&
	    (rc = git_config_get_string(&configured, cfg, key)) == 0)
		rc = git_remote_create_detached(out, configured);
	git_config_free(cfg);
	return rc;
}

/* One advertised ref: its commit, when this repository has the object. */
static int visit_head(git_repository *repo, const git_remote_head *h, int (*fn)(const git_oid *, void *), void *payload)
{
	git_commit *c;
	int rc;

	if (git_commit_lookup(&c, repo, &h->oid) < 0) {
		git_error_clear(); /* a tag object (its ^{} line follows), a tree, or a commit we lack */
		return SFMC_OK;
	}
	rc = fn(git_commit_id(c), payload);
	git_commit_free(c);
	return rc;
}

int sfmc_gitremote_tips(git_repository *repo, const char *name, const char *url,
			int (*fn)(const git_oid *commit, void *payload), void *payload)
{
	git_remote *remote = NULL;
	const git_remote_head **heads;
	size_t n = 0;
	int rc = SFMC_OK;

	if (sfmc_gitrepo_load_cas(NULL) < 0)
		return SFMC_ERROR;
	if (open_remote(&remote, repo, name, url) < 0 ||
	    git_remote_connect(remote, GIT_DIRECTION_FETCH, NULL, NULL, NULL) < 0 ||
	    git_remote_ls(&heads, &n, remote) < 0) {
		rc = sfmc_gitrepo_error("remote '%s'", name && *name ? name : "(URL)"); /* a URL may hold credentials */
		goto cleanup;
	}
	for (size_t i = 0; i < n && rc == SFMC_OK; i++)
		rc = visit_head(repo, heads[i], fn, payload);
cleanup:
	if (remote)
		git_remote_disconnect(remote);
	git_remote_free(remote);
	return rc;
}
