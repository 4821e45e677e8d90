/* pack.h — one manifest entry's packages -> one self-contained header tree
 * in memory, checked to refer to nothing outside itself. The bundle format
 * around it (BUNDLE_* files, bundle.json, tarball) is bundles/' business. */
#ifndef KB_PACK_H
#define KB_PACK_H

#include "manifest/manifest.h"
#include "packer/tree.h"

/* Bump when the bytes of a bundle packed from the same inputs change
 * (layout, fix-ups, tar or gzip settings): cached bundles of another
 * version are rebuilt. */
#define KB_PACKER_FORMAT 1
/* gzip level of bundles: 3 (zlib's fast strategy) keeps pack under half the
 * time of the shell way while bundles stay under 0.75x its size (bench/pack.sh) */
#define KB_TARBALL_LEVEL 3

struct kb_packed {
	struct kb_tree src;	/* the packages' files; out borrows their bytes */
	struct kb_tree out;	/* the bundle's tree, sorted */
	char *build_dir;	/* e.g. usr/src/linux-headers-6.1.0-47-amd64 */
};

/* paths[i] is the verified local file of e->headers[i]. package_key (rpm
 * only; NULL: none) is the armored key every .rpm must be signed with. lim:
 * the command's limits on the packages (NULL: the defaults). */
int kb_pack_tree(const struct kb_bundle_entry *e, const char *const *paths,
		 const char *package_key, const struct kb_limits *lim, struct kb_packed *p);
void kb_packed_free(struct kb_packed *p);

#endif
