/* source_git.c - the git history source (see source_git.h): ref tips ->
 * commits (gitwalk) -> the (blob, path, commit) triples each commit
 * introduces -> blobset (read and scan each blob once, expand findings). */
#define _GNU_SOURCE
#include "source/git.h"
#include "source/source.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "git/blobset.h"
#include "git/clone.h"
#include "git/repo.h"
#include "git/revwalk.h"
#include "util/bounds.h"
#include "git/pack.h"
#include "git/introduced.h"
#include "git/message.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"

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
	other_tip *others;
	size_t nothers, aothers;
	sfmc_packguard *guard; /* checks delta chains before libgit2 reads (ref_tips, list_all_objects) */
	oid_list tags;         /* annotated tags whose messages are scanned */
	bool want_tags;        /* peeling include tips: their tags go to tags */
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

/* Records a problem with ref `name` (or another file of the ref store) as an error of the scan, at name. */
static int ref_error(collect *c, const char *name, const char *what, const char *why)
{
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s%s%s", what, why ? ": " : "", why ? why : "");
	return sfmc_results_add_error(c->out, name, msg);
}

/* libgit2 could not parse the ref's target. A commit still is a tip: the
 * walk reads its tree and parents its own way (and reports what libgit2
 * refused); anything else is an error naming the ref. */
static int unparsed_target(collect *c, const char *name, const git_oid *id, oid_list *tips)
{
	char why[512];
	git_odb *odb = NULL;
	git_object_t type = GIT_OBJECT_INVALID;
	size_t len;

	snprintf(why, sizeof(why), "%s", git_error_last() ? git_error_last()->message : "unknown error");
	if (git_repository_odb(&odb, c->repo) == 0 && git_odb_read_header(&len, &type, odb, id) < 0)
		type = GIT_OBJECT_INVALID;
	git_odb_free(odb);
	if (type == GIT_OBJECT_COMMIT)
		return list_push(tips, id);
	git_error_set_str(GIT_ERROR_INVALID, why);
	return record(c, name, "cannot read its target", id);
}

/* Peels id (through annotated tags) to a commit tip, or remembers a tree or
 * blob tip when others is set. Unreadable targets are errors. */
static int peel_oid(collect *c, const char *name, const git_oid *id, oid_list *tips, bool others)
{
	git_object *o = NULL, *next = NULL;
	int rc = 0;

	/* libgit2 follows delta chains without a bound: check them first */
	if (sfmc_packguard_check(c->guard, id) < 0)
		return sfmc_results_add_error(c->out, name, sfmc_error_last());
	if (git_object_lookup(&o, c->repo, id, GIT_OBJECT_ANY) < 0)
		return unparsed_target(c, name, id, tips);
	while (git_object_type(o) == GIT_OBJECT_TAG) {
		if (c->want_tags && (rc = list_push(&c->tags, git_object_id(o))) < 0)
			goto cleanup;
		if (sfmc_packguard_check(c->guard, git_tag_target_id((git_tag *)o)) < 0) {
			rc = sfmc_results_add_error(c->out, name, sfmc_error_last());
			goto cleanup;
		}
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

/* Peels one ref by name. A ref that exists but cannot be resolved (empty,
 * garbage, unreadable) is an error naming it; one that does not exist (an
 * unborn HEAD, a dangling symbolic ref) has nothing to scan. */
static int peel_ref(collect *c, const char *name, oid_list *tips, bool others)
{
	git_oid id;
	int e = git_reference_name_to_id(&id, c->repo, name);

	if (e == GIT_ENOTFOUND)
		return 0;
	if (e < 0)
		return ref_error(c, name, "cannot resolve the ref",
				 git_error_last() ? git_error_last()->message : NULL);
	return peel_oid(c, name, &id, tips, others);
}

/* The names libgit2's ref iterator gave, sorted: what the ref store's own
 * listing (ref_files) need not resolve again. */
typedef struct names {
	char **v;
	size_t n, a;
} names;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool names_has(const names *s, const char *name)
{
	return s && s->n && bsearch(&name, s->v, s->n, sizeof(*s->v), cmp_name);
}

static void names_dispose(names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* A loose ref file read by hand: an object id, or "ref: <target>"
 * resolved through libgit2. libgit2's iterator silently skips the files
 * it cannot parse or read; here they are errors. */
static int loose_file(collect *c, const char *path, const char *name, oid_list *tips, bool others)
{
	char buf[4096];
	size_t k;
	git_oid id;
	FILE *f = fopen(path, "re");

	if (!f)
		return ref_error(c, name, "cannot read the ref", strerror(errno));
	k = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f)) {
		fclose(f);
		return ref_error(c, name, "cannot read the ref", strerror(errno));
	}
	fclose(f);
	while (k && (buf[k - 1] == '\n' || buf[k - 1] == '\r'))
		k--;
	buf[k] = '\0';
	if (!strncmp(buf, "ref: ", 5))
		return peel_ref(c, buf + 5, tips, others);
	if (k == GIT_OID_HEXSZ && git_oid_fromstrn(&id, buf, GIT_OID_HEXSZ) == 0)
		return peel_oid(c, name, &id, tips, others);
	return ref_error(c, name, k ? "not an object id or a symbolic ref" : "the ref file is empty", NULL);
}

/* Every file under dir (named prefix/...) that seen lacks: its tips, or an error. */
static int ref_files(collect *c, const char *dir, const char *prefix, const names *seen, oid_list *tips, bool others)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *path = NULL, *name = NULL;
	struct stat st;
	int rc = 0;

	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0
							   : ref_error(c, prefix, "cannot list it", strerror(errno));
	while (rc == 0 && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (l > 5 && !strcmp(e->d_name + l - 5, ".lock")))
			continue;
		free(path);
		free(name);
		name = NULL;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0 || asprintf(&name, "%s/%s", prefix, e->d_name) < 0) {
			path = NULL;
			rc = sfmc_error_set("out of memory");
		} else if (lstat(path, &st) < 0) { /* a symlinked directory is not followed: no loops */
			rc = ref_error(c, name, "cannot read the ref", strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = ref_files(c, path, name, seen, tips, others);
		} else if (!names_has(seen, name)) {
			rc = loose_file(c, path, name, tips, others);
		}
	}
	closedir(d);
	free(path);
	free(name);
	return rc;
}

/* packed-refs read by hand: a line that is not "<id> <ref>" (or "^<id>",
 * "# ...") is an error; refs libgit2 did not give are peeled from here. */
static int packed_refs(collect *c, const names *seen, oid_list *tips, bool others)
{
	char *path = NULL, *line = NULL, where[64];
	size_t cap = 0, lineno = 0;
	ssize_t k;
	git_oid id;
	FILE *f;
	int rc = 0;

	if (asprintf(&path, "%spacked-refs", git_repository_commondir(c->repo)) < 0)
		return sfmc_error_set("out of memory");
	f = fopen(path, "re");
	free(path);
	if (!f)
		return errno == ENOENT ? 0 : ref_error(c, "packed-refs", "cannot read it", strerror(errno));
	while (rc == 0 && (k = getline(&line, &cap, f)) > 0) {
		lineno++;
		while (k && (line[k - 1] == '\n' || line[k - 1] == '\r'))
			line[--k] = '\0';
		if (line[0] == '#' ||
		    (line[0] == '^' && k == GIT_OID_HEXSZ + 1 && git_oid_fromstrn(&id, line + 1, GIT_OID_HEXSZ) == 0))
			continue;
		if (k > GIT_OID_HEXSZ + 1 && line[GIT_OID_HEXSZ] == ' ' &&
		    git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) == 0) {
			if (!names_has(seen, line + GIT_OID_HEXSZ + 1))
				rc = peel_oid(c, line + GIT_OID_HEXSZ + 1, &id, tips, others);
			continue;
		}
		snprintf(where, sizeof(where), "packed-refs:%zu", lineno);
		rc = ref_error(c, where, "not \"<id> <ref>\"", NULL);
	}
	if (rc == 0 && ferror(f))
		rc = ref_error(c, "packed-refs", "cannot read it", strerror(errno));
	free(line);
	fclose(f);
	return rc;
}

/* What libgit2's iterator lists (and peels), into seen. Failing to list is an error, not the end. */
static int iterated_refs(collect *c, names *seen, oid_list *tips, bool others)
{
	git_reference_iterator *it = NULL;
	const char *name;
	int rc = 0, e;

	if (git_reference_iterator_new(&it, c->repo) < 0)
		return ref_error(c, "refs", "cannot list references",
				 git_error_last() ? git_error_last()->message : NULL);
	while (rc == 0 && (e = git_reference_next_name(&name, it)) == 0) {
		if ((rc = SFMC_ARRAY_GROW(seen->v, seen->n, seen->a)) < 0 || !(seen->v[seen->n] = strdup(name)))
			rc = sfmc_error_set("out of memory");
		else
			seen->n++;
		if (rc == 0)
			rc = peel_ref(c, name, tips, others);
	}
	git_reference_iterator_free(it);
	if (rc == 0 && e != GIT_ITEROVER)
		rc = ref_error(c, "refs", "cannot list references",
			       git_error_last() ? git_error_last()->message : NULL);
	if (seen->n > 1)
		qsort(seen->v, seen->n, sizeof(*seen->v), cmp_name);
	return rc;
}

/* Linked worktrees ($GIT_COMMON_DIR/worktrees/<id>): each one's HEAD and
 * per-worktree refs, and the main worktree's HEAD when opened from a linked one. */
static int worktree_tips(collect *c, oid_list *tips, bool others)
{
	const char *common = git_repository_commondir(c->repo);
	char *dir = NULL, *path = NULL, *name = NULL;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (strcmp(common, git_repository_path(c->repo)) && asprintf(&path, "%sHEAD", common) >= 0) {
		rc = loose_file(c, path, "HEAD (main worktree)", tips, others);
		free(path);
		path = NULL;
	}
	if (rc < 0 || asprintf(&dir, "%sworktrees", common) < 0)
		return -1;
	if (!(d = opendir(dir))) {
		rc = errno == ENOENT ? 0 : ref_error(c, "worktrees", "cannot list them", strerror(errno));
		free(dir);
		return rc;
	}
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s/HEAD", dir, e->d_name) < 0 ||
		    asprintf(&name, "worktrees/%s/HEAD", e->d_name) < 0) {
			rc = sfmc_error_set("out of memory");
			break;
		}
		if (access(path, F_OK) == 0) /* not a worktree's directory otherwise */
			rc = loose_file(c, path, name, tips, others);
		/* ".../HEAD" becomes ".../refs": the same length, in place. */
		memcpy(path + strlen(path) - 4, "refs", 4);
		memcpy(name + strlen(name) - 4, "refs", 4);
		if (rc == 0)
			rc = ref_files(c, path, name, NULL, tips, others);
		free(path);
		free(name);
		path = name = NULL;
	}
	closedir(d);
	free(path);
	free(dir);
	return rc;
}

/* Every ref, HEAD, every worktree's HEAD and every entry of the stash's
 * reflog. libgit2 lists and resolves the refs; the ref store is also read
 * by hand, so that what libgit2 skips (an empty, garbage or unreadable ref
 * file, a packed-refs line it cannot parse) is an error naming it while the
 * rest is still scanned. */
static int ref_tips(collect *c, oid_list *tips, bool others)
{
	names seen = { 0 };
	char *refs = NULL;
	git_reflog *log = NULL;
	int rc;

	if (!c->guard && sfmc_packguard_new(&c->guard, c->repo) < 0)
		return -1;
	if ((rc = peel_ref(c, "HEAD", tips, others)) < 0 || (rc = iterated_refs(c, &seen, tips, others)) < 0)
		goto cleanup;
	/* Under GIT_NAMESPACE libgit2 lists one namespace: the store's other refs are not this scan's. */
	if (!git_repository_get_namespace(c->repo)) {
		if (asprintf(&refs, "%srefs", git_repository_commondir(c->repo)) < 0) {
			rc = sfmc_error_set("out of memory");
			goto cleanup;
		}
		if ((rc = ref_files(c, refs, "refs", &seen, tips, others)) < 0 ||
		    (rc = packed_refs(c, &seen, tips, others)) < 0 || (rc = worktree_tips(c, tips, others)) < 0)
			goto cleanup;
	}
	/* Older stashes live only in the reflog of refs/stash. */
	if (git_reflog_read(&log, c->repo, "refs/stash") < 0) {
		rc = ref_error(c, "refs/stash", "cannot read its reflog",
			       git_error_last() ? git_error_last()->message : NULL);
		goto cleanup;
	}
	for (size_t i = 0; rc == 0 && i < git_reflog_entrycount(log); i++)
		rc = list_push(tips, git_reflog_entry_id_new(git_reflog_entry_byindex(log, i)));
cleanup:
	git_reflog_free(log);
	free(refs);
	names_dispose(&seen);
	return rc;
}

/* Trees and blobs that a ref names directly (a tag of a tree or blob). */
static int collect_others(collect *c)
{
	int rc = 0;
	for (size_t i = 0; i < c->nothers && rc == 0; i++) {
		other_tip *t = &c->others[i];
		uint32_t pid;
		if (t->type == GIT_OBJECT_BLOB) {
			if ((rc = sfmc_strtab_intern(&c->set->paths, t->ref, strlen(t->ref), &pid)) == 0)
				rc = sfmc_blobset_add(c->set, &t->id, pid, SFMC_NO_COMMIT);
		} else if (t->type == GIT_OBJECT_TREE) {
			rc = sfmc_treewalk_tree(c->repo, &t->id, t->ref, c->set, c->out);
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

	if (!c->guard && sfmc_packguard_new(&c->guard, c->repo) < 0)
		return -1;
	if (git_repository_odb(&odb, c->repo) < 0)
		return sfmc_gitrepo_error("cannot open the object database");
	if (git_odb_foreach(odb, odb_each, &all) < 0)
		rc = sfmc_results_add_error(c->out, "objects", git_error_last() ? git_error_last()->message :
							       sfmc_error_last());
	for (size_t i = 0; i < all.n && rc == 0; i++) {
		if (sfmc_packguard_check(c->guard, &all.v[i]) < 0)
			rc = sfmc_results_add_error(c->out, git_oid_tostr_s(&all.v[i]), sfmc_error_last());
		else if (git_odb_read_header(&len, &type, odb, &all.v[i]) < 0)
			rc = record(c, NULL, "cannot read object", &all.v[i]);
		else if (type == GIT_OBJECT_COMMIT)
			rc = list_push(commits, &all.v[i]);
		else if (type == GIT_OBJECT_BLOB)
			rc = list_push(blobs, &all.v[i]);
		else if (type == GIT_OBJECT_TAG)
			rc = list_push(&c->tags, &all.v[i]);
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
	sfmc_blobset_opts bopts = { opts->threads, opts->max_file_size, NULL, opts->hooks };
	sfmc_treewalk_opts wopts = { repo_path, opts->threads, false, NULL };
	sfmc_packset *packs = NULL; /* the packs indexed once for the walk, the trees and the blobs */
	sfmc_gitmsg msgs;
	bool msgs_ready = false;
	int rc = -1;

	sfmc_blobset_init(&set);
	/* Whole history: a (tree, path) walked once covers every later visit. */
	wopts.use_visited = p->all_refs && !p->nexclude && !p->hide_all_refs;
	if (sfmc_packset_new(&packs, repo) < 0)
		goto cleanup;
	wopts.packs = bopts.packs = packs;
	/* Ranges (hooks) may touch a handful of objects: they index packs only when a reader needs it. Whole
	 * history: indexed now, the delta children counted on a spare thread while the commits are walked. */
	if (p->all_refs)
		sfmc_packset_prepare(packs, opts->threads != 1);
	for (size_t i = 0; i < p->ninclude; i++)
		if (list_push(&inc, &p->include[i]) < 0)
			goto cleanup;
	for (size_t i = 0; i < p->nexclude; i++)
		if (list_push(&exc, &p->exclude[i]) < 0)
			goto cleanup;
	for (size_t i = 0; i < opts->ntags; i++)
		if (list_push(&c.tags, &opts->tags[i]) < 0)
			goto cleanup;
	c.want_tags = true;
	if (p->all_refs && ref_tips(&c, &inc, true) < 0)
		goto cleanup;
	c.want_tags = false;
	if ((p->hide_all_refs && ref_tips(&c, &exc, false) < 0) ||
	    (p->all_objects && list_all_objects(&c, &inc, &blobs) < 0))
		goto cleanup;
	if (sfmc_gitmsg_init(&msgs, rules) < 0)
		goto cleanup;
	msgs_ready = true;
	if (sfmc_gitwalk_select(repo, packs, inc.v, inc.n, exc.v, exc.n, p->all_refs && opts->threads != 1, &msgs.walk,
				out, &commits, &ncommits) < 0 ||
	    sfmc_gitmsg_finish(&msgs, repo, commits, ncommits, out) < 0 ||
	    sfmc_gitmsg_scan_tags(&msgs, repo, c.tags.v, c.tags.n, out) < 0)
		goto cleanup;
	if (sfmc_treewalk_commits(repo, commits, ncommits, &wopts, &set, out) < 0 || collect_others(&c) < 0 ||
	    add_orphans(&c, &blobs) < 0)
		goto cleanup;
	rc = sfmc_blobset_scan(&set, repo_path, rules, &bopts, out);
cleanup:
	if (msgs_ready)
		sfmc_gitmsg_dispose(&msgs);
	free(c.tags.v);
	sfmc_packguard_free(c.guard);
	for (size_t i = 0; i < c.nothers; i++)
		free(c.others[i].ref);
	free(c.others);
	sfmc_gitwalk_free(commits, ncommits);
	free(inc.v);
	free(exc.v);
	free(blobs.v);
	sfmc_blobset_dispose(&set);
	sfmc_packset_free(packs); /* after every reader: the walk's, the trees' and the blobs' are freed */
	return rc;
}

int sfmc_source_git_scan(git_repository *repo, const char *repo_path, const sfmc_ruleset *rules,
			 const sfmc_git_opts *opts, sfmc_results *out)
{
	plan p = { .all_refs = true, .all_objects = opts->all_objects };
	return run(repo, repo_path, &p, rules, opts, out);
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

int sfmc_source_git_scan_range(git_repository *repo, const char *repo_path, const char *range,
			       const sfmc_ruleset *rules, const sfmc_git_opts *opts, sfmc_results *out)
{
	git_revspec spec = { 0 };
	git_oid inc[2], exc[1];
	plan p = { .include = inc, .exclude = exc };
	int rc = -1;

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
	return rc;
}

int sfmc_source_git_scan_commits(git_repository *repo, const char *repo_path, const git_oid *include,
				 size_t ninclude, const git_oid *exclude, size_t nexclude, bool hide_all_refs,
				 const sfmc_ruleset *rules, const sfmc_git_opts *opts, sfmc_results *out)
{
	plan p = { include, exclude, ninclude, nexclude, false, hide_all_refs, false };
	return run(repo, repo_path, &p, rules, opts, out);
}

/* ---- the `git` source type (source.h) ---- */

static int git_args(sfmc_source_ctx *ctx, const char *const *args, size_t nargs)
{
	bool url = false;
	int rc;

	if (nargs > 1) {
		sfmc_error_set("git takes at most one repository");
		return SFMC_EUSAGE;
	}
	if (ctx->range && ctx->all_objects) {
		sfmc_error_set("--range and --all-objects cannot be combined");
		return SFMC_EUSAGE;
	}
	if (nargs && (rc = sfmc_gitclone_classify(args[0], &url)) < 0)
		return rc;
	if (!url && (ctx->clone_dir || ctx->git_token_env || ctx->git_cacert)) {
		sfmc_error_set("%s needs a repository URL (a local repository is scanned where it is)",
			       ctx->clone_dir       ? "--clone-dir"
			       : ctx->git_token_env ? "--git-token-env"
						    : "--git-cacert");
		return SFMC_EUSAGE;
	}
	if (url) { /* the URL is never a root: reports and errors name it without credentials */
		ctx->url = args[0];
		return SFMC_OK;
	}
	ctx->roots = args;
	ctx->nroots = nargs;
	return SFMC_OK;
}

static void git_describe(const sfmc_source_ctx *ctx, sfmc_source_desc *desc)
{
	sfmc_source_describe_repo(ctx, desc, true);
}

static int git_scan(const sfmc_source_ctx *ctx, sfmc_results *out)
{
	sfmc_git_opts o = { .threads = ctx->threads,
			    .max_file_size = ctx->max_file_size,
			    .all_objects = ctx->all_objects,
			    .hooks = ctx->blob_hooks };
	const char *path = sfmc_source_repo_path(ctx);

	if (ctx->range)
		return sfmc_source_git_scan_range(ctx->repo, path, ctx->range, ctx->rules, &o, out);
	return sfmc_source_git_scan(ctx->repo, path, ctx->rules, &o, out);
}

const sfmc_source_type sfmc_source_type_git = {
	.name = "git",
	.unit = "blob",
	.units = "blobs",
	.git = true,
	.check_args = git_args,
	.describe = git_describe,
	.scan = git_scan,
	.scan_current = sfmc_source_scan_head,
};
