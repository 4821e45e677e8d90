/* pool.h — run n independent jobs on up to `threads` threads (-j N):
 * parallel downloads, bundles packed side by side. Each job writes only
 * its own result slot, so no locking is needed beyond the job counter. */
#ifndef KB_POOL_H
#define KB_POOL_H

#include <stddef.h>

/* Calls fn(ctx, i) once for every i in [0, n); returns when all are done.
 * threads <= 1 runs them in order on the calling thread. */
void kb_pool_run(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx);

#endif
