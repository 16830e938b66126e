#include "source_index.h"

#include <string.h>

#include "blobset.h"
#include "gitrepo.h"
#include "util/error.h"

static int add_entry(sfmc_blobset *set, const char *path, const git_oid *id, uint16_t mode)
{
	uint32_t pid;
	if (mode == GIT_FILEMODE_COMMIT || git_oid_is_zero(id))
		return 0; /* gitlink, or a side that does not exist */
	if (sfmc_strtab_intern(&set->paths, path, strlen(path), &pid) < 0)
		return -1;
	return sfmc_blobset_add(set, id, pid, SFMC_NO_COMMIT);
}

/* HEAD's tree, or NULL in a repository with no commit yet. */
static int head_tree(git_repository *repo, git_tree **tree)
{
	git_object *o = NULL;
	int e;

	*tree = NULL;
	if ((e = git_revparse_single(&o, repo, "HEAD^{tree}")) == GIT_ENOTFOUND || (e < 0 && git_repository_head_unborn(repo) == 1))
		return 0;
	if (e < 0)
		return sfmc_gitrepo_error("cannot read HEAD's tree");
	*tree = (git_tree *)o;
	return 0;
}

static int collect_changes(git_repository *repo, git_index *index, git_tree *tree, sfmc_blobset *set)
{
	git_diff *diff = NULL;
	git_diff_options dopts;
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *ours, *theirs;
	int rc = 0;

	if (git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION) < 0)
		return sfmc_gitrepo_error("cannot set up the index diff");
	dopts.flags = GIT_DIFF_IGNORE_SUBMODULES;
	if (git_diff_tree_to_index(&diff, repo, tree, index, &dopts) < 0)
		return sfmc_gitrepo_error("cannot compare the index with HEAD");
	for (size_t i = 0; i < git_diff_num_deltas(diff) && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status == GIT_DELTA_DELETED || d->status == GIT_DELTA_CONFLICTED)
			continue;
		rc = add_entry(set, d->new_file.path, &d->new_file.id, d->new_file.mode);
	}
	git_diff_free(diff);
	if (rc < 0 || !git_index_has_conflicts(index))
		return rc;
	if (git_index_conflict_iterator_new(&it, index) < 0)
		return sfmc_gitrepo_error("cannot list the unmerged entries");
	while (rc == 0 && git_index_conflict_next(&anc, &ours, &theirs, it) == 0) {
		if (ours)
			rc = add_entry(set, ours->path, &ours->id, (uint16_t)ours->mode);
		if (rc == 0 && theirs)
			rc = add_entry(set, theirs->path, &theirs->id, (uint16_t)theirs->mode);
	}
	git_index_conflict_iterator_free(it);
	return rc;
}

int sfmc_source_index_scan(const char *repo_path, const sfmc_ruleset *rules, const sfmc_git_opts *opts,
			   sfmc_results *out)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	sfmc_blobset set;
	sfmc_blobset_opts bopts = { opts->threads, opts->max_file_size };
	int rc = -1;

	sfmc_blobset_init(&set);
	if (sfmc_gitrepo_open(&repo, repo_path) < 0)
		goto cleanup;
	if (git_repository_is_bare(repo)) {
		sfmc_error_set("%s: a bare repository has no index to scan", repo_path ? repo_path : ".");
		goto cleanup;
	}
	if (git_repository_index(&index, repo) < 0) {
		sfmc_gitrepo_error("cannot read the index");
		goto cleanup;
	}
	if (head_tree(repo, &tree) < 0 || collect_changes(repo, index, tree, &set) < 0)
		goto cleanup;
	rc = sfmc_blobset_scan(&set, repo_path, rules, &bopts, out);
cleanup:
	git_tree_free(tree);
	git_index_free(index);
	sfmc_gitrepo_close(repo);
	sfmc_blobset_dispose(&set);
	return rc;
}
