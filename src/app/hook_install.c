/* hook_install.c - hook installer and the advice a blocked hook prints
 * (see hook_install.h). */
#define _GNU_SOURCE
#include "app/hook_install.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/bounds.h"
#include "git/repo.h"
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
	{ SFMC_HOOK_COMMIT_MSG, "commit-msg", false },
};
#define NHOOKS (sizeof(hooks) / sizeof(hooks[0]))

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
		return SFMC_HOOK_PRE_COMMIT | SFMC_HOOK_PRE_PUSH | SFMC_HOOK_PRE_RECEIVE | SFMC_HOOK_COMMIT_MSG;
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
	if (sfmc_gitrepo_discover(&repo, repo_path) < 0 || !(dir = sfmc_gitrepo_hooks_dir(repo)))
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
	sfmc_gitrepo_close(repo);
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

/* ---- advice ---- */

/* A path or commit summary as the reports show it: redacted (report.h), escaped. */
static char *shown(const sfmc_ruleset *rules, const char *s, size_t len)
{
	size_t n;
	char *red = sfmc_redact(rules, s, len, &n), *esc = red ? sfmc_text_escape(red, n) : NULL;

	free(red);
	return esc;
}

/* A finding's place: its path, or the message it is in. */
static char *place(const sfmc_ruleset *rules, const sfmc_finding *f)
{
	char *s = NULL, *p;
	int n;

	if (f->location == SFMC_LOCATION_FILE)
		return shown(rules, f->path, f->path_len);
	if (f->location == SFMC_LOCATION_TAG_MESSAGE)
		n = asprintf(&s, "tag %s message", f->tag ? f->tag : "?");
	else
		n = asprintf(&s, f->commit ? "commit %.12s message" : "commit message",
			     f->commit ? f->commit->commit : "");
	if (n < 0)
		return NULL;
	p = shown(rules, s, (size_t)n);
	free(s);
	return p;
}

static void print_finding(const sfmc_ruleset *rules, const sfmc_finding *f, FILE *out)
{
	char *path = place(rules, f), *secret = sfmc_finding_redact(f), *summary = NULL;

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

static bool is_push(sfmc_hook_kind kind)
{
	return kind == SFMC_HOOK_PRE_PUSH || kind == SFMC_HOOK_PRE_RECEIVE;
}

static void print_remove_steps(sfmc_hook_kind kind, const sfmc_results *res, sfmc_level fail_on, FILE *out)
{
	const char *oldest = oldest_commit(res, fail_on);

	if (kind == SFMC_HOOK_COMMIT_MSG) {
		fprintf(out, "  2. Remove it from the message and commit again; git kept the message:\n"
			     "     `git commit -e -F \"$(git rev-parse --git-dir)/COMMIT_EDITMSG\"`.\n");
		return;
	}
	if (kind == SFMC_HOOK_PRE_COMMIT) {
		fprintf(out, "  2. Remove it from the file (read it from an environment variable or a secret manager),\n"
			     "     then `git add` the file and commit again.\n");
		return;
	}
	fprintf(out, "  2. Remove it from every commit listed above, not only from the latest version:\n"
		     "     in the last commit: fix the file, `git add` it, `git commit --amend`;\n"
		     "     in an older one: `git rebase -i %.12s^`, mark the commit `edit`, fix the file,\n"
		     "     `git add` it, `git commit --amend`, `git rebase --continue`.\n"
		     "     Then push again.%s\n",
		oldest ? oldest : "<commit>", kind != SFMC_HOOK_PRE_RECEIVE ? "" : " (The server kept nothing of this push.)");
	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].location != SFMC_LOCATION_FILE) {
			fprintf(out,
				"     In a commit message: `git commit --amend` (the last commit) or `git rebase -i`,\n"
				"     marking the commit `reword`; in a tag message: `git tag -f -a <name>` rewrites it.\n");
			break;
		}
}

/* How to mark a false positive, with the config entry for the first finding. */
static void print_allow_steps(sfmc_hook_kind kind, const sfmc_finding *f, FILE *out)
{
	fprintf(out, "  3. Not a real secret (a test fixture, an example)? Add a comment containing\n"
		     "     `sfmc-scan:allow` on that line, ");
	if (kind == SFMC_HOOK_PRE_RECEIVE) {
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

void sfmc_hook_advice(sfmc_hook_kind kind, const sfmc_ruleset *rules, const sfmc_results *res, sfmc_level fail_on,
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
	fprintf(out, "\nsfmc-scan: %s %s: %zu secret%s found%s:\n", is_push(kind) ? "push" : "commit",
		kind != SFMC_HOOK_PRE_RECEIVE ? "blocked" : "rejected by the server", n, n == 1 ? "" : "s",
		is_push(kind)                  ? " in commits the remote does not have yet"
		: kind == SFMC_HOOK_COMMIT_MSG ? " in the commit message"
					       : " in the staged changes");
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
	print_remove_steps(kind, res, fail_on, out);
	print_allow_steps(kind, first, out);
	if (kind != SFMC_HOOK_PRE_RECEIVE)
		fprintf(out, "  Skipping this hook (--no-verify) does not remove the secret: it %s in the history.\n",
			is_push(kind) ? "stays" : "would end up");
}
