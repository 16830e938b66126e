/* treewalk.c - the blobs each commit introduces (see treewalk.h): blocks of
 * commits walked in parallel into per-block records, then added in order. */
#define _GNU_SOURCE
#include "git/introduced.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/repo.h"
#include "git/object.h"
#include "util/bounds.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/oidmap.h"
#include "util/pool.h"
#include "util/strtab.h"

/* One blob a block found: path is an id of the block's own path table. */
typedef struct rec {
	git_oid blob;
	uint32_t path, commit;
} rec;

typedef struct block {
	sfmc_strtab paths;
	rec *recs;
	size_t nrecs, arecs;
	sfmc_results errors;
} block;

/* A block being walked by one thread. */
typedef struct walker {
	sfmc_gittree_reader *reader;
	const sfmc_oidmap *commit_index; /* commit id -> index in commits (read only) */
	const sfmc_gitwalk_commit *commits;
	block *b;
	bool use_visited;
	sfmc_oidmap visited;             /* (tree id, path id) */
	sfmc_buf path;
	unsigned depth;
} walker;

static int walk_tree(walker *w, const sfmc_gitobj *t, const git_oid *id, const sfmc_gitobj *const *parents,
		     size_t np, uint32_t commit);

/* Releases the np parent trees of trees (NULL: none), and the array unless it is local. */
static void release_trees(walker *w, const sfmc_gitobj **trees, size_t np, const sfmc_gitobj **local)
{
	for (size_t i = 0; trees && i < np; i++)
		sfmc_gittree_release(w->reader, trees[i]);
	if (trees != local)
		free(trees);
}

static int add_rec(walker *w, const unsigned char *raw, uint32_t path, uint32_t commit)
{
	block *b = w->b;
	if (sfmc_array_reserve((void **)&b->recs, b->nrecs, &b->arecs, sizeof(*b->recs)) < 0)
		return -1;
	git_oid_fromraw(&b->recs[b->nrecs].blob, raw);
	b->recs[b->nrecs].path = path;
	b->recs[b->nrecs++].commit = commit;
	return 0;
}

/* Walks the subtree e (at path id pid) against the parents' subtrees of the
 * same name (pe[i]: parent i's entry of that name, or NULL). */
static int walk_subtree(walker *w, const sfmc_gittree_entry *e, uint32_t pid, const sfmc_gittree_entry *const *pe,
			size_t np, uint32_t commit)
{
	const sfmc_gitobj *sub = NULL, *plocal[2] = { NULL, NULL }, **psub = np <= 2 ? plocal : NULL;
	git_oid id, pid_oid;
	uint32_t v = 0;
	int rc = 0;

	git_oid_fromraw(&id, e->id);
	if (w->use_visited && (rc = sfmc_oidmap_put(&w->visited, &id, pid, &v)) != 0)
		return rc < 0 ? -1 : 0;
	if (w->depth >= SFMC_MAX_TREE_DEPTH)
		return sfmc_results_add_error(&w->b->errors, w->path.ptr, "trees nested too deeply");
	if (sfmc_gittree_read_tree(w->reader, &id, &sub) < 0)
		return sfmc_results_add_error(&w->b->errors, w->path.ptr, sfmc_error_last());
	if (!psub && !(psub = calloc(np, sizeof(*psub)))) { /* octopus merges only */
		rc = sfmc_error_set("out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < np; i++) {
		if (!pe[i] || sfmc_gittree_kind_of(pe[i]->mode) != SFMC_GITTREE_TREE)
			continue;
		git_oid_fromraw(&pid_oid, pe[i]->id);
		if (sfmc_gittree_read_tree(w->reader, &pid_oid, &psub[i]) < 0)
			psub[i] = NULL; /* unreadable: compare against nothing, so scan more rather than less */
	}
	w->depth++;
	rc = walk_tree(w, sub, &id, psub, np, commit);
	w->depth--;
cleanup:
	release_trees(w, psub, np, plocal);
	sfmc_gittree_release(w->reader, sub);
	return rc;
}

typedef struct diff_ctx {
	walker *w;
	size_t np;
	uint32_t commit;
} diff_ctx;

/* An entry of a changed tree (under w->path) that no parent holds: a blob
 * to record, or a subtree to walk. */
static int changed_entry(void *ctx, const sfmc_gittree_entry *e, const sfmc_gittree_entry *const *pe)
{
	diff_ctx *d = ctx;
	walker *w = d->w;
	size_t base = w->path.size;
	sfmc_gittree_kind kind = sfmc_gittree_kind_of(e->mode);
	uint32_t pid;
	int rc;

	if (kind == SFMC_GITTREE_GITLINK)
		return 0; /* a gitlink: the submodule's commit is not in this repository */
	if ((base && sfmc_buf_putc(&w->path, '/') < 0) || sfmc_buf_put(&w->path, e->name, e->namelen) < 0 ||
	    sfmc_strtab_intern(&w->b->paths, w->path.ptr, w->path.size, &pid) < 0)
		return -1;
	if (kind == SFMC_GITTREE_BLOB)
		rc = add_rec(w, e->id, pid, d->commit);
	else
		rc = walk_subtree(w, e, pid, pe, d->np, d->commit);
	w->path.size = base;
	w->path.ptr[base] = '\0';
	return rc;
}

/* Records the blobs of t (under w->path) that differ from every parent
 * tree. A tree that stops parsing is an error (what came before it counts). */
static int walk_tree(walker *w, const sfmc_gitobj *t, const git_oid *id, const sfmc_gitobj *const *parents,
		     size_t np, uint32_t commit)
{
	diff_ctx d = { w, np, commit };
	char hex[GIT_OID_HEXSZ + 1], msg[512];
	int rc = sfmc_gittree_diff(t, parents, np, changed_entry, &d);

	if (rc != SFMC_EINVALID)
		return rc;
	git_oid_tostr(hex, sizeof(hex), id);
	snprintf(msg, sizeof(msg), "cannot read tree %s: %s", hex, sfmc_error_last());
	return sfmc_results_add_error(&w->b->errors, w->path.size ? w->path.ptr : hex, msg);
}

/* The root tree id of commit id: known when it is a walked commit, else read. */
static int commit_tree(walker *w, const git_oid *id, git_oid *tree)
{
	git_oid *parents = NULL;
	size_t np;
	uint32_t v;

	if (sfmc_oidmap_get(w->commit_index, id, 0, &v)) {
		git_oid_cpy(tree, &w->commits[v].tree);
		return 0;
	}
	if (sfmc_gittree_read_commit(w->reader, id, tree, &parents, &np) < 0)
		return -1;
	free(parents);
	return 0;
}

/* Records what commit number idx introduces, relative to each of its parents. */
static int walk_commit(walker *w, uint32_t idx)
{
	const sfmc_gitwalk_commit *cm = &w->commits[idx];
	const sfmc_gitobj *tree = NULL, *plocal[2] = { NULL, NULL }, **ptrees = NULL;
	git_oid ptid;
	size_t np = cm->nparents;
	uint32_t root, v = 0;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if (sfmc_gittree_read_tree(w->reader, &cm->tree, &tree) < 0)
		return sfmc_results_add_error(&w->b->errors, git_oid_tostr(hex, sizeof(hex), &cm->id), sfmc_error_last());
	sfmc_buf_clear(&w->path);
	if ((rc = sfmc_strtab_intern(&w->b->paths, "", 0, &root)) < 0)
		goto cleanup;
	if (w->use_visited && (rc = sfmc_oidmap_put(&w->visited, &cm->tree, root, &v)) != 0) {
		rc = rc < 0 ? -1 : 0; /* the same snapshot was walked for an older commit */
		goto cleanup;
	}
	if (!(ptrees = np <= 2 ? plocal : calloc(np, sizeof(*ptrees)))) { /* octopus merges only */
		rc = sfmc_error_set("out of memory");
		goto cleanup;
	}
	/* A missing parent (shallow boundary) leaves NULL: the commit introduces its whole tree. */
	for (size_t i = 0; i < np; i++)
		if (commit_tree(w, &cm->parents[i], &ptid) < 0 || sfmc_gittree_read_tree(w->reader, &ptid, &ptrees[i]) < 0)
			ptrees[i] = NULL;
	rc = walk_tree(w, tree, &cm->tree, ptrees, np, idx);
cleanup:
	release_trees(w, ptrees, np, plocal);
	sfmc_gittree_release(w->reader, tree);
	return rc;
}

static void block_init(block *b)
{
	memset(b, 0, sizeof(*b));
	sfmc_strtab_init(&b->paths);
	sfmc_results_init(&b->errors);
}

static void block_dispose(block *b)
{
	sfmc_strtab_dispose(&b->paths);
	free(b->recs);
	sfmc_results_dispose(&b->errors);
}

/* Adds what block b found to set: its paths re-interned, its errors moved. */
static int block_merge(block *b, uint32_t commit_base, sfmc_blobset *set, sfmc_results *out)
{
	for (size_t i = 0; i < b->nrecs; i++) {
		size_t len;
		const char *path = sfmc_strtab_get(&b->paths, b->recs[i].path, &len);
		uint32_t pid, commit = b->recs[i].commit;
		if (sfmc_strtab_intern(&set->paths, path, len, &pid) < 0 ||
		    sfmc_blobset_add(set, &b->recs[i].blob, pid, commit == SFMC_NO_COMMIT ? commit : commit_base + commit) < 0)
			return -1;
	}
	return sfmc_results_merge(out, &b->errors);
}

typedef struct walk_ctx {
	const sfmc_gitwalk_commit *commits;
	size_t n;
	const sfmc_treewalk_opts *opts;
	sfmc_oidmap commit_index;
	git_repository **repos;           /* per thread; [0] is the caller's */
	sfmc_gittree_reader **readers;    /* per thread, made on its first block */
	size_t pack_cache;                /* 0: libgit2 reads everything (few commits) */
	block *blocks;
} walk_ctx;

static int walk_block(size_t task, unsigned worker, void *arg)
{
	walk_ctx *c = arg;
	walker w = { .commit_index = &c->commit_index, .commits = c->commits, .b = &c->blocks[task],
		     .use_visited = c->opts->use_visited };
	size_t first = task * SFMC_WALK_BLOCK_COMMITS, end = first + SFMC_WALK_BLOCK_COMMITS;
	int rc = 0;

	if (!c->repos[worker] && sfmc_gitrepo_open(&c->repos[worker], c->opts->repo_path) < 0)
		return -1;
	if (!c->readers[worker] &&
	    sfmc_gittree_reader_new(&c->readers[worker], c->repos[worker], SFMC_GIT_TREE_CACHE_BYTES, c->opts->packs,
				    c->pack_cache) < 0)
		return -1;
	w.reader = c->readers[worker];
	sfmc_oidmap_init(&w.visited);
	sfmc_buf_init(&w.path, 0);
	for (size_t i = first; i < end && i < c->n && rc == 0; i++)
		rc = walk_commit(&w, (uint32_t)i);
	sfmc_oidmap_dispose(&w.visited);
	sfmc_buf_dispose(&w.path);
	return rc;
}

static unsigned thread_count(const sfmc_treewalk_opts *opts, size_t nblocks)
{
	unsigned t = opts->threads ? opts->threads : sfmc_pool_cpus();
	if (t > SFMC_MAX_THREADS)
		t = SFMC_MAX_THREADS;
	return nblocks < t ? (unsigned)(nblocks ? nblocks : 1) : t;
}

int sfmc_treewalk_commits(git_repository *repo, const sfmc_gitwalk_commit *commits, size_t n,
			  const sfmc_treewalk_opts *opts, sfmc_blobset *set, sfmc_results *out)
{
	size_t nblocks = (n + SFMC_WALK_BLOCK_COMMITS - 1) / SFMC_WALK_BLOCK_COMMITS;
	unsigned nthreads = thread_count(opts, nblocks);
	walk_ctx c = { commits, n, opts, { 0 }, NULL, NULL, n >= SFMC_WALK_PACKREADER_MIN_COMMITS ? SFMC_PACK_CACHE_BYTES : 0, NULL };
	uint32_t base = (uint32_t)set->ncommits, idx, v;
	int rc = -1;

	sfmc_oidmap_init(&c.commit_index);
	c.repos = calloc(nthreads, sizeof(*c.repos));
	c.readers = calloc(nthreads, sizeof(*c.readers));
	c.blocks = calloc(nblocks ? nblocks : 1, sizeof(*c.blocks));
	if (!c.repos || !c.readers || !c.blocks) {
		sfmc_error_set("out of memory");
		goto cleanup;
	}
	c.repos[0] = repo;
	for (size_t i = 0; i < nblocks; i++)
		block_init(&c.blocks[i]);
	for (size_t i = 0; i < n; i++) {
		v = (uint32_t)i;
		if (sfmc_blobset_add_commit(set, &commits[i].id, &idx) < 0 ||
		    sfmc_oidmap_put(&c.commit_index, &commits[i].id, 0, &v) < 0)
			goto cleanup;
	}
	if (nblocks && sfmc_pool_run(nthreads, nblocks, walk_block, &c) < 0)
		goto cleanup;
	for (size_t i = 0; i < nblocks; i++)
		if (block_merge(&c.blocks[i], base, set, out) < 0)
			goto cleanup;
	rc = 0;
cleanup:
	for (unsigned i = 0; c.readers && i < nthreads; i++)
		sfmc_gittree_reader_free(c.readers[i]);
	for (unsigned i = 1; c.repos && i < nthreads; i++)
		sfmc_gitrepo_close(c.repos[i]);
	for (size_t i = 0; c.blocks && i < nblocks; i++)
		block_dispose(&c.blocks[i]);
	free(c.blocks);
	free(c.readers);
	free(c.repos);
	sfmc_oidmap_dispose(&c.commit_index);
	return rc;
}

int sfmc_treewalk_tree(git_repository *repo, const git_oid *id, const char *where, sfmc_blobset *set,
		       sfmc_results *out)
{
	block b;
	sfmc_oidmap none;
	walker w = { .commit_index = &none, .b = &b };
	const sfmc_gitobj *tree = NULL;
	int rc = -1;

	block_init(&b);
	sfmc_oidmap_init(&none);
	sfmc_buf_init(&w.path, 0);
	if (sfmc_gittree_reader_new(&w.reader, repo, SFMC_GIT_TREE_CACHE_BYTES, NULL, 0) < 0)
		goto cleanup;
	if (sfmc_gittree_read_tree(w.reader, id, &tree) < 0) {
		rc = sfmc_results_add_error(out, where, sfmc_error_last());
		goto cleanup;
	}
	if (walk_tree(&w, tree, id, NULL, 0, SFMC_NO_COMMIT) < 0)
		goto cleanup;
	rc = block_merge(&b, 0, set, out);
cleanup:
	sfmc_gittree_release(w.reader, tree);
	sfmc_gittree_reader_free(w.reader);
	sfmc_buf_dispose(&w.path);
	block_dispose(&b);
	return rc;
}
