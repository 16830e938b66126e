#include "util/progress.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "util/bounds.h"
#include "util/error.h"

static struct {
	atomic_uint_fast64_t done, total, bytes;
	atomic_bool total_final;
	const char *noun;
	struct timespec t0;
	bool running, stop;
	int drawn; /* width of the line on screen, 0: nothing drawn */
	pthread_t ticker;
	pthread_mutex_t lock;
	pthread_cond_t wake;
} g = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static double elapsed(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - g.t0.tv_sec) + (double)(now.tv_nsec - g.t0.tv_nsec) / 1e9;
}

static void draw(void)
{
	uint64_t done = atomic_load(&g.done), total = atomic_load(&g.total), bytes = atomic_load(&g.bytes);
	double t = elapsed(), mib = (double)bytes / (1 << 20);
	char eta[32] = "";

	if (atomic_load(&g.total_final) && done && total > done && t > 0)
		snprintf(eta, sizeof(eta), ", ETA %.0f s", t * (double)(total - done) / (double)done);
	char line[160];
	int n = snprintf(line, sizeof(line), "sfmc-scan: %llu/%llu%s %s, %.1f MiB, %.1f MiB/s%s",
			 (unsigned long long)done, (unsigned long long)total, atomic_load(&g.total_final) ? "" : "+",
			 g.noun, mib, t > 0 ? mib / t : 0.0, eta);
	/* Redrawn in place with \r and padding: no terminal escapes (NO_COLOR, dumb terminals). */
	fprintf(stderr, "\r%s%*s", line, g.drawn > n ? g.drawn - n : 0, "");
	fflush(stderr);
	if (n > g.drawn)
		g.drawn = n;
}

static void *tick(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g.lock);
	while (!g.stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += SFMC_PROGRESS_INTERVAL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&g.wake, &g.lock, &until) == ETIMEDOUT && !g.stop)
			draw();
	}
	pthread_mutex_unlock(&g.lock);
	return NULL;
}

int sfmc_progress_start(const char *noun, bool show)
{
	atomic_store(&g.done, 0);
	atomic_store(&g.total, 0);
	atomic_store(&g.bytes, 0);
	atomic_store(&g.total_final, false);
	g.noun = noun;
	g.stop = false;
	clock_gettime(CLOCK_MONOTONIC, &g.t0);
	if (!show || g.running)
		return 0;
	if (pthread_create(&g.ticker, NULL, tick, NULL) != 0)
		return sfmc_error_set("cannot start the progress thread");
	g.running = true;
	return 0;
}

void sfmc_progress_expect(uint64_t items)
{
	atomic_fetch_add_explicit(&g.total, items, memory_order_relaxed);
}

void sfmc_progress_expect_done(void)
{
	atomic_store(&g.total_final, true);
}

void sfmc_progress_add(uint64_t items, uint64_t bytes)
{
	if (items)
		atomic_fetch_add_explicit(&g.done, items, memory_order_relaxed);
	if (bytes)
		atomic_fetch_add_explicit(&g.bytes, bytes, memory_order_relaxed);
}

void sfmc_progress_stop(void)
{
	if (!g.running)
		return;
	pthread_mutex_lock(&g.lock);
	g.stop = true;
	pthread_cond_signal(&g.wake);
	pthread_mutex_unlock(&g.lock);
	pthread_join(g.ticker, NULL);
	g.running = false;
	draw(); /* the final count, at least once however short the scan */
	if (g.drawn) /* erase the line so the summary starts clean */
		fprintf(stderr, "\r%*s\r", g.drawn, "");
	fflush(stderr);
	g.drawn = 0;
}
