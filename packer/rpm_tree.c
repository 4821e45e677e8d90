/* rpm_tree.c — read an .rpm's cpio payload into an in-memory tree, in
 * process (lib/rpm: librpm for the header and signature, libarchive for the
 * payload), every entry checked by lib/archive_safe before it is kept, and
 * the payload digest compared at the end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/archive_safe.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/rpm.h"
#include "lib/file.h"
#include "packer/rpm_tree.h"

int kb_tree_load_rpm(struct kb_tree *t, const char *rpm_path, const char *name, const char *key,
		     const struct kb_limits *limits)
{
	struct kb_archive_limits lim = { .base = limits, .allow_abs_symlinks = true };
	struct kb_rpm_opts o = { .key = key };
	struct kb_archive_guard g;
	struct kb_rpm *r = NULL;
	struct stat st;
	int err;

	if (stat(rpm_path, &st) != 0) {
		err = -errno;
		kb_error("%s: %s", rpm_path, strerror(errno));
		return err;
	}
	kb_archive_guard_init(&g, name, (uint64_t)st.st_size, &lim);
	err = kb_rpm_open(rpm_path, name, &o, &r);
	if (!err)
		err = kb_tree_load_archive(t, kb_rpm_payload(r), &g, name);
	if (!err)
		err = kb_rpm_finish(r);
	kb_rpm_close(r);
	return err;
}

int kb_rpm_build_root(const struct kb_tree *src, const char *release, const char *name,
		      char **out)
{
	char *dir = kb_xasprintf("usr/src/kernels/%s", release);
	char *link = NULL, *to = NULL;

	*out = NULL;
	if (kb_tree_is_dir(src, dir)) {
		*out = dir;
		return 0;
	}
	link = kb_xasprintf("lib/modules/%s/build", release);
	if (kb_tree_resolve(src, link, &to) == 0 && kb_tree_is_dir(src, to)) {
		*out = to;
		to = NULL;
	}
	if (!*out)
		kb_error("%s: neither %s nor %s (a link to the build tree) is in the packages", name,
			 dir, link);
	free(dir);
	free(link);
	free(to);
	return *out ? 0 : -KB_ENOTFOUND;
}
