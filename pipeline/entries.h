/* entries.h — what pack and vmtest share before they do their own work:
 * load the manifest, select entries, find each entry's upstream mirrors, and
 * have chosen packages of chosen entries in the package cache, downloaded
 * through it and verified, under the work directory's lock.
 *
 * The cache knows only digests and mirror paths; this is where manifest
 * packages and upstream files become kb_cache_fetch descriptions. */
#ifndef KB_ENTRIES_H
#define KB_ENTRIES_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/cache.h"
#include "crawler/upstream.h"
#include "manifest/manifest.h"
#include "manifest/select.h"

struct kb_entries {
	struct kb_manifest m;
	bool *sel;			/* m.n flags: kept by the selection */
	size_t nsel;
	struct kb_upstream_set ups;	/* empty until kb_entries_load_upstreams */
	const char *upstreams_dir;	/* where ups came from, for messages */
	struct kb_cache cache;		/* open (lock held) after kb_entries_open_cache */
	const struct kb_limits *limits;	/* set by the caller first; NULL: the defaults */
};

/* Load the manifest and apply the selection. Errors are logged: the
 * manifest's own (kb_manifest_load), or -KB_EUSAGE for a bad selector. */
int kb_entries_select(struct kb_entries *s, const char *manifest, const struct kb_select *sel);
/* Open the work directory's cache, waiting for its lock. */
int kb_entries_open_cache(struct kb_entries *s, const char *workdir);
/* Release the cache's lock (it may be opened again). */
void kb_entries_close_cache(struct kb_entries *s);
/* Load every upstream file of dir (for mirrors and package keys). */
int kb_entries_load_upstreams(struct kb_entries *s, const char *dir);
/* All of the above in order, as pack and its kin start: select (s->limits
 * set first), load upstreams_dir's files, open workdir's cache; warns when
 * nothing is selected. The first error (logged). */
int kb_entries_open(struct kb_entries *s, const char *manifest, const struct kb_select *sel,
		    const char *upstreams_dir, const char *workdir);
/* Release the lock and free everything. Safe on a zeroed struct. */
void kb_entries_free(struct kb_entries *s);

/* Which packages of an entry a stage needs. */
enum kb_entries_part {
	KB_ENTRIES_HEADERS,	/* what the bundle is packed from */
	KB_ENTRIES_IMAGE,	/* the kernel image package(s) proper (kind image) */
	KB_ENTRIES_MODULES,	/* the kernel's modules packages (kind modules) */
};

/* The packages kb_entries_fetch had in the cache, entry by entry. */
struct kb_entries_pkgs {
	struct kb_cache_fetch *v;	/* v[i].object: the verified cache object */
	const struct kb_mpkg **pkg;	/* v[i]'s package in the manifest */
	/* When no mirror had pkg[i] (HTTP 404 or 410 from each): used[i] is the
	 * alternate of pkg[i] that v[i] now is (NULL: none worked, v[i].err
	 * says so), and tried[i] says what was tried, "<version>: HTTP 404 at
	 * <url>[, <url>]; …" (malloc'd). Both NULL otherwise. */
	const struct kb_malt **used;
	char **tried;
	size_t n;
	size_t *first;		/* m.n + 1: entry i's packages are v[first[i] .. first[i+1]) */
	size_t downloaded;	/* how many this run downloaded */
};

/* Have `part` of every entry i with want[i] in the cache (up to jobs
 * transfers at once), from the mirrors of the entry's upstream (none when
 * its upstream file is not loaded: then only what the cache holds is
 * found). A header package that no mirror has is replaced by the first of
 * its alternates (manifest.h) that one has, verified against its own
 * sha256 (out->used, out->tried). Per package failures are logged and in
 * out->v[k].err; the first is returned. The cache must be open. */
int kb_entries_fetch(struct kb_entries *s, const bool *want, enum kb_entries_part part, int jobs,
		     struct kb_entries_pkgs *out);
void kb_entries_pkgs_free(struct kb_entries_pkgs *p);

#endif
