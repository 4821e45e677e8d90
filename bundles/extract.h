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

/* Extract a verified bundle (id, sha256) into dir, a path every directory
 * on the way to which passes kb_extract_path_safe: when dir is missing or
 * an empty directory of this user's, through a new private (0700) temp
 * directory beside it, stamped and renamed into place when whole and
 * checked (its BUNDLE_CHECKSUM is id, its BUNDLE_BUILD_DIR a directory
 * inside it); when dir passes kb_extract_reusable_why, it is kept. Any
 * other dir (a symlink, another user's, one without the stamp) is refused,
 * -KB_EUNSAFE or -KB_EUSAGE. lim: the command's limits (NULL: defaults).
 * *build_dir: the absolute path of dir/$(cat BUNDLE_BUILD_DIR). */
int kb_bundle_extract(const char *tgz, const char *name, const char *id, const char *sha256,
		      const char *dir, const struct kb_limits *lim, char **build_dir);

/* extract_dir.c: where a tree may go, and when one may be used again. */
/* The stamp at the root of an extracted tree: id and sha256 of its bundle. */
#define KB_EXTRACT_STAMP ".kbundle-extracted"
/* 0 when no one but root and this user can change what the absolute path
 * dir leads to (see extract_dir.c), else -KB_EUNSAFE (logged). */
int kb_extract_path_safe(const char *dir);
int kb_extract_stamp_write(const char *root, const char *id, const char *sha256);
/* NULL when dir is this user's extraction (mode 0700, its stamp naming id
 * and sha256); else why not, for a message. */
const char *kb_extract_reusable_why(const char *dir, const char *id, const char *sha256);
/* The per-user default: $XDG_CACHE_HOME/kbundle/trees/<id> (or
 * ~/.cache/…), its parent made 0700. malloc'd; NULL after a message. */
char *kb_extract_default_dir(const char *id);

/* NULL when Kbuild can build in path (`make -C path`, M=path); else what in
 * it stops make (a space, a ':', a control character…), for a message. */
const char *kb_bundle_path_kbuild_why(const char *path);

#endif
