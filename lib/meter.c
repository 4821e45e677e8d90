/* meter.c — the progress line of long work (meter.h). */
#include <time.h>

#include "lib/human.h"
#include "lib/log.h"
#include "lib/meter.h"

static double kb_meter_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void kb_meter_draw(struct kb_meter *m, double now)
{
	char size[KB_HUMAN_LEN] = "", took[KB_HUMAN_LEN], eta[KB_HUMAN_LEN];
	double spent = now - m->t0;
	double left = m->done ? spent / (double)m->done * (double)(m->total - m->done) : -1;

	if (m->bytes)
		kb_human_bytes(m->bytes, size);
	kb_progress("%s %zu/%zu%s%s, %s, ETA %s", m->what, m->done, m->total, m->bytes ? ", " : "",
		    size, kb_human_secs(spent, took), kb_human_secs(left, eta));
	m->drawn = now;
}

void kb_meter_start(struct kb_meter *m, const char *what, size_t total)
{
	m->what = what;
	m->total = total;
	m->done = 0;
	m->bytes = 0;
	m->t0 = kb_meter_now();
	m->drawn = 0;
	pthread_mutex_init(&m->lock, NULL);
	if (total)
		kb_meter_draw(m, m->t0);
}

void kb_meter_add(struct kb_meter *m, size_t items, uint64_t bytes)
{
	double now = kb_meter_now();

	pthread_mutex_lock(&m->lock);
	m->done += items;
	m->bytes += bytes;
	if (now - m->drawn >= 0.25 || m->done == m->total)
		kb_meter_draw(m, now);
	pthread_mutex_unlock(&m->lock);
}

void kb_meter_end(struct kb_meter *m)
{
	kb_progress_done();
	pthread_mutex_destroy(&m->lock);
}
