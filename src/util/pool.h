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

/* Number of online CPUs, at least 1. */
unsigned sfmc_pool_cpus(void);

#endif
