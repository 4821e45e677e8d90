/* index_read.c — benchmark reading a whole published index.json.
 *
 * Generates an index of 200,000 bundles (the most an index may list), shaped
 * like the ones publish writes, and reads it with kb_index_parse (libyaml
 * events → the arena tree → checked entries, the duplicate-id check
 * included), beside libyaml's bare event stream over the same bytes in the
 * same run: the floor any libyaml reader has. Prints CPU seconds and the
 * ratio. Target: the whole read under 2 s of CPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "bench/lib/clock.h"
#include "bundles/index.h"
#include "lib/error.h"
#include "lib/log.h"

#define RUNS 3

static char *gen(size_t n, size_t *len)
{
	size_t cap = n * 400 + 64, l = 0;
	char *t = malloc(cap);

	if (!t)
		abort();
	l += (size_t)snprintf(t + l, cap - l, "{\"index_format\": 2, \"packer_format\": 2, \"bundles\": [\n");
	for (size_t i = 0; i < n; i++)
		l += (size_t)snprintf(t + l, cap - l,
				      "%s{\"id\": \"%016llx%048zx\", \"distro\": \"debian\", "
				      "\"release\": \"6.1.0-%zu-amd64\", \"uname\": \"6.1.0-%zu-amd64\", "
				      "\"arch\": \"amd64\", \"size\": %zu, \"sha256\": \"%064zx\", "
				      "\"packed_at\": \"2026-12-01T00:00:00Z\", \"packer_format\": 2}\n",
				      i ? "," : "", (unsigned long long)(i + 1) * 0x9e3779b97f4a7c15ull, i,
				      i, i, 9000000 + i, i * 2654435761u);
	l += (size_t)snprintf(t + l, cap - l, "]}\n");
	*len = l;
	return t;
}

static size_t events(const char *t, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	size_t n = 0;

	if (!yaml_parser_initialize(&p))
		abort();
	yaml_parser_set_input_string(&p, (const unsigned char *)t, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev))
			abort();
		n++;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return n;
}

int main(void)
{
	size_t len, nev = 0;
	char *t = gen(KB_INDEX_MAX_ENTRIES, &len);
	double best_k = 1e9, best_y = 1e9;

	for (int r = 0; r < RUNS; r++) {
		struct kb_index idx = { 0 };
		double t0 = kb_cpu();
		int err = kb_index_parse(t, len, "index.json", &idx);
		double t1 = kb_cpu();

		if (err || idx.n != KB_INDEX_MAX_ENTRIES) {
			fprintf(stderr, "index_read: kb_index_parse: %s (%zu entries)\n",
				kb_strerror(err), idx.n);
			return 1;
		}
		kb_index_free(&idx);
		if (t1 - t0 < best_k)
			best_k = t1 - t0;
		t0 = kb_cpu();
		nev = events(t, len);
		t1 = kb_cpu();
		if (t1 - t0 < best_y)
			best_y = t1 - t0;
	}
	printf("index.json of %d bundles, %.1f MB, best of %d runs (CPU):\n", KB_INDEX_MAX_ENTRIES,
	       (double)len / 1e6, RUNS);
	printf("  libyaml events only (%zu events, baseline)   %6.3f s\n", nev, best_y);
	printf("  kb_index_parse (tree, checks, duplicates)    %6.3f s  %.2fx the baseline  "
	       "(target < 2 s)\n", best_k, best_k / best_y);
	free(t);
	return best_k < 2.0 ? 0 : 1;
}
