/* pool.h - a parallel for-loop over task indices on N threads. */
#ifndef SFMC_POOL_H
#define SFMC_POOL_H

#include <stddef.h>

/* Called once per task on some worker (0 <= worker < nthreads). A negative
 * return stops the remaining tasks and makes sfmc_pool_run fail. */
typedef int (*sfmc_pool_fn)(size_t task, unsigned worker, void *ctx);

/* Runs fn over tasks [0, ntasks) on at most nthreads threads (the caller's
 * thread is worker 0) and joins every thread before returning. Returns 0,
 * or the first negative value a task returned (its message is re-set on
 * the calling thread). */
int sfmc_pool_run(unsigned nthreads, size_t ntasks, sfmc_pool_fn fn, void *ctx);

/* A work queue fed while it runs (e.g. files found by a directory walk):
 * items are owned by the queue once pushed and handed to fn, which owns
 * them from then on. Workers wait for items until the queue is finished. */
typedef struct sfmc_queue sfmc_queue;
typedef int (*sfmc_queue_fn)(void *item, unsigned worker, void *ctx);

/* Starts nthreads - 1 workers (the caller becomes the last one in
 * sfmc_queue_finish). drop frees items that are never run (after a failure). */
int sfmc_queue_start(sfmc_queue **out, unsigned nthreads, sfmc_queue_fn fn, void (*drop)(void *item), void *ctx);
/* Queues one item (taking it, even on failure). Returns 0 or -1 (out of memory; message set). */
int sfmc_queue_push(sfmc_queue *q, void *item);
/* No more items: the caller works until the queue is empty, joins the
 * workers and frees q. Returns 0 or the first negative fn value (message re-set). */
int sfmc_queue_finish(sfmc_queue *q);

/* Number of online CPUs, at least 1. */
unsigned sfmc_pool_cpus(void);

#endif
