/* pool.c — a fixed set of pthreads taking job numbers from one counter. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "lib/file.h"
#include "lib/pool.h"

struct kb_pool {
	atomic_size_t next;
	size_t n;
	void (*fn)(void *ctx, size_t i);
	void *ctx;
};

static void *kb_pool_worker(void *arg)
{
	struct kb_pool *p = arg;

	for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;)
		p->fn(p->ctx, i);
	return NULL;
}

void kb_pool_run(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct kb_pool p = { .n = n, .fn = fn, .ctx = ctx };
	pthread_t *th;
	size_t nt = threads > 1 ? (size_t)threads : 1, started = 0;

	atomic_init(&p.next, 0);
	if (nt > n)
		nt = n;
	if (nt <= 1) {
		kb_pool_worker(&p);
		return;
	}
	th = kb_xcalloc(nt, sizeof(*th));
	for (size_t t = 0; t < nt; t++)
		if (pthread_create(&th[t], NULL, kb_pool_worker, &p) == 0)
			started++;
		else
			break;
	/* the calling thread works too, so a failed pthread_create only slows */
	kb_pool_worker(&p);
	for (size_t t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	free(th);
}
