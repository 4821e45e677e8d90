/* update.h — `kbundle update`, the nightly job in one call: take the work
 * directory's lock, crawl every enabled upstream, regenerate the manifest,
 * pack the bundles that are new, and write a summary (JSON and human).
 *
 * What changed is learnt by comparing the lists and the manifest before and
 * after the run, so --dry-run (which crawls into a scratch copy and writes
 * nothing the next run reads) reports exactly what a real run would. */
#ifndef KB_UPDATE_H
#define KB_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crawler/pkglist.h"
#include "lib/limits.h"
#include "manifest/shard.h"

struct kb_update_opts {
	const char *upstreams_dir;	/* upstreams/ */
	const char *lists_dir;		/* lists/ */
	const char *workdir;		/* .kbundle/ */
	const char *manifest_path;	/* manifest.yml */
	const char *json_path;		/* NULL: WORKDIR/reports/update-<date>.json; "-": stdout */
	const char *date;		/* YYYY-MM-DD, NULL: today (UTC) */
	bool dry_run;
	bool no_pack;
	int jobs;			/* pack parallelism, 0: default */
	struct kb_shard shard;		/* pack only this shard's bundles (count 0: all) */
	char **names;			/* upstream stems; none: every enabled one */
	size_t nnames;
	const struct kb_limits *limits;	/* on outside data; NULL: the defaults */
};

/* One kernel (a headers/devel package) that arrived or left. */
struct kb_update_kernel {
	char *upstream, *name, *version, *arch, *release;
};

enum kb_update_ustatus { KB_UPD_UPDATED, KB_UPD_UNCHANGED, KB_UPD_FAILED };

struct kb_update_upstream {
	char *name;
	enum kb_update_ustatus status;
	char *reason;		/* failures: what went wrong, with the URL */
	uint64_t bytes;		/* body bytes downloaded for it */
	size_t pkgs_new, pkgs_gone, pkgs_total;
};

enum { KB_STAGE_CRAWL, KB_STAGE_MANIFEST, KB_STAGE_PACK, KB_STAGE_COUNT };

struct kb_update_stage {
	const char *name;	/* "crawl", "manifest", "pack" */
	int64_t ms;
	int err;		/* 0, or the stage's error */
	bool ran;
};

struct kb_update_failure {
	char *stage, *what, *reason;
};

struct kb_update_summary {
	char date[11];
	char started[21];	/* ISO 8601 UTC */
	bool dry_run;
	struct kb_update_upstream *up;
	size_t nup;
	struct kb_update_kernel *new_k, *gone_k;
	size_t nnew_k, ngone_k;
	char **new_bundles;	/* bundle ids not in the previous manifest */
	size_t nnew_bundles;
	size_t npacked;		/* bundles packed by this run */
	size_t npack_failed;	/* bundles that failed to pack */
	size_t pkgs_downloaded;	/* packages the pack stage downloaded */
	struct kb_update_failure *fail;
	size_t nfail;
	struct kb_update_stage stages[KB_STAGE_COUNT];
	uint64_t bytes;		/* body bytes downloaded by the whole run */
	int exit_status;	/* 0 ok, 1 failed, 3 partial */
};

/* Run the nightly job. Returns 0 when it ran (its outcome, including
 * partial failures, is in s->exit_status), -KB_ELOCKED when another run
 * holds the work directory, -KB_EUSAGE on bad configuration. */
int kb_update_run(const struct kb_update_opts *o, struct kb_update_summary *s);
void kb_update_summary_free(struct kb_update_summary *s);

/* Summary helpers (update_report.c). */

/* Compare an upstream's list before and after the crawl: count what came and
 * went, and record kernels (headers/devel packages) that arrived or left. */
void kb_update_diff_list(struct kb_update_summary *s, struct kb_update_upstream *u,
			 const struct kb_pkglist *before, const struct kb_pkglist *after);
void kb_update_fail(struct kb_update_summary *s, const char *stage, const char *what,
		    const char *reason);
/* The summary as JSON (kbundle-update-1), written atomically to path ("-": stdout). */
int kb_update_write_json(const struct kb_update_summary *s, const char *path);
/* The summary for people, on f. */
void kb_update_print(const struct kb_update_summary *s, FILE *f);

#endif
