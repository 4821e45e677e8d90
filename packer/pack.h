/* pack.h — one manifest entry's packages -> one self-contained header tree
 * in memory, checked to refer to nothing outside itself. The bundle format
 * around it (BUNDLE_* files, bundle.json, tarball) is bundles/' business. */
#ifndef KB_PACK_H
#define KB_PACK_H

#include "manifest/manifest.h"
#include "packer/tree.h"

/* Bump when the bytes of a bundle packed from the same inputs change
 * (layout, fix-ups, tar or gzip settings): cached bundles of another
 * version are rebuilt. 2: BUNDLE_COMPILER and bundle.json's compiler_*. */
#define KB_PACKER_FORMAT 2
/* gzip level of bundles: 3 (zlib's fast strategy) keeps pack under half the
 * time of the shell way while bundles stay under 0.75x its size (bench/pack.sh) */
#define KB_TARBALL_LEVEL 3

struct kb_pack_inputs;

struct kb_packed {
	struct kb_tree src;	/* the packages' files; borrows their bytes, out too */
	struct kb_tree out;	/* the bundle's tree, sorted */
	char *build_dir;	/* e.g. usr/src/linux-headers-6.1.0-47-amd64 */
	/* the packages' trees in use (released by kb_packed_free) */
	struct kb_pack_inputs *inputs, *own_inputs;
	char **held, *key;
	size_t nheld;
};

/* A family's packer: its row of lib/family.h's KB_FAMILIES, defined as
 * kb_pack_family_<id> in packer/pack_<id>.c. kb_pack_tree() takes it from
 * the manifest entry's family. */
struct kb_pack_family {
	/* Read one package file (path; name for messages) into t, checking
	 * every entry; key (NULL: none) is the armored key it must be signed
	 * with, for families whose packages carry signatures; lim: the
	 * command's limits (NULL: the defaults). */
	int (*load)(struct kb_tree *t, const char *path, const char *name, const char *key,
		    const struct kb_limits *lim);
	/* The tree layout: where the kernel's build tree is in the merged
	 * packages (*src_root) and where it goes in the bundle (*build_dir),
	 * both malloc'd. Errors are logged naming the entry. */
	int (*roots)(const struct kb_tree *src, const struct kb_bundle_entry *e, char **src_root,
		     char **build_dir);
};

#define KB_PACK_FAMILY_DECL(e, id, name, vercmp) \
	extern const struct kb_pack_family kb_pack_family_##id;
KB_FAMILIES(KB_PACK_FAMILY_DECL)
#undef KB_PACK_FAMILY_DECL

/* paths[i] is the verified local file of e->headers[i]. package_key (rpm
 * only; NULL: none) is the armored key every .rpm must be signed with.
 * e->family says how the packages are read and laid out. lim: the
 * command's limits on the packages (NULL: the defaults). in: the run's
 * shared package reads, where every paths[i] was planned (packer/
 * pack_inputs.h); NULL: this bundle reads its own. p must be freed with
 * kb_packed_free even on failure. */
int kb_pack_tree(const struct kb_bundle_entry *e, const char *const *paths,
		 const char *package_key, const struct kb_limits *lim, struct kb_pack_inputs *in,
		 struct kb_packed *p);
void kb_packed_free(struct kb_packed *p);

#endif
