/* publish.h — `kbundle publish`: copy the bundles a work directory's
 * index.json lists into a directory served as static files, merging with
 * the index already published there. */
#ifndef KB_PUBLISH_H
#define KB_PUBLISH_H

#include <stddef.h>

struct kb_publish_opts {
	const char *workdir;	/* reads WORKDIR/bundles/index.json */
	const char *to;		/* the static-hosting directory */
};

struct kb_publish_stats {
	size_t copied;		/* bundles copied now */
	size_t present;		/* already published with the same sha256 */
	size_t kept;		/* older bundles of the published index kept */
};

/* Each bundle (verified against the work index on the way) and its .sha256
 * go in atomically, then index.json last: a reader never sees an index that
 * names a missing bundle. Publishers queue on a lock on DIR itself
 * (lib/lock: a lock file would be served). Earlier published bundles stay
 * listed while their files are there (bundles outlive mirrors). 0 or the first error, logged. */
int kb_publish_run(const struct kb_publish_opts *o, struct kb_publish_stats *st);

#endif
