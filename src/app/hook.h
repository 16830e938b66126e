/* hook.h - sfmc-scan inside git: installing and removing the hooks
 * (pre-commit, pre-push, pre-receive), git's pre-push and pre-receive stdin
 * protocols turned into a commit range for source_git, and the advice a
 * blocked commit or push prints. Repositories are read with libgit2; git is
 * never spawned. */
#ifndef SFMC_HOOK_H
#define SFMC_HOOK_H

#include <stdbool.h>
#include <stdio.h>

#include "core/finding.h"
#include "core/rules.h"
#include "source/git.h"

typedef enum sfmc_hook_kind {
	SFMC_HOOK_PRE_COMMIT = 1 << 0,
	SFMC_HOOK_PRE_PUSH = 1 << 1,
	SFMC_HOOK_PRE_RECEIVE = 1 << 2,
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

/* pre-push: reads git's "<local ref> <local oid> <remote ref> <remote oid>"
 * lines from in and scans the commits being pushed that the remote does not
 * have (not reachable from the remote oids, nor from the refs/remotes/<remote>/ refs).
 * Deletions scan nothing. */
int sfmc_hook_pre_push_scan(const char *remote, FILE *in, const sfmc_ruleset *rules, const sfmc_git_opts *gopts,
			    sfmc_results *out);
/* pre-receive (bare repository, objects possibly in the push quarantine):
 * reads "<old> <new> <ref>" lines and scans only commits no existing ref
 * reaches. Deletions and tags of existing commits scan nothing. */
int sfmc_hook_pre_receive_scan(FILE *in, const sfmc_ruleset *rules, const sfmc_git_opts *gopts, sfmc_results *out);

/* After a blocked run of `hook` ("pre-commit", "pre-push", "pre-receive"):
 * each finding at or above fail_on (redacted, file:line, commit; tokens of
 * `rules` in paths and summaries redacted too) and what to do next: rotate,
 * remove, or mark a false positive. */
void sfmc_hook_advice(const char *hook, const sfmc_ruleset *rules, const sfmc_results *res, sfmc_level fail_on,
		      FILE *out);

#endif
