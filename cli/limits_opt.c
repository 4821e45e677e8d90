/* limits_opt.c — parse the resource-limit flags into a struct kb_limits. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/http.h"
#include "lib/limits.h"
#include "lib/log.h"

/* A positive number with an optional K/M/G (1024-based) suffix. */
static int kb_parse_size(const char *s, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -KB_EUSAGE;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -KB_EUSAGE;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	default: break;
	}
	if (*end || v == 0 || v > (UINT64_MAX >> shift))
		return -KB_EUSAGE;
	*out = (uint64_t)v << shift;
	return 0;
}

int kb_cli_limits_opt(struct kb_limits *l, int c, const char *arg)
{
	static const char *const names[] = {
		"max-index-size", "max-unpacked-size", "max-ratio", "max-entries",
		"max-path", "max-yaml-depth", "max-line", "max-yaml-nodes", "max-time",
		"speed-limit", "speed-time",
	};
	uint64_t v;

	if (c < KB_OPT_MAX_INDEX_SIZE || c > KB_OPT_SPEED_TIME)
		return 0;
	if (kb_parse_size(arg, &v) || (c >= KB_OPT_MAX_PATH && v > SIZE_MAX) ||
	    (c >= KB_OPT_MAX_TIME && v > 1000000000)) {
		kb_error("--%s: '%s' is not a positive number", names[c - KB_OPT_MAX_INDEX_SIZE],
			 arg ? arg : "");
		return -KB_EUSAGE;
	}
	switch (c) {
	case KB_OPT_MAX_INDEX_SIZE: l->max_index_size = v; break;
	case KB_OPT_MAX_UNPACKED_SIZE: l->max_unpacked_size = v; break;
	case KB_OPT_MAX_RATIO: l->max_ratio = v; break;
	case KB_OPT_MAX_ENTRIES: l->max_entries = v; break;
	case KB_OPT_MAX_PATH: l->max_path = (size_t)v; break;
	case KB_OPT_MAX_YAML_DEPTH: l->max_yaml_depth = (size_t)v; break;
	case KB_OPT_MAX_LINE: l->max_line = (size_t)v; break;
	case KB_OPT_MAX_YAML_NODES: l->max_yaml_nodes = (size_t)v; break;
	case KB_OPT_MAX_TIME: l->max_time_s = (long)v; break;
	case KB_OPT_SPEED_LIMIT: l->speed_limit = (long)v; break;
	case KB_OPT_SPEED_TIME: l->speed_time_s = (long)v; break;
	default: break;
	}
	return 1;
}

void kb_cli_limits_usage(FILE *f)
{
	const struct kb_limits *d = &kb_limits_default;

	fprintf(f,
		"\nlimits on outside data (SIZE takes K, M, G):\n"
		"  --max-index-size SIZE     one index or metadata file (default %" PRIu64 "M)\n"
		"  --max-unpacked-size SIZE  one decompressed index or archive (default %" PRIu64 "M)\n"
		"  --max-ratio N             unpacked : packed size (default %" PRIu64 ")\n"
		"  --max-entries N           entries in one archive (default %" PRIu64 ")\n"
		"  --max-path N              bytes of an archive entry's path (default %zu)\n"
		"  --max-yaml-depth N        YAML nesting (default %zu)\n"
		"  --max-line N              bytes of one index line (default %zu)\n"
		"  --max-yaml-nodes N        nodes of a YAML document (default %zu)\n"
		"downloads:\n"
		"  --max-time SECONDS        give each attempt up after this (default %ld)\n"
		"  --speed-limit BYTES       give an attempt up when under BYTES/s for\n"
		"  --speed-time SECONDS      SECONDS (defaults %ld and %d)\n",
		d->max_index_size >> 20, d->max_unpacked_size >> 20, d->max_ratio, d->max_entries,
		d->max_path, d->max_yaml_depth, d->max_line, d->max_yaml_nodes, d->max_time_s,
		d->speed_limit, KB_HTTP_SPEED_TIME_S);
}
