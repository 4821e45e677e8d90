/* cache.h — the work directory's content-addressed store, shared by all
 * upstreams: WORKDIR/cache/objects/<aa>/<sha256> holds a downloaded package
 * named by its own sha256, so the same .deb served by two mirrors or
 * needed by two bundles is fetched and stored once.
 *
 * The cache knows digests, sizes and mirror paths, never manifests or
 * upstream files: pipeline/ turns manifest entries into kb_cache_fetch
 * descriptions, and cli/cmd_cache.c prints what kb_cache_list returns.
 *
 * An object appears only by rename() after its size and sha256 matched the
 * manifest; a download in flight is <sha256>.dl.part (continued with a
 * Range request by the next run). Built bundles are remembered by (bundle
 * id, packer format) stamps in WORKDIR/cache/bundles/. Writers hold an
 * exclusive flock on WORKDIR/lock, so two runs never interleave. */
#ifndef KB_CACHE_H
#define KB_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"
#include "lib/lock.h"
#include "lib/strv.h"

struct kb_cache {
	char *workdir;
	char *objects;		/* WORKDIR/cache/objects */
	char *stamps;		/* WORKDIR/cache/bundles */
	struct kb_lock lock;
	const struct kb_limits *limits;	/* downloads' deadline and speed; NULL: defaults */
};

/* Create the directories and take the work directory's lock (lib/lock's
 * kb_lock_wait: while another run holds it, say so naming the holder and
 * wait; kbundle update holding it already is fine). */
int kb_cache_open(struct kb_cache *c, const char *workdir);
void kb_cache_close(struct kb_cache *c);
/* The cache's paths only: no directory made, no lock taken, for a look
 * that must write nothing (--dry-run, the --all guard). Close it the same. */
void kb_cache_view(struct kb_cache *c, const char *workdir);

/* malloc'd WORKDIR/cache/<area>: the one place that names the cache's
 * areas (objects, bundles; vm's kernels and modules). */
char *kb_cache_dir(const char *workdir, const char *area);

/* malloc'd WORKDIR/cache/objects/<aa>/<sha256>. */
char *kb_cache_object_path(const struct kb_cache *c, const char *sha256);

/* One file to have in the cache: what it is and where to get it. */
struct kb_cache_fetch {
	const char *sha256;	/* hex digest the object must hash to */
	uint64_t size;		/* and its size in bytes */
	const char *path;	/* relative to each mirror */
	const char *name;	/* for messages (a package name) */
	const struct kb_strv *mirrors;	/* tried in order; NULL or empty: cache only */
	bool fallback;		/* the caller has other candidates: a file no
				 * mirror has is logged as info, not as an error */
	char *object;		/* out: the verified object (malloc'd) */
	bool downloaded;	/* out: fetched by this run */
	bool gone;		/* out: every mirror answered 404 or 410 */
	int err;		/* out */
};

/* Make every file present and verified, downloading what the cache lacks
 * with up to jobs transfers at once. Failures are logged with the URL; the
 * first error is returned, the others are in v[i].err. Free each
 * v[i].object afterwards. */
int kb_cache_fetch_all(struct kb_cache *c, struct kb_cache_fetch *v, size_t n, int jobs);

/* Bundle stamps: was id packed by packer format `format` into exactly
 * this sha256 and size (the bundle file as it is now)? */
bool kb_cache_bundle_done(const struct kb_cache *c, const char *id, int format,
			  const char *sha256, uint64_t size);
int kb_cache_bundle_stamp(const struct kb_cache *c, const char *id, int format,
			  const char *sha256, uint64_t size);

/* Remove what a killed run left in the stamps: temp files of atomic writes. */
void kb_cache_sweep(const struct kb_cache *c);

/* One file of the store: an object, or a partial download of one. */
struct kb_cache_object {
	char *name;		/* <sha256>, or <sha256>.dl.part and the like */
	uint64_t size;
};

/* Every file in the store, in directory order. */
int kb_cache_list(const struct kb_cache *c, struct kb_cache_object **v, size_t *n);
void kb_cache_objects_free(struct kb_cache_object *v, size_t n);
/* Delete objects (and partial downloads) whose sha256 is not in wanted (a
 * set: kb_strv_sort_unique); each removal is logged at info level. With
 * dry_run, only count and log what would go ("would remove"). */
int kb_cache_gc(const struct kb_cache *c, const struct kb_strv *wanted, bool dry_run,
		uint64_t *freed, size_t *removed);

#endif
