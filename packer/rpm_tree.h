/* rpm_tree.h — the rpm side of the packer: loading .rpm payloads into a
 * tree, and finding the kernel build tree in them.
 *
 * RHEL-like kernel-devel holds one complete tree, usr/src/kernels/<uname>.
 * SUSE splits it: kernel-<flavour>-devel holds the -obj tree
 * (usr/src/linux-<ver>-obj/<arch>/<flavour>, reached through its
 * lib/modules/<uname>/build link) whose Makefile includes the noarch
 * kernel-devel's source tree (usr/src/linux-<ver>); packer/layout merges
 * them into one self-contained tree. Either way the bundle's build dir is
 * usr/src/kernels/<uname>. */
#ifndef KB_RPM_TREE_H
#define KB_RPM_TREE_H

#include "packer/tree.h"

/* Load an .rpm's payload into t; key, when set, is the armored public key
 * its signature must verify with (lib/rpm); lim as for kb_tree_load_deb. */
int kb_tree_load_rpm(struct kb_tree *t, const char *rpm_path, const char *name, const char *key,
		     const struct kb_limits *lim);
/* The build tree for release in src (sorted) into *out (malloc'd):
 * usr/src/kernels/<release>, else where lib/modules/<release>/build leads.
 * -KB_ENOTFOUND (logged, naming name) when neither is a directory. */
int kb_rpm_build_root(const struct kb_tree *src, const char *release, const char *name,
		      char **out);

#endif
