/* limits.h — the resource limits on outside data, in one place.
 *
 * Every parser and extractor of data from mirrors (indexes, packages,
 * manifest and upstream files) takes its limits as a struct kb_limits, so
 * one set of defaults — and one set of command-line flags (cli/limits_opt.c)
 * — covers them all. There is no global: a command fills one struct from its
 * flags and hands it down in the options it passes to the core (a
 * `const struct kb_limits *limits` member; NULL means the defaults). The defaults fit the largest real distro indexes with room to
 * spare (figures in limits.c). A limit exceeded is -KB_ELIMIT, with a
 * message that names the input, the limit and the flag that raises it. */
#ifndef KB_LIMITS_H
#define KB_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct kb_limits {
	uint64_t max_index_size;	/* bytes of one downloaded index file, as fetched */
	uint64_t max_unpacked_size;	/* bytes out of one decompressed stream or archive */
	uint64_t max_ratio;		/* unpacked : packed, checked past KB_RATIO_FLOOR out */
	uint64_t max_entries;		/* entries in one archive */
	size_t max_path;		/* bytes of one archive entry's path or link target */
	size_t max_yaml_depth;		/* nesting of a YAML document */
	size_t max_yaml_nodes;		/* nodes in a YAML document */
	size_t max_line;		/* bytes of one line of a text index (Release, Packages, lists) */
	/* every download (lib/http): a deadline per attempt, and the speed
	 * below which, for speed_time_s, an attempt is given up */
	long max_time_s;
	long speed_limit;		/* bytes/s */
	long speed_time_s;		/* 0: 30 s, or KBUNDLE_HTTP_STALL_S */
};

/* Below this many bytes out, the ratio is not checked: tiny files compress
 * absurdly well (a 40-byte .xz of 4 KiB of zeros) and are harmless. */
#define KB_RATIO_FLOOR (1u << 20)

/* The built-in defaults. */
extern const struct kb_limits kb_limits_default;

/* l, or the defaults when l is NULL. */
const struct kb_limits *kb_limits_or_default(const struct kb_limits *l);

/* -KB_ELIMIT when out bytes came from in bytes at more than max_ratio : 1
 * (past KB_RATIO_FLOOR), else 0. */
int kb_limits_check_ratio(const struct kb_limits *l, uint64_t in, uint64_t out);

#endif
