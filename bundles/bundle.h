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

struct kb_bundle_info {
	char sha256[KB_SHA256_HEX_LEN + 1];
	uint64_t size;
	char packed_at[21];	/* kb_bundle_stat: the file's mtime, UTC (index.h) */
};

/* Pack e from its verified package files (paths[i] for e->headers[i]) into
 * dir/<id>.tgz and its .sha256, atomically. mtime is every entry's time.
 * package_key, lim: see kb_pack_tree (NULL: package signatures unchecked;
 * the default limits). */
int kb_bundle_build(const struct kb_bundle_entry *e, const char *const *paths,
		    const char *package_key, const struct kb_limits *lim, const char *dir,
		    int64_t mtime, struct kb_bundle_info *info);

/* Read dir/<id>.tgz.sha256 (the sidecar) into info; -KB_ENOTFOUND when
 * the bundle or its sidecar is missing. */
int kb_bundle_stat(const char *dir, const char *id, struct kb_bundle_info *info);

/* Write dir/index.json: every entry of m whose bundle is in dir. */
int kb_bundle_index_write(const char *dir, const struct kb_manifest *m);

#endif
