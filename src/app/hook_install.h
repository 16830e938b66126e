/* hook_install.h - sfmc-scan inside git: installing and removing the hooks
 * (pre-commit, pre-push, pre-receive, commit-msg) and the advice a blocked commit or push
 * prints. What the hooks scan are sources (source/staged.c, source/push.c).
 * The repository is opened through git/repo.h; git is never spawned. */
#ifndef SFMC_HOOK_H
#define SFMC_HOOK_H

#include <stdbool.h>
#include <stdio.h>

#include "core/finding.h"
#include "core/rules.h"

typedef enum sfmc_hook_kind {
	SFMC_HOOK_PRE_COMMIT = 1 << 0,
	SFMC_HOOK_PRE_PUSH = 1 << 1,
	SFMC_HOOK_PRE_RECEIVE = 1 << 2,
	SFMC_HOOK_COMMIT_MSG = 1 << 3, /* never a default: repositories often have their own (Gerrit's Change-Id) */
} sfmc_hook_kind;

typedef struct sfmc_hook_opts {
	unsigned kinds;  /* SFMC_HOOK_* bits; 0 means pre-commit and pre-push */
	bool chain;      /* keep an existing hook and run it before sfmc-scan */
	const char *exe; /* absolute path of the sfmc-scan the hooks run (borrowed) */
} sfmc_hook_opts;

/* Writes the hooks into the hooks directory of the repository at repo_path
 * (NULL: the one containing the working directory), honouring
 * core.hooksPath. Never overwrites a hook sfmc-scan did not write: without
 * o->chain that is an error and nothing is changed; with it the old hook is
 * renamed to <hook>.sfmc-scan-chained and run first. Says what it did on log. */
int sfmc_hook_install(const char *repo_path, const sfmc_hook_opts *o, FILE *log);
/* Removes sfmc-scan's hooks and puts chained ones back; refuses to remove a
 * hook sfmc-scan did not write. */
int sfmc_hook_uninstall(const char *repo_path, const sfmc_hook_opts *o, FILE *log);

/* After a blocked run of the hook of that kind:
 * each finding at or above fail_on (redacted, file:line, commit; tokens of
 * `rules` in paths and summaries redacted too) and what to do next: rotate,
 * remove, or mark a false positive. */
void sfmc_hook_advice(sfmc_hook_kind kind, const sfmc_ruleset *rules, const sfmc_results *res, sfmc_level fail_on,
		      FILE *out);

#endif
