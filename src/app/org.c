/* org.c - `sfmc-scan audit` (org.h): the list of repositories, its shard,
 * one child `sfmc-scan git` per repository (posix_spawn of this program, no
 * shell) whose JSON report is read from a pipe, then merge.c's reports. */
#define _GNU_SOURCE
#include "app/org.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/commands.h"
#include "app/listing.h"
#include "app/merge.h"
#include "git/clone.h"
#include "report/report.h"
#include "util/array.h"
#include "util/bounds.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

extern char **environ;

/* ---- the list ---------------------------------------------------------- */

void sfmc_org_repo_dispose(sfmc_org_repo *r)
{
	free(r->target);
	free(r->name);
	free(r->key);
	memset(r, 0, sizeof(*r));
}

static bool known_scheme(const char *s, size_t n)
{
	static const char *const schemes[] = { "https", "http", "ssh", "git", "file" };

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i]) == n && !strncasecmp(s, schemes[i], n))
			return true;
	return false;
}

/* name of a URL "scheme://[cred@]host[:port]/path": credentials dropped,
 * scheme and host lowercase. */
static int url_name(sfmc_buf *b, const char *e, size_t scheme_len)
{
	const char *auth = e + scheme_len + 3, *path = auth + strcspn(auth, "/"), *at;

	if (!known_scheme(e, scheme_len))
		return sfmc_error_set("unsupported URL scheme '%.*s' (https, http, ssh, git, file)", (int)scheme_len,
				      e);
	at = memrchr(auth, '@', (size_t)(path - auth));
	if (at)
		auth = at + 1;
	if (path == auth && strncasecmp(e, "file", 4))
		return sfmc_error_set("no host in URL");
	if (!*path || !path[1])
		return sfmc_error_set("no repository path in URL");
	for (size_t i = 0; i < scheme_len + 3; i++)
		sfmc_buf_putc(b, (char)tolower((unsigned char)e[i]));
	for (const char *p = auth; p < path; p++)
		sfmc_buf_putc(b, (char)tolower((unsigned char)*p));
	return sfmc_buf_puts(b, path);
}

/* name of scp-like "[user@]host:path" (ssh): the user dropped, host lowercase. */
static int scp_name(sfmc_buf *b, const char *e, const char *colon)
{
	const char *at = memchr(e, '@', (size_t)(colon - e)), *host = at ? at + 1 : e;

	if (host == colon || !colon[1])
		return sfmc_error_set("expected [user@]host:path");
	for (const char *p = host; p < colon; p++)
		sfmc_buf_putc(b, (char)tolower((unsigned char)*p));
	return sfmc_buf_puts(b, colon);
}

int sfmc_org_repo_parse(sfmc_org_repo *r, const char *e)
{
	const char *sep = strstr(e, "://"), *colon = strchr(e, ':');
	sfmc_buf b = SFMC_BUF_INIT;
	size_t n = strlen(e);
	int rc;

	memset(r, 0, sizeof(*r));
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return sfmc_error_set("a repository has no spaces or control characters"), SFMC_EINVALID;
	if (!n || e[0] == '-')
		return sfmc_error_set("a repository cannot start with '-'"), SFMC_EINVALID;
	if (n > 4096)
		return sfmc_error_set("a repository longer than 4096 bytes"), SFMC_EINVALID;
	if (sep && strspn(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") == (size_t)(sep - e))
		rc = url_name(&b, e, (size_t)(sep - e));
	else if (colon && e[0] != '/' && e[0] != '.' && !memchr(e, '/', (size_t)(colon - e)))
		rc = scp_name(&b, e, colon);
	else
		rc = sfmc_buf_puts(&b, e); /* a local path */
	while (rc == 0 && b.size > 1 && b.ptr[b.size - 1] == '/')
		b.ptr[--b.size] = '\0';
	if (rc == 0 && (!(r->target = strdup(e)) || !(r->name = strdup(b.ptr))))
		rc = sfmc_error_set("out of memory");
	if (rc == 0 && b.size > 4 && !strcmp(b.ptr + b.size - 4, ".git"))
		b.ptr[b.size -= 4] = '\0';
	while (rc == 0 && b.size > 1 && b.ptr[b.size - 1] == '/')
		b.ptr[--b.size] = '\0';
	if (rc == 0 && !(r->key = strdup(b.ptr)))
		rc = sfmc_error_set("out of memory");
	sfmc_buf_dispose(&b);
	if (rc < 0)
		sfmc_org_repo_dispose(r);
	return rc < 0 ? SFMC_EINVALID : 0;
}

/* FNV-1a 64 of a repository's key: its shard and its --clone-dir name. */
static uint64_t key_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

bool sfmc_org_in_shard(const char *key, unsigned k, unsigned n)
{
	return key_hash(key) % n == k - 1;
}

typedef struct org_list {
	sfmc_org_repo *v;
	size_t n, alloc;
} org_list;

static void list_dispose(org_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		sfmc_org_repo_dispose(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Adds entry (from where: "FILE:LINE" or the forge) unless another
 * spelling of the same repository is there already (an error). */
static int list_add(org_list *l, const char *entry, const char *where)
{
	sfmc_org_repo r;

	if (sfmc_org_repo_parse(&r, entry) < 0)
		return sfmc_error_prefix("%s", where), SFMC_EINVALID;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].key, r.key)) {
			sfmc_error_set("%s: '%s' is already in the list (as '%s')", where, r.name, l->v[i].name);
			sfmc_org_repo_dispose(&r);
			return SFMC_EINVALID;
		}
	if (l->n >= SFMC_AUDIT_MAX_REPOS || SFMC_ARRAY_GROW(l->v, l->n, l->alloc) < 0) {
		sfmc_org_repo_dispose(&r);
		return sfmc_error_set("%s: more than %d repositories", where, SFMC_AUDIT_MAX_REPOS);
	}
	l->v[l->n++] = r;
	return 0;
}

/* --repos FILE: one repository a line; blank lines and '#' comments skipped. */
static int read_repos(org_list *l, const char *path)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *line = NULL, where[4200];
	size_t cap = 0, lineno = 0, before = l->n;
	ssize_t n;
	int rc = 0;

	if (!in)
		return sfmc_error_set_errno("%s: cannot open", path);
	while (rc == 0 && (errno = 0, n = getline(&line, &cap, in)) >= 0) {
		char *s = line;
		lineno++;
		while (n && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		s += strspn(s, " \t");
		if (!*s || *s == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		rc = list_add(l, s, where);
	}
	if (rc == 0 && ferror(in))
		rc = sfmc_error_set_errno("%s: cannot read", path);
	if (rc == 0 && l->n == before)
		rc = sfmc_error_set("%s: no repository in the file", path);
	free(line);
	if (in != stdin)
		fclose(in);
	return rc < 0 ? SFMC_EINVALID : 0;
}

/* --github-org, --gitlab-group: the forge's list (network). */
static int read_forge(org_list *l, const sfmc_cli *cli, bool github)
{
	sfmc_listing_opts o = { .api = github ? cli->github_api : cli->gitlab_api,
				.cacert = cli->api_cacert,
				.skip_forks = cli->skip_forks,
				.skip_archived = cli->skip_archived,
				.max_wait = cli->api_max_wait };
	sfmc_listing got = { 0 };
	char where[256];
	int rc = github ? sfmc_listing_github(&got, cli->github_org, &o)
			: sfmc_listing_gitlab(&got, cli->gitlab_group, &o);

	snprintf(where, sizeof(where), "%s %.200s", github ? "--github-org" : "--gitlab-group",
		 github ? cli->github_org : cli->gitlab_group);
	for (size_t i = 0; rc == 0 && i < got.n; i++)
		rc = list_add(l, got.urls[i], where);
	sfmc_listing_dispose(&got);
	return rc;
}

/* ---- the children ------------------------------------------------------- */

/* One repository's scan in flight. */
typedef struct child {
	size_t repo;
	pid_t pid;
	int fd[2];    /* its stdout (the JSON report) and stderr; -1: closed */
	sfmc_buf out; /* the report (bounded) */
	sfmc_buf err; /* the last bytes of its stderr */
	bool too_big;
	int64_t t0_ms, start_time;
	char clone_dir[4096]; /* --clone-dir DIR/<hash>-<name> of a URL; "" for none */
} child;

typedef struct audit_run {
	const sfmc_cli *cli;
	const org_list *list;
	sfmc_merge *merge;
	char exe[4096];
	char threads[16];
	char numbers[8][32]; /* option values passed on */
	char **envp;         /* the children's environment: ours, with the datastore's wait */
	char busy_env[64];
	size_t done;
} audit_run;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's command line: `sfmc-scan git --format json ... TARGET`
 * with the audit's scan options passed on. argv holds at most 64 entries. */
static void child_argv(audit_run *a, const child *ch, const char *target, const char **argv)
{
	const sfmc_cli *c = a->cli;
	bool url = false;
	size_t n = 0;

	(void)sfmc_gitclone_classify(target, &url); /* a bad scheme: the child says so */

	argv[n++] = a->exe;
	argv[n++] = "git";
	argv[n++] = "--format=json";
	argv[n++] = "--quiet";
	argv[n++] = "--no-progress";
	argv[n++] = "--no-color";
	argv[n++] = "--threads";
	argv[n++] = a->threads;
#define PASS_VALUE(cond, opt, val) \
	if (cond) {                \
		argv[n++] = opt;   \
		argv[n++] = val;   \
	}
#define PASS_FLAG(cond, opt) \
	if (cond)            \
		argv[n++] = opt;
	PASS_VALUE(c->rules_file, "--rules", c->rules_file)
	PASS_VALUE(c->config_file, "--config", c->config_file)
	PASS_VALUE(c->baseline, "--baseline", c->baseline)
	PASS_VALUE(c->datastore, "--datastore", c->datastore)
	PASS_VALUE(c->max_file_size_set, "--max-file-size", a->numbers[0])
	PASS_VALUE(true, "--archive-depth", a->numbers[1])
	PASS_VALUE(c->archive_max_bytes, "--archive-max-bytes", a->numbers[2])
	PASS_VALUE(c->archive_max_ratio, "--archive-max-ratio", a->numbers[3])
	PASS_VALUE(c->archive_max_members, "--archive-max-members", a->numbers[4])
	PASS_FLAG(c->no_config, "--no-config")
	PASS_FLAG(c->show_secrets, "--show-secrets")
	PASS_FLAG(c->no_decode, "--no-decode")
	PASS_FLAG(c->all_objects, "--all-objects")
	PASS_FLAG(c->fail_on_skipped, "--fail-on-skipped")
	PASS_FLAG(c->verify, "--verify")
	PASS_VALUE(c->verify, "--verify-jobs", a->numbers[5])
	PASS_VALUE(c->verify, "--verify-rate", a->numbers[6])
	PASS_VALUE(c->verify, "--verify-timeout", a->numbers[7])
	PASS_VALUE(c->verify && c->verify_cacert, "--verify-cacert", c->verify_cacert)
	PASS_VALUE(c->verify && c->verify_connect_to, "--verify-connect-to", c->verify_connect_to)
	/* Clone options only for URLs: a local path is scanned in place, and refuses them. */
	PASS_VALUE(url && c->git_token_env, "--git-token-env", c->git_token_env)
	PASS_VALUE(url && c->git_cacert, "--git-cacert", c->git_cacert)
	PASS_VALUE(url && ch->clone_dir[0], "--clone-dir", ch->clone_dir)
#undef PASS_VALUE
#undef PASS_FLAG
	argv[n++] = target;
	argv[n] = NULL;
}

/* DIR/<16 hex of the key's hash>-<last name of the key>: one clone per repository, the
 * same however the URL is written, readable in a listing; DIR is made when missing. */
static int clone_dir_of(child *ch, const char *dir, const sfmc_org_repo *r)
{
	const char *base = strrchr(r->key, '/');
	char name[64];
	size_t n = 0;

	for (base = base ? base + 1 : r->key; *base && n < sizeof(name) - 1; base++)
		name[n++] = isalnum((unsigned char)*base) || *base == '-' || *base == '_' || *base == '.' ? *base : '_';
	name[n] = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return sfmc_error_set_errno("--clone-dir %s", dir);
	if ((size_t)snprintf(ch->clone_dir, sizeof(ch->clone_dir), "%s/%016llx-%s", dir,
			     (unsigned long long)key_hash(r->key), name) >= sizeof(ch->clone_dir))
		return sfmc_error_set("--clone-dir %s: path too long", dir);
	return 0;
}

/* Starts the scan of repository i. Returns 0, or -1 (message set: the repository's error). */
static int child_start(audit_run *a, child *ch, size_t i)
{
	const char *argv[64];
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, rc = -1;
	posix_spawn_file_actions_t fa;

	memset(ch, 0, sizeof(*ch));
	ch->repo = i;
	ch->fd[0] = ch->fd[1] = -1;
	sfmc_buf_init(&ch->out, SFMC_AUDIT_MAX_REPORT);
	sfmc_buf_init(&ch->err, 2 * SFMC_AUDIT_STDERR_TAIL + 1);
	ch->t0_ms = mono_ms();
	ch->start_time = (int64_t)time(NULL);
	if (a->cli->clone_dir && clone_dir_of(ch, a->cli->clone_dir, &a->list->v[i]) < 0)
		goto cleanup;
	child_argv(a, ch, a->list->v[i].target, argv);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		sfmc_error_set_errno("cannot make a pipe");
		goto cleanup;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		sfmc_error_set("out of memory");
		goto cleanup;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	errno = posix_spawn(&ch->pid, a->exe, &fa, NULL, (char *const *)argv, a->envp ? a->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (errno) {
		sfmc_error_set_errno("cannot start %s", a->exe);
		goto cleanup;
	}
	ch->fd[0] = out[0];
	ch->fd[1] = err[0];
	out[0] = err[0] = -1;
	rc = 0;
cleanup:
	for (int k = 0; k < 2; k++) {
		if (out[k] >= 0)
			close(out[k]);
		if (err[k] >= 0)
			close(err[k]);
	}
	return rc;
}

/* Reads what fd k of ch has; closes it at its end. */
static void child_read(child *ch, int k)
{
	char tmp[65536];
	ssize_t n = read(ch->fd[k], tmp, sizeof(tmp));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(ch->fd[k]);
		ch->fd[k] = -1;
		return;
	}
	if (k == 1) {
		if (ch->err.size + (size_t)n > 2 * SFMC_AUDIT_STDERR_TAIL) { /* keep the tail */
			size_t keep = ch->err.size > SFMC_AUDIT_STDERR_TAIL ? SFMC_AUDIT_STDERR_TAIL : ch->err.size;
			memmove(ch->err.ptr, ch->err.ptr + ch->err.size - keep, keep);
			ch->err.size = keep;
		}
		if ((size_t)n > SFMC_AUDIT_STDERR_TAIL)
			(void)sfmc_buf_put(&ch->err, tmp + n - SFMC_AUDIT_STDERR_TAIL, SFMC_AUDIT_STDERR_TAIL);
		else
			(void)sfmc_buf_put(&ch->err, tmp, (size_t)n);
	} else if (!ch->too_big && sfmc_buf_put(&ch->out, tmp, (size_t)n) < 0) {
		ch->too_big = true; /* the rest is drained and dropped */
	}
}

/* The last non-empty line of the child's stderr (without the program's
 * name: the audit prints its own), or NULL. */
static const char *last_line(sfmc_buf *b)
{
	static const char me[] = "sfmc-scan: ";
	char *end;

	if (!b->ptr)
		return NULL;
	while (b->size && isspace((unsigned char)b->ptr[b->size - 1]))
		b->ptr[--b->size] = '\0';
	if (!b->size)
		return NULL;
	end = memrchr(b->ptr, '\n', b->size);
	end = end ? end + 1 : b->ptr;
	return strncmp(end, me, sizeof(me) - 1) ? end : end + sizeof(me) - 1;
}

/* The scan of ch ended: its exit status, its report, into the merge. */
static int child_finish(audit_run *a, child *ch)
{
	sfmc_merge_scan s = { .report = ch->out.ptr, .report_len = ch->out.size, .start_time = ch->start_time };
	const sfmc_merge_repo *p;
	char failure[SFMC_AUDIT_STDERR_TAIL + 128];
	const char *tail = last_line(&ch->err);
	int status = 0, rc;

	while (waitpid(ch->pid, &status, 0) < 0 && errno == EINTR)
		;
	s.end_time = (int64_t)time(NULL);
	s.duration_ms = (uint64_t)(mono_ms() - ch->t0_ms);
	s.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	failure[0] = '\0';
	if (WIFSIGNALED(status))
		snprintf(failure, sizeof(failure), "the scan was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else if (ch->too_big)
		snprintf(failure, sizeof(failure), "its report is larger than %llu bytes",
			 (unsigned long long)SFMC_AUDIT_MAX_REPORT);
	else if (s.exit_code > SFMC_EXIT_FINDINGS && tail)
		snprintf(failure, sizeof(failure), "%s", tail);
	if (ch->too_big)
		s.report_len = 0;
	s.failure = failure[0] ? failure : NULL;
	rc = sfmc_merge_add_scan(a->merge, a->list->v[ch->repo].name, &s);
	p = &a->merge->repos[a->merge->nrepos - 1];
	a->done++;
	if (rc == 0 && (!a->cli->quiet || p->error)) {
		char *err = p->error ? sfmc_redact(a->merge->rules, p->error, strlen(p->error), NULL) : NULL;
		char *esc = err ? sfmc_text_escape(err, strlen(err)) : NULL;
		if (p->error)
			fprintf(stderr, "sfmc-scan: [%zu/%zu] %s: error: %s\n", a->done, a->list->n, p->name,
				esc ? esc : "?");
		else
			fprintf(stderr, "sfmc-scan: [%zu/%zu] %s: ok, %zu finding%s, %llu ms\n", a->done, a->list->n,
				p->name, p->nfindings, p->nfindings == 1 ? "" : "s", (unsigned long long)s.duration_ms);
		free(err);
		free(esc);
	}
	sfmc_buf_dispose(&ch->out);
	sfmc_buf_dispose(&ch->err);
	return rc;
}

/* A repository whose scan could not even start. */
static int child_not_started(audit_run *a, size_t i)
{
	sfmc_merge_scan s = { .exit_code = -1, .failure = sfmc_error_last(), .start_time = (int64_t)time(NULL) };

	s.end_time = s.start_time;
	a->done++;
	return sfmc_merge_add_scan(a->merge, a->list->v[i].name, &s);
}

/* Polls the running children once and finishes those whose pipes closed. */
static int poll_children(audit_run *a, child *run, size_t *nrun)
{
	struct pollfd pfd[2 * SFMC_AUDIT_MAX_JOBS];
	size_t np = 0;

	for (size_t i = 0; i < *nrun; i++)
		for (int k = 0; k < 2; k++)
			if (run[i].fd[k] >= 0)
				pfd[np++] = (struct pollfd){ .fd = run[i].fd[k], .events = POLLIN };
	if (np && poll(pfd, np, -1) < 0 && errno != EINTR)
		return sfmc_error_set_errno("poll");
	for (size_t i = 0, j = 0; i < *nrun; i++)
		for (int k = 0; k < 2; k++)
			if (run[i].fd[k] >= 0 && run[i].fd[k] == pfd[j].fd &&
			    (pfd[j++].revents & (POLLIN | POLLHUP | POLLERR)))
				child_read(&run[i], k);
	for (size_t i = 0; i < *nrun;) {
		if (run[i].fd[0] >= 0 || run[i].fd[1] >= 0) {
			i++;
			continue;
		}
		if (child_finish(a, &run[i]) < 0)
			return -1;
		run[i] = run[--*nrun];
	}
	return 0;
}

/* Every repository of the list, --jobs at a time. */
static int run_children(audit_run *a)
{
	child run[SFMC_AUDIT_MAX_JOBS];
	size_t nrun = 0, next = 0, jobs = a->cli->jobs;
	int rc = 0;

	while (rc == 0 && (next < a->list->n || nrun)) {
		while (rc == 0 && nrun < jobs && next < a->list->n) {
			if (child_start(a, &run[nrun], next) == 0)
				nrun++;
			else
				rc = child_not_started(a, next);
			next++;
		}
		if (rc == 0 && nrun)
			rc = poll_children(a, run, &nrun);
	}
	for (size_t i = 0; i < nrun; i++) { /* only after a failure of our own */
		kill(run[i].pid, SIGTERM);
		for (int k = 0; k < 2; k++)
			if (run[i].fd[k] >= 0)
				close(run[i].fd[k]);
		waitpid(run[i].pid, NULL, 0);
		sfmc_buf_dispose(&run[i].out);
		sfmc_buf_dispose(&run[i].err);
	}
	return rc;
}

/* --datastore: children wait SFMC_AUDIT_DATASTORE_BUSY_MS for each other's
 * write transactions (unless SFMC_DATASTORE_BUSY_MS says otherwise). */
static int child_env(audit_run *a)
{
	const char *set = getenv("SFMC_DATASTORE_BUSY_MS");
	size_t n = 0;

	if (!a->cli->datastore || (set && *set))
		return 0;
	while (environ[n])
		n++;
	if (!(a->envp = calloc(n + 2, sizeof(*a->envp))))
		return sfmc_error_set("out of memory");
	memcpy(a->envp, environ, n * sizeof(*a->envp));
	snprintf(a->busy_env, sizeof(a->busy_env), "SFMC_DATASTORE_BUSY_MS=%d", SFMC_AUDIT_DATASTORE_BUSY_MS);
	a->envp[n] = a->busy_env;
	return 0;
}

/* This program's path and the option values children get. */
static int prepare_run(audit_run *a)
{
	const sfmc_cli *c = a->cli;
	ssize_t n = readlink("/proc/self/exe", a->exe, sizeof(a->exe) - 1);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = c->threads ? c->threads : (unsigned)(cpus > 0 ? cpus : 1) / c->jobs;

	if (n <= 0 || (size_t)n >= sizeof(a->exe) - 1)
		return sfmc_error_set_errno("cannot find this program (/proc/self/exe)");
	a->exe[n] = '\0';
	snprintf(a->threads, sizeof(a->threads), "%u", threads ? threads : 1);
	snprintf(a->numbers[0], sizeof(a->numbers[0]), "%llu", (unsigned long long)c->max_file_size);
	snprintf(a->numbers[1], sizeof(a->numbers[1]), "%u", c->archive_depth);
	snprintf(a->numbers[2], sizeof(a->numbers[2]), "%llu", (unsigned long long)c->archive_max_bytes);
	snprintf(a->numbers[3], sizeof(a->numbers[3]), "%u", c->archive_max_ratio);
	snprintf(a->numbers[4], sizeof(a->numbers[4]), "%u", c->archive_max_members);
	snprintf(a->numbers[5], sizeof(a->numbers[5]), "%u", c->verify_jobs);
	snprintf(a->numbers[6], sizeof(a->numbers[6]), "%u", c->verify_rate);
	snprintf(a->numbers[7], sizeof(a->numbers[7]), "%ld", c->verify_timeout);
	return child_env(a);
}

/* ---- the command --------------------------------------------------------- */

static int check_audit_args(const sfmc_cli *c)
{
	bool forge = c->github_org || c->gitlab_group;

	if (c->nargs)
		return sfmc_error_set("audit takes no arguments: give --repos FILE, --github-org ORG or "
				      "--gitlab-group GROUP (a list file may hold paths)");
	if (!c->repos_file && !forge)
		return sfmc_error_set(
			"audit: which repositories? --repos FILE, --github-org ORG or --gitlab-group GROUP");
	if (!forge && (c->skip_forks || c->skip_archived || c->api_cacert))
		return sfmc_error_set(
			"--skip-forks, --skip-archived and --api-cacert need --github-org or --gitlab-group");
	if ((c->github_api && !c->github_org) || (c->gitlab_api && !c->gitlab_group))
		return sfmc_error_set("--github-api needs --github-org, --gitlab-api needs --gitlab-group");
	return 0;
}

/* The list: the file, then the forges; then the shard's part of it. */
static int build_list(org_list *l, const sfmc_cli *cli)
{
	size_t w = 0;

	if ((cli->repos_file && read_repos(l, cli->repos_file) < 0) ||
	    (cli->github_org && read_forge(l, cli, true) < 0) || (cli->gitlab_group && read_forge(l, cli, false) < 0))
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		if (cli->shard_n && !sfmc_org_in_shard(l->v[i].key, cli->shard_k, cli->shard_n)) {
			sfmc_org_repo_dispose(&l->v[i]);
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
	return 0;
}

int sfmc_cmd_audit(const sfmc_cli *cli)
{
	org_list list = { 0 };
	sfmc_ruleset rules;
	sfmc_merge m;
	audit_run a = { .cli = cli, .list = &list, .merge = &m };
	int rc = SFMC_EXIT_ERROR;

	if (check_audit_args(cli) < 0)
		return sfmc_app_fail(sfmc_error_last());
	if (sfmc_app_load_rules(cli, &rules) < 0) {
		sfmc_rules_dispose(&rules);
		return sfmc_app_fail(sfmc_error_last());
	}
	sfmc_merge_init(&m, &rules);
	if (build_list(&list, cli) < 0 || prepare_run(&a) < 0) {
		sfmc_app_fail(sfmc_error_last());
		goto cleanup;
	}
	if (!cli->quiet)
		fprintf(stderr, "sfmc-scan: auditing %zu repositor%s, %u at a time\n", list.n,
			list.n == 1 ? "y" : "ies", cli->jobs);
	if (run_children(&a) < 0) {
		sfmc_app_fail(sfmc_error_last());
		goto cleanup;
	}
	rc = sfmc_merge_report(&m, cli);
cleanup:
	free(a.envp);
	sfmc_merge_dispose(&m);
	sfmc_rules_dispose(&rules);
	list_dispose(&list);
	return rc;
}
