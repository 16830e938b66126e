/* hook.c - hook installer, pre-push / pre-receive protocols and hook advice
 * (see hook.h). */
#define _GNU_SOURCE
#include "app/hook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bounds.h"
#include "report/report.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

/* First comment line of every hook sfmc-scan writes: how it recognises its own. */
#define HOOK_MARKER "# sfmc-scan hook: written by `sfmc-scan hook install`"
/* Where --chain keeps the hook that was there before. */
#define CHAINED_SUFFIX ".sfmc-scan-chained"

static const struct {
	sfmc_hook_kind kind;
	const char *name;  /* file name in the hooks directory and sfmc-scan command */
	bool reads_stdin;  /* git feeds ref lines on stdin: both hooks must see them */
} hooks[] = {
	{ SFMC_HOOK_PRE_COMMIT, "pre-commit", false },
	{ SFMC_HOOK_PRE_PUSH, "pre-push", true },
	{ SFMC_HOOK_PRE_RECEIVE, "pre-receive", true },
};
#define NHOOKS (sizeof(hooks) / sizeof(hooks[0]))

/* ---- repository and hooks directory ---- */

static int open_repo(git_repository **repo, const char *path)
{
	int rc = path ? git_repository_open_ext(repo, path, 0, NULL)
		      : git_repository_open_ext(repo, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	if (rc < 0) {
		const git_error *e = git_error_last();
		return sfmc_error_set("%s: not a git repository (%s)", path ? path : ".", e ? e->message : "unknown");
	}
	return 0;
}

/* The hooks directory git uses: core.hooksPath (relative to where hooks run:
 * the work tree, or the git directory of a bare repository), else <commondir>/hooks. */
static char *hooks_dir(git_repository *repo)
{
	git_config *cfg = NULL;
	git_buf val = { 0 };
	sfmc_buf b = SFMC_BUF_INIT;
	const char *base = git_repository_is_bare(repo) ? git_repository_path(repo) : git_repository_workdir(repo);
	int rc = -1;

	sfmc_buf_init(&b, 0);
	if (git_repository_config_snapshot(&cfg, repo) == 0 && git_config_get_path(&val, cfg, "core.hooksPath") == 0 &&
	    val.ptr && *val.ptr) {
		if (val.ptr[0] == '/')
			rc = sfmc_buf_puts(&b, val.ptr);
		else
			rc = sfmc_buf_printf(&b, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/", val.ptr);
	} else {
		rc = sfmc_buf_printf(&b, "%shooks", git_repository_commondir(repo));
	}
	git_buf_dispose(&val);
	git_config_free(cfg);
	if (rc < 0) {
		sfmc_buf_dispose(&b);
		sfmc_error_set("out of memory");
		return NULL;
	}
	while (b.size > 1 && b.ptr[b.size - 1] == '/')
		b.ptr[--b.size] = '\0';
	return sfmc_buf_detach(&b);
}

/* ---- hook scripts ---- */

/* Appends s as one single-quoted shell word. */
static int sh_quote(sfmc_buf *b, const char *s)
{
	int rc = sfmc_buf_putc(b, '\'');
	for (; *s && rc == 0; s++)
		rc = *s == '\'' ? sfmc_buf_puts(b, "'\\''") : sfmc_buf_putc(b, *s);
	return rc ? rc : sfmc_buf_putc(b, '\'');
}

static int script(sfmc_buf *b, size_t h, const char *exe, const char *chained)
{
	int rc = 0;

	rc |= sfmc_buf_printf(b, "#!/bin/sh\n%s (%s); `sfmc-scan hook uninstall`\n"
			      "# removes it and puts back the hook it chained, if any.\nsfmc=", HOOK_MARKER, hooks[h].name);
	rc |= sh_quote(b, exe);
	rc |= sfmc_buf_puts(b, "\nif [ ! -x \"$sfmc\" ]; then\n"
			       "\tmissing=$sfmc\n"
			       "\tsfmc=$(command -v sfmc-scan) || {\n"
			       "\t\techo \"sfmc-scan hook: $missing is missing and sfmc-scan is not on PATH:"
			       " reinstall sfmc-scan, or run 'sfmc-scan hook uninstall'\" >&2\n"
			       "\t\texit 1\n\t}\nfi\n");
	if (!chained)
		return rc | sfmc_buf_printf(b, "exec \"$sfmc\" %s \"$@\"\n", hooks[h].name);
	rc |= sfmc_buf_puts(b, "chained=");
	rc |= sh_quote(b, chained);
	if (!hooks[h].reads_stdin)
		return rc | sfmc_buf_printf(b, "\nif [ -x \"$chained\" ]; then \"$chained\" \"$@\" || exit $?; fi\n"
					       "exec \"$sfmc\" %s \"$@\"\n", hooks[h].name);
	/* Both hooks read the same ref lines: keep stdin byte for byte. */
	return rc | sfmc_buf_printf(b, "\ninput=$(cat; echo .)\ninput=${input%%.}\n"
				       "if [ -x \"$chained\" ]; then printf '%%s' \"$input\" | \"$chained\" \"$@\" || exit $?; fi\n"
				       "printf '%%s' \"$input\" | \"$sfmc\" %s \"$@\"\n", hooks[h].name);
}

/* true when path is a hook sfmc-scan wrote. */
static bool is_ours(const char *path)
{
	char head[512];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return false;
	n = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (n <= 0)
		return false;
	head[n] = '\0';
	return strstr(head, HOOK_MARKER) != NULL;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Writes the hook through a temporary file and rename, mode 0755. */
static int write_hook(const char *path, const sfmc_buf *text)
{
	sfmc_buf tmp = SFMC_BUF_INIT;
	int fd = -1, rc = -1;

	sfmc_buf_init(&tmp, 0);
	if (sfmc_buf_printf(&tmp, "%s.sfmc-scan-new", path) < 0)
		goto cleanup;
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0755);
	if (fd < 0) {
		sfmc_error_set_errno("%s: cannot create", tmp.ptr);
		goto cleanup;
	}
	if (write(fd, text->ptr, text->size) != (ssize_t)text->size || fchmod(fd, 0755) < 0 || close(fd) < 0) {
		fd = -1;
		sfmc_error_set_errno("%s: cannot write", tmp.ptr);
		unlink(tmp.ptr);
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp.ptr, path) < 0) {
		sfmc_error_set_errno("%s: cannot rename to %s", tmp.ptr, path);
		unlink(tmp.ptr);
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	sfmc_buf_dispose(&tmp);
	return rc;
}

/* What install or uninstall will do to one hook, decided before anything changes. */
typedef struct hook_plan {
	size_t h;
	char *path, *chained;
	bool move_old;      /* install: old hook -> chained */
	bool chain;         /* install: the script runs the chained hook */
	bool remove_ours;   /* uninstall */
	bool restore_old;   /* uninstall: chained -> hook */
} hook_plan;

static unsigned selected(const sfmc_hook_opts *o, git_repository *repo, bool install)
{
	if (o->kinds)
		return o->kinds;
	if (!install)
		return SFMC_HOOK_PRE_COMMIT | SFMC_HOOK_PRE_PUSH | SFMC_HOOK_PRE_RECEIVE;
	return git_repository_is_bare(repo) ? SFMC_HOOK_PRE_RECEIVE : SFMC_HOOK_PRE_COMMIT | SFMC_HOOK_PRE_PUSH;
}

static int plan_paths(hook_plan *p, const char *dir, size_t h)
{
	p->h = h;
	if (asprintf(&p->path, "%s/%s", dir, hooks[h].name) < 0 ||
	    asprintf(&p->chained, "%s/%s%s", dir, hooks[h].name, CHAINED_SUFFIX) < 0) {
		p->path = p->chained = NULL;
		return sfmc_error_set("out of memory");
	}
	return 0;
}

static int plan_install(hook_plan *p, const sfmc_hook_opts *o)
{
	bool old = exists(p->path), ours = old && is_ours(p->path), had_chain = exists(p->chained);

	if (old && !ours) {
		if (!o->chain)
			return sfmc_error_set("%s already exists and sfmc-scan did not write it: nothing was changed. "
					      "Re-run with --chain to keep it and run both, or move it away first",
					      p->path);
		if (had_chain)
			return sfmc_error_set("%s and %s both exist: nothing was changed. Remove one of them first",
					      p->path, p->chained);
		p->move_old = true;
	}
	p->chain = p->move_old || had_chain;
	return 0;
}

static int plan_uninstall(hook_plan *p, bool explicit)
{
	bool cur = exists(p->path), ours = cur && is_ours(p->path);

	if (cur && !ours) {
		if (explicit)
			return sfmc_error_set("%s was not written by sfmc-scan: nothing was changed", p->path);
		return 0;
	}
	p->remove_ours = cur;
	p->restore_old = exists(p->chained);
	return 0;
}

static int apply_install(const hook_plan *p, const char *exe, FILE *log)
{
	sfmc_buf text = SFMC_BUF_INIT;
	int rc = -1;

	sfmc_buf_init(&text, 0);
	if (script(&text, p->h, exe, p->chain ? p->chained : NULL) < 0) {
		sfmc_error_set("out of memory");
		goto cleanup;
	}
	if (p->move_old && rename(p->path, p->chained) < 0) {
		sfmc_error_set_errno("cannot rename %s to %s", p->path, p->chained);
		goto cleanup;
	}
	if (write_hook(p->path, &text) < 0)
		goto cleanup;
	fprintf(log, "sfmc-scan: installed %s%s%s\n", p->path, p->chain ? "; it runs first the previous hook, now " : "",
		p->chain ? p->chained : "");
	rc = 0;
cleanup:
	sfmc_buf_dispose(&text);
	return rc;
}

static int apply_uninstall(const hook_plan *p, FILE *log)
{
	if (p->remove_ours && unlink(p->path) < 0)
		return sfmc_error_set_errno("cannot remove %s", p->path);
	if (p->restore_old && rename(p->chained, p->path) < 0)
		return sfmc_error_set_errno("cannot rename %s back to %s", p->chained, p->path);
	if (p->remove_ours || p->restore_old)
		fprintf(log, "sfmc-scan: removed sfmc-scan's %s%s\n", p->path,
			p->restore_old ? "; the previous hook is back in place" : "");
	return 0;
}

static int hook_change(const char *repo_path, const sfmc_hook_opts *o, FILE *log, bool install)
{
	git_repository *repo = NULL;
	hook_plan plans[NHOOKS];
	size_t n = 0;
	unsigned kinds;
	char *dir = NULL;
	int rc = -1;

	memset(plans, 0, sizeof(plans));
	git_libgit2_init();
	if (open_repo(&repo, repo_path) < 0 || !(dir = hooks_dir(repo)))
		goto cleanup;
	if (install && mkdir(dir, 0755) < 0 && errno != EEXIST) {
		sfmc_error_set_errno("%s: cannot create the hooks directory", dir);
		goto cleanup;
	}
	kinds = selected(o, repo, install);
	/* Decide for every hook first, so a refusal changes nothing. */
	for (size_t h = 0; h < NHOOKS; h++) {
		if (!(kinds & hooks[h].kind))
			continue;
		if (plan_paths(&plans[n], dir, h) < 0 ||
		    (install ? plan_install(&plans[n], o) : plan_uninstall(&plans[n], o->kinds != 0)) < 0) {
			n++;
			goto cleanup;
		}
		n++;
	}
	for (size_t i = 0; i < n; i++)
		if ((install ? apply_install(&plans[i], o->exe, log) : apply_uninstall(&plans[i], log)) < 0)
			goto cleanup;
	rc = 0;
cleanup:
	for (size_t i = 0; i < n; i++) {
		free(plans[i].path);
		free(plans[i].chained);
	}
	free(dir);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

int sfmc_hook_install(const char *repo_path, const sfmc_hook_opts *o, FILE *log)
{
	if (!o->exe || o->exe[0] != '/')
		return sfmc_error_set("hook install: the path of sfmc-scan must be absolute");
	return hook_change(repo_path, o, log, true);
}

int sfmc_hook_uninstall(const char *repo_path, const sfmc_hook_opts *o, FILE *log)
{
	return hook_change(repo_path, o, log, false);
}

/* ---- pre-push and pre-receive ---- */

typedef struct oidvec {
	git_oid *v;
	size_t n, a;
} oidvec;

static int oid_push(oidvec *o, const git_oid *id)
{
	if (o->n == o->a) {
		size_t na = o->a ? o->a * 2 : 16;
		git_oid *nv = realloc(o->v, na * sizeof(*nv));
		if (!nv)
			return sfmc_error_set("out of memory");
		o->v = nv;
		o->a = na;
	}
	o->v[o->n++] = *id;
	return 0;
}

/* Peels id (a commit or a tag) to its commit. Returns 0, 1 when the object
 * is missing, -1 when it is not a commit after peeling (message set). */
static int peel_commit(git_repository *repo, const git_oid *id, git_oid *commit, const char *ref)
{
	git_object *obj = NULL, *peeled = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if (git_object_lookup(&obj, repo, id, GIT_OBJECT_ANY) < 0)
		return 1;
	rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	if (rc == 0)
		*commit = *git_object_id(peeled);
	else
		sfmc_error_set("%s: %s is a %s, not a commit: it cannot be scanned", ref, git_oid_tostr(hex, sizeof(hex), id),
			       git_object_type2string(git_object_type(obj)));
	git_object_free(peeled);
	git_object_free(obj);
	return rc == 0 ? 0 : -1;
}

/* Reads up to nfields space-separated fields of one stdin line. Returns 1 at
 * end of input, 0 with fields set, -1 on a malformed line. */
static int read_fields(FILE *in, char **line, size_t *cap, size_t lineno, char **f, int nfields, const char *shape)
{
	ssize_t n;
	int got = 0;
	char *save = NULL, *tok;

	errno = 0;
	if ((n = getline(line, cap, in)) < 0)
		return ferror(in) ? sfmc_error_set_errno("stdin: cannot read") : 1;
	if (n > SFMC_HOOK_MAX_LINE)
		return sfmc_error_set("stdin:%zu: line longer than %d bytes", lineno, SFMC_HOOK_MAX_LINE);
	for (tok = strtok_r(*line, " \t\r\n", &save); tok && got < nfields; tok = strtok_r(NULL, " \t\r\n", &save))
		f[got++] = tok;
	if (got == 0) {
		f[0] = NULL; /* blank line */
		return 0;
	}
	if (got != nfields || tok)
		return sfmc_error_set("stdin:%zu: expected '%s'", lineno, shape);
	return 0;
}

static int parse_oid(git_oid *id, const char *hex, size_t lineno)
{
	if (strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(id, hex) < 0)
		return sfmc_error_set("stdin:%zu: '%s' is not an object id", lineno, hex);
	return 0;
}

/* Adds the peeled commit of id to v; a missing object or a non-commit is
 * recorded in out->errors so the hook fails closed. */
static int want_commit(git_repository *repo, const git_oid *id, const char *ref, oidvec *v, sfmc_results *out)
{
	git_oid c;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = peel_commit(repo, id, &c, ref);

	if (rc == 0)
		return oid_push(v, &c);
	if (rc > 0)
		sfmc_error_set("commit %s is not in the repository", git_oid_tostr(hex, sizeof(hex), id));
	return sfmc_results_add_error(out, ref, sfmc_error_last());
}

/* Excludes the commits every refs/remotes/<remote>/ ref points at. */
static int exclude_remote_refs(git_repository *repo, const char *remote, oidvec *ex)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	git_object *obj;
	char *glob = NULL;
	int rc = 0;

	if (!remote || !*remote || strchr(remote, ':') || asprintf(&glob, "refs/remotes/%s/*", remote) < 0)
		return 0; /* a URL, not a remote: nothing is known to be there */
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

/* A stdin protocol: where the new tip, the old tip and the ref names are. */
typedef struct protocol {
	int nfields, new_oid, old_oid, new_ref, old_ref;
	const char *shape;
} protocol;

static const protocol pre_push = { 4, 1, 3, 0, 2, "<local ref> <local oid> <remote ref> <remote oid>" };
static const protocol pre_receive = { 3, 1, 0, 2, 2, "<old oid> <new oid> <ref>" };

/* Reads the ref lines: new tips go to inc, old tips we have to ex. */
static int read_refs(git_repository *repo, FILE *in, const protocol *p, oidvec *inc, oidvec *ex, sfmc_results *out)
{
	char *line = NULL, *f[4];
	size_t cap = 0, lineno = 0;
	git_oid new, old, c;
	int rc;

	while ((rc = read_fields(in, &line, &cap, ++lineno, f, p->nfields, p->shape)) == 0) {
		if (!f[0])
			continue;
		if ((rc = parse_oid(&new, f[p->new_oid], lineno)) < 0 || (rc = parse_oid(&old, f[p->old_oid], lineno)) < 0)
			break;
		if (git_oid_is_zero(&new))
			continue; /* a deletion sends nothing */
		if ((rc = want_commit(repo, &new, f[p->new_ref], inc, out)) < 0)
			break;
		/* The old tip, when this repository has it, is already on the other side. */
		if (!git_oid_is_zero(&old) && peel_commit(repo, &old, &c, f[p->old_ref]) == 0 && (rc = oid_push(ex, &c)) < 0)
			break;
	}
	free(line);
	return rc < 0 ? -1 : 0;
}

/* Reads the ref lines and scans what they add. remote: pre-push's remote
 * name (its tracking refs are excluded); hide_all_refs: pre-receive. */
static int scan_pushed(const protocol *p, const char *remote, bool hide_all_refs, FILE *in, const sfmc_ruleset *rules,
		       const sfmc_git_opts *gopts, sfmc_results *out)
{
	git_repository *repo = NULL;
	oidvec inc = { 0 }, ex = { 0 };
	int rc = -1;

	git_libgit2_init();
	/* GIT_DIR, GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES: a push quarantine is visible. */
	if (open_repo(&repo, NULL) < 0 || read_refs(repo, in, p, &inc, &ex, out) < 0 ||
	    exclude_remote_refs(repo, remote, &ex) < 0)
		goto cleanup;
	rc = inc.n ? sfmc_source_git_scan_commits(NULL, inc.v, inc.n, ex.v, ex.n, hide_all_refs, rules, gopts, out) : 0;
cleanup:
	free(inc.v);
	free(ex.v);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

int sfmc_hook_pre_push_scan(const char *remote, FILE *in, const sfmc_ruleset *rules, const sfmc_git_opts *gopts,
			    sfmc_results *out)
{
	return scan_pushed(&pre_push, remote, false, in, rules, gopts, out);
}

int sfmc_hook_pre_receive_scan(FILE *in, const sfmc_ruleset *rules, const sfmc_git_opts *gopts, sfmc_results *out)
{
	/* Every existing ref is hidden: history the server already has is never scanned again. */
	return scan_pushed(&pre_receive, NULL, true, in, rules, gopts, out);
}

/* ---- advice ---- */

/* A path or commit summary as the reports show it: redacted (report.h), escaped. */
static char *shown(const sfmc_ruleset *rules, const char *s, size_t len)
{
	size_t n;
	char *red = sfmc_redact(rules, s, len, &n), *esc = red ? sfmc_text_escape(red, n) : NULL;

	free(red);
	return esc;
}

static void print_finding(const sfmc_ruleset *rules, const sfmc_finding *f, FILE *out)
{
	char *path = shown(rules, f->path, f->path_len), *secret = sfmc_finding_redact(f), *summary = NULL;

	fprintf(out, "  %s:%llu:%llu  %s  %s", path ? path : "?", (unsigned long long)f->line,
		(unsigned long long)f->column, secret ? secret : "?", f->rule->name ? f->rule->name : f->rule->id);
	if (f->commit && f->commit->commit[0]) {
		summary = shown(rules, f->commit->summary, f->commit->summary ? strlen(f->commit->summary) : 0);
		fprintf(out, "\n      in commit %.12s \"%s\"", f->commit->commit, summary ? summary : "");
	}
	fputc('\n', out);
	free(path);
	free(secret);
	free(summary);
}

/* The rule's remediation, one escaped line at a time. */
static void print_indented(const char *text, FILE *out)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		char *esc = sfmc_text_escape(text, n);
		fprintf(out, "     %s\n", esc ? esc : "?");
		free(esc);
		text += n + (text[n] == '\n');
	}
}

static const char *oldest_commit(const sfmc_results *res, sfmc_level fail_on)
{
	const sfmc_commit_info *best = NULL;
	for (size_t i = 0; i < res->nfindings; i++) {
		const sfmc_finding *f = &res->findings[i];
		if (!f->suppressed && f->level >= fail_on && f->commit && f->commit->commit[0] &&
		    (!best || f->commit->time < best->time))
			best = f->commit;
	}
	return best ? best->commit : NULL;
}

static void print_remove_steps(const char *hook, const sfmc_results *res, sfmc_level fail_on, FILE *out)
{
	const char *oldest = oldest_commit(res, fail_on);

	if (!strcmp(hook, "pre-commit")) {
		fprintf(out, "  2. Remove it from the file (read it from an environment variable or a secret manager),\n"
			     "     then `git add` the file and commit again.\n");
		return;
	}
	fprintf(out, "  2. Remove it from every commit listed above, not only from the latest version:\n"
		     "     in the last commit: fix the file, `git add` it, `git commit --amend`;\n"
		     "     in an older one: `git rebase -i %.12s^`, mark the commit `edit`, fix the file,\n"
		     "     `git add` it, `git commit --amend`, `git rebase --continue`.\n"
		     "     Then push again.%s\n",
		oldest ? oldest : "<commit>", strcmp(hook, "pre-receive") ? "" : " (The server kept nothing of this push.)");
}

/* How to mark a false positive, with the config entry for the first finding. */
static void print_allow_steps(const char *hook, const sfmc_finding *f, FILE *out)
{
	fprintf(out, "  3. Not a real secret (a test fixture, an example)? Add a comment containing\n"
		     "     `sfmc-scan:allow` on that line, ");
	if (!strcmp(hook, "pre-receive")) {
		fprintf(out, "or ask the server's administrator to allow its\n"
			     "     fingerprint %s (README, \"Suppressing findings\").\n", f->fingerprint);
		return;
	}
	fprintf(out, "or allow it in .sfmc-scan.yaml at the top of the work tree:\n"
		     "         allow:\n"
		     "           - fingerprint: %s\n"
		     "             reason: \"why this is not a live secret\"\n"
		     "     (README, \"Suppressing findings\"; a baseline works too).\n", f->fingerprint);
}

void sfmc_hook_advice(const char *hook, const sfmc_ruleset *rules, const sfmc_results *res, sfmc_level fail_on,
		      FILE *out)
{
	size_t n = 0;
	const sfmc_finding *first = NULL;

	if (fail_on == SFMC_LEVEL_NONE)
		return;
	for (size_t i = 0; i < res->nfindings; i++)
		if (!res->findings[i].suppressed && res->findings[i].level >= fail_on)
			n++;
	if (!n)
		return;
	fprintf(out, "\nsfmc-scan: %s %s: %zu secret%s found%s:\n", strcmp(hook, "pre-commit") ? "push" : "commit",
		strcmp(hook, "pre-receive") ? "blocked" : "rejected by the server", n, n == 1 ? "" : "s",
		strcmp(hook, "pre-commit") ? " in commits the remote does not have yet" : " in the staged changes");
	for (size_t i = 0; i < res->nfindings; i++)
		if (!res->findings[i].suppressed && res->findings[i].level >= fail_on) {
			print_finding(rules, &res->findings[i], out);
			first = first ? first : &res->findings[i];
		}
	fprintf(out, "What to do now:\n");
	if (first->rule->remediation) {
		fprintf(out, "  1. Rotate the secret (%s):\n", first->rule->name ? first->rule->name : first->rule->id);
		print_indented(first->rule->remediation, out);
	} else {
		fprintf(out, "  1. Rotate the secret first: it may already have been copied (backups, logs, other clones).\n");
	}
	print_remove_steps(hook, res, fail_on, out);
	print_allow_steps(hook, first, out);
	if (strcmp(hook, "pre-receive"))
		fprintf(out, "  Skipping this hook (--no-verify) does not remove the secret: it %s in the history.\n",
			strcmp(hook, "pre-commit") ? "stays" : "would end up");
}
