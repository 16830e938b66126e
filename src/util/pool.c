#include "util/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/bounds.h"
#include "util/array.h"
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
				snprintf(p->msg, sizeof(p->msg), "%s", sfmc_error_last());
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

struct sfmc_queue {
	sfmc_queue_fn fn;
	void (*drop)(void *item);
	void *ctx;
	pthread_mutex_t lock;
	pthread_cond_t more;
	void **items;      /* FIFO: [head, n) waiting */
	size_t head, n, a;
	bool closed;
	int rc;            /* first failure */
	char msg[1024];
	unsigned nthreads, started;
	pthread_t tids[SFMC_MAX_THREADS];
	struct qworker {
		sfmc_queue *q;
		unsigned id;
	} ws[SFMC_MAX_THREADS];
};

/* Next item, or NULL once the queue is closed and empty (or failed). */
static void *take(sfmc_queue *q)
{
	void *item = NULL;

	pthread_mutex_lock(&q->lock);
	while (q->head == q->n && !q->closed && !q->rc)
		pthread_cond_wait(&q->more, &q->lock);
	if (q->head < q->n && !q->rc)
		item = q->items[q->head++];
	pthread_mutex_unlock(&q->lock);
	return item;
}

static void *queue_run(void *arg)
{
	struct qworker *w = arg;
	sfmc_queue *q = w->q;
	void *item;

	while ((item = take(q))) {
		int rc = q->fn(item, w->id, q->ctx);
		if (rc < 0) {
			pthread_mutex_lock(&q->lock);
			if (!q->rc) {
				q->rc = rc;
				snprintf(q->msg, sizeof(q->msg), "%s", sfmc_error_last());
			}
			pthread_cond_broadcast(&q->more);
			pthread_mutex_unlock(&q->lock);
		}
	}
	return NULL;
}

int sfmc_queue_start(sfmc_queue **out, unsigned nthreads, sfmc_queue_fn fn, void (*drop)(void *item), void *ctx)
{
	sfmc_queue *q = calloc(1, sizeof(*q));

	*out = NULL;
	if (!q)
		return sfmc_error_set("out of memory");
	q->fn = fn;
	q->drop = drop;
	q->ctx = ctx;
	q->nthreads = nthreads < 1 ? 1 : nthreads > SFMC_MAX_THREADS ? SFMC_MAX_THREADS : nthreads;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	for (unsigned i = 0; i < q->nthreads; i++)
		q->ws[i] = (struct qworker){ q, i };
	/* Worker 0 is the caller, in sfmc_queue_finish; a thread that cannot start leaves its share. */
	for (unsigned i = 1; i < q->nthreads; i++) {
		if (pthread_create(&q->tids[q->started], NULL, queue_run, &q->ws[i]) != 0)
			break;
		q->started++;
	}
	*out = q;
	return 0;
}

int sfmc_queue_push(sfmc_queue *q, void *item)
{
	int rc = 0;

	pthread_mutex_lock(&q->lock);
	if (q->head == q->n)
		q->head = q->n = 0; /* drained: reuse the array from the start */
	if ((rc = SFMC_ARRAY_GROW(q->items, q->n, q->a)) < 0)
		goto unlock;
	q->items[q->n++] = item;
	item = NULL;
	pthread_cond_signal(&q->more);
unlock:
	pthread_mutex_unlock(&q->lock);
	if (item)
		q->drop(item);
	return rc;
}

int sfmc_queue_finish(sfmc_queue *q)
{
	int rc;

	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->more);
	pthread_mutex_unlock(&q->lock);
	queue_run(&q->ws[0]);
	for (unsigned i = 0; i < q->started; i++)
		pthread_join(q->tids[i], NULL);
	for (size_t i = q->head; i < q->n; i++)
		q->drop(q->items[i]);
	rc = q->rc;
	if (rc)
		sfmc_error_set("%s", q->msg);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	free(q->items);
	free(q);
	return rc;
}
