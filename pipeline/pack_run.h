/* pack_run.h — `kbundle pack`'s core: select manifest entries, have their
 * packages in the cache (downloading what it lacks), pack what is not
 * already packed by this packer format, and rewrite the index. */
#ifndef KB_PACK_RUN_H
#define KB_PACK_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"
#include "manifest/select.h"
#include "pipeline/entries.h"
#include "pipeline/preview.h"

struct kb_pack_opts {
	const char *manifest;	/* manifest.yml */
	const char *upstreams;	/* upstreams/ (mirrors) */
	const char *workdir;	/* .kbundle */
	struct kb_select sel;	/* which entries */
	int jobs;		/* downloads and bundles at once */
	int64_t mtime;		/* every tar entry's mtime */
	const struct kb_limits *limits;	/* on the manifest and packages; NULL: defaults */
	bool preview;		/* only say what a run would do (kb_pack_stats.preview) */
};

struct kb_pack_stats {
	size_t selected, packed, skipped, failed, downloaded;
	/* header packages read and decompressed, uses of them, most held at once */
	size_t inputs_read, inputs_used, inputs_peak;
	struct kb_preview preview;	/* with kb_pack_opts.preview: what a run would do */
};

/* 0 when every selected bundle is there; the first error otherwise (each
 * failure logged once with its bundle and URL or entry). */
int kb_pack_run(const struct kb_pack_opts *o, struct kb_pack_stats *st);
/* The same over entries already selected, with their upstreams loaded and
 * the cache open: pack every entry i with which[i] (vmtest packs the
 * bundles it lacks this way). */
int kb_pack_entries(struct kb_entries *s, const bool *which, int jobs, int64_t mtime,
		    struct kb_pack_stats *st);

#endif
