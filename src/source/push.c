/* push.c - the pre-push and pre-receive sources: git's stdin protocols
 * ("<local ref> <local oid> <remote ref> <remote oid>", "<old> <new> <ref>")
 * turned into the commits to scan (source/git.h). Moved out of app/hook.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bounds.h"
#include "git/remote.h"
#include "source/git.h"
#include "source/source.h"
#include "util/array.h"
#include "util/error.h"

typedef struct oidvec {
	git_oid *v;
	size_t n, a;
} oidvec;

static int oid_push(oidvec *o, const git_oid *id)
{
	if (SFMC_ARRAY_GROW(o->v, o->n, o->a) < 0)
		return SFMC_ERROR;
	o->v[o->n++] = *id;
	return SFMC_OK;
}

/* Peels id (a commit or a tag) to its commit. Returns SFMC_OK, SFMC_ENOTFOUND
 * when the object is missing, SFMC_EINVALID when it is not a commit after
 * peeling (message set for both). */
static int peel_commit(git_repository *repo, const git_oid *id, git_oid *commit, const char *ref)
{
	git_object *obj = NULL, *peeled = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if (git_object_lookup(&obj, repo, id, GIT_OBJECT_ANY) < 0) {
		sfmc_error_set("commit %s is not in the repository", git_oid_tostr(hex, sizeof(hex), id));
		return SFMC_ENOTFOUND;
	}
	rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	if (rc == 0)
		*commit = *git_object_id(peeled);
	else
		sfmc_error_set("%s: %s is a %s, not a commit: it cannot be scanned", ref, git_oid_tostr(hex, sizeof(hex), id),
			       git_object_type2string(git_object_type(obj)));
	git_object_free(peeled);
	git_object_free(obj);
	return rc == 0 ? SFMC_OK : SFMC_EINVALID;
}

/* Reads up to nfields space-separated fields of one stdin line into f
 * (f[0] NULL: a blank line); *end is set at the end of input. Returns
 * SFMC_OK, or SFMC_EINVALID on a malformed line, SFMC_ERROR when unreadable. */
static int read_fields(FILE *in, char **line, size_t *cap, size_t lineno, char **f, int nfields, const char *shape,
		       bool *end)
{
	ssize_t n;
	int got = 0;
	char *save = NULL, *tok;

	errno = 0;
	*end = false;
	if ((n = getline(line, cap, in)) < 0) {
		*end = true;
		return ferror(in) ? sfmc_error_set_errno("stdin: cannot read") : SFMC_OK;
	}
	if (n > SFMC_HOOK_MAX_LINE) {
		sfmc_error_set("stdin:%zu: line longer than %d bytes", lineno, SFMC_HOOK_MAX_LINE);
		return SFMC_ELIMIT;
	}
	for (tok = strtok_r(*line, " \t\r\n", &save); tok && got < nfields; tok = strtok_r(NULL, " \t\r\n", &save))
		f[got++] = tok;
	if (got == 0) {
		f[0] = NULL; /* blank line */
		return SFMC_OK;
	}
	if (got != nfields || tok) {
		sfmc_error_set("stdin:%zu: expected '%s'", lineno, shape);
		return SFMC_EINVALID;
	}
	return SFMC_OK;
}

static int parse_oid(git_oid *id, const char *hex, size_t lineno)
{
	if (strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(id, hex) < 0) {
		sfmc_error_set("stdin:%zu: '%s' is not an object id", lineno, hex);
		return SFMC_EINVALID;
	}
	return SFMC_OK;
}

/* Adds the peeled commit of id to v; a missing object or a non-commit is
 * recorded in out->errors so the hook fails closed. */
static int want_commit(git_repository *repo, const git_oid *id, const char *ref, oidvec *v, sfmc_results *out)
{
	git_oid c;

	if (peel_commit(repo, id, &c, ref) == SFMC_OK)
		return oid_push(v, &c);
	return sfmc_results_add_error(out, ref, sfmc_error_last());
}

static int exclude_one(const git_oid *commit, void *payload)
{
	return oid_push(payload, commit);
}

/* An annotated tag pushed (its message is scanned too) goes to tags. */
static int want_tag(git_repository *repo, const git_oid *id, oidvec *tags)
{
	git_object *o = NULL;
	int rc = SFMC_OK;

	if (git_object_lookup(&o, repo, id, GIT_OBJECT_TAG) == 0)
		rc = oid_push(tags, id);
	git_object_free(o);
	return rc;
}

/* Excludes the commits every refs/remotes/<remote>/ ref points at. */
static int exclude_tracking_refs(git_repository *repo, const char *remote, oidvec *ex)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	git_object *obj;
	char *glob = NULL;
	int rc = SFMC_OK;

	if (!remote || !*remote || strchr(remote, ':') || asprintf(&glob, "refs/remotes/%s/*", remote) < 0)
		return SFMC_OK; /* a URL, not a remote: nothing is known to be there */
	if (git_reference_iterator_glob_new(&it, repo, glob) == 0) {
		while (rc == 0 && git_reference_next(&ref, it) == 0) {
			if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
				rc = oid_push(ex, git_object_id(obj));
				git_object_free(obj);
			}
			git_reference_free(ref);
		}
	}
	git_reference_iterator_free(it);
	free(glob);
	return rc;
}

/* Excludes what the remote has: its refs as it answers now, since tracking
 * refs may be stale (a secret force-pushed off the remote and pushed again
 * from a clone that has not fetched must be scanned); refs/remotes/<remote>/
 * when it does not answer, saying so. */
static int exclude_remote(const sfmc_source_ctx *ctx, oidvec *ex)
{
	size_t n = ex->n;

	if ((!ctx->remote || !*ctx->remote) && (!ctx->remote_url || !*ctx->remote_url))
		return SFMC_OK; /* run by hand without a remote: only the old tips of the lines */
	if (sfmc_gitremote_tips(ctx->repo, ctx->remote, ctx->remote_url, exclude_one, ex) == SFMC_OK)
		return SFMC_OK;
	ex->n = n; /* a partial answer is no answer */
	fprintf(stderr,
		"sfmc-scan: pre-push: cannot ask the remote for its refs (%s); comparing with refs/remotes/%s/*, "
		"which may be stale\n",
		sfmc_error_last(), ctx->remote && *ctx->remote ? ctx->remote : "REMOTE");
	return exclude_tracking_refs(ctx->repo, ctx->remote, ex);
}

/* A stdin protocol: where the new tip, the old tip and the ref names are,
 * and whether every existing ref is hidden (pre-receive). */
typedef struct protocol {
	int nfields, new_oid, old_oid, new_ref, old_ref;
	const char *shape;
	bool hide_all_refs;
} protocol;

static const protocol pre_push = { 4, 1, 3, 0, 2, "<local ref> <local oid> <remote ref> <remote oid>", false };
/* Every existing ref is hidden: history the server already has is never scanned again. */
static const protocol pre_receive = { 3, 1, 0, 2, 2, "<old oid> <new oid> <ref>", true };

/* Reads the ref lines: new tips go to inc, old tips we have to ex. */
static int read_refs(git_repository *repo, FILE *in, const protocol *p, oidvec *inc, oidvec *ex, oidvec *tags,
		     sfmc_results *out)
{
	char *line = NULL, *f[4];
	size_t cap = 0, lineno = 0;
	git_oid new, old, c;
	bool end = false;
	int rc;

	while ((rc = read_fields(in, &line, &cap, ++lineno, f, p->nfields, p->shape, &end)) == SFMC_OK && !end) {
		if (!f[0])
			continue;
		if ((rc = parse_oid(&new, f[p->new_oid], lineno)) < 0 || (rc = parse_oid(&old, f[p->old_oid], lineno)) < 0)
			break;
		if (git_oid_is_zero(&new))
			continue; /* a deletion sends nothing */
		if ((rc = want_commit(repo, &new, f[p->new_ref], inc, out)) < 0 ||
		    (rc = want_tag(repo, &new, tags)) < 0)
			break;
		/* The old tip, when this repository has it, is already on the other side. */
		if (!git_oid_is_zero(&old) && peel_commit(repo, &old, &c, f[p->old_ref]) == SFMC_OK &&
		    (rc = oid_push(ex, &c)) < 0)
			break;
	}
	free(line);
	return rc < 0 ? SFMC_ERROR : SFMC_OK;
}

/* Reads the ref lines and scans what they add. remote: pre-push's remote
 * name (its tracking refs are excluded). */
static int scan_pushed(const sfmc_source_ctx *ctx, const protocol *p, sfmc_results *out)
{
	sfmc_git_opts gopts = { .threads = ctx->threads, .max_file_size = ctx->max_file_size };
	oidvec inc = { 0 }, ex = { 0 }, tags = { 0 };
	int rc = SFMC_ERROR;

	/* sfmc_source_open honours GIT_DIR, GIT_OBJECT_DIRECTORY and
	 * GIT_ALTERNATE_OBJECT_DIRECTORIES: a push quarantine is visible. */
	if (read_refs(ctx->repo, ctx->in, p, &inc, &ex, &tags, out) < 0 ||
	    (p == &pre_push && inc.n && exclude_remote(ctx, &ex) < 0))
		goto cleanup;
	gopts.tags = tags.v;
	gopts.ntags = tags.n;
	rc = inc.n ? sfmc_source_git_scan_commits(ctx->repo, NULL, inc.v, inc.n, ex.v, ex.n, p->hide_all_refs,
						  ctx->rules, &gopts, out)
		   : SFMC_OK;
cleanup:
	free(inc.v);
	free(ex.v);
	free(tags.v);
	return rc;
}

static int pre_push_scan(const sfmc_source_ctx *ctx, sfmc_results *out)
{
	return scan_pushed(ctx, &pre_push, out);
}

static int pre_receive_scan(const sfmc_source_ctx *ctx, sfmc_results *out)
{
	return scan_pushed(ctx, &pre_receive, out);
}

/* git runs the hook in the repository; its arguments are the remote's name and URL. */
static int pre_push_args(sfmc_source_ctx *ctx, const char *const *args, size_t nargs)
{
	if (nargs > 2) {
		sfmc_error_set("pre-push takes at most REMOTE and URL (git passes them)");
		return SFMC_EUSAGE;
	}
	ctx->remote = nargs ? args[0] : NULL;
	ctx->remote_url = nargs > 1 ? args[1] : NULL;
	return SFMC_OK;
}

static int pre_receive_args(sfmc_source_ctx *ctx, const char *const *args, size_t nargs)
{
	(void)ctx;
	(void)args;
	if (nargs) {
		sfmc_error_set("pre-receive takes no arguments (git feeds '<old> <new> <ref>' lines on stdin)");
		return SFMC_EUSAGE;
	}
	return SFMC_OK;
}

/* A push is not HEAD: its reports name no HEAD commit. */
static void describe_push(const sfmc_source_ctx *ctx, sfmc_source_desc *desc)
{
	sfmc_source_describe_repo(ctx, desc, false);
}

const sfmc_source_type sfmc_source_type_pre_push = {
	.name = "pre-push",
	.unit = "blob",
	.units = "blobs",
	.git = true,
	.check_args = pre_push_args,
	.describe = describe_push,
	.scan = pre_push_scan,
	.scan_current = sfmc_source_scan_head,
};

const sfmc_source_type sfmc_source_type_pre_receive = {
	.name = "pre-receive",
	.unit = "blob",
	.units = "blobs",
	.git = true,
	.check_args = pre_receive_args,
	.describe = describe_push,
	.scan = pre_receive_scan,
	.scan_current = sfmc_source_scan_head,
};
