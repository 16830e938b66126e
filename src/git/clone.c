/* clone.c - a remote repository fetched into a local bare one (see clone.h). */
#define _GNU_SOURCE
#include "git/clone.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

#include "git/repo.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/progress.h"

extern char **environ;

/* Every ref, as `git clone --mirror` fetches them. */
#define MIRROR_REFSPEC "+refs/*:refs/*"

/* The schemes libgit2 (and git) fetch from; anything else "x://" is refused. */
static const char *const schemes[] = { "https", "http", "ssh", "git+ssh", "ssh+git", "git", "file" };

/* The length of the scheme of "scheme://...", 0 when s has none. */
static size_t scheme_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '.' || s[n] == '-')
		n++;
	return strncmp(s + n, "://", 3) ? 0 : n;
}

/* [user@]host:path: a ':' before any '/' (git's rule). */
static bool scp_like(const char *s)
{
	size_t colon = strcspn(s, ":");

	return s[colon] == ':' && colon > 0 && !memchr(s, '/', colon) && !scheme_len(s);
}

int sfmc_gitclone_classify(const char *arg, bool *is_url)
{
	struct stat st;
	size_t n;

	*is_url = false;
	if (!arg || !*arg || stat(arg, &st) == 0) /* an existing local path always wins */
		return SFMC_OK;
	if ((n = scheme_len(arg))) {
		for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			if (strlen(schemes[i]) == n && !strncmp(arg, schemes[i], n)) {
				*is_url = true;
				return SFMC_OK;
			}
		sfmc_error_set("%.*s://: not a URL scheme git can fetch from (https, http, ssh, git, file; or "
			       "[user@]host:path)",
			       (int)n, arg);
		return SFMC_EUSAGE;
	}
	*is_url = scp_like(arg);
	return SFMC_OK;
}

/* Where url's userinfo is: [*start, *end), the '@' included. A password may
 * hold a raw '@': the last one before the host counts. */
static bool find_userinfo(const char *url, size_t *start, size_t *end)
{
	size_t n = scheme_len(url), stop;
	const char *at;

	if (n) {
		n += 3;
		stop = n + strcspn(url + n, "/?#");
	} else if (scp_like(url)) {
		stop = strcspn(url, "/");
	} else {
		return false;
	}
	if (!(at = memrchr(url + n, '@', stop - n)))
		return false;
	*start = n;
	*end = (size_t)(at - url) + 1;
	return true;
}

char *sfmc_gitclone_shown_url(const char *url)
{
	size_t a, b;
	char *out;

	if (!find_userinfo(url, &a, &b))
		out = strdup(url);
	else if ((out = malloc(strlen(url) - (b - a) + 1)))
		snprintf(out, strlen(url) - (b - a) + 1, "%.*s%s", (int)a, url, url + b);
	if (!out)
		sfmc_error_set("out of memory");
	return out;
}

/* Bytes a URI may hold as they are (RFC 3986: unreserved, reserved and '%'). */
static bool uri_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"<>\\^`{|}", c);
}

char *sfmc_gitclone_uri(const char *url)
{
	char *shown = sfmc_gitclone_shown_url(url);
	sfmc_buf b = SFMC_BUF_INIT;
	const char *s = shown;
	int rc = 0;

	if (!shown)
		return NULL;
	sfmc_buf_init(&b, 0);
	if (scp_like(shown)) { /* host:path -> ssh://host/path */
		size_t host = strcspn(shown, ":");
		rc = sfmc_buf_printf(&b, "ssh://%.*s/", (int)host, shown);
		for (s = shown + host + 1; *s == '/'; s++)
			;
	}
	for (; *s && rc == 0; s++)
		rc = uri_byte((unsigned char)*s) ? sfmc_buf_putc(&b, *s)
						 : sfmc_buf_printf(&b, "%%%02X", (unsigned)(unsigned char)*s);
	free(shown);
	if (rc < 0) {
		sfmc_buf_dispose(&b);
		return NULL;
	}
	return sfmc_buf_detach(&b);
}

/* ---- credentials never shown ---- */

/* The strings a message must not show: the URL's userinfo, its password
 * (or its user when alone: it may be a token) as written and percent-decoded,
 * the token. */
typedef struct secrets {
	char *v[4];
	size_t n;
} secrets;

static char *percent_decoded(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	for (size_t i = 0; out && i < len; i++) {
		unsigned v;
		if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2]) && sscanf(s + i + 1, "%2x", &v) == 1) {
			*o++ = (char)v;
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	if (out)
		*o = '\0';
	return out;
}

static int secrets_add(secrets *k, const char *s, size_t len, bool decode)
{
	if (!len || k->n >= sizeof(k->v) / sizeof(k->v[0]))
		return SFMC_OK;
	if (!(k->v[k->n] = decode ? percent_decoded(s, len) : strndup(s, len)))
		return sfmc_error_set("out of memory");
	k->n++;
	return SFMC_OK;
}

static int secrets_init(secrets *k, const char *url, const char *token)
{
	size_t a, b, len, user;
	const char *ui;

	memset(k, 0, sizeof(*k));
	if (token && secrets_add(k, token, strlen(token), false) < 0)
		return SFMC_ERROR;
	if (!find_userinfo(url, &a, &b))
		return SFMC_OK;
	ui = url + a;
	len = b - 1 - a; /* without the '@' */
	user = strcspn(ui, ":");
	if (user > len)
		user = len;
	if (secrets_add(k, ui, len, false) < 0)
		return SFMC_ERROR;
	if (user == len) /* a user alone may be a token (https://TOKEN@host/) */
		return secrets_add(k, ui, user, false) < 0 || secrets_add(k, ui, user, true) < 0 ? SFMC_ERROR : SFMC_OK;
	return secrets_add(k, ui + user + 1, len - user - 1, false) < 0 ||
			       secrets_add(k, ui + user + 1, len - user - 1, true) < 0
		       ? SFMC_ERROR
		       : SFMC_OK;
}

static void secrets_dispose(secrets *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	k->n = 0;
}

char *sfmc_gitclone_scrub(const char *msg, const char *url, const char *token)
{
	sfmc_buf b = SFMC_BUF_INIT;
	secrets k;
	int rc = secrets_init(&k, url, token);

	sfmc_buf_init(&b, 0);
	while (*msg && rc == 0) {
		size_t hit = 0;
		for (size_t i = 0; i < k.n; i++) /* the longest at this place: no part of one is left */
			if (strlen(k.v[i]) > hit && !strncmp(msg, k.v[i], strlen(k.v[i])))
				hit = strlen(k.v[i]);
		if (hit) {
			rc = sfmc_buf_puts(&b, "***");
			msg += hit;
		} else {
			rc = sfmc_buf_putc(&b, isspace((unsigned char)*msg) ? ' ' : *msg);
			msg++;
		}
	}
	while (rc == 0 && b.size && b.ptr[b.size - 1] == ' ')
		b.ptr[--b.size] = '\0';
	secrets_dispose(&k);
	if (rc < 0) {
		sfmc_buf_dispose(&b);
		return NULL;
	}
	return sfmc_buf_detach(&b);
}

/* "<shown URL>: <what>: <libgit2's last message, scrubbed>"; returns SFMC_ERROR. */
static int fetch_error(const sfmc_gitclone *c, const sfmc_gitclone_opts *o, const char *token, const char *what)
{
	const git_error *e = git_error_last();
	char *why = sfmc_gitclone_scrub(e && e->message ? e->message : "unknown libgit2 error", o->url, token);

	sfmc_error_set("%s: %s: %s", c->shown, what, why ? why : "(out of memory)");
	free(why);
	git_error_clear();
	return SFMC_ERROR;
}

/* ---- the local repository: a temporary directory or --clone-dir ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf path (symbolic links are removed, never followed). */
static void remove_tree(const char *path)
{
	(void)nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A shell that removes the temporary clone when its pipe closes: when this
 * process ends, whatever ends it (SIGINT, SIGTERM, SIGKILL, a crash) before
 * sfmc_gitclone_dispose. It has its own process group and ignores the
 * signals a terminal or timeout(1) sends to ours. */
static int start_watcher(sfmc_gitclone *c)
{
	static const char script[] = "trap '' HUP INT TERM QUIT; read -r x; exec rm -rf -- \"$1\"";
	char *argv[] = { "sh", "-c", (char *)script, "sfmc-scan-clone-watcher", c->path, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int fds[2], rc;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return sfmc_error_set_errno("cannot make a pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	rc = posix_spawn(&c->watcher, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (rc != 0) {
		close(fds[1]);
		c->watcher = 0;
		errno = rc;
		return sfmc_error_set_errno("cannot start /bin/sh to watch the temporary clone");
	}
	c->watch_fd = fds[1];
	return SFMC_OK;
}

/* A fresh directory under $TMPDIR (else /tmp), mode 0700, and its watcher. */
static int make_temp(sfmc_gitclone *c)
{
	const char *tmp = getenv("TMPDIR");
	sfmc_buf b = SFMC_BUF_INIT;

	sfmc_buf_init(&b, 0);
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (sfmc_buf_printf(&b, "%s/sfmc-scan-clone.XXXXXX", tmp) < 0)
		return sfmc_error_set("out of memory");
	if (!mkdtemp(b.ptr)) {
		sfmc_buf_dispose(&b);
		return sfmc_error_set_errno("%s: cannot make a temporary directory for the clone", tmp);
	}
	c->path = sfmc_buf_detach(&b);
	c->temporary = true;
	return start_watcher(c);
}

static bool dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = d != NULL;

	while (d && empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return empty;
}

/* The clone's origin, without credentials: what --clone-dir compares (and
 * where the datastore finds the forge address). */
static int write_origin(git_repository *repo, const sfmc_gitclone *c)
{
	git_config *cfg = NULL;
	int rc = git_repository_config(&cfg, repo);

	if (rc == 0)
		rc = git_config_set_string(cfg, "remote.origin.url", c->shown);
	if (rc == 0)
		rc = git_config_set_string(cfg, "remote.origin.fetch", MIRROR_REFSPEC);
	if (rc == 0)
		rc = git_config_set_bool(cfg, "remote.origin.mirror", 1);
	git_config_free(cfg);
	return rc < 0 ? sfmc_gitrepo_error("%s: cannot write its config", c->path) : SFMC_OK;
}

/* DIR must hold a clone of the same URL (compared without credentials). */
static int check_origin(git_repository *repo, const sfmc_gitclone *c)
{
	git_config *cfg = NULL;
	const char *url;
	char *have = NULL;
	int rc = SFMC_OK;

	if (git_repository_config_snapshot(&cfg, repo) < 0 || git_config_get_string(&url, cfg, "remote.origin.url") < 0)
		rc = sfmc_error_set("--clone-dir %s: a bare repository without remote.origin.url, not a clone of %s",
				    c->path, c->shown);
	else if (!(have = sfmc_gitclone_shown_url(url)))
		rc = SFMC_ERROR;
	else if (strcmp(have, c->shown))
		rc = sfmc_error_set("--clone-dir %s holds a clone of %s, not of %s", c->path, have, c->shown);
	free(have);
	git_config_free(cfg);
	git_error_clear();
	return rc;
}

/* --clone-dir DIR, locked for the run: made (missing or empty), or reused
 * when it holds a clone of this URL. *created: DIR did not exist. */
static int open_dir(git_repository **repo, sfmc_gitclone *c, const char *dir, bool *created)
{
	if (!(c->path = strdup(dir)))
		return sfmc_error_set("out of memory");
	if (mkdir(dir, 0700) == 0)
		*created = true;
	else if (errno != EEXIST)
		return sfmc_error_set_errno("--clone-dir %s: cannot make it", dir);
	if ((c->lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sfmc_error_set_errno("--clone-dir %s", dir);
	if (flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		sfmc_error_set("--clone-dir %s: in use by another sfmc-scan", dir);
		return SFMC_EBUSY;
	}
	if (*created || dir_empty(dir))
		return sfmc_gitrepo_open_bare(repo, dir, true) < 0 ? SFMC_ERROR : write_origin(*repo, c);
	c->reused = true;
	if (sfmc_gitrepo_open_bare(repo, dir, false) < 0)
		return sfmc_error_set("--clone-dir %s: not empty, and not a bare repository", dir);
	return check_origin(*repo, c);
}

/* ---- the fetch ---- */

typedef struct fetch_state {
	const char *token;               /* --git-token-env's value; NULL: none */
	bool progress;                   /* drawn */
	bool url_creds;                  /* the URL holds a user or password (libgit2 presents them first) */
	unsigned userpass;               /* tokens presented */
	unsigned agent;                  /* ssh-agent asked */
	uint64_t total, received, bytes; /* drawn so far */
} fetch_state;

static const char *login_name(void)
{
	const char *u = getenv("USER");
	return u && *u ? u : "git";
}

/* libgit2's credential callback: the token (HTTPS only), ssh-agent (ssh), each once. */
static int credentials(git_credential **out, const char *url, const char *user, unsigned allowed, void *payload)
{
	fetch_state *st = payload;

	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && st->token && !st->userpass++) {
		if (strncmp(url, "https://", 8)) {
			git_error_set_str(GIT_ERROR_NET, "the token is sent over https:// only");
			return GIT_EAUTH;
		}
		return git_credential_userpass_plaintext_new(out, user && *user ? user : "x-access-token", st->token);
	}
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user && *user ? user : login_name());
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && !st->agent++) {
		if (!getenv("SSH_AUTH_SOCK")) {
			git_error_set_str(GIT_ERROR_SSH,
					  "no ssh-agent (SSH_AUTH_SOCK is not set): ssh keys come from an "
					  "agent only");
			return GIT_EAUTH;
		}
		return git_credential_ssh_key_from_agent(out, user && *user ? user : login_name());
	}
	git_error_set_str(GIT_ERROR_NET,
			  st->userpass || st->agent || st->url_creds
				  ? "the server refused the credentials"
				  : "the server asks for credentials (--git-token-env NAME gives an HTTPS token)");
	return GIT_EAUTH;
}

/* Objects and bytes received, on the progress line. */
static int on_transfer(const git_indexer_progress *p, void *payload)
{
	fetch_state *st = payload;

	if (!st->progress)
		return 0;
	if (p->total_objects > st->total) {
		sfmc_progress_expect(p->total_objects - st->total);
		sfmc_progress_expect_done();
		st->total = p->total_objects;
	}
	if (p->received_objects >= st->received && p->received_bytes >= st->bytes)
		sfmc_progress_add(p->received_objects - st->received, p->received_bytes - st->bytes);
	st->received = p->received_objects;
	st->bytes = p->received_bytes;
	return 0;
}

/* HEAD follows the remote's (when it names a branch that was fetched); c->branch names it. */
static int follow_head(git_repository *repo, git_remote *remote, sfmc_gitclone *c)
{
	git_buf head = { 0 };
	git_reference *ref = NULL;
	int rc = SFMC_OK;

	if (git_remote_default_branch(&head, remote) == 0 && git_reference_lookup(&ref, repo, head.ptr) == 0) {
		if (git_repository_set_head(repo, head.ptr) < 0)
			rc = SFMC_ERROR;
		else if (!(c->branch = strdup(git_reference_shorthand(ref))))
			rc = sfmc_error_set("out of memory");
	}
	git_reference_free(ref);
	git_buf_dispose(&head);
	if (rc == SFMC_OK)
		git_error_clear(); /* no HEAD to follow (an empty remote) */
	return rc;
}

static int fetch(git_repository *repo, const sfmc_gitclone_opts *o, sfmc_gitclone *c, fetch_state *st)
{
	git_remote_create_options ropts;
	git_fetch_options fopts;
	git_remote *remote = NULL;
	const git_indexer_progress *stats;
	int rc;

	git_remote_create_options_init(&ropts, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	git_fetch_options_init(&fopts, GIT_FETCH_OPTIONS_VERSION);
	/* Anonymous, with the mirror refspec, without reading insteadOf (it leaks in libgit2 1.5). */
	ropts.repository = repo;
	ropts.fetchspec = MIRROR_REFSPEC;
	ropts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	fopts.callbacks.credentials = credentials;
	fopts.callbacks.transfer_progress = on_transfer; /* libgit2 counts the bytes only with it */
	fopts.callbacks.payload = st;
	/* No certificate_check callback: libgit2 refuses what mbedTLS (or known_hosts for ssh) does not accept. */
	fopts.prune = GIT_FETCH_PRUNE;
	fopts.update_fetchhead = 0;                          /* FETCH_HEAD would hold the URL, credentials and all */
	fopts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE; /* the refspec has every tag */
	fopts.proxy_opts.type = GIT_PROXY_AUTO;
	fopts.follow_redirects = GIT_REMOTE_REDIRECT_NONE; /* same host only: the token goes nowhere else */
	if (git_remote_create_with_opts(&remote, o->url, &ropts) < 0)
		return fetch_error(c, o, st->token, "not a URL libgit2 can fetch from");
	if (o->progress && sfmc_progress_start("objects received", true) < 0)
		sfmc_error_clear(); /* no line drawn: the fetch goes on */
	rc = git_remote_fetch(remote, NULL, &fopts, "sfmc-scan: fetch");
	sfmc_progress_stop();
	if (rc < 0) {
		rc = fetch_error(c, o, st->token, c->reused ? "cannot fetch" : "cannot clone");
	} else {
		stats = git_remote_stats(remote);
		c->objects = stats->received_objects;
		c->bytes = stats->received_bytes;
		if ((rc = follow_head(repo, remote, c)) < 0)
			fetch_error(c, o, st->token, "cannot set HEAD");
	}
	git_remote_free(remote);
	return rc;
}

/* ---- file:// URLs: the source's objects hard-linked first ---- */

/* The objects directory of the repository a file:// URL names (bare, or a work tree's .git
 * directory), in out; false when it is none of those (the fetch then does all the work). */
static bool local_objects(const char *url, sfmc_buf *out)
{
	const char *p = url + 7; /* "file://" */
	char *path;
	struct stat st;
	bool ok = false;

	if (!strncmp(p, "localhost/", 10))
		p += 9;
	if (*p != '/' || !(path = percent_decoded(p, strlen(p))))
		return false;
	for (int i = 0; i < 2 && !ok; i++) { /* PATH/objects, then PATH/.git/objects */
		sfmc_buf_clear(out);
		ok = sfmc_buf_printf(out, "%s%s/objects", path, i ? "/.git" : "") == 0 && lstat(out->ptr, &st) == 0 &&
		     S_ISDIR(st.st_mode);
	}
	free(path);
	return ok;
}

/* Hard-links one regular file (never a symbolic link) from dir/name to dst/name. */
static int link_file(const char *from, const char *to, const char *name)
{
	char a[4096], b[4096];
	struct stat st;

	if ((size_t)snprintf(a, sizeof(a), "%s/%s", from, name) >= sizeof(a) ||
	    (size_t)snprintf(b, sizeof(b), "%s/%s", to, name) >= sizeof(b) || lstat(a, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return link(a, b) == 0 || errno == EEXIST ? 0 : -1;
}

/* Every pack (its .pack before its .idx, so an index never names a pack that is not
 * there) and every loose object of src, linked into dst; stops at the first link that
 * fails (another file system): the fetch brings what is missing. */
static void link_objects(const char *src, const char *dst)
{
	char from[4096], to[4096];
	struct dirent *e;
	DIR *d;

	if ((size_t)snprintf(from, sizeof(from), "%s/pack", src) >= sizeof(from) ||
	    (size_t)snprintf(to, sizeof(to), "%s/pack", dst) >= sizeof(to))
		return;
	for (d = opendir(from); d && (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		char pack[512];
		if (n < 5 || n >= sizeof(pack) || strcmp(e->d_name + n - 4, ".idx"))
			continue;
		if ((size_t)snprintf(pack, sizeof(pack), "%.*s.pack", (int)(n - 4), e->d_name) >= sizeof(pack) ||
		    link_file(from, to, pack) < 0)
			break;
		if (link_file(from, to, e->d_name) < 0) {
			if ((size_t)snprintf(from, sizeof(from), "%s/%s", to, pack) < sizeof(from))
				unlink(from);
			break;
		}
	}
	if (d)
		closedir(d);
	for (d = opendir(src); d && (e = readdir(d));) {
		if (strlen(e->d_name) != 2 || !isxdigit((unsigned char)e->d_name[0]) ||
		    !isxdigit((unsigned char)e->d_name[1]))
			continue;
		DIR *l = NULL;
		if ((size_t)snprintf(from, sizeof(from), "%s/%s", src, e->d_name) < sizeof(from) &&
		    (size_t)snprintf(to, sizeof(to), "%s/%s", dst, e->d_name) < sizeof(to) &&
		    (mkdir(to, 0755) == 0 || errno == EEXIST))
			l = opendir(from);
		for (struct dirent *o; l && (o = readdir(l));)
			if (o->d_name[0] != '.')
				(void)link_file(from, to, o->d_name);
		if (l)
			closedir(l);
	}
	if (d)
		closedir(d);
}

/* A new clone of a file:// URL starts with the source's objects hard-linked (as git clones
 * a local path): the fetch then finds every ref's object present and downloads nothing
 * (libgit2's own file transport would pack and index the whole history again). What the
 * links could not bring (another file system, alternates) is fetched as usual. */
static void seed_local(git_repository *repo, const char *url)
{
	sfmc_buf src = SFMC_BUF_INIT;
	git_odb *odb = NULL;
	char dst[4096];

	if (strncmp(url, "file://", 7) || !local_objects(url, &src))
		goto cleanup;
	if ((size_t)snprintf(dst, sizeof(dst), "%sobjects", git_repository_path(repo)) >= sizeof(dst))
		goto cleanup;
	link_objects(src.ptr, dst);
	if (git_repository_odb(&odb, repo) == 0)
		git_odb_refresh(odb); /* the packs linked after it was opened */
	git_error_clear();
cleanup:
	git_odb_free(odb);
	sfmc_buf_dispose(&src);
}

/* The transport the URL needs is in this libgit2 (Debian's has both). */
static int check_transport(const sfmc_gitclone *c, const char *url)
{
	int have = git_libgit2_features();
	bool ssh = scp_like(url) || !strncmp(url, "ssh://", 6) || !strncmp(url, "git+ssh://", 10) ||
		   !strncmp(url, "ssh+git://", 10);

	if (ssh && !(have & GIT_FEATURE_SSH))
		return sfmc_error_set("%s: this libgit2 was built without ssh: use an https:// URL", c->shown);
	if (!strncmp(url, "https://", 8) && !(have & GIT_FEATURE_HTTPS))
		return sfmc_error_set("%s: this libgit2 was built without TLS", c->shown);
	return SFMC_OK;
}

/* --git-token-env NAME: the variable must hold a token (its value is never shown). */
static int read_token(const sfmc_gitclone_opts *o, fetch_state *st)
{
	if (!o->token_env)
		return SFMC_OK;
	st->token = getenv(o->token_env);
	if (!st->token || !*st->token)
		return sfmc_error_set("--git-token-env %s: the variable is not set or empty", o->token_env);
	return SFMC_OK;
}

/* Every failure names the URL: "<shown URL>: <message>". */
static void name_url(const sfmc_gitclone *c)
{
	char *msg = strdup(sfmc_error_last());

	sfmc_error_set("%s: %s", c->shown, msg ? msg : "out of memory");
	free(msg);
}

int sfmc_gitclone_fetch(sfmc_gitclone *c, const sfmc_gitclone_opts *o)
{
	git_repository *repo = NULL;
	fetch_state st = { 0 };
	bool created = false;
	size_t a, b;
	int rc = SFMC_ERROR;

	memset(c, 0, sizeof(*c));
	c->watch_fd = c->lock_fd = -1;
	if (!(c->shown = sfmc_gitclone_shown_url(o->url)) || !(c->uri = sfmc_gitclone_uri(o->url)) ||
	    read_token(o, &st) < 0 || sfmc_gitrepo_init() < 0 || check_transport(c, o->url) < 0)
		goto cleanup;
	st.url_creds = find_userinfo(o->url, &a, &b);
	st.progress = o->progress;
	/* HTTP may redirect to HTTPS: the CAs are loaded for both (only then: ~55M instructions). */
	if ((!strncmp(o->url, "https://", 8) || !strncmp(o->url, "http://", 7)) && sfmc_gitrepo_load_cas(o->cacert) < 0)
		goto cleanup;
	if (o->dir)
		rc = open_dir(&repo, c, o->dir, &created);
	else if ((rc = make_temp(c)) == 0 && (rc = sfmc_gitrepo_open_bare(&repo, c->path, true)) == 0)
		rc = write_origin(repo, c);
	if (rc == 0 && !c->reused)
		seed_local(repo, o->url);
	if (rc == 0)
		rc = fetch(repo, o, c, &st);
cleanup:
	sfmc_gitrepo_close(repo);
	if (rc < 0 && created)
		remove_tree(o->dir);
	if (rc < 0 && c->shown && !strstr(sfmc_error_last(), c->shown))
		name_url(c);
	return rc < 0 ? rc : SFMC_OK;
}

void sfmc_gitclone_dispose(sfmc_gitclone *c)
{
	if (c->temporary && c->path)
		remove_tree(c->path);
	if (c->watch_fd >= 0)
		close(c->watch_fd); /* the watcher wakes, finds nothing to remove, exits */
	if (c->watcher > 0)
		(void)waitpid(c->watcher, NULL, 0);
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	free(c->path);
	free(c->shown);
	free(c->uri);
	free(c->branch);
	memset(c, 0, sizeof(*c));
	c->watch_fd = c->lock_fd = -1;
}
