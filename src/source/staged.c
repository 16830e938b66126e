#include "source/staged.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/repository.h>

#include "git/index.h"
#include "git/repo.h"
#include "util/bounds.h"
#include "source/source.h"
#include "util/error.h"

static int add_entry(sfmc_blobset *set, const char *path, const git_oid *id, uint32_t mode)
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

/* ---- The libgit2 way: the whole index diffed against HEAD's whole tree. ---- */

static int add_conflicts(git_index *index, sfmc_blobset *set)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *ours, *theirs;
	int rc = 0;

	if (git_index_conflict_iterator_new(&it, index) < 0)
		return sfmc_gitrepo_error("cannot list the unmerged entries");
	while (rc == 0 && git_index_conflict_next(&anc, &ours, &theirs, it) == 0) {
		if (ours)
			rc = add_entry(set, ours->path, &ours->id, ours->mode);
		if (rc == 0 && theirs)
			rc = add_entry(set, theirs->path, &theirs->id, theirs->mode);
	}
	git_index_conflict_iterator_free(it);
	return rc;
}

static int collect_libgit2(git_repository *repo, git_tree *tree, sfmc_blobset *set)
{
	sfmc_buf path = SFMC_BUF_INIT;
	git_index *index = NULL;
	git_diff *diff = NULL;
	git_diff_options dopts;
	int rc = -1;

	/* As GIT_REPOSITORY_OPEN_FROM_ENV would have: the index owned by repo. */
	if (sfmc_gitrepo_index_file(repo, &path) < 0)
		goto cleanup;
	if (getenv("GIT_INDEX_FILE")) {
		if (git_index_open(&index, path.ptr) < 0 || git_repository_set_index(repo, index) < 0) {
			sfmc_gitrepo_error("%s: cannot read the index", path.ptr);
			goto cleanup;
		}
	} else if (git_repository_index(&index, repo) < 0) {
		sfmc_gitrepo_error("cannot read the index");
		goto cleanup;
	}
	if (git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION) < 0) {
		sfmc_gitrepo_error("cannot set up the index diff");
		goto cleanup;
	}
	dopts.flags = GIT_DIFF_IGNORE_SUBMODULES;
	if (git_diff_tree_to_index(&diff, repo, tree, index, &dopts) < 0) {
		sfmc_gitrepo_error("cannot compare the index with HEAD");
		goto cleanup;
	}
	rc = 0;
	for (size_t i = 0; i < git_diff_num_deltas(diff) && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status != GIT_DELTA_DELETED && d->status != GIT_DELTA_CONFLICTED)
			rc = add_entry(set, d->new_file.path, &d->new_file.id, d->new_file.mode);
	}
	if (rc == 0 && git_index_has_conflicts(index))
		rc = add_conflicts(index, set);
cleanup:
	git_diff_free(diff);
	git_index_free(index);
	sfmc_buf_dispose(&path);
	return rc;
}

/* ---- The fast way: the index file read directly; every directory whose
 * cache-tree id equals HEAD's tree there is skipped unread, the entries of
 * the others are compared with HEAD's trees read along their paths only. ---- */

typedef struct walk {
	git_repository *repo;
	const sfmc_gitindex *idx;
	sfmc_blobset *set;
	sfmc_buf name; /* a path component, NUL-terminated for libgit2 */
	size_t i;      /* the next index entry */
} walk;

/* Whether entry i lies below prefix. */
static bool under(const sfmc_gitindex *idx, size_t i, const char *prefix, size_t plen)
{
	sfmc_gitindex_entry e = sfmc_gitindex_get(idx, i);
	return e.len > plen && !memcmp(e.path, prefix, plen);
}

/* Skips the count entries of a directory, checking that exactly they are below it. */
static int skip_cached(walk *w, const char *prefix, size_t plen, int32_t count)
{
	const sfmc_gitindex *idx = w->idx;
	size_t end = w->i + (size_t)count;

	if (end > idx->n || (count > 0 && !under(idx, end - 1, prefix, plen)) || (end < idx->n && under(idx, end, prefix, plen)))
		return sfmc_error_set("cache-tree of \"%.*s\" does not match the index entries", (int)plen, prefix);
	w->i = end;
	return 0;
}

/* An entry directly in the directory of tree: staged when it differs from
 * HEAD; both sides of a conflict are staged, the merge base is not. */
static int compare_file(walk *w, const sfmc_gitindex_entry *e, size_t plen, const git_tree *tree)
{
	unsigned stage = sfmc_gitindex_stage(w->idx, e);
	uint32_t mode = sfmc_gitindex_mode(w->idx, e);
	const git_tree_entry *te;
	git_oid id;

	if (stage == 1)
		return 0;
	git_oid_fromraw(&id, sfmc_gitindex_oid(w->idx, e));
	if (stage == 0 && tree && (te = git_tree_entry_byname(tree, e->path + plen)) &&
	    git_tree_entry_filemode(te) == (git_filemode_t)mode && git_oid_equal(git_tree_entry_id(te), &id))
		return 0;
	return add_entry(w->set, e->path, &id, mode);
}

static int walk_dir(walk *w, const char *prefix, size_t plen, const git_oid *tree_id, long node, unsigned depth);

/* The subdirectory named by the nlen bytes after plen in the next entry. */
static int walk_subdir(walk *w, size_t plen, size_t nlen, const git_tree *tree, long node, unsigned depth)
{
	sfmc_gitindex_entry e = sfmc_gitindex_get(w->idx, w->i);
	const git_tree_entry *te = NULL;
	long child = node >= 0 ? sfmc_gitindex_tree_child(w->idx, (size_t)node, e.path + plen, nlen) : -1;

	sfmc_buf_clear(&w->name);
	if (sfmc_buf_put(&w->name, e.path + plen, nlen) < 0)
		return -1;
	if (tree && (te = git_tree_entry_byname(tree, w->name.ptr)) && git_tree_entry_type(te) != GIT_OBJECT_TREE)
		te = NULL; /* a file or gitlink in HEAD: everything below is new */
	return walk_dir(w, e.path, plen + nlen + 1, te ? git_tree_entry_id(te) : NULL, child, depth + 1);
}

/* The entries below prefix (plen bytes, "" or ending in '/'); tree_id is
 * HEAD's tree there (NULL: none), node its cache-tree node (-1: none). The
 * tree itself is only read when the cache-tree cannot vouch for it. */
static int walk_dir(walk *w, const char *prefix, size_t plen, const git_oid *tree_id, long node, unsigned depth)
{
	const sfmc_gitindex *idx = w->idx;
	git_tree *tree = NULL;
	int rc = 0;

	if (depth > SFMC_MAX_TREE_DEPTH)
		return sfmc_error_set("index paths nested deeper than %d", SFMC_MAX_TREE_DEPTH);
	if (node >= 0 && tree_id && idx->trees[node].oid &&
	    !memcmp(idx->trees[node].oid, tree_id->id, SFMC_GITINDEX_OID_LEN))
		return skip_cached(w, prefix, plen, idx->trees[node].entries);
	if (tree_id && git_tree_lookup(&tree, w->repo, tree_id) < 0)
		return sfmc_gitrepo_error("cannot read HEAD's tree at \"%.*s\"", (int)plen, prefix);
	while (rc == 0 && w->i < idx->n && under(idx, w->i, prefix, plen)) {
		sfmc_gitindex_entry e = sfmc_gitindex_get(idx, w->i);
		const char *name = e.path + plen, *slash = memchr(name, '/', e.len - plen);
		if (memchr(e.path, '\0', e.len) || (w->i && !sfmc_gitindex_ordered(idx, w->i))) {
			rc = sfmc_error_set("index entry out of order or with a NUL inside: %s", e.path);
		} else if (!slash) {
			rc = compare_file(w, &e, plen, tree);
			w->i++;
		} else if (slash == name || slash == e.path + e.len - 1) {
			rc = sfmc_error_set("index path with an empty component: %s", e.path);
		} else {
			rc = walk_subdir(w, plen, (size_t)(slash - name), tree, node, depth);
		}
	}
	git_tree_free(tree);
	return rc;
}

/* core.ignorecase makes libgit2 compare paths case-insensitively: left to it. */
static bool ignores_case(git_repository *repo)
{
	git_config *cfg = NULL;
	int v = 0;

	if (git_repository_config_snapshot(&cfg, repo) < 0)
		return true;
	if (git_config_get_bool(&v, cfg, "core.ignorecase") < 0)
		v = 0;
	git_config_free(cfg);
	return v != 0;
}

static int collect_mapped(git_repository *repo, git_tree *tree, const unsigned char *data, size_t size,
			  sfmc_blobset *set)
{
	sfmc_gitindex idx;
	walk w = { repo, &idx, set, SFMC_BUF_INIT, 0 };
	int rc;

	sfmc_gitindex_init(&idx);
	sfmc_buf_init(&w.name, 0);
	rc = sfmc_gitindex_parse(&idx, data, size);
	if (rc == 0)
		rc = walk_dir(&w, "", 0, tree ? git_tree_id(tree) : NULL, idx.ntrees ? 0 : -1, 0);
	if (rc == 0 && w.i != idx.n)
		rc = sfmc_error_set("index entries left after the walk");
	sfmc_buf_dispose(&w.name);
	sfmc_gitindex_dispose(&idx);
	return rc;
}

static int collect_fast(git_repository *repo, git_tree *tree, sfmc_blobset *set)
{
	sfmc_buf path = SFMC_BUF_INIT;
	struct stat st;
	void *map = MAP_FAILED;
	int fd = -1, rc = -1;

	if (ignores_case(repo)) {
		sfmc_error_set("core.ignorecase is set");
		goto cleanup;
	}
	if (sfmc_gitrepo_index_file(repo, &path) < 0)
		goto cleanup;
	if ((fd = open(path.ptr, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0) {
		sfmc_error_set_errno("%s: cannot read the index", path.ptr);
		goto cleanup;
	}
	if ((map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		sfmc_error_set_errno("%s: cannot map the index", path.ptr);
		goto cleanup;
	}
	rc = collect_mapped(repo, tree, map, (size_t)st.st_size, set);
cleanup:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	sfmc_buf_dispose(&path);
	return rc;
}

int sfmc_source_index_collect(git_repository *repo, sfmc_index_way way, sfmc_blobset *set)
{
	git_tree *tree = NULL;
	int rc;

	if (head_tree(repo, &tree) < 0)
		return -1;
	rc = way == SFMC_INDEX_LIBGIT2 ? -1 : collect_fast(repo, tree, set);
	if (rc < 0 && way != SFMC_INDEX_FAST) {
		/* Anything the fast way does not handle: libgit2, from scratch. */
		sfmc_blobset_dispose(set);
		sfmc_blobset_init(set);
		sfmc_error_clear();
		rc = collect_libgit2(repo, tree, set);
	}
	git_tree_free(tree);
	return rc;
}

int sfmc_source_index_scan(git_repository *repo, const char *repo_path, const sfmc_ruleset *rules,
			   const sfmc_git_opts *opts, sfmc_results *out)
{
	sfmc_blobset set;
	sfmc_blobset_opts bopts = { opts->threads, opts->max_file_size, NULL, NULL };
	sfmc_packset *packs = NULL; /* indexed only if the blob readers need it */
	int rc = -1;

	sfmc_blobset_init(&set);
	if (git_repository_is_bare(repo)) {
		sfmc_error_set("%s: a bare repository has no index to scan", repo_path ? repo_path : ".");
		goto cleanup;
	}
	if (sfmc_source_index_collect(repo, SFMC_INDEX_AUTO, &set) < 0 || sfmc_packset_new(&packs, repo) < 0)
		goto cleanup;
	bopts.packs = packs;
	rc = sfmc_blobset_scan(&set, repo_path, rules, &bopts, out);
cleanup:
	sfmc_blobset_dispose(&set);
	sfmc_packset_free(packs);
	return rc;
}

/* ---- the `staged` and `pre-commit` source types (source.h) ---- */

static int staged_args(sfmc_source_ctx *ctx, const char *const *args, size_t nargs)
{
	if (nargs > 1) {
		sfmc_error_set("staged takes at most one repository");
		return SFMC_EUSAGE;
	}
	if (ctx->range || ctx->all_objects) {
		sfmc_error_set("--range and --all-objects apply to `git`, not `staged`");
		return SFMC_EUSAGE;
	}
	ctx->roots = args;
	ctx->nroots = nargs;
	return SFMC_OK;
}

/* git runs the hook in the repository whose index it scans. */
static int pre_commit_args(sfmc_source_ctx *ctx, const char *const *args, size_t nargs)
{
	(void)ctx;
	(void)args;
	if (nargs) {
		sfmc_error_set("pre-commit takes no arguments (it scans the index of the current repository)");
		return SFMC_EUSAGE;
	}
	return SFMC_OK;
}

static void staged_describe(const sfmc_source_ctx *ctx, sfmc_source_desc *desc)
{
	sfmc_source_describe_repo(ctx, desc, true);
}

/* The hook's reports have never named HEAD (the commit being made has no id yet). */
static void pre_commit_describe(const sfmc_source_ctx *ctx, sfmc_source_desc *desc)
{
	sfmc_source_describe_repo(ctx, desc, false);
}

static int staged_scan(const sfmc_source_ctx *ctx, sfmc_results *out)
{
	sfmc_git_opts o = { .threads = ctx->threads, .max_file_size = ctx->max_file_size };
	return sfmc_source_index_scan(ctx->repo, sfmc_source_repo_path(ctx), ctx->rules, &o, out);
}

const sfmc_source_type sfmc_source_type_staged = {
	.name = "staged",
	.unit = "blob",
	.units = "blobs",
	.git = true,
	.check_args = staged_args,
	.describe = staged_describe,
	.scan = staged_scan,
	.scan_current = sfmc_source_scan_head,
};

const sfmc_source_type sfmc_source_type_pre_commit = {
	.name = "pre-commit",
	.unit = "blob",
	.units = "blobs",
	.git = true,
	.check_args = pre_commit_args,
	.describe = pre_commit_describe,
	.scan = staged_scan,
	.scan_current = sfmc_source_scan_head,
};
