#define _GNU_SOURCE
#include "source_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "limits.h"
#include "scan.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/pool.h"

typedef struct file_task {
	char *path;      /* path to open */
	char *rel;       /* path to report */
} file_task;

typedef struct walk {
	const char *root;   /* as the user wrote it: reported paths start with it */
	const char *fsroot; /* root with its links resolved: files are opened under it */
	const sfmc_dir_opts *opts;
	sfmc_results *out;
	file_task *files;
	size_t nfiles, afiles;
} walk;

static int add_file(walk *w, const char *path, const char *rel)
{
	if (w->nfiles == w->afiles) {
		size_t na = w->afiles ? w->afiles * 2 : 256;
		file_task *p = realloc(w->files, na * sizeof(*p));
		if (!p)
			return sfmc_error_set("out of memory");
		w->files = p;
		w->afiles = na;
	}
	w->files[w->nfiles].path = strdup(path);
	w->files[w->nfiles].rel = strdup(rel);
	if (!w->files[w->nfiles].path || !w->files[w->nfiles].rel) {
		free(w->files[w->nfiles].path);
		free(w->files[w->nfiles].rel);
		return sfmc_error_set("out of memory");
	}
	w->nfiles++;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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

/* Classifies one entry; files are queued, directories pushed on the stack. */
static int visit(walk *w, const char *path, const char *rel, char ***stack, size_t *nstack, size_t *astack)
{
	struct stat st;
	char reason[96];
	sfmc_buf shown = SFMC_BUF_INIT;
	int rc = 0;

	if (report_path(w, rel, &shown) < 0)
		return -1;
	/* The root is followed if it is a link: the user named it. */
	if ((*rel ? lstat(path, &st) : stat(path, &st)) < 0) {
		sfmc_error_set_errno("cannot stat");
		rc = sfmc_results_add_error(w->out, shown.ptr, sfmc_error_last());
	} else if (S_ISDIR(st.st_mode)) {
		const char *base = strrchr(rel, '/');
		base = base ? base + 1 : rel;
		if (!strcmp(base, ".git"))
			goto cleanup; /* git's own store: scanned by `sfmc-scan git`, not as files */
		if (w->opts->exclude && *rel && w->opts->exclude(rel, true, w->opts->exclude_ctx))
			goto cleanup;
		if (*nstack == *astack) {
			size_t na = *astack ? *astack * 2 : 64;
			char **p = realloc(*stack, na * sizeof(*p));
			if (!p) {
				rc = sfmc_error_set("out of memory");
				goto cleanup;
			}
			*stack = p;
			*astack = na;
		}
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
		snprintf(reason, sizeof(reason), "larger than --max-file-size (%llu > %llu bytes)",
			 (unsigned long long)st.st_size, (unsigned long long)w->opts->max_file_size);
		rc = sfmc_results_add_skipped(w->out, shown.ptr, reason);
	} else {
		rc = add_file(w, path, shown.ptr);
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

/* Reads one directory's names, sorted so that the walk is deterministic. */
static int read_names(const char *path, char ***names, size_t *n)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *e;
	size_t a = 0;

	*names = NULL;
	*n = 0;
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return sfmc_error_set_errno("cannot open directory");
	}
	errno = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == a) {
			char **p = realloc(*names, (a = a ? a * 2 : 32) * sizeof(*p));
			if (!p)
				goto oom;
			*names = p;
		}
		if (!((*names)[(*n)++] = strdup(e->d_name)))
			goto oom;
		errno = 0;
	}
	if (errno) {
		sfmc_error_set_errno("cannot read directory");
		closedir(d);
		return -1;
	}
	closedir(d);
	qsort(*names, *n, sizeof(**names), cmp_name);
	return 0;
oom:
	closedir(d);
	return sfmc_error_set("out of memory");
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int walk_tree(walk *w)
{
	char **stack = NULL, **names;
	size_t nstack = 0, astack = 0, nnames;
	sfmc_buf path = SFMC_BUF_INIT, rel = SFMC_BUF_INIT, shown = SFMC_BUF_INIT;
	int rc = 0;

	rc = visit(w, w->fsroot, "", &stack, &nstack, &astack);
	while (rc == 0 && nstack) {
		char *dir = stack[--nstack];
		size_t top = nstack;

		if ((rc = join(&path, w->fsroot, dir)) < 0)
			goto next;
		if (read_names(path.ptr, &names, &nnames) < 0) {
			if ((rc = report_path(w, dir, &shown)) == 0)
				rc = sfmc_results_add_error(w->out, *dir ? shown.ptr : w->root, sfmc_error_last());
			goto next;
		}
		for (size_t i = 0; i < nnames && rc == 0; i++) {
			if ((rc = join(&path, w->fsroot, dir)) < 0 || (rc = join(&path, NULL, names[i])) < 0 ||
			    (rc = join(&rel, dir, names[i])) < 0)
				break;
			rc = visit(w, path.ptr, rel.ptr, &stack, &nstack, &astack);
		}
		free_names(names, nnames);
		/* Reverse the children just pushed so they pop in name order. */
		for (size_t i = top, j = nstack; i + 1 < j; i++, j--) {
			char *t = stack[i];
			stack[i] = stack[j - 1];
			stack[j - 1] = t;
		}
next:
		free(dir);
	}
	for (size_t i = 0; i < nstack; i++)
		free(stack[i]);
	free(stack);
	sfmc_buf_dispose(&path);
	sfmc_buf_dispose(&rel);
	sfmc_buf_dispose(&shown);
	return rc;
}

typedef struct scan_ctx {
	walk *w;
	const sfmc_ruleset *rules;
	sfmc_scanner *scanners;
	sfmc_results *results; /* one per worker, merged at the end */
} scan_ctx;

static int scan_one(size_t task, unsigned worker, void *p)
{
	scan_ctx *c = p;
	const file_task *t = &c->w->files[task];
	sfmc_results *out = &c->results[worker];
	sfmc_provenance prov = { t->rel, strlen(t->rel), NULL, NULL };
	struct stat st;
	int fd, rc = 0;

	/* O_NOFOLLOW|O_NONBLOCK: a file swapped for a link or FIFO since the walk is not followed or waited on. */
	fd = open(t->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		sfmc_error_set_errno("cannot open");
		return sfmc_results_add_error(out, t->rel, sfmc_error_last());
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sfmc_results_add_error(out, t->rel, "changed into a non-regular file during the scan");
	}
	if (sfmc_scanner_scan_fd(&c->scanners[worker], fd, &prov, out) < 0)
		rc = sfmc_results_add_error(out, t->rel, sfmc_error_last());
	close(fd);
	return rc;
}

int sfmc_source_dir_scan(const char *root, const sfmc_ruleset *rules, const sfmc_dir_opts *opts,
			 sfmc_results *out)
{
	/* The root is followed if it is a link (the user named it); below it,
	 * O_NOFOLLOW opens would refuse a linked root, so open via its target. */
	char *resolved = realpath(root, NULL);
	walk w = { .root = root, .fsroot = resolved ? resolved : root, .opts = opts, .out = out };
	scan_ctx c = { .w = &w, .rules = rules };
	unsigned n = opts->threads ? opts->threads : sfmc_pool_cpus(), ready = 0;
	int rc = -1;

	if (walk_tree(&w) < 0)
		goto cleanup;
	if (n > w.nfiles)
		n = w.nfiles ? (unsigned)w.nfiles : 1;
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
	rc = sfmc_pool_run(n, w.nfiles, scan_one, &c);
cleanup:
	for (unsigned i = 0; i < ready; i++) {
		if (sfmc_results_merge(out, &c.results[i]) < 0)
			rc = -1;
		sfmc_results_dispose(&c.results[i]);
		sfmc_scanner_dispose(&c.scanners[i]);
	}
	free(c.scanners);
	free(c.results);
	for (size_t i = 0; i < w.nfiles; i++) {
		free(w.files[i].path);
		free(w.files[i].rel);
	}
	free(w.files);
	free(resolved);
	return rc;
}

int sfmc_source_fd_scan(int fd, const char *label, const sfmc_ruleset *rules, sfmc_results *out)
{
	sfmc_scanner s;
	sfmc_provenance prov = { label, strlen(label), NULL, NULL };
	int rc = 0;

	if (sfmc_scanner_init(&s, rules) < 0) {
		sfmc_scanner_dispose(&s);
		return -1;
	}
	if (sfmc_scanner_scan_fd(&s, fd, &prov, out) < 0)
		rc = sfmc_results_add_error(out, label, sfmc_error_last());
	sfmc_scanner_dispose(&s);
	return rc;
}
