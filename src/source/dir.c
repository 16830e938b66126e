#define _GNU_SOURCE
#include "source/dir.h"
#include "source/source.h"
#include "source/stdin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/bounds.h"
#include "detect/scan.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/pool.h"
#include "util/progress.h"

typedef struct file_task {
	char *path;      /* path under the root to open ("" = the root itself) */
	char *rel;       /* path to report */
} file_task;

typedef struct walk {
	const char *root;   /* as the user wrote it: reported paths start with it */
	int rootfd;         /* the root directory (links followed: the user named it), or -1 */
	const sfmc_dir_opts *opts;
	sfmc_results *out;
	sfmc_queue *queue; /* files go to the scanning threads as they are found */
	DIR *cur;           /* the directory read last, kept to open its children cheaply */
	char *cur_rel;
} walk;

typedef struct dir_entry {
	char *name;
	unsigned char type; /* DT_* from readdir; DT_UNKNOWN means lstat */
} dir_entry;

static void free_task(void *p)
{
	file_task *t = p;
	free(t->path);
	free(t->rel);
	free(t);
}

static int add_file(walk *w, const char *path, const char *rel)
{
	file_task *t = calloc(1, sizeof(*t));

	if (!t || !(t->path = strdup(path)) || !(t->rel = strdup(rel))) {
		if (t)
			free_task(t);
		return sfmc_error_set("out of memory");
	}
	sfmc_progress_expect(1);
	return sfmc_queue_push(w->queue, t);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const dir_entry *)a)->name, ((const dir_entry *)b)->name);
}

static void too_large(char reason[96], uint64_t size, uint64_t max)
{
	snprintf(reason, 96, "larger than --max-file-size (%llu > %llu bytes)", (unsigned long long)size,
		 (unsigned long long)max);
}

/* Reported path for rel: ROOT/rel with several roots, else rel. */
static int report_path(const walk *w, const char *rel, sfmc_buf *out)
{
	sfmc_buf_clear(out);
	if (!*rel) /* the root itself, e.g. a single file named on the command line */
		return sfmc_buf_puts(out, w->root);
	if (w->opts->prefix_root) {
		size_t n = strlen(w->root);
		if (sfmc_buf_put(out, w->root, n) < 0)
			return -1;
		if (*rel && n && w->root[n - 1] != '/' && sfmc_buf_putc(out, '/') < 0)
			return -1;
	}
	return sfmc_buf_puts(out, rel);
}

/* openat() that never follows a link or leaves dirfd (openat2 when the
 * kernel has it): an entry swapped for a link after the walk saw it cannot
 * redirect the scan outside the tree. */
static int open_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) /* old kernel or seccomp filter */
		fd = openat(dirfd, rel, flags | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

/* close() that keeps errno for the caller's message. */
static void close_keep_errno(int fd)
{
	int err = errno;
	close(fd);
	errno = err;
}

/* Opens rel under dirfd whatever its length: paths longer than PATH_MAX
 * (deep trees) are opened piece by piece, each piece shorter than PATH_MAX.
 * Uses at most two descriptors at a time. */
static int open_under(int dirfd, const char *rel, int flags)
{
	char piece[PATH_MAX];
	int fd = dirfd, next;

	while (strlen(rel) >= PATH_MAX) {
		const char *cut = rel + PATH_MAX - 1;
		while (cut > rel && *cut != '/')
			cut--;
		if (cut == rel) {
			errno = ENAMETOOLONG;
			next = -1;
		} else {
			memcpy(piece, rel, (size_t)(cut - rel));
			piece[cut - rel] = '\0';
			next = open_beneath(fd, piece, O_RDONLY | O_DIRECTORY);
		}
		if (fd != dirfd)
			close_keep_errno(fd);
		if (next < 0)
			return -1;
		fd = next;
		rel = cut + 1;
	}
	next = open_beneath(fd, rel, flags);
	if (fd != dirfd)
		close_keep_errno(fd);
	return next;
}

static size_t depth_of(const char *rel)
{
	size_t d = *rel ? 1 : 0;
	for (; *rel; rel++)
		d += *rel == '/';
	return d;
}

/* A .git directory that holds a repository (HEAD, objects/, refs/, as git
 * itself checks): history is the `git` command's job. Any other directory
 * called .git is scanned like the rest, never dropped unseen. */
static bool is_git_store(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool store;

	if (fd < 0)
		return false; /* the walk reports it when it cannot open it */
	store = fstatat(fd, "HEAD", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		fstatat(fd, "objects", &st, 0) == 0 && S_ISDIR(st.st_mode) && fstatat(fd, "refs", &st, 0) == 0 &&
		S_ISDIR(st.st_mode);
	close(fd);
	return store;
}

/* Classifies one entry; files are queued, directories pushed on the stack.
 * dtype (from readdir) spares an lstat for directories and regular files:
 * their size is checked by the scanning thread's fstat. */
static int visit(walk *w, int dirfd, const char *name, const char *rel, unsigned char dtype, char ***stack,
		 size_t *nstack, size_t *astack)
{
	struct stat st;
	char reason[96];
	sfmc_buf shown = SFMC_BUF_INIT;
	int rc = 0;

	if (report_path(w, rel, &shown) < 0)
		return -1;
	memset(&st, 0, sizeof(st));
	st.st_mode = dtype == DT_DIR ? S_IFDIR : S_IFREG;
	/* The root is followed if it is a link: the user named it. */
	if (dtype != DT_DIR && dtype != DT_REG &&
	    (*rel ? fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) : stat(w->root, &st)) < 0) {
		sfmc_error_set_errno("cannot stat");
		rc = sfmc_results_add_error(w->out, shown.ptr, sfmc_error_last());
	} else if (S_ISDIR(st.st_mode)) {
		const char *base = strrchr(rel, '/');
		base = base ? base + 1 : rel;
		if (!strcmp(base, ".git") && is_git_store(dirfd, name))
			goto cleanup; /* git's own store: scanned by `sfmc-scan git`, not as files */
		if (w->opts->exclude && *rel && w->opts->exclude(rel, true, w->opts->exclude_ctx))
			goto cleanup;
		if (depth_of(rel) > SFMC_MAX_DIR_DEPTH) {
			snprintf(reason, sizeof(reason), "nested deeper than %d directories (not read)", SFMC_MAX_DIR_DEPTH);
			rc = sfmc_results_add_error(w->out, shown.ptr, reason);
			goto cleanup;
		}
		if ((rc = SFMC_ARRAY_GROW(*stack, *nstack, *astack)) < 0)
			goto cleanup;
		if (!((*stack)[(*nstack)++] = strdup(rel)))
			rc = sfmc_error_set("out of memory");
	} else if (w->opts->exclude && w->opts->exclude(rel, false, w->opts->exclude_ctx)) {
		goto cleanup;
	} else if (S_ISLNK(st.st_mode)) {
		rc = sfmc_results_add_skipped(w->out, shown.ptr, "symbolic link (not followed)");
	} else if (!S_ISREG(st.st_mode)) {
		rc = sfmc_results_add_skipped(w->out, shown.ptr,
					      S_ISFIFO(st.st_mode) ? "FIFO (not opened)" :
					      S_ISSOCK(st.st_mode) ? "socket (not opened)" : "device (not opened)");
	} else if (w->opts->max_file_size && (uint64_t)st.st_size > w->opts->max_file_size) {
		too_large(reason, (uint64_t)st.st_size, w->opts->max_file_size);
		rc = sfmc_results_add_skipped(w->out, shown.ptr, reason);
	} else {
		rc = add_file(w, rel, shown.ptr);
	}
cleanup:
	sfmc_buf_dispose(&shown);
	return rc;
}

/* b = a/c (c appended to what b holds when a is NULL). */
static int join(sfmc_buf *b, const char *a, const char *c)
{
	if (a) {
		sfmc_buf_clear(b);
		if (sfmc_buf_puts(b, a) < 0)
			return -1;
	}
	if (b->size && *c && b->ptr[b->size - 1] != '/' && sfmc_buf_putc(b, '/') < 0)
		return -1;
	return sfmc_buf_puts(b, c);
}

/* Opens directory rel: through the directory read last when it is the
 * parent (so a deep chain costs one lookup per level), else from the root. */
static DIR *open_dir(walk *w, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	size_t plen = slash ? (size_t)(slash - rel) : 0;
	int fd;
	DIR *d;

	if (!*rel)
		fd = dup(w->rootfd);
	else if (w->cur && strlen(w->cur_rel) == plen && !strncmp(w->cur_rel, rel, plen))
		fd = open_beneath(dirfd(w->cur), slash ? slash + 1 : rel, O_RDONLY | O_DIRECTORY);
	else
		fd = open_under(w->rootfd, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || !(d = fdopendir(fd))) {
		sfmc_error_set_errno("cannot open directory");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	return d;
}

/* Reads one directory's names, sorted so that the walk is deterministic. */
static int read_names(DIR *d, dir_entry **names, size_t *n)
{
	struct dirent *e;
	size_t a = 0;

	*names = NULL;
	*n = 0;
	errno = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (SFMC_ARRAY_GROW(*names, *n, a) < 0)
			return SFMC_ERROR;
		(*names)[*n].type = e->d_type;
		if (!((*names)[(*n)++].name = strdup(e->d_name)))
			return sfmc_error_set("out of memory");
		errno = 0;
	}
	if (errno)
		return sfmc_error_set_errno("cannot read directory");
	if (*n > 1) /* qsort(NULL, 0, ...) is undefined: an empty directory */
		qsort(*names, *n, sizeof(**names), cmp_name);
	return 0;
}

static void free_names(dir_entry *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i].name);
	free(names);
}

/* Makes d (directory rel) the one children are opened through. */
static void set_current(walk *w, DIR *d, char *rel)
{
	if (w->cur)
		closedir(w->cur);
	free(w->cur_rel);
	w->cur = d;
	w->cur_rel = rel;
}

/* Reads directory `dir` (taking it) and visits its entries; an unreadable
 * directory is recorded as an error. Returns -1 only when the walk cannot go on. */
static int walk_dir(walk *w, char *dir, char ***stack, size_t *nstack, size_t *astack)
{
	sfmc_buf rel = SFMC_BUF_INIT, shown = SFMC_BUF_INIT;
	dir_entry *names = NULL;
	size_t nnames = 0;
	DIR *d = open_dir(w, dir);
	int rc = 0;

	if (!d || read_names(d, &names, &nnames) < 0) {
		if ((rc = report_path(w, dir, &shown)) == 0)
			rc = sfmc_results_add_error(w->out, *dir ? shown.ptr : w->root, sfmc_error_last());
		if (d)
			closedir(d);
		free(dir);
		goto cleanup;
	}
	for (size_t i = 0; i < nnames && rc == 0; i++)
		if ((rc = join(&rel, dir, names[i].name)) == 0)
			rc = visit(w, dirfd(d), names[i].name, rel.ptr, names[i].type, stack, nstack, astack);
	set_current(w, d, dir);
cleanup:
	free_names(names, nnames);
	sfmc_buf_dispose(&rel);
	sfmc_buf_dispose(&shown);
	return rc;
}

static int walk_tree(walk *w)
{
	char **stack = NULL;
	size_t nstack = 0, astack = 0;
	int rc;

	rc = visit(w, AT_FDCWD, w->root, "", DT_UNKNOWN, &stack, &nstack, &astack);
	if (rc == 0 && nstack) {
		/* The root is a directory: everything below is opened relative to it. */
		if ((w->rootfd = open(w->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			sfmc_error_set_errno("cannot open directory");
			rc = sfmc_results_add_error(w->out, w->root, sfmc_error_last());
			free(stack[--nstack]);
		}
	}
	while (rc == 0 && nstack) {
		size_t top = --nstack;

		rc = walk_dir(w, stack[top], &stack, &nstack, &astack);
		/* Reverse the children just pushed so they pop in name order. */
		for (size_t i = top, j = nstack; i + 1 < j; i++, j--) {
			char *t = stack[i];
			stack[i] = stack[j - 1];
			stack[j - 1] = t;
		}
	}
	set_current(w, NULL, NULL);
	for (size_t i = 0; i < nstack; i++)
		free(stack[i]);
	free(stack);
	return rc;
}

typedef struct scan_ctx {
	const sfmc_dir_opts *opts;
	const walk *w;
	sfmc_scanner *scanners;
	sfmc_results *results; /* one per worker, merged at the end */
} scan_ctx;

static int scan_one(void *item, unsigned worker, void *p)
{
	scan_ctx *c = p;
	file_task *t = item;
	sfmc_results *out = &c->results[worker];
	sfmc_provenance prov = { t->rel, strlen(t->rel), NULL, NULL, NULL, 0 };
	/* O_NONBLOCK: a file swapped for a FIFO since the walk is not waited on. */
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	struct stat st;
	char reason[96];
	uint64_t before = out->stats.bytes;
	int fd, rc = 0;

	/* The root itself was named by the user: its links are followed. */
	fd = *t->path ? open_under(c->w->rootfd, t->path, flags) : open(c->w->root, flags);
	if (fd < 0) {
		sfmc_error_set_errno("cannot open");
		rc = sfmc_results_add_error(out, t->rel, sfmc_error_last());
	} else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = sfmc_results_add_error(out, t->rel, "changed into a non-regular file during the scan");
	} else if (c->opts->max_file_size && (uint64_t)st.st_size > c->opts->max_file_size) {
		too_large(reason, (uint64_t)st.st_size, c->opts->max_file_size);
		rc = sfmc_results_add_skipped(out, t->rel, reason);
	} else if (sfmc_scanner_scan_fd(&c->scanners[worker], fd, &prov, out) < 0) {
		rc = sfmc_results_add_error(out, t->rel, sfmc_error_last());
	} else if (out->stats.bytes - before != (uint64_t)st.st_size) {
		/* Fail closed: what was scanned is not the file as it now stands. */
		sfmc_error_set("changed size during the scan (%llu bytes when opened, %llu read)",
			       (unsigned long long)st.st_size, (unsigned long long)(out->stats.bytes - before));
		rc = sfmc_results_add_error(out, t->rel, sfmc_error_last());
	}
	if (fd >= 0)
		close(fd);
	free_task(t);
	sfmc_progress_add(1, 0);
	return rc;
}

/* A FIFO named as a root (`dir <(cmd)`, a named pipe): the user named it, so
 * it is read as a stream, like stdin (FIFOs met during the walk never are). */
static int scan_fifo_root(const char *root, const sfmc_ruleset *rules, sfmc_results *out)
{
	int fd = open(root, O_RDONLY | O_NOCTTY | O_CLOEXEC), rc;

	if (fd < 0) {
		sfmc_error_set_errno("cannot open");
		return sfmc_results_add_error(out, root, sfmc_error_last());
	}
	rc = sfmc_source_fd_scan(fd, root, rules, out);
	close(fd);
	sfmc_progress_add(1, 0);
	return rc;
}

int sfmc_source_dir_scan(const char *root, const sfmc_ruleset *rules, const sfmc_dir_opts *opts,
			 sfmc_results *out)
{
	struct stat rst;
	walk w = { .root = root, .rootfd = -1, .opts = opts, .out = out };
	scan_ctx c = { .opts = opts, .w = &w };
	unsigned n = opts->threads ? opts->threads : sfmc_pool_cpus(), ready = 0;
	int rc = -1, wrc;

	if (stat(root, &rst) == 0 && S_ISFIFO(rst.st_mode))
		return scan_fifo_root(root, rules, out);
	c.scanners = calloc(n, sizeof(*c.scanners));
	c.results = calloc(n, sizeof(*c.results));
	if (!c.scanners || !c.results) {
		sfmc_error_set("out of memory");
		goto cleanup;
	}
	for (; ready < n; ready++) {
		sfmc_results_init(&c.results[ready]);
		if (sfmc_scanner_init(&c.scanners[ready], rules) < 0)
			goto cleanup;
	}
	/* Scanning starts with the first file found; the walking thread joins in at the end. */
	if (sfmc_queue_start(&w.queue, n, scan_one, free_task, &c) < 0)
		goto cleanup;
	wrc = walk_tree(&w);
	sfmc_progress_expect_done();
	rc = sfmc_queue_finish(w.queue);
	if (wrc < 0)
		rc = wrc;
cleanup:
	for (unsigned i = 0; i < ready; i++) {
		if (sfmc_results_merge(out, &c.results[i]) < 0)
			rc = -1;
		sfmc_results_dispose(&c.results[i]);
		sfmc_scanner_dispose(&c.scanners[i]);
	}
	free(c.scanners);
	free(c.results);
	if (w.rootfd >= 0)
		close(w.rootfd);
	return rc;
}

/* ---- the `dir` source type (source.h) ---- */

static int dir_args(sfmc_source_ctx *ctx, const char *const *args, size_t nargs)
{
	ctx->roots = args;
	ctx->nroots = nargs;
	return SFMC_OK;
}

static const char *const dot[] = { "." };

/* .sfmc-scan.yaml is looked for in the first PATH. */
static void dir_describe(const sfmc_source_ctx *ctx, sfmc_source_desc *desc)
{
	desc->config_root = ctx->nroots ? ctx->roots[0] : dot[0];
}

static int dir_scan(const sfmc_source_ctx *ctx, sfmc_results *out)
{
	const char *const *roots = ctx->nroots ? ctx->roots : dot;
	size_t n = ctx->nroots ? ctx->nroots : 1;
	sfmc_dir_opts o = { ctx->threads, ctx->max_file_size, n > 1, ctx->exclude, ctx->exclude_ctx };

	for (size_t i = 0; i < n; i++)
		if (sfmc_source_dir_scan(roots[i], ctx->rules, &o, out) < 0)
			return SFMC_ERROR;
	return SFMC_OK;
}

const sfmc_source_type sfmc_source_type_dir = {
	.name = "dir",
	.unit = "file",
	.units = "files",
	.git = false,
	.check_args = dir_args,
	.describe = dir_describe,
	.scan = dir_scan,
	.scan_current = NULL,
};
