/* source_git.c - the git history source (see source_git.h).
 * API first: the implementation follows in the next commits. */
#include "source_git.h"

#include "util/error.h"

int sfmc_source_git_scan(const char *repo_path, const sfmc_ruleset *rules, const sfmc_git_opts *opts,
			 sfmc_results *out)
{
	(void)repo_path, (void)rules, (void)opts, (void)out;
	return sfmc_error_set("git history scanning is not implemented yet");
}

int sfmc_source_git_scan_range(const char *repo_path, const char *range, const sfmc_ruleset *rules,
			       const sfmc_git_opts *opts, sfmc_results *out)
{
	(void)range;
	return sfmc_source_git_scan(repo_path, rules, opts, out);
}

int sfmc_source_git_scan_commits(const char *repo_path, const git_oid *include, size_t ninclude,
				 const git_oid *exclude, size_t nexclude, bool hide_all_refs,
				 const sfmc_ruleset *rules, const sfmc_git_opts *opts, sfmc_results *out)
{
	(void)include, (void)ninclude, (void)exclude, (void)nexclude, (void)hide_all_refs;
	return sfmc_source_git_scan(repo_path, rules, opts, out);
}
