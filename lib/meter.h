/* meter.h — the progress line of long work (pack, vmtest, build, and
 * update through pack): "packing 3/25, 45.2 MB, 0m12s, ETA 1m05s", redrawn
 * at most four times a second on stderr, and only when stderr is a
 * terminal and the level is INFO or more (lib/log's kb_progress). Safe to
 * advance from several threads. */
#ifndef KB_LIB_METER_H
#define KB_LIB_METER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct kb_meter {
	const char *what;	/* "packing", "booting" */
	size_t total, done;
	uint64_t bytes;		/* written or downloaded so far (0: not shown) */
	double t0, drawn;
	pthread_mutex_t lock;
};

void kb_meter_start(struct kb_meter *m, const char *what, size_t total);
/* items more done, bytes more moved. */
void kb_meter_add(struct kb_meter *m, size_t items, uint64_t bytes);
/* Clear the line (the log carries the result). */
void kb_meter_end(struct kb_meter *m);

#endif
