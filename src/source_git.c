/* source_git.c - the git history source (see source_git.h): ref tips ->
 * commits (gitwalk) -> the (blob, path, commit) triples each commit
 * introduces -> blobset (read and scan each blob once, expand findings). */
#define _GNU_SOURCE
#include "source_git.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blobset.h"
#include "gitrepo.h"
#include "gittree.h"
#include "gitwalk.h"
#include "limits.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/oidmap.h"

typedef struct oid_list {
	git_oid *v;
	size_t n, a;
} oid_list;

/* A ref that peels to a tree or a blob rather than a commit. */
typedef struct other_tip {
	git_oid id;
	git_object_t type;
	char *ref;
} other_tip;

typedef struct collect {
	git_repository *repo;
	sfmc_blobset *set;
	sfmc_results *out;
	bool use_visited;      /* whole history: a (tree, path) walked once covers every later visit */
	sfmc_oidmap visited;   /* (tree id, path id) */
	sfmc_buf path;
	unsigned depth;
	sfmc_gittree_reader *reader; /* raw commits and trees, with a cache of recent trees */
	sfmc_oidmap commit_trees;    /* commit id -> index in trees: its root tree */
	git_oid *trees;
	size_t ntrees, atrees;
	other_tip *others;
	size_t nothers, aothers;
} collect;

static int list_push(oid_list *l, const git_oid *id)
{
	if (sfmc_array_reserve((void **)&l->v, l->n, &l->a, sizeof(*l->v)) < 0)
		return -1;
	git_oid_cpy(&l->v[l->n++], id);
	return 0;
}

/* Records a libgit2 failure about `where` as an error of the scan. */
static int record(collect *c, const char *where, const char *what, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), id);
	sfmc_gitrepo_error("%s %s", what, hex);
	return sfmc_results_add_error(c->out, where && *where ? where : hex, sfmc_error_last());
}

static int add_other(collect *c, const git_object *o, const char *ref)
{
	other_tip *t;
	if (sfmc_array_reserve((void **)&c->others, c->nothers, &c->aothers, sizeof(*c->others)) < 0)
		return -1;
	t = &c->others[c->nothers];
	git_oid_cpy(&t->id, git_object_id(o));
	t->type = git_object_type(o);
	if (!(t->ref = strdup(ref)))
		return sfmc_error_set("out of memory");
	c->nothers++;
	return 0;
}

/* Peels one ref (through annotated tags) to a commit tip, or remembers a
 * tree or blob tip when others is set. Unreadable targets are errors. */
static int peel_ref(collect *c, const char *name, oid_list *tips, bool others)
{
	git_object *o = NULL, *next = NULL;
	git_oid id;
	int rc = 0;

	if (git_reference_name_to_id(&id, c->repo, name) < 0)
		return 0; /* unborn HEAD or a dangling symbolic ref: nothing to scan */
	if (git_object_lookup(&o, c->repo, &id, GIT_OBJECT_ANY) < 0)
		return record(c, name, "cannot read its target", &id);
	while (git_object_type(o) == GIT_OBJECT_TAG) {
		if (git_tag_target(&next, (git_tag *)o) < 0) {
			rc = record(c, name, "cannot read the target of tag", git_object_id(o));
			goto cleanup;
		}
		git_object_free(o);
		o = next;
	}
	if (git_object_type(o) == GIT_OBJECT_COMMIT)
		rc = list_push(tips, git_object_id(o));
	else if (others)
		rc = add_other(c, o, name);
cleanup:
	git_object_free(o);
	return rc;
}

/* Every ref, HEAD and every entry of the stash's reflog. */
static int ref_tips(collect *c, oid_list *tips, bool others)
{
	git_reference_iterator *it = NULL;
	const char *name;
	git_reflog *log = NULL;
	int rc = 0, e;

	if ((rc = peel_ref(c, "HEAD", tips, others)) < 0)
		return -1;
	if (git_reference_iterator_new(&it, c->repo) < 0)
		return sfmc_gitrepo_error("cannot list references");
	while (rc == 0 && (e = git_reference_next_name(&name, it)) == 0)
		rc = peel_ref(c, name, tips, others);
	git_reference_iterator_free(it);
	if (rc == 0 && e != GIT_ITEROVER)
		rc = sfmc_results_add_error(c->out, "refs", git_error_last() ? git_error_last()->message : "cannot list references");
	/* Older stashes live only in the reflog of refs/stash. */
	if (rc == 0 && git_reflog_read(&log, c->repo, "refs/stash") == 0) {
		for (size_t i = 0; rc == 0 && i < git_reflog_entrycount(log); i++)
			rc = list_push(tips, git_reflog_entry_id_new(git_reflog_entry_byindex(log, i)));
		git_reflog_free(log);
	}
	return rc;
}

static int walk_tree(collect *c, const sfmc_gitobj *t, const sfmc_gitobj *const *parents, size_t np,
		     uint32_t commit);

/* Walks the subtree e (at path id pid) against the parents' subtrees of the
 * same name (pe[i]: parent i's entry of that name, or NULL). */
static int walk_subtree(collect *c, const sfmc_gittree_entry *e, uint32_t pid, const sfmc_gittree_entry *const *pe,
			size_t np, uint32_t commit)
{
	const sfmc_gitobj *sub = NULL, **psub = NULL;
	git_oid id, pid_oid;
	uint32_t v = 0;
	int rc = 0;

	git_oid_fromraw(&id, e->id);
	if (c->use_visited && (rc = sfmc_oidmap_put(&c->visited, &id, pid, &v)) != 0)
		return rc < 0 ? -1 : 0;
	if (c->depth >= SFMC_MAX_TREE_DEPTH)
		return sfmc_results_add_error(c->out, c->path.ptr, "trees nested too deeply");
	if (sfmc_gittree_read_tree(c->reader, &id, &sub) < 0)
		return sfmc_results_add_error(c->out, c->path.ptr, sfmc_error_last());
	if (np && !(psub = calloc(np, sizeof(*psub)))) {
		rc = sfmc_error_set("out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < np; i++) {
		if (!pe[i] || sfmc_gittree_kind_of(pe[i]->mode) != SFMC_GITTREE_TREE)
			continue;
		git_oid_fromraw(&pid_oid, pe[i]->id);
		if (sfmc_gittree_read_tree(c->reader, &pid_oid, &psub[i]) < 0)
			psub[i] = NULL; /* unreadable: compare against nothing, so scan more rather than less */
	}
	c->depth++;
	rc = walk_tree(c, sub, psub, np, commit);
	c->depth--;
cleanup:
	for (size_t i = 0; psub && i < np; i++)
		sfmc_gittree_release(c->reader, psub[i]);
	free(psub);
	sfmc_gittree_release(c->reader, sub);
	return rc;
}

typedef struct walk_ctx {
	collect *c;
	size_t np;
	uint32_t commit;
} walk_ctx;

/* An entry of a changed tree (under c->path) that no parent holds: a blob
 * to record, or a subtree to walk. */
static int changed_entry(void *ctx, const sfmc_gittree_entry *e, const sfmc_gittree_entry *const *pe)
{
	walk_ctx *w = ctx;
	collect *c = w->c;
	size_t base = c->path.size;
	sfmc_gittree_kind kind = sfmc_gittree_kind_of(e->mode);
	uint32_t pid;
	git_oid id;
	int rc;

	if (kind == SFMC_GITTREE_GITLINK)
		return 0; /* a gitlink: the submodule's commit is not in this repository */
	if ((base && sfmc_buf_putc(&c->path, '/') < 0) || sfmc_buf_put(&c->path, e->name, e->namelen) < 0 ||
	    sfmc_strtab_intern(&c->set->paths, c->path.ptr, c->path.size, &pid) < 0)
		return -1;
	git_oid_fromraw(&id, e->id);
	if (kind == SFMC_GITTREE_BLOB)
		rc = sfmc_blobset_add(c->set, &id, pid, w->commit);
	else
		rc = walk_subtree(c, e, pid, pe, w->np, w->commit);
	c->path.size = base;
	c->path.ptr[base] = '\0';
	return rc;
}

/* Records the blobs of t (under c->path) that differ from every parent tree. */
static int walk_tree(collect *c, const sfmc_gitobj *t, const sfmc_gitobj *const *parents, size_t np,
		     uint32_t commit)
{
	walk_ctx w = { c, np, commit };
	return sfmc_gittree_diff(t, parents, np, changed_entry, &w);
}

/* The root tree id of commit id: remembered from its own walk, else read. */
static int commit_tree(collect *c, const git_oid *id, git_oid *tree)
{
	git_oid *parents = NULL;
	size_t np;
	uint32_t v;

	if (sfmc_oidmap_get(&c->commit_trees, id, 0, &v)) {
		git_oid_cpy(tree, &c->trees[v]);
		return 0;
	}
	if (sfmc_gittree_read_commit(c->reader, id, tree, &parents, &np) < 0)
		return -1;
	free(parents);
	return 0;
}

static int remember_tree(collect *c, const git_oid *commit, const git_oid *tree)
{
	uint32_t v = (uint32_t)c->ntrees;
	int rc = sfmc_oidmap_put(&c->commit_trees, commit, 0, &v);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (sfmc_array_reserve((void **)&c->trees, c->ntrees, &c->atrees, sizeof(*c->trees)) < 0)
		return -1;
	git_oid_cpy(&c->trees[c->ntrees++], tree);
	return 0;
}

/* Records what commit cm introduces, relative to each of its parents. */
static int collect_commit(collect *c, const sfmc_gitwalk_commit *cm)
{
	const sfmc_gitobj *tree = NULL, **ptrees = NULL;
	git_oid ptid;
	size_t np = cm->nparents;
	uint32_t idx, root, v = 0;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if ((rc = sfmc_blobset_add_commit(c->set, &cm->id, &idx)) < 0 || (rc = remember_tree(c, &cm->id, &cm->tree)) < 0)
		return -1;
	if (sfmc_gittree_read_tree(c->reader, &cm->tree, &tree) < 0)
		return sfmc_results_add_error(c->out, git_oid_tostr(hex, sizeof(hex), &cm->id), sfmc_error_last());
	sfmc_buf_clear(&c->path);
	if ((rc = sfmc_strtab_intern(&c->set->paths, "", 0, &root)) < 0)
		goto cleanup;
	if (c->use_visited && (rc = sfmc_oidmap_put(&c->visited, &cm->tree, root, &v)) != 0) {
		rc = rc < 0 ? -1 : 0; /* the same snapshot was walked for an older commit */
		goto cleanup;
	}
	if (np && !(ptrees = calloc(np, sizeof(*ptrees)))) {
		rc = sfmc_error_set("out of memory");
		goto cleanup;
	}
	/* A missing parent (shallow boundary) leaves NULL: the commit introduces its whole tree. */
	for (size_t i = 0; i < np; i++)
		if (commit_tree(c, &cm->parents[i], &ptid) < 0 || sfmc_gittree_read_tree(c->reader, &ptid, &ptrees[i]) < 0)
			ptrees[i] = NULL;
	rc = walk_tree(c, tree, ptrees, np, idx);
cleanup:
	for (size_t i = 0; ptrees && i < np; i++)
		sfmc_gittree_release(c->reader, ptrees[i]);
	free(ptrees);
	sfmc_gittree_release(c->reader, tree);
	return rc;
}

/* Trees and blobs that a ref names directly (a tag of a tree or blob). */
static int collect_others(collect *c)
{
	int rc = 0;
	for (size_t i = 0; i < c->nothers && rc == 0; i++) {
		other_tip *t = &c->others[i];
		const sfmc_gitobj *tree = NULL;
		uint32_t pid;
		if (t->type == GIT_OBJECT_BLOB) {
			if ((rc = sfmc_strtab_intern(&c->set->paths, t->ref, strlen(t->ref), &pid)) == 0)
				rc = sfmc_blobset_add(c->set, &t->id, pid, SFMC_NO_COMMIT);
		} else if (t->type == GIT_OBJECT_TREE) {
			if (sfmc_gittree_read_tree(c->reader, &t->id, &tree) < 0) {
				rc = sfmc_results_add_error(c->out, t->ref, sfmc_error_last());
				continue;
			}
			sfmc_buf_clear(&c->path);
			rc = walk_tree(c, tree, NULL, 0, SFMC_NO_COMMIT);
			sfmc_gittree_release(c->reader, tree);
		}
	}
	return rc;
}

static int odb_each(const git_oid *id, void *payload)
{
	return list_push(payload, id);
}

/* --all-objects: sorts every object of the database by type. Commits no
 * ref reaches (amended, rebased away) become tips, so their blobs keep a
 * commit; blobs are kept to add those no commit holds. */
static int list_all_objects(collect *c, oid_list *commits, oid_list *blobs)
{
	git_odb *odb = NULL;
	oid_list all = { 0 };
	size_t len;
	git_object_t type;
	int rc = 0;

	if (git_repository_odb(&odb, c->repo) < 0)
		return sfmc_gitrepo_error("cannot open the object database");
	if (git_odb_foreach(odb, odb_each, &all) < 0)
		rc = sfmc_results_add_error(c->out, "objects", git_error_last() ? git_error_last()->message :
							       sfmc_error_last());
	for (size_t i = 0; i < all.n && rc == 0; i++) {
		if (git_odb_read_header(&len, &type, odb, &all.v[i]) < 0)
			rc = record(c, NULL, "cannot read object", &all.v[i]);
		else if (type == GIT_OBJECT_COMMIT)
			rc = list_push(commits, &all.v[i]);
		else if (type == GIT_OBJECT_BLOB)
			rc = list_push(blobs, &all.v[i]);
	}
	free(all.v);
	git_odb_free(odb);
	return rc;
}

/* Blobs of the database that no commit, tree or ref holds: no provenance. */
static int add_orphans(collect *c, const oid_list *blobs)
{
	for (size_t i = 0; i < blobs->n; i++)
		if (sfmc_blobset_add_orphan(c->set, &blobs->v[i]) < 0)
			return -1;
	return 0;
}

typedef struct plan {
	const git_oid *include, *exclude;
	size_t ninclude, nexclude;
	bool all_refs;      /* include every ref (whole history) */
	bool hide_all_refs; /* exclude every ref */
	bool all_objects;
} plan;

static int run(git_repository *repo, const char *repo_path, const plan *p, const sfmc_ruleset *rules,
	       const sfmc_git_opts *opts, sfmc_results *out)
{
	sfmc_blobset set;
	collect c = { .repo = repo, .set = &set, .out = out };
	oid_list inc = { 0 }, exc = { 0 }, blobs = { 0 };
	sfmc_gitwalk_commit *commits = NULL;
	size_t ncommits = 0;
	sfmc_blobset_opts bopts = { opts->threads, opts->max_file_size };
	int rc = -1;

	sfmc_blobset_init(&set);
	sfmc_oidmap_init(&c.visited);
	sfmc_oidmap_init(&c.commit_trees);
	sfmc_buf_init(&c.path, 0);
	c.use_visited = p->all_refs && !p->nexclude && !p->hide_all_refs;
	for (size_t i = 0; i < p->ninclude; i++)
		if (list_push(&inc, &p->include[i]) < 0)
			goto cleanup;
	for (size_t i = 0; i < p->nexclude; i++)
		if (list_push(&exc, &p->exclude[i]) < 0)
			goto cleanup;
	if ((p->all_refs && ref_tips(&c, &inc, true) < 0) || (p->hide_all_refs && ref_tips(&c, &exc, false) < 0) ||
	    (p->all_objects && list_all_objects(&c, &inc, &blobs) < 0))
		goto cleanup;
	if (sfmc_gitwalk_select(repo, inc.v, inc.n, exc.v, exc.n, out, &commits, &ncommits) < 0)
		goto cleanup;
	if (sfmc_gittree_reader_new(&c.reader, repo, SFMC_GIT_TREE_CACHE_BYTES,
				    ncommits >= SFMC_WALK_PACKREADER_MIN_COMMITS) < 0)
		goto cleanup;
	for (size_t i = 0; i < ncommits; i++)
		if (collect_commit(&c, &commits[i]) < 0)
			goto cleanup;
	if (collect_others(&c) < 0 || add_orphans(&c, &blobs) < 0)
		goto cleanup;
	/* The walk's caches are not needed while blobs are read. */
	sfmc_gittree_reader_free(c.reader);
	c.reader = NULL;
	rc = sfmc_blobset_scan(&set, repo_path, rules, &bopts, out);
cleanup:
	for (size_t i = 0; i < c.nothers; i++)
		free(c.others[i].ref);
	free(c.others);
	sfmc_gitwalk_free(commits, ncommits);
	free(inc.v);
	free(exc.v);
	free(blobs.v);
	sfmc_buf_dispose(&c.path);
	sfmc_oidmap_dispose(&c.visited);
	sfmc_oidmap_dispose(&c.commit_trees);
	free(c.trees);
	sfmc_gittree_reader_free(c.reader);
	sfmc_blobset_dispose(&set);
	return rc;
}

static int open_and_run(const char *repo_path, const plan *p, const sfmc_ruleset *rules,
			const sfmc_git_opts *opts, sfmc_results *out)
{
	git_repository *repo;
	int rc;

	if (sfmc_gitrepo_open(&repo, repo_path) < 0)
		return -1;
	rc = run(repo, repo_path, p, rules, opts, out);
	sfmc_gitrepo_close(repo);
	return rc;
}

int sfmc_source_git_scan(const char *repo_path, const sfmc_ruleset *rules, const sfmc_git_opts *opts,
			 sfmc_results *out)
{
	plan p = { .all_refs = true, .all_objects = opts->all_objects };
	return open_and_run(repo_path, &p, rules, opts, out);
}

/* The commit a revision names (through tags), or -1 with a clear message. */
static int to_commit(git_object *o, const char *range, git_oid *id)
{
	git_object *c = NULL;
	if (git_object_peel(&c, o, GIT_OBJECT_COMMIT) < 0)
		return sfmc_gitrepo_error("--range %s: not a commit", range);
	git_oid_cpy(id, git_object_id(c));
	git_object_free(c);
	return 0;
}

int sfmc_source_git_scan_range(const char *repo_path, const char *range, const sfmc_ruleset *rules,
			       const sfmc_git_opts *opts, sfmc_results *out)
{
	git_repository *repo;
	git_revspec spec = { 0 };
	git_oid inc[2], exc[1];
	plan p = { .include = inc, .exclude = exc };
	int rc = -1;

	if (sfmc_gitrepo_open(&repo, repo_path) < 0)
		return -1;
	if (git_revparse(&spec, repo, range) < 0) {
		sfmc_gitrepo_error("--range %s", range);
		goto cleanup;
	}
	if (spec.flags & GIT_REVSPEC_SINGLE) {
		if (to_commit(spec.from, range, &inc[p.ninclude++]) < 0)
			goto cleanup;
	} else {
		if (to_commit(spec.from, range, &exc[0]) < 0 || to_commit(spec.to, range, &inc[0]) < 0)
			goto cleanup;
		p.ninclude = p.nexclude = 1;
		if (spec.flags & GIT_REVSPEC_MERGE_BASE) { /* A...B: both sides, not their merge base */
			git_oid_cpy(&inc[p.ninclude++], &exc[0]);
			if (git_merge_base(&exc[0], repo, &inc[0], &inc[1]) < 0)
				p.nexclude = 0;
		}
	}
	rc = run(repo, repo_path, &p, rules, opts, out);
cleanup:
	git_object_free(spec.from);
	git_object_free(spec.to);
	sfmc_gitrepo_close(repo);
	return rc;
}

int sfmc_source_git_scan_commits(const char *repo_path, const git_oid *include, size_t ninclude,
				 const git_oid *exclude, size_t nexclude, bool hide_all_refs,
				 const sfmc_ruleset *rules, const sfmc_git_opts *opts, sfmc_results *out)
{
	plan p = { include, exclude, ninclude, nexclude, false, hide_all_refs, false };
	return open_and_run(repo_path, &p, rules, opts, out);
}

int sfmc_source_git_head(const char *repo_path, char out[GIT_OID_HEXSZ + 1])
{
	git_repository *repo;
	git_oid id;
	int rc = 0;

	out[0] = '\0';
	if (sfmc_gitrepo_open(&repo, repo_path) < 0)
		return -1;
	if (git_reference_name_to_id(&id, repo, "HEAD") < 0)
		rc = sfmc_gitrepo_error("HEAD");
	else
		git_oid_tostr(out, GIT_OID_HEXSZ + 1, &id);
	sfmc_gitrepo_close(repo);
	return rc;
}
