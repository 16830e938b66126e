/* head.c - HEAD's tree scanned blob by blob (see head.h); moved out of
 * triage/group.c so that triage never reads a repository. */
#include "git/head.h"

#include <stdlib.h>
#include <string.h>

#include "detect/scan.h"
#include "git/repo.h"
#include "util/array.h"
#include "util/error.h"

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
	if (SFMC_ARRAY_GROW(l->v, l->n, l->a) < 0)
		return -1;
	git_oid_cpy(&l->v[l->n++], git_tree_entry_id(e));
	return 0;
}

static int cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

typedef struct head_scan {
	git_repository *repo;
	sfmc_scanner scanner;
	uint64_t max_file_size;
	void (*found)(const sfmc_finding *f, void *payload);
	void *payload;
} head_scan;

/* Scans one HEAD blob and reports its findings. */
static int scan_blob(head_scan *h, const git_oid *id)
{
	git_blob *blob = NULL;
	sfmc_results tmp;
	sfmc_provenance prov = { "HEAD", 4, NULL, NULL, NULL, 0 };
	int rc = 0;

	sfmc_results_init(&tmp);
	if (git_blob_lookup(&blob, h->repo, id) < 0)
		return sfmc_gitrepo_error("HEAD: cannot read blob %s", git_oid_tostr_s(id));
	if (!h->max_file_size || git_blob_rawsize(blob) <= h->max_file_size)
		rc = sfmc_scanner_scan_mem(&h->scanner, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), &prov,
					   &tmp);
	for (size_t i = 0; rc == 0 && i < tmp.nfindings; i++)
		h->found(&tmp.findings[i], h->payload);
	sfmc_results_dispose(&tmp);
	git_blob_free(blob);
	return rc;
}

static int scan_tree(head_scan *h, const sfmc_ruleset *rules)
{
	git_object *tree = NULL;
	oid_list blobs = { 0 };
	int rc = SFMC_ERROR;

	memset(&h->scanner, 0, sizeof(h->scanner));
	if (git_revparse_single(&tree, h->repo, "HEAD^{tree}") < 0) {
		sfmc_gitrepo_error("HEAD");
		goto cleanup;
	}
	if (git_tree_walk((git_tree *)tree, GIT_TREEWALK_PRE, collect_blob, &blobs) < 0) {
		sfmc_error_set("HEAD: cannot list the tree");
		goto cleanup;
	}
	if (blobs.n > 1)
		qsort(blobs.v, blobs.n, sizeof(*blobs.v), cmp_oid);
	if (sfmc_scanner_init(&h->scanner, rules) < 0)
		goto cleanup;
	for (size_t i = 0; i < blobs.n; i++)
		if ((!i || git_oid_cmp(&blobs.v[i], &blobs.v[i - 1])) && scan_blob(h, &blobs.v[i]) < 0)
			goto cleanup;
	rc = SFMC_OK;
cleanup:
	sfmc_scanner_dispose(&h->scanner);
	free(blobs.v);
	git_object_free(tree);
	return rc;
}

int sfmc_githead_scan(git_repository *repo, const sfmc_ruleset *rules, uint64_t max_file_size,
		      void (*found)(const sfmc_finding *f, void *payload), void *payload)
{
	head_scan h = { .repo = repo, .max_file_size = max_file_size, .found = found, .payload = payload };
	int unborn = git_repository_head_unborn(repo);

	if (unborn < 0)
		return sfmc_gitrepo_error("HEAD");
	return unborn ? SFMC_OK : scan_tree(&h, rules);
}
