#include "util/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "util/error.h"

typedef struct pool {
	sfmc_pool_fn fn;
	void *ctx;
	size_t ntasks;
	atomic_size_t next;
	atomic_int failed;
	pthread_mutex_t lock;
	int rc;
	char msg[1024];
} pool;

typedef struct worker {
	pool *p;
	unsigned id;
} worker;

static void *run(void *arg)
{
	worker *w = arg;
	pool *p = w->p;

	while (!atomic_load(&p->failed)) {
		size_t t = atomic_fetch_add(&p->next, 1);
		int rc;
		if (t >= p->ntasks)
			break;
		if ((rc = p->fn(t, w->id, p->ctx)) < 0) {
			pthread_mutex_lock(&p->lock);
			if (!atomic_exchange(&p->failed, 1)) {
				p->rc = rc;
				strncpy(p->msg, sfmc_error_last(), sizeof(p->msg) - 1);
			}
			pthread_mutex_unlock(&p->lock);
		}
	}
	return NULL;
}

int sfmc_pool_run(unsigned nthreads, size_t ntasks, sfmc_pool_fn fn, void *ctx)
{
	pool p = { .fn = fn, .ctx = ctx, .ntasks = ntasks };
	pthread_t tids[SFMC_MAX_THREADS];
	worker ws[SFMC_MAX_THREADS];
	unsigned started = 0;

	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > SFMC_MAX_THREADS)
		nthreads = SFMC_MAX_THREADS;
	if (ntasks < nthreads)
		nthreads = ntasks ? (unsigned)ntasks : 1;
	atomic_init(&p.next, 0);
	atomic_init(&p.failed, 0);
	pthread_mutex_init(&p.lock, NULL);
	for (unsigned i = 0; i < nthreads; i++)
		ws[i] = (worker){ &p, i };
	/* A thread that cannot start just leaves its share to the others. */
	for (unsigned i = 1; i < nthreads; i++) {
		if (pthread_create(&tids[started], NULL, run, &ws[i]) != 0)
			break;
		started++;
	}
	run(&ws[0]);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_mutex_destroy(&p.lock);
	if (atomic_load(&p.failed)) {
		sfmc_error_set("%s", p.msg);
		return p.rc;
	}
	return 0;
}

unsigned sfmc_pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > SFMC_MAX_THREADS ? SFMC_MAX_THREADS : (unsigned)n;
}
