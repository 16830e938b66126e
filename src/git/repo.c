#include "git/repo.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2/sys/repository.h>

#include "util/bounds.h"
#include "util/error.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;
static atomic_bool skip_ca_load;

/* Debian's libgit2 is built on mbedTLS and parses every system CA
 * certificate when it initialises: ~55M instructions, two thirds of a
 * one-file `staged` run on a 100k-file repository. The scanner never opens a
 * network connection, so that one call (made from init_libgit2 below) is
 * answered "cannot read the file" and libgit2 goes on without CAs (TLS would
 * then fail closed); every other call goes to mbedTLS's own. This definition
 * interposes on the library's (the executable comes first in symbol lookup);
 * with a libgit2 built on OpenSSL it is simply never called. */
int mbedtls_x509_crt_parse_file(void *chain, const char *path);
int mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	static const int file_io_error = -0x2900; /* MBEDTLS_ERR_X509_FILE_IO_ERROR */
	int (*real)(void *, const char *);

	if (atomic_load(&skip_ca_load))
		return file_io_error;
	*(void **)&real = dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
	return real ? real(chain, path) : file_io_error;
}

static void shutdown_libgit2(void)
{
	git_libgit2_shutdown();
}

/* Once per process, not per repository: each libgit2 initialisation parses
 * every system CA certificate (mbedTLS), ~55M instructions, which a run that
 * opens the repository three times (config, source, HEAD) paid three times. */
static void init_libgit2(void)
{
	atomic_store(&skip_ca_load, true);
	init_rc = git_libgit2_init();
	atomic_store(&skip_ca_load, false);
	git_error_clear(); /* "failed to load CA certificates" */
	if (init_rc < 0)
		return;
	/* Bounded memory whatever the repository's size: libgit2's object cache
	 * (commits of the walk) and its mapped pack windows. */
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)SFMC_GIT_OBJECT_CACHE_BYTES);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)SFMC_GIT_MAPPED_BYTES);
	/* The limit closes whole windows only: with libgit2's 1 GiB windows a
	 * pack smaller than that stays mapped, every page read resident. */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)SFMC_GIT_MWINDOW_BYTES);
	atexit(shutdown_libgit2);
}

/* GIT_ALTERNATE_OBJECT_DIRECTORIES: ':'-separated directories added to the odb. */
static int add_alternates(git_repository *repo, const char *list)
{
	git_odb *odb = NULL;
	char *copy = NULL, *save = NULL;
	int rc = -1;

	if (git_repository_odb(&odb, repo) < 0 || !(copy = strdup(list)))
		goto cleanup;
	rc = 0;
	for (char *alt = strtok_r(copy, ":", &save); alt && rc == 0; alt = strtok_r(NULL, ":", &save))
		rc = git_odb_add_disk_alternate(odb, alt);
cleanup:
	free(copy);
	git_odb_free(odb);
	return rc;
}

/* What GIT_REPOSITORY_OPEN_FROM_ENV does (git2/repository.h), except
 * GIT_INDEX_FILE: libgit2 reads that whole index at every open (~500M
 * instructions for 100k entries, and a run opens the repository up to four
 * times), and git sets it for every hook. sfmc_gitrepo_index_file names it. */
static int open_from_env(git_repository **out, const char *path)
{
	const char *gitdir = getenv("GIT_DIR"), *across = getenv("GIT_DISCOVERY_ACROSS_FILESYSTEM");
	const char *objdir = getenv("GIT_OBJECT_DIRECTORY"), *alts = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	const char *ns = getenv("GIT_NAMESPACE");
	unsigned flags = 0;
	git_odb *odb = NULL;
	int v = 0, rc = -1;

	if (!path && gitdir) {
		path = gitdir;
		flags |= GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_NO_DOTGIT;
	}
	if (across && git_config_parse_bool(&v, across) < 0)
		goto cleanup;
	flags |= v ? GIT_REPOSITORY_OPEN_CROSS_FS : 0;
	if (getenv("GIT_WORK_TREE") || getenv("GIT_COMMON_DIR")) {
		git_error_set_str(GIT_ERROR_INVALID, "GIT_WORK_TREE and GIT_COMMON_DIR are not supported");
		goto cleanup;
	}
	if (objdir && git_odb_open(&odb, objdir) < 0)
		goto cleanup;
	if (git_repository_open_ext(out, path ? path : ".", flags, getenv("GIT_CEILING_DIRECTORIES")) < 0)
		goto cleanup;
	if (odb && git_repository_set_odb(*out, odb) < 0)
		goto cleanup;
	if ((alts && add_alternates(*out, alts) < 0) || (ns && git_repository_set_namespace(*out, ns) < 0))
		goto cleanup;
	rc = 0;
cleanup:
	if (rc < 0) {
		git_repository_free(*out);
		*out = NULL;
	}
	git_odb_free(odb);
	return rc;
}

int sfmc_gitrepo_init(void)
{
	pthread_once(&init_once, init_libgit2);
	return init_rc < 0 ? sfmc_error_set("cannot initialise libgit2") : SFMC_OK;
}

int sfmc_gitrepo_open(git_repository **out, const char *path)
{
	*out = NULL;
	if (sfmc_gitrepo_init() < 0)
		return SFMC_ERROR;
	if (open_from_env(out, path) < 0)
		return sfmc_gitrepo_error("%s: not a git repository", path ? path : "GIT_DIR or .");
	return 0;
}

int sfmc_gitrepo_open_bare(git_repository **out, const char *path, bool create)
{
	git_repository_init_options o;

	*out = NULL;
	if (sfmc_gitrepo_init() < 0)
		return SFMC_ERROR;
	git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	/* libgit2's own minimal template: nothing from the user's template directory (hooks). */
	o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT;
	o.mode = GIT_REPOSITORY_INIT_SHARED_UMASK;
	if (create ? git_repository_init_ext(out, path, &o) < 0
		   : git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_NO_DOTGIT,
					     NULL) < 0)
		return sfmc_gitrepo_error("%s: %s", path,
					  create ? "cannot create a bare repository" : "not a git repository");
	if (!git_repository_is_bare(*out)) {
		sfmc_gitrepo_close(*out);
		*out = NULL;
		return sfmc_error_set("%s: not a bare repository", path);
	}
	return SFMC_OK;
}

int sfmc_gitrepo_load_cas(const char *file)
{
	static const char *const bundles[] = { "/etc/ssl/certs/ca-certificates.crt",
					       "/etc/pki/tls/certs/ca-bundle.crt" };

	if (sfmc_gitrepo_init() < 0)
		return SFMC_ERROR;
	if (file) {
		if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, NULL) < 0)
			return sfmc_gitrepo_error("%s: cannot load CA certificates", file);
		return SFMC_OK;
	}
	for (size_t i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++)
		if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, bundles[i], NULL) == 0)
			return SFMC_OK;
	git_error_clear(); /* no bundle: no CA is trusted, every certificate is refused */
	return SFMC_OK;
}

int sfmc_gitrepo_index_file(git_repository *repo, sfmc_buf *path)
{
	const char *env = getenv("GIT_INDEX_FILE");

	if (env && !*env)
		return sfmc_error_set("GIT_INDEX_FILE is empty");
	return env ? sfmc_buf_puts(path, env) : sfmc_buf_printf(path, "%sindex", git_repository_path(repo));
}

void sfmc_gitrepo_close(git_repository *repo)
{
	git_repository_free(repo);
}

int sfmc_gitrepo_error(const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return sfmc_error_set("%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

int sfmc_gitrepo_discover(git_repository **out, const char *path)
{
	int rc;

	*out = NULL;
	pthread_once(&init_once, init_libgit2);
	if (init_rc < 0)
		return sfmc_error_set("cannot initialise libgit2");
	rc = path ? git_repository_open_ext(out, path, 0, NULL)
		  : git_repository_open_ext(out, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	if (rc < 0) {
		const git_error *e = git_error_last();
		return sfmc_error_set("%s: not a git repository (%s)", path ? path : ".", e ? e->message : "unknown");
	}
	return SFMC_OK;
}

int sfmc_gitrepo_head(git_repository *repo, char out[GIT_OID_HEXSZ + 1])
{
	git_oid id;

	out[0] = '\0';
	if (git_reference_name_to_id(&id, repo, "HEAD") < 0)
		return sfmc_gitrepo_error("HEAD");
	git_oid_tostr(out, GIT_OID_HEXSZ + 1, &id);
	return SFMC_OK;
}

char *sfmc_gitrepo_hooks_dir(git_repository *repo)
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

/* https://host/path or git@host:path or ssh://[user@]host/path -> https://host/path (no .git). */
static char *web_form(const char *url)
{
	const char *host, *rest, *at;
	size_t hl, rl;
	char *out;

	if (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7) || !strncmp(url, "ssh://", 6)) {
		host = strstr(url, "://") + 3;
		rest = host + strcspn(host, "/");
	} else if (strstr(url, "://")) {
		return NULL; /* git://, file://: no forge page */
	} else if ((rest = strchr(url, ':')) && rest > url && !memchr(url, '/', (size_t)(rest - url))) {
		host = url;
	} else {
		return NULL;
	}
	if ((at = memchr(host, '@', (size_t)(rest - host))))
		host = at + 1; /* credentials and users are never shown */
	hl = (size_t)(rest - host);
	if (*rest == ':' || *rest == '/')
		rest++;
	rl = strlen(rest);
	if (rl > 4 && !strcmp(rest + rl - 4, ".git"))
		rl -= 4;
	if (!hl || !rl || memchr(host, ':', hl) || strpbrk(rest, "\"'<> \\") || !(out = malloc(hl + rl + 10)))
		return NULL;
	snprintf(out, hl + rl + 10, "https://%.*s/%.*s", (int)hl, host, (int)rl, rest);
	return out;
}

char *sfmc_gitrepo_web_url(git_repository *repo)
{
	git_config *cfg = NULL;
	const char *url;
	char *out = NULL;

	/* The configured value itself: git_remote_lookup's insteadOf rewriting leaks in libgit2 1.5. */
	if (git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_string(&url, cfg, "remote.origin.url") == 0)
		out = web_form(url);
	git_config_free(cfg);
	git_error_clear();
	return out;
}
