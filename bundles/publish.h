/* publish.h — `kbundle publish`: copy the bundles a work directory's
 * index.json lists into a directory served as static files, merging with
 * the index already published there. */
#ifndef KB_PUBLISH_H
#define KB_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

#include "bundles/index.h"

struct kb_publish_opts {
	const char *workdir;	/* reads WORKDIR/bundles/index.json */
	const char *to;		/* the static-hosting directory, or a WebDAV http(s) URL */
	/* NULL: an unsigned index (readers need --insecure-no-signature);
	 * else the private key (lib/sign.h) that signs index.json into
	 * index.json.sig */
	const char *sign_key;
	int expires_days;	/* a signed index's validity (0: expired at once) */
	const struct kb_limits *limits;	/* WebDAV transfers' deadline; NULL: defaults */
	bool dry_run;		/* count what would be copied (stats), write nothing */
};

struct kb_publish_stats {
	size_t copied;		/* bundles copied now */
	size_t present;		/* already published with the same sha256 */
	size_t kept;		/* older bundles of the published index kept */
	size_t btf;		/* kernels' BTF files copied now */
};

/* A signed index lasts this long unless told (readers refuse it after). */
#define KB_PUBLISH_EXPIRES_DAYS 30

/* Each bundle (verified against the work index on the way) and its .sha256
 * go in atomically, then index.json last: a reader never sees an index that
 * names a missing bundle. Publishers queue on a lock on DIR itself
 * (lib/lock: a lock file would be served). Earlier published bundles stay
 * listed while their files are there (bundles outlive mirrors). With a
 * sign key the index is format 3's signed one: version one above the old
 * index's, generated now, expiring expires_days later, and index.json.sig
 * written right after it. 0 or the first error, logged. */
int kb_publish_run(const struct kb_publish_opts *o, struct kb_publish_stats *st);

/* publish_alias.c, for kb_publish_run. Give the newest packing of each
 * kernel in out (sorted by distro, uname, arch) its alias. */
struct kb_key;
struct kb_pub_store;
void kb_publish_alias_pick(struct kb_index *out);
/* Each alias of out in the store, with its sidecar. 0 or the first error, logged. */
int kb_publish_alias_write(struct kb_pub_store *s, const struct kb_index *out);
/* SHA256SUMS (each bundle and alias) and, with key, SHA256SUMS.sig. */
int kb_publish_sums_write(struct kb_pub_store *s, const struct kb_index *out,
			  const struct kb_key *key);

#endif
