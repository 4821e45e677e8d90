/* pack_apt.c — the apt family's packer row: .deb packages (deb_tree.c), and
 * the build tree at usr/src/linux-headers-<release> in the packages and in
 * the bundle alike (layout.c folds -common and kbuild into it). */
#include <stddef.h>

#include "lib/file.h"
#include "packer/pack.h"

static int kb_pack_apt_load(struct kb_tree *t, const char *path, const char *name,
			    const char *key, const struct kb_limits *lim)
{
	(void)key;	/* .deb packages are trusted through the signed index */
	return kb_tree_load_deb(t, path, name, lim);
}

static int kb_pack_apt_roots(const struct kb_tree *src, const struct kb_bundle_entry *e,
			     char **src_root, char **build_dir)
{
	(void)src;
	*build_dir = kb_xasprintf("usr/src/linux-headers-%s", e->release);
	*src_root = kb_xstrdup(*build_dir);
	return 0;
}

const struct kb_pack_family kb_pack_family_apt = {
	.load = kb_pack_apt_load,
	.roots = kb_pack_apt_roots,
};
