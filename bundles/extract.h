/* extract.h — the one safe extractor of bundles, used by `fetch --extract`
 * and by the VM stage. A bundle comes from outside, and products run make in
 * what is extracted, so nothing in it may reach past its tree:
 *   - every entry first passes lib/archive_safe's checks (no absolute path,
 *     no "..", no device, no set-id bit; entry count, path, size and ratio
 *     limits);
 *   - nothing is written through a link: each path is walked from the root
 *     one component at a time (openat/mkdirat, O_NOFOLLOW), and an entry
 *     whose path goes through a symlink is refused;
 *   - every symlink is resolved against the links already extracted, when it
 *     is written and again once the tree is whole, and must stay inside;
 *   - a hard link must name an earlier regular file of the bundle;
 *   - an entry given twice is refused (a directory may repeat). */
#ifndef KB_BUNDLE_EXTRACT_H
#define KB_BUNDLE_EXTRACT_H

#include "lib/archive_safe.h"

/* Every entry of the bundle file tgz (name: its URL or file, for messages)
 * into root, an existing empty directory. lim: NULL for the default
 * limits. 0, or -KB_EUNSAFE, -KB_ELIMIT, -KB_EPARSE, -errno (logged); on
 * failure root holds a partial tree the caller removes. */
int kb_bundle_unpack(const char *tgz, const char *name, const char *root,
		     const struct kb_archive_limits *lim);

/* Extract a verified bundle with id `id` into dir (missing or empty; or
 * holding this very bundle already, which is kept), through a temp
 * directory beside dir renamed into place when whole and checked: its
 * BUNDLE_CHECKSUM is id, its BUNDLE_BUILD_DIR a directory inside it.
 * lim: the command's limits (NULL: the defaults).
 * *build_dir: the absolute path of dir/$(cat BUNDLE_BUILD_DIR). */
int kb_bundle_extract(const char *tgz, const char *name, const char *id, const char *dir,
		      const struct kb_limits *lim, char **build_dir);

/* NULL when Kbuild can build in path (`make -C path`, M=path); else what in
 * it stops make (a space, a ':', a control character…), for a message. */
const char *kb_bundle_path_kbuild_why(const char *path);

#endif
