#include "triage/group.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "git/repo.h"
#include "detect/scan.h"
#include "util/error.h"

static int64_t commit_time(const sfmc_finding *f)
{
	return f->commit ? f->commit->time : INT64_MAX;
}

static int cmp_item(const void *pa, const void *pb)
{
	const sfmc_finding *a = *(const sfmc_finding *const *)pa, *b = *(const sfmc_finding *const *)pb;
	int64_t ta = commit_time(a), tb = commit_time(b);
	int c = strcmp(a->fingerprint, b->fingerprint);

	if (!c)
		c = (ta > tb) - (ta < tb);
	if (!c) /* one commit's locations side by side: distinct commits are counted in one pass */
		c = strcmp(a->commit ? a->commit->commit : "", b->commit ? b->commit->commit : "");
	if (!c)
		c = strcmp(a->path, b->path);
	if (!c)
		c = (a->line > b->line) - (a->line < b->line);
	return c;
}

bool sfmc_group_new_commit(const sfmc_group *g, size_t i)
{
	const sfmc_commit_info *c = g->items[i]->commit, *prev = i ? g->items[i - 1]->commit : NULL;
	return c && (!prev || strcmp(prev->commit, c->commit));
}

/* Fills the summary fields of a group whose items are set. */
static void summarize(sfmc_group *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const sfmc_finding *f = g->items[i];
		if (f->level > g->level)
			g->level = f->level;
		g->nsuppressed += f->suppressed != SFMC_SUPPRESS_NONE;
		if (!f->commit)
			continue;
		if (!g->first_seen)
			g->first_seen = f; /* items are oldest first */
		if (!g->last_seen || f->commit->time >= g->last_seen->commit->time)
			g->last_seen = f;
		g->ncommits += sfmc_group_new_commit(g, i);
	}
}

int sfmc_groups_build(sfmc_groups *g, const sfmc_results *res)
{
	memset(g, 0, sizeof(*g));
	if (!res->nfindings)
		return 0;
	g->items = malloc(res->nfindings * sizeof(*g->items));
	g->v = calloc(res->nfindings, sizeof(*g->v));
	if (!g->items || !g->v) {
		sfmc_groups_dispose(g);
		return sfmc_error_set("out of memory");
	}
	for (size_t i = 0; i < res->nfindings; i++)
		g->items[i] = &res->findings[i];
	qsort(g->items, res->nfindings, sizeof(*g->items), cmp_item);
	for (size_t i = 0; i < res->nfindings; i++) {
		if (!i || strcmp(g->items[i]->fingerprint, g->items[i - 1]->fingerprint)) {
			g->v[g->n].items = &g->items[i];
			g->v[g->n].at_head = -1;
			g->n++;
		}
		g->v[g->n - 1].n++;
	}
	for (size_t i = 0; i < g->n; i++)
		summarize(&g->v[i]);
	return 0;
}

void sfmc_groups_dispose(sfmc_groups *g)
{
	free(g->items);
	free(g->v);
	memset(g, 0, sizeof(*g));
}

typedef struct oid_list {
	git_oid *v;
	size_t n, a;
} oid_list;

static int collect_blob(const char *root, const git_tree_entry *e, void *payload)
{
	oid_list *l = payload;
	(void)root;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0; /* trees are walked into; gitlinks are other repositories */
	if (l->n == l->a) {
		size_t na = l->a ? l->a * 2 : 256;
		git_oid *p = realloc(l->v, na * sizeof(*p));
		if (!p)
			return -1;
		l->v = p;
		l->a = na;
	}
	git_oid_cpy(&l->v[l->n++], git_tree_entry_id(e));
	return 0;
}

static int cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static int cmp_group_fp(const void *key, const void *elem)
{
	return strcmp(key, ((const sfmc_group *)elem)->items[0]->fingerprint);
}

/* Scans one HEAD blob and marks the groups whose secret it holds. */
static int scan_head_blob(sfmc_groups *g, git_repository *repo, const git_oid *id, sfmc_scanner *s,
			  uint64_t max_file_size)
{
	git_blob *blob = NULL;
	sfmc_results tmp;
	sfmc_provenance prov = { "HEAD", 4, NULL, NULL };
	int rc = 0;

	sfmc_results_init(&tmp);
	if (git_blob_lookup(&blob, repo, id) < 0)
		return sfmc_gitrepo_error("HEAD: cannot read blob %s", git_oid_tostr_s(id));
	if (!max_file_size || git_blob_rawsize(blob) <= max_file_size)
		rc = sfmc_scanner_scan_mem(s, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), &prov, &tmp);
	for (size_t i = 0; rc == 0 && i < tmp.nfindings; i++) {
		sfmc_group *hit = bsearch(tmp.findings[i].fingerprint, g->v, g->n, sizeof(*g->v), cmp_group_fp);
		if (hit)
			hit->at_head = 1;
	}
	sfmc_results_dispose(&tmp);
	git_blob_free(blob);
	return rc;
}

static int scan_head(sfmc_groups *g, git_repository *repo, const sfmc_ruleset *rules, uint64_t max_file_size)
{
	git_object *tree = NULL;
	oid_list blobs = { 0 };
	sfmc_scanner s;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	if (git_revparse_single(&tree, repo, "HEAD^{tree}") < 0) {
		sfmc_gitrepo_error("HEAD");
		goto cleanup;
	}
	if (git_tree_walk((git_tree *)tree, GIT_TREEWALK_PRE, collect_blob, &blobs) < 0) {
		sfmc_error_set("HEAD: cannot list the tree");
		goto cleanup;
	}
	if (blobs.n > 1)
		qsort(blobs.v, blobs.n, sizeof(*blobs.v), cmp_oid);
	if (sfmc_scanner_init(&s, rules) < 0)
		goto cleanup;
	for (size_t i = 0; i < blobs.n; i++)
		if ((!i || git_oid_cmp(&blobs.v[i], &blobs.v[i - 1])) &&
		    scan_head_blob(g, repo, &blobs.v[i], &s, max_file_size) < 0)
			goto cleanup;
	rc = 0;
cleanup:
	sfmc_scanner_dispose(&s);
	free(blobs.v);
	git_object_free(tree);
	return rc;
}

int sfmc_groups_mark_head(sfmc_groups *g, const char *repo_path, const sfmc_ruleset *rules, uint64_t max_file_size)
{
	git_repository *repo = NULL;
	int rc = -1, unborn;

	if (sfmc_gitrepo_open(&repo, repo_path) < 0)
		goto cleanup;
	for (size_t i = 0; i < g->n; i++)
		g->v[i].at_head = 0;
	if ((unborn = git_repository_head_unborn(repo)) < 0) {
		sfmc_gitrepo_error("HEAD");
		goto cleanup;
	}
	rc = unborn ? 0 : scan_head(g, repo, rules, max_file_size);
cleanup:
	if (rc < 0)
		for (size_t i = 0; i < g->n; i++)
			g->v[i].at_head = -1;
	sfmc_gitrepo_close(repo);
	return rc;
}
