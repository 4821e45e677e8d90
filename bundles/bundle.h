/* bundle.h — the bundle format (DESIGN.md "Bundle"): kernel-packer meta
 * files at the root (BUNDLE_BUILD_DIR, BUNDLE_CHECKSUM, BUNDLE_DISTRO,
 * BUNDLE_UNAME, BUNDLE_VERSION, BUNDLE_MAJOR, BUNDLE_MINOR, BUNDLE_ARCH: one
 * value each, no newline; BUNDLE_COMPILER, the spec of the compiler that
 * built the kernel, "gcc-14" or "clang-18" (lib/compiler.h), when the
 * kernel's configuration names it), bundle.json (the same facts plus provenance), the
 * header tree; written as WORKDIR/bundles/<id>.tgz with <id>.tgz.sha256, and
 * listed in bundles/index.json. */
#ifndef KB_BUNDLE_H
#define KB_BUNDLE_H

#include <stdint.h>

#include "lib/hash.h"
#include "manifest/manifest.h"

struct kb_pack_inputs;

struct kb_bundle_info {
	char id[KB_SHA256_HEX_LEN + 1];	/* the bundle's own (content) id */
	char sha256[KB_SHA256_HEX_LEN + 1];
	uint64_t size;
	char packed_at[21];	/* kb_bundle_stat: the file's mtime, UTC (index.h) */
};

/* A header package packed in place of the manifest's, which no mirror had:
 * e->headers[header] is replaced by its alternate `used`. */
struct kb_bundle_subst {
	size_t header;
	const struct kb_malt *used;
	const char *why;	/* what was tried: "<version>: HTTP 404 at <url>" */
};

/* Pack e from its verified package files (paths[i] for e->headers[i], or
 * for the alternate that subst puts in its place) into dir/<id>.tgz and its
 * .sha256, atomically; id is the content id of the packages used (e->id
 * when nsubst is 0), in info->id. With substitutions, bundle.json lists
 * them and dir/<e->id>.link names the bundle, written last. mtime is every
 * entry's time. package_key, lim, in: see kb_pack_tree (NULL: package
 * signatures unchecked; the default limits; the bundle's own reads). */
int kb_bundle_build(const struct kb_bundle_entry *e, const char *const *paths,
		    const struct kb_bundle_subst *subst, size_t nsubst, const char *package_key,
		    const struct kb_limits *lim, struct kb_pack_inputs *in, const char *dir,
		    int64_t mtime, struct kb_bundle_info *info);

/* Read dir/<id>.tgz.sha256 (the sidecar) into info; -KB_ENOTFOUND when
 * the bundle or its sidecar is missing. */
int kb_bundle_stat(const char *dir, const char *id, struct kb_bundle_info *info);

/* The bundle of manifest entry manifest_id in dir: <manifest_id>.tgz, else
 * the one its .link names. info->id is the bundle's own id. -KB_ENOTFOUND
 * when it was not packed. Everything that asks "is this entry packed, and
 * where" (pack, vmtest, the index) asks here. */
int kb_bundle_find(const char *dir, const char *manifest_id, struct kb_bundle_info *info);
/* The path of that bundle, or when there is none, the path it would have
 * without substitutions. malloc'd. */
char *kb_bundle_find_path(const char *dir, const char *manifest_id);

/* Write dir/index.json: every entry of m whose bundle is in dir. */
int kb_bundle_index_write(const char *dir, const struct kb_manifest *m);

#endif
