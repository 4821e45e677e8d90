/* pack_rpmmd.c — the rpm-md family's packer row: .rpm packages, signature
 * checked when the upstream names a key (rpm_tree.c), and the build tree
 * found by kb_rpm_build_root, laid out at usr/src/kernels/<release>. */
#include "lib/file.h"
#include "packer/pack.h"
#include "packer/rpm_tree.h"

static int kb_pack_rpmmd_roots(const struct kb_tree *src, const struct kb_bundle_entry *e,
			       char **src_root, char **build_dir)
{
	int err = kb_rpm_build_root(src, e->release, e->id, src_root);

	if (!err)
		*build_dir = kb_xasprintf("usr/src/kernels/%s", e->release);
	return err;
}

const struct kb_pack_family kb_pack_family_rpmmd = {
	.load = kb_tree_load_rpm,
	.roots = kb_pack_rpmmd_roots,
};
