#define _GNU_SOURCE
#include "git/blobset.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "detect/scan.h"
#include "git/pack.h"
#include "git/repo.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/pool.h"
#include "util/progress.h"

void sfmc_blobset_init(sfmc_blobset *s)
{
	memset(s, 0, sizeof(*s));
	sfmc_oidmap_init(&s->index);
	sfmc_oidmap_init(&s->pairs);
	sfmc_strtab_init(&s->paths);
}

void sfmc_blobset_dispose(sfmc_blobset *s)
{
	free(s->oids);
	free(s->order);
	sfmc_oidmap_dispose(&s->index);
	sfmc_oidmap_dispose(&s->pairs);
	free(s->occs);
	sfmc_strtab_dispose(&s->paths);
	free(s->commits);
	memset(s, 0, sizeof(*s));
}

int sfmc_blobset_add_commit(sfmc_blobset *s, const git_oid *id, uint32_t *idx)
{
	if (s->ncommits >= SFMC_NO_COMMIT)
		return sfmc_error_set("too many commits");
	if (sfmc_array_reserve((void **)&s->commits, s->ncommits, &s->acommits, sizeof(*s->commits)) < 0)
		return -1;
	git_oid_cpy(&s->commits[s->ncommits], id);
	*idx = (uint32_t)s->ncommits++;
	return 0;
}

/* Index of blob in s->oids, adding it when new. */
static int blob_index(sfmc_blobset *s, const git_oid *blob, uint32_t *idx)
{
	int rc;
	if (s->n >= UINT32_MAX - 1)
		return sfmc_error_set("too many blobs");
	*idx = (uint32_t)s->n;
	if ((rc = sfmc_oidmap_put(&s->index, blob, 0, idx)) != 0)
		return rc < 0 ? -1 : 0;
	if (sfmc_array_reserve((void **)&s->oids, s->n, &s->a, sizeof(*s->oids)) < 0)
		return -1;
	git_oid_cpy(&s->oids[s->n++], blob);
	return 0;
}

int sfmc_blobset_add_orphan(sfmc_blobset *s, const git_oid *blob)
{
	uint32_t idx;
	return blob_index(s, blob, &idx);
}

int sfmc_blobset_add(sfmc_blobset *s, const git_oid *blob, uint32_t path, uint32_t commit)
{
	uint32_t b, occ = (uint32_t)s->nocc;
	int rc;

	if (blob_index(s, blob, &b) < 0)
		return -1;
	if (s->nocc >= UINT32_MAX - 1)
		return sfmc_error_set("too many (blob, path) pairs");
	if ((rc = sfmc_oidmap_put(&s->pairs, blob, path, &occ)) < 0)
		return -1;
	if (rc == 1) {
		if (commit < s->occs[occ].commit) /* keep the oldest commit */
			s->occs[occ].commit = commit;
		return 0;
	}
	if (sfmc_array_reserve((void **)&s->occs, s->nocc, &s->aocc, sizeof(*s->occs)) < 0)
		return -1;
	s->occs[s->nocc++] = (sfmc_blob_occ){ b, path, commit };
	return 0;
}

/* Occurrences grouped by blob (CSR): occurrences of blob b are
 * occ[start[b] .. start[b + 1]), oldest commit first. */
typedef struct by_blob {
	size_t *start;
	uint32_t *occ;
} by_blob;

static int cmp_occ(const void *pa, const void *pb, void *ctx)
{
	const sfmc_blobset *s = ctx;
	const sfmc_blob_occ *a = &s->occs[*(const uint32_t *)pa], *b = &s->occs[*(const uint32_t *)pb];
	if (a->blob != b->blob)
		return a->blob < b->blob ? -1 : 1;
	if (a->commit != b->commit)
		return a->commit < b->commit ? -1 : 1;
	return (a->path > b->path) - (a->path < b->path);
}

static int group_by_blob(const sfmc_blobset *s, by_blob *g)
{
	g->start = calloc(s->n + 1, sizeof(*g->start));
	g->occ = malloc((s->nocc ? s->nocc : 1) * sizeof(*g->occ));
	if (!g->start || !g->occ)
		return sfmc_error_set("out of memory");
	for (size_t i = 0; i < s->nocc; i++) {
		g->occ[i] = (uint32_t)i;
		g->start[s->occs[i].blob + 1]++;
	}
	for (size_t b = 0; b < s->n; b++)
		g->start[b + 1] += g->start[b];
	if (s->nocc)
		qsort_r(g->occ, s->nocc, sizeof(*g->occ), cmp_occ, (void *)s);
	return 0;
}

typedef struct scan_ctx {
	const sfmc_blobset *set;
	const by_blob *g;
	const char *repo_path;
	const sfmc_ruleset *rules;
	const sfmc_blobset_opts *opts;
	git_repository **repos;  /* one per worker, opened on its first task */
	sfmc_packreader **readers; /* one per worker: the fast path for packed blobs */
	sfmc_packguard **guards;   /* one per worker without a reader: checks delta chains before libgit2 reads */
	size_t run_len;          /* blobs per task (scan_run) */
	size_t cache_bytes;      /* delta-base cache of each reader */
	bool pack_order;         /* blobs read in pack order (read_order), not the caller's */
	sfmc_scanner *scanners;
	unsigned *ready;         /* scanner initialised */
	sfmc_results *results;   /* one per worker, then the findings of known blobs (hooks) */
	unsigned char *state;    /* per blob: BLOB_READ, BLOB_KNOWN (not read), BLOB_DONE (scanned whole) */
} scan_ctx;

enum {
	BLOB_READ = 0,
	BLOB_KNOWN,
	BLOB_DONE
};

/* Where a problem with blob b is reported: its oldest path, else its id. */
static const char *blob_where(const scan_ctx *c, size_t b, const char *hex)
{
	if (c->g->start[b] == c->g->start[b + 1])
		return hex;
	return sfmc_strtab_get(&c->set->paths, c->set->occs[c->g->occ[c->g->start[b]]].path, NULL);
}

static int worker_setup(scan_ctx *c, unsigned w)
{
	if (!c->repos[w] && sfmc_gitrepo_open(&c->repos[w], c->repo_path) < 0)
		return -1;
	if (!c->ready[w]) {
		if (sfmc_scanner_init(&c->scanners[w], c->rules) < 0) {
			sfmc_scanner_dispose(&c->scanners[w]);
			return -1;
		}
		c->ready[w] = 1;
		/* No reader (few blobs: not worth indexing the packs; no memory; no
		 * set): libgit2 reads them all. Worker 0's reader, made before the
		 * pool starts, indexes the set if not yet; the others share it. */
		if (c->set->n >= SFMC_PACKREADER_MIN_BLOBS && c->opts->packs && (w == 0 || c->readers[0]))
			(void)sfmc_packreader_new(&c->readers[w], c->opts->packs, c->cache_bytes); /* NULL if not */
		if (c->readers[w] && c->pack_order)
			sfmc_packreader_in_pack_order(c->readers[w]);
		if (!c->readers[w] && sfmc_packguard_new(&c->guards[w], c->repos[w]) < 0)
			return -1;
	}
	return 0;
}

/* Scans one blob's bytes, whichever reader produced them. */
static int scan_bytes(scan_ctx *c, unsigned w, size_t b, const char *hex, git_object_t type, const void *data,
		      size_t len)
{
	/* Named by its oldest path: an archive's members and skips are "path!member" (expand re-roots them). */
	const char *where = blob_where(c, b, hex);
	sfmc_provenance prov = { where, strlen(where), hex, NULL, NULL, 0 };
	sfmc_results *out = &c->results[w];
	char msg[160];

	if (type != GIT_OBJECT_BLOB) {
		snprintf(msg, sizeof(msg), "object %s is a %s, not a blob", hex, git_object_type2string(type));
		return sfmc_results_add_error(out, blob_where(c, b, hex), msg);
	}
	if (sfmc_scanner_scan_mem(&c->scanners[w], data, len, &prov, out) < 0)
		return sfmc_results_add_error(out, blob_where(c, b, hex), sfmc_error_last());
	c->state[b] = BLOB_DONE; /* each blob is one task's: no other thread writes it */
	return 0;
}

static int scan_blob(size_t task, unsigned w, void *p)
{
	scan_ctx *c = p;
	size_t b = c->set->order ? c->set->order[task] : task;
	const git_oid *id = &c->set->oids[b];
	sfmc_results *out = &c->results[w];
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	char hex[GIT_OID_HEXSZ + 1], msg[160];
	const unsigned char *data;
	size_t len;
	git_object_t type;
	int rc = 0;

	if (c->state[b] == BLOB_KNOWN)
		return 0;
	if (worker_setup(c, w) < 0)
		return -1;
	git_oid_tostr(hex, sizeof(hex), id);
	if (git_repository_odb(&odb, c->repos[w]) < 0) {
		rc = sfmc_gitrepo_error("cannot open the object database");
		goto cleanup;
	}
	/* libgit2 follows delta chains without a bound: a looping one is an error, never read */
	if ((c->readers[w] ? (c->opts->max_file_size ? sfmc_packreader_check(c->readers[w], id) : SFMC_OK)
			   : sfmc_packguard_check(c->guards[w], id)) < 0) {
		rc = sfmc_results_add_error(out, blob_where(c, b, hex), sfmc_error_last());
		goto cleanup;
	}
	if (c->opts->max_file_size && git_odb_read_header(&len, &type, odb, id) == 0 &&
	    len > c->opts->max_file_size) {
		snprintf(msg, sizeof(msg), "blob %s larger than --max-file-size (%zu > %llu bytes)", hex, len,
			 (unsigned long long)c->opts->max_file_size);
		rc = sfmc_results_add_skipped(out, blob_where(c, b, hex), msg);
		goto cleanup;
	}
	if (c->readers[w] && (rc = sfmc_packreader_view(c->readers[w], id, &type, &data, &len)) != SFMC_EDECLINED &&
	    rc != SFMC_ENOTFOUND) {
		rc = rc == SFMC_OK ? scan_bytes(c, w, b, hex, type, data, len)
				   : sfmc_results_add_error(out, blob_where(c, b, hex), sfmc_error_last());
		goto cleanup;
	}
	rc = 0;
	if (git_odb_read(&obj, odb, id) < 0) {
		sfmc_gitrepo_error("cannot read blob %s", hex);
		rc = sfmc_results_add_error(out, blob_where(c, b, hex), sfmc_error_last());
		goto cleanup;
	}
	rc = scan_bytes(c, w, b, hex, git_odb_object_type(obj), git_odb_object_data(obj), git_odb_object_size(obj));
cleanup:
	git_odb_object_free(obj);
	git_odb_free(odb);
	return rc;
}

/* Unless the caller chose an order, reads blobs in pack order: each pack
 * front to back, so delta bases are still cached when their deltas are read. */
static int read_order(sfmc_blobset *s, git_repository *repo, const sfmc_packreader *r)
{
	if (s->order || !s->n)
		return 0;
	if (r) /* the packs it has indexed already */
		return sfmc_packreader_order(r, s->oids, s->n, &s->order);
	return sfmc_packorder_index(repo, s->oids, s->n, &s->order);
}

/* Task t is a contiguous run of the read order, so that each thread walks
 * its own stretch of the pack and finds the bases it needs in its own cache. */
static int scan_run(size_t t, unsigned w, void *p)
{
	scan_ctx *c = p;
	size_t end = (t + 1) * c->run_len < c->set->n ? (t + 1) * c->run_len : c->set->n;
	int rc = 0;

	for (size_t i = t * c->run_len; i < end && rc == 0; i++) {
		rc = scan_blob(i, w, p);
		sfmc_progress_add(1, 0);
	}
	return rc;
}

/* A finding of one blob, expanded to one (path, commit) where it occurs. */
typedef struct cand {
	const sfmc_finding *f;
	uint32_t path, commit;
} cand;

/* Archive members of one blob: by their parts (none first). */
static int member_cmp(const sfmc_finding *a, const sfmc_finding *b)
{
	size_t n = a->member_len < b->member_len ? a->member_len : b->member_len;
	int c;

	if (!a->member || !b->member)
		return (a->member != NULL) - (b->member != NULL);
	c = memcmp(a->member, b->member, n);
	return c ? c : (a->member_len > b->member_len) - (a->member_len < b->member_len);
}

static int cmp_cand(const void *pa, const void *pb)
{
	const cand *a = pa, *b = pb;
	int c = strcmp(a->f->rule->id, b->f->rule->id);
	if (!c)
		c = strcmp(a->f->fingerprint, b->f->fingerprint);
	if (!c && a->path != b->path)
		c = a->path < b->path ? -1 : 1;
	if (!c)
		c = member_cmp(a->f, b->f);
	if (!c && a->commit != b->commit)
		c = a->commit < b->commit ? -1 : 1;
	if (!c && a->f->offset != b->f->offset)
		c = a->f->offset < b->f->offset ? -1 : 1;
	return c;
}

static bool same_key(const cand *a, const cand *b)
{
	return a->path == b->path && !strcmp(a->f->rule->id, b->f->rule->id) &&
	       !strcmp(a->f->fingerprint, b->f->fingerprint) && !member_cmp(a->f, b->f);
}

/* Appends the expansions of every finding the workers produced. */
static int expand(sfmc_blobset *s, const by_blob *g, sfmc_results *res, unsigned nres, cand **out, size_t *n)
{
	size_t a = 0;
	*out = NULL;
	*n = 0;
	for (unsigned w = 0; w < nres; w++) {
		for (size_t i = 0; i < res[w].nfindings; i++) {
			const sfmc_finding *f = &res[w].findings[i];
			git_oid id;
			uint32_t b, hexpath;
			if (git_oid_fromstr(&id, f->blob) < 0 || !sfmc_oidmap_get(&s->index, &id, 0, &b))
				return sfmc_error_set("internal error: finding of an unknown blob");
			if (g->start[b] == g->start[b + 1]) { /* dangling: named by its id */
				if (sfmc_strtab_intern(&s->paths, f->blob, strlen(f->blob), &hexpath) < 0 ||
				    sfmc_array_reserve((void **)out, *n, &a, sizeof(**out)) < 0)
					return -1;
				(*out)[(*n)++] = (cand){ f, hexpath, SFMC_NO_COMMIT };
			}
			for (size_t k = g->start[b]; k < g->start[b + 1]; k++) {
				const sfmc_blob_occ *o = &s->occs[g->occ[k]];
				if (sfmc_array_reserve((void **)out, *n, &a, sizeof(**out)) < 0)
					return -1;
				(*out)[(*n)++] = (cand){ f, o->path, o->commit };
			}
		}
	}
	return 0;
}

static int load_commit(git_repository *repo, const git_oid *id, sfmc_commit_info **out)
{
	git_commit *c = NULL;
	const git_signature *a;
	const char *summary;
	sfmc_commit_info *ci = calloc(1, sizeof(*ci));

	*out = ci;
	if (!ci)
		return sfmc_error_set("out of memory");
	git_oid_tostr(ci->commit, sizeof(ci->commit), id);
	if (git_commit_lookup(&c, repo, id) < 0)
		return 0; /* it was read during the walk; keep the id alone */
	a = git_commit_author(c);
	summary = git_commit_summary(c);
	ci->author_name = strdup(a && a->name ? a->name : "");
	ci->author_email = strdup(a && a->email ? a->email : "");
	ci->summary = strdup(summary ? summary : "");
	ci->time = (int64_t)git_commit_time(c);
	git_commit_free(c);
	if (!ci->author_name || !ci->author_email || !ci->summary)
		return sfmc_error_set("out of memory");
	return 0;
}

/* f's path (the occurrence's) followed by its archive member parts, "!" between: in *buf (grown). */
static int member_path(sfmc_finding *f, char **buf, size_t *cap)
{
	size_t n = f->path_len + 1 + f->member_len;

	if (n + 1 > *cap) {
		char *p = realloc(*buf, n + 1);
		if (!p)
			return sfmc_error_set("out of memory");
		*buf = p;
		*cap = n + 1;
	}
	memcpy(*buf, f->path, f->path_len);
	(*buf)[f->path_len] = '!';
	for (size_t i = 0; i < f->member_len; i++)
		(*buf)[f->path_len + 1 + i] = f->member[i] ? f->member[i] : '!';
	(*buf)[n] = '\0';
	f->path = *buf;
	f->path_len = n;
	return 0;
}

/* Keeps the first candidate of each (rule, secret, path) and appends it to out. */
static int emit(sfmc_blobset *s, git_repository *repo, cand *v, size_t n, sfmc_results *out)
{
	sfmc_commit_info **info = calloc(s->ncommits ? s->ncommits : 1, sizeof(*info));
	char *path = NULL;
	size_t apath = 0;
	int rc = 0;

	if (!info)
		return sfmc_error_set("out of memory");
	if (n)
		qsort(v, n, sizeof(*v), cmp_cand);
	for (size_t i = 0; i < n && rc == 0; i++) {
		sfmc_finding f;
		if (i && same_key(&v[i - 1], &v[i]))
			continue;
		f = *v[i].f;
		f.path = (char *)sfmc_strtab_get(&s->paths, v[i].path, &f.path_len);
		if (f.member && (rc = member_path(&f, &path, &apath)) < 0)
			break;
		f.commit = NULL;
		if (v[i].commit != SFMC_NO_COMMIT) {
			if (!info[v[i].commit] && (rc = load_commit(repo, &s->commits[v[i].commit], &info[v[i].commit])) < 0)
				break;
			f.commit = info[v[i].commit];
		}
		rc = sfmc_results_add_finding(out, &f);
	}
	for (size_t i = 0; i < s->ncommits; i++)
		sfmc_commit_info_free(info[i]);
	free(info);
	free(path);
	return rc;
}

/* The per-thread arrays of c for n workers, and the sizes derived from n. */
static int ctx_alloc(scan_ctx *c, unsigned n)
{
	const sfmc_blobset *s = c->set;

	c->repos = calloc(n, sizeof(*c->repos));
	c->scanners = calloc(n, sizeof(*c->scanners));
	c->ready = calloc(n, sizeof(*c->ready));
	c->readers = calloc(n, sizeof(*c->readers));
	c->guards = calloc(n, sizeof(*c->guards));
	c->results = calloc(n + 1, sizeof(*c->results));
	c->state = calloc(s->n ? s->n : 1, 1);
	if (!c->repos || !c->scanners || !c->ready || !c->results || !c->readers || !c->guards || !c->state)
		return sfmc_error_set("out of memory");
	for (unsigned i = 0; i <= n; i++)
		sfmc_results_init(&c->results[i]);
	c->run_len = s->n / ((size_t)n * SFMC_GIT_RUNS_PER_THREAD) + 1;
	c->pack_order = !s->order;
	c->cache_bytes = SFMC_GIT_BLOB_CACHE_BYTES / n > SFMC_PACK_CACHE_MIN_BYTES ? SFMC_GIT_BLOB_CACHE_BYTES / n
										   : SFMC_PACK_CACHE_MIN_BYTES;
	return 0;
}

/* Frees what ctx_alloc and the workers made; the workers' skipped files and
 * errors go to out. Returns rc, or -1 when that merge fails. */
static int ctx_release(scan_ctx *c, unsigned n, sfmc_results *out, int rc)
{
	for (unsigned i = 0; c->results && i <= n; i++) {
		for (size_t k = 0; k < c->results[i].nfindings; k++) /* expanded copies went to out */
			sfmc_finding_dispose(&c->results[i].findings[k]);
		c->results[i].nfindings = 0;
		if (sfmc_results_merge(out, &c->results[i]) < 0)
			rc = -1;
		sfmc_results_dispose(&c->results[i]);
		if (i < n && c->ready && c->ready[i])
			sfmc_scanner_dispose(&c->scanners[i]);
		if (i < n && c->readers)
			sfmc_packreader_free(c->readers[i]);
		if (i < n && c->guards)
			sfmc_packguard_free(c->guards[i]);
		if (i < n && c->repos)
			sfmc_gitrepo_close(c->repos[i]);
	}
	free(c->repos);
	free(c->scanners);
	free(c->ready);
	free(c->readers);
	free(c->guards);
	free(c->results);
	free(c->state);
	return rc;
}

/* Asks the hooks which blobs were scanned before: their findings go to
 * c->results[n] and they are not read. Returns how many are left to read. */
static int skip_known(scan_ctx *c, unsigned n, size_t *left)
{
	const sfmc_blobset_hooks *h = c->opts->hooks;
	char hex[GIT_OID_HEXSZ + 1];
	int k;

	*left = c->set->n;
	for (size_t b = 0; h && h->known && b < c->set->n; b++) {
		git_oid_tostr(hex, sizeof(hex), &c->set->oids[b]);
		if ((k = h->known(h->ctx, hex, &c->results[n])) < 0)
			return -1;
		if (k > 0) {
			c->state[b] = BLOB_KNOWN;
			(*left)--;
		}
	}
	return 0;
}

/* Tells the hooks what was scanned whole and what it held (not the known blobs' findings). */
static int tell_scanned(const scan_ctx *c, unsigned n)
{
	const sfmc_blobset_hooks *h = c->opts->hooks;
	char hex[GIT_OID_HEXSZ + 1];

	for (size_t b = 0; h && h->scanned && b < c->set->n; b++) {
		git_oid_tostr(hex, sizeof(hex), &c->set->oids[b]);
		if (c->state[b] == BLOB_DONE && h->scanned(h->ctx, hex) < 0)
			return -1;
	}
	for (unsigned w = 0; h && h->finding && w < n; w++)
		for (size_t i = 0; i < c->results[w].nfindings; i++)
			if (h->finding(h->ctx, &c->results[w].findings[i]) < 0)
				return -1;
	return 0;
}

/* Reads and scans what is left: a run where every blob is known opens no pack. */
static int scan_left(scan_ctx *c, sfmc_blobset *s, unsigned n, size_t left)
{
	if (!left) {
		sfmc_progress_add(s->n, 0);
		return c->repos[0] ? 0 : sfmc_gitrepo_open(&c->repos[0], c->repo_path);
	}
	if (worker_setup(c, 0) < 0 || read_order(s, c->repos[0], c->readers[0]) < 0 ||
	    sfmc_pool_run(n, (s->n + c->run_len - 1) / c->run_len, scan_run, c) < 0)
		return -1;
	return tell_scanned(c, n);
}

int sfmc_blobset_scan(sfmc_blobset *s, const char *repo_path, const sfmc_ruleset *rules,
		      const sfmc_blobset_opts *opts, sfmc_results *out)
{
	by_blob g = { 0 };
	scan_ctx c = { .set = s, .g = &g, .repo_path = repo_path, .rules = rules, .opts = opts };
	unsigned n = opts->threads ? opts->threads : sfmc_pool_cpus();
	cand *v = NULL;
	size_t nv = 0, left = 0;
	int rc = -1;

	if (n > s->n)
		n = s->n ? (unsigned)s->n : 1;
#ifdef __GLIBC__
	/* The walk's freed memory goes back to the system before the readers
	 * allocate theirs, so the peak is the larger of the two phases, not their sum. */
	malloc_trim(0);
#endif
	if (ctx_alloc(&c, n) < 0)
		goto cleanup;
	sfmc_progress_expect(s->n);
	sfmc_progress_expect_done();
	if (group_by_blob(s, &g) < 0 || skip_known(&c, n, &left) < 0 || scan_left(&c, s, n, left) < 0)
		goto cleanup;
	if (expand(s, &g, c.results, n + 1, &v, &nv) < 0 || emit(s, c.repos[0], v, nv, out) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	rc = ctx_release(&c, n, out, rc);
	free(v);
	free(g.start);
	free(g.occ);
	return rc;
}
