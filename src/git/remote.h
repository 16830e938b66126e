/* remote.h - what a remote holds now, asked over the network through
 * libgit2 (ls-remote). Only the pre-push hook calls it, for the remote the
 * user is pushing to (git has just connected to it): nothing else in
 * sfmc-scan opens a connection. Not thread-safe: call from one thread. */
#ifndef SFMC_GIT_REMOTE_H
#define SFMC_GIT_REMOTE_H

#include <git2.h>

/* Asks the remote (url when given, else the remote called name) for its refs
 * and calls fn with each commit they point at (tags peeled) that this
 * repository has: those commits are on the other side already. Returns
 * SFMC_OK, fn's negative code, or SFMC_ERROR (message set) when the remote did
 * not answer (unreachable, credentials needed, TLS refused). */
int sfmc_gitremote_tips(git_repository *repo, const char *name, const char *url,
			int (*fn)(const git_oid *commit, void *payload), void *payload);

#endif
