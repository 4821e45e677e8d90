/* limits.c — default resource limits, and the ratio check.
 *
 * Sizes of real indexes and packages (measured: apt's own lists here; ~:
 * published figures):
 *   Debian 12 main/binary-amd64/Packages   50.1 MB, longest line 75,649 bytes;
 *                                          8.9 MB as .xz (5.6:1)
 *   Fedora Everything x86_64 primary.xml   ~several hundred MB (~60 MB as .zst)
 *   Ubuntu 24.04 main+restricted Packages  ~20 MB
 *   linux-headers-*-common .deb            ~12 MB packed, ~70 MB, ~18,000 entries unpacked
 *   kernel-devel .rpm                      ~20 MB packed, ~75 MB, ~21,000 entries unpacked
 *   linux-image + modules (vmtest)         ~110 MB packed, ~500 MB, ~6,000 entries
 * Ratios of real data: Packages/xz ~5:1, primary.xml/zst ~9:1, header
 * tarballs ~7:1; a zeros bomb reaches 1000:1 (gzip) to 7000:1 (xz). */
#include "lib/error.h"
#include "lib/limits.h"

const struct kb_limits kb_limits_default = {
	.max_index_size = 1ull << 30,		/* 1 GiB: 16x Fedora's primary.xml.zst */
	.max_unpacked_size = 4ull << 30,	/* 4 GiB: 8x Fedora's primary.xml */
	.max_ratio = 200,			/* 20x the highest real ratio */
	.max_entries = 1000000,			/* 50x a kernel-devel package */
	.max_path = 4096,			/* PATH_MAX; real header paths stay under 200 */
	.max_yaml_depth = 64,			/* kbundle's files nest 5 deep */
	.max_yaml_nodes = 4000000,		/* ~80,000 manifest entries */
	.max_line = 1u << 20,			/* 14x Debian's longest Packages line */
	.max_time_s = 3600,			/* a 110 MB image at 32 KB/s */
	.speed_limit = 1024,
	.speed_time_s = 0,
};

const struct kb_limits *kb_limits_or_default(const struct kb_limits *l)
{
	return l ? l : &kb_limits_default;
}

int kb_limits_check_ratio(const struct kb_limits *l, uint64_t in, uint64_t out)
{
	if (out <= KB_RATIO_FLOOR || !l->max_ratio)
		return 0;
	if (in == 0 || out / l->max_ratio > in)
		return -KB_ELIMIT;
	return 0;
}
