/* fault.c - an LD_PRELOAD shim that injects faults into sfmc-scan for the
 * fail-closed tests. SFMC_FAULT_INJECT selects one:
 *   alloc:N         the Nth malloc/calloc/realloc of the process fails
 *   alloc-worker:N  the Nth allocation made by a thread other than main fails
 *   shrink:NAME     before the first read of a file named NAME, halve it
 *   grow:NAME       before the first read of a file named NAME, append 4 KiB
 *   vanish:NAME     when the listing of a directory holding NAME ends (the
 *                   walk has its name, the file is not open yet), delete NAME
 * With SFMC_FAULT_COUNT=FILE, "ALLOCATIONS FIRED" is written to FILE at
 * exit (FIRED is 1 when the fault happened). Test-only: never linked into sfmc-scan. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static struct dirent *(*real_readdir)(DIR *);

static enum { NONE, ALLOC, ALLOC_WORKER, SHRINK, GROW, VANISH } mode;
static long target;          /* N for alloc modes */
static const char *name;     /* NAME for file modes */
static atomic_long count;
static atomic_int done;
static pid_t main_tid;

/* dlsym may allocate before real_calloc is known: serve it from here. */
static char boot[4096];
static size_t boot_used;

__attribute__((constructor)) static void init(void)
{
	const char *spec = getenv("SFMC_FAULT_INJECT");

	real_malloc = dlsym(RTLD_NEXT, "malloc");
	real_calloc = dlsym(RTLD_NEXT, "calloc");
	real_realloc = dlsym(RTLD_NEXT, "realloc");
	real_readdir = dlsym(RTLD_NEXT, "readdir");
	main_tid = (pid_t)syscall(SYS_gettid);
	if (!spec)
		return;
	if (!strncmp(spec, "alloc:", 6))
		mode = ALLOC, target = atol(spec + 6);
	else if (!strncmp(spec, "alloc-worker:", 13))
		mode = ALLOC_WORKER, target = atol(spec + 13);
	else if (!strncmp(spec, "shrink:", 7))
		mode = SHRINK, name = spec + 7;
	else if (!strncmp(spec, "grow:", 5))
		mode = GROW, name = spec + 5;
	else if (!strncmp(spec, "vanish:", 7))
		mode = VANISH, name = spec + 7;
	atomic_store(&count, 0);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("SFMC_FAULT_COUNT");
	FILE *f;
	if (path && (f = fopen(path, "w"))) {
		fprintf(f, "%ld %d\n", atomic_load(&count), atomic_load(&done));
		fclose(f);
	}
}

/* true when this allocation is the one to fail. */
static int fail_now(void)
{
	long n;
	if (mode == ALLOC_WORKER && (pid_t)syscall(SYS_gettid) == main_tid)
		return 0;
	n = atomic_fetch_add(&count, 1) + 1;
	if ((mode == ALLOC || mode == ALLOC_WORKER) && n == target) {
		atomic_store(&done, 1);
		return 1;
	}
	return 0;
}

void *malloc(size_t n)
{
	if (!real_malloc) {
		void *p = boot + boot_used;
		boot_used += (n + 15) & ~(size_t)15;
		return boot_used <= sizeof(boot) ? p : NULL;
	}
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	if (!real_calloc)
		return malloc(n * m); /* boot buffer is zeroed */
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_realloc(p, n);
}

void free(void *p)
{
	static void (*real_free)(void *);
	if ((char *)p >= boot && (char *)p < boot + sizeof(boot))
		return;
	if (!real_free)
		real_free = dlsym(RTLD_NEXT, "free");
	real_free(p);
}

/* The path of an open descriptor, or NULL. */
static const char *fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, buf, len - 1)) < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static int named(const char *path)
{
	const char *base = strrchr(path, '/');
	return !strcmp(base ? base + 1 : path, name);
}

ssize_t read(int fd, void *buf, size_t len)
{
	char path[PATH_MAX];
	struct stat st;

	if ((mode == SHRINK || mode == GROW) && !atomic_load(&done) && fd_path(fd, path, sizeof(path)) &&
	    named(path) && !atomic_exchange(&done, 1) && stat(path, &st) == 0) {
		if (mode == SHRINK) {
			if (truncate(path, st.st_size / 2) < 0)
				abort();
		} else {
			static char pad[4096];
			int w = open(path, O_WRONLY | O_APPEND);
			memset(pad, 'x', sizeof(pad));
			if (w < 0 || write(w, pad, sizeof(pad)) != (ssize_t)sizeof(pad))
				abort();
			close(w);
		}
	}
	return syscall(SYS_read, fd, buf, len);
}

struct dirent *readdir(DIR *d)
{
	int err = errno;
	struct dirent *e = real_readdir(d);

	if (!e && errno == err && mode == VANISH && !atomic_load(&done) && unlinkat(dirfd(d), name, 0) == 0) {
		atomic_store(&done, 1);
		errno = err;
	}
	return e;
}
