/* layout.h — turn the merged packages of one kernel into a self-contained
 * header tree rooted at one build directory.
 *
 * Debian splits a kernel's headers over three packages: the flavour tree
 * (usr/src/linux-headers-R) whose Makefile is one line, "include
 * /usr/src/linux-headers-ABI-common/Makefile", and whose scripts/ and tools/
 * are symlinks into usr/lib/linux-kbuild-V; the -common tree; and kbuild.
 * Ubuntu's flavour tree is mostly symlinks into the all-arch
 * usr/src/linux-headers-ABI tree. Both become ONE tree here:
 *   - a Makefile that includes another tree's Makefile gets that tree
 *     overlaid (the flavour's files win) and the included text inlined, so
 *     srctree == objtree wherever the bundle is extracted;
 *   - a "KBUILD_OUTPUT=/usr/src/linux-headers-R" line naming the build root
 *     itself (Debian 13's 7.x kernels) is dropped: once overlaid, source and
 *     output are the one extracted tree;
 *   - a symlink whose target (resolved inside the packages) is outside the
 *     build directory is replaced by the target's content; one that stays
 *     inside becomes relative;
 *   - other architectures' arch/ trees are dropped (no module build of this
 *     architecture reads them; tests/e2e/test_pack_*.sh prove the build).
 * Nothing from the host is consulted. */
#ifndef KB_LAYOUT_H
#define KB_LAYOUT_H

#include "packer/tree.h"

struct kb_layout_opts {
	const char *name;	/* for messages: the bundle id or release */
	const char *src_root;	/* build dir in the packages: usr/src/linux-headers-R */
	const char *dst_root;	/* build dir in the bundle (same path by default) */
	const char *karch;	/* kernel arch dir to keep under arch/ (x86, arm64…); NULL keeps all */
};

/* Build out from src (sorted). out's file bytes are borrowed from src,
 * which must outlive it. Errors are logged with the offending path. */
int kb_layout_build(const struct kb_tree *src, const struct kb_layout_opts *o, struct kb_tree *out);

#endif
