/* extract_dir.c — where `fetch --extract` may put a tree, and when an
 * earlier tree may be used again (extract.h). Products run make as root in
 * what fetch prints, so a directory another user could have made or
 * written is never believed:
 *   - every directory on the way to it is checked as the kernel's
 *     protected_symlinks and ssh's StrictModes do: a symlink must belong to
 *     root or to this user, a directory others may write must be sticky,
 *     and in a sticky one the next entry must belong to root or this user;
 *   - a tree is reused only when it is a directory of this user's, mode
 *     0700, holding a stamp (a regular file of this user's, not a link) that
 *     names the very bundle id and sha256 the signed index gave. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundles/extract.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

#define KB_STAMP_MAX 512

static int kb_extract_owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

int kb_extract_path_safe(const char *dir)
{
	char *p = kb_xstrdup(dir);
	int sticky_parent = 0, err = 0;
	size_t n = strlen(p);
	struct stat st;

	if (p[0] != '/') {
		free(p);
		return -KB_EUSAGE;
	}
	/* each prefix "/a", "/a/b", … then the whole path; "/" first */
	for (size_t i = 0; i <= n && !err; i++) {
		char c = p[i];

		if (i > 0 && c != '/' && c != '\0')
			continue;
		p[i] = '\0';
		if (lstat(i ? p : "/", &st) != 0) {
			err = -errno;
			kb_error("%s: %s", i ? p : "/", kb_strerror(err));
		} else if (S_ISLNK(st.st_mode) && !kb_extract_owner_ok(st.st_uid)) {
			kb_error("%s: a symlink of another user (uid %u) on the way to the extraction: "
				 "refused (it may be planted); choose a directory of your own",
				 p, (unsigned)st.st_uid);
			err = -KB_EUNSAFE;
		} else if (sticky_parent && !kb_extract_owner_ok(st.st_uid)) {
			kb_error("%s: belongs to another user (uid %u), in a directory anyone may "
				 "write: refused (it may be planted); choose a directory of your own",
				 p, (unsigned)st.st_uid);
			err = -KB_EUNSAFE;
		} else if (S_ISDIR(st.st_mode) && (st.st_mode & 022) && !(st.st_mode & S_ISVTX)) {
			kb_error("%s: others may write this directory (mode %04o) and it is not "
				 "sticky: refused; choose a directory of your own", p,
				 (unsigned)(st.st_mode & 07777));
			err = -KB_EUNSAFE;
		} else if (S_ISLNK(st.st_mode)) {
			char *real = realpath(p, NULL);

			/* the link's target is walked the same way */
			err = real ? kb_extract_path_safe(real) : -errno;
			if (!real)
				kb_error("%s: %s", p, kb_strerror(err));
			free(real);
			if (!err && stat(p, &st) != 0)
				err = -errno;
		}
		sticky_parent = S_ISDIR(st.st_mode) && (st.st_mode & 002) && (st.st_mode & S_ISVTX);
		p[i] = c;
	}
	free(p);
	return err;
}

static char *kb_extract_stamp_text(const char *id, const char *sha256)
{
	return kb_xasprintf("kbundle extraction 1\nid %s\nsha256 %s\n", id, sha256);
}

int kb_extract_stamp_write(const char *root, const char *id, const char *sha256)
{
	char *path = kb_path_join(root, KB_EXTRACT_STAMP), *text = kb_extract_stamp_text(id, sha256);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	int err = 0;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0)
		err = -errno;
	if (fd >= 0 && close(fd) != 0 && !err)
		err = -errno;
	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	free(path);
	free(text);
	return err;
}

const char *kb_extract_reusable_why(const char *dir, const char *id, const char *sha256)
{
	static char why[160];
	char *path = kb_path_join(dir, KB_EXTRACT_STAMP), *want = kb_extract_stamp_text(id, sha256);
	char buf[KB_STAMP_MAX];
	struct stat st;
	ssize_t n = -1;
	int fd = -1;

	why[0] = '\0';
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		snprintf(why, sizeof(why), "not a directory");
	else if (st.st_uid != geteuid())
		snprintf(why, sizeof(why), "made by another user (uid %u)", (unsigned)st.st_uid);
	else if (st.st_mode & 077)
		snprintf(why, sizeof(why), "others may enter it (mode %04o, not 0700)",
			 (unsigned)(st.st_mode & 07777));
	else if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		snprintf(why, sizeof(why), "no stamp of a kbundle extraction (%s)", KB_EXTRACT_STAMP);
	else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		 (n = read(fd, buf, sizeof(buf) - 1)) < 0)
		snprintf(why, sizeof(why), "its stamp %s is not a file of this user's", KB_EXTRACT_STAMP);
	else if ((size_t)n != strlen(want) || memcmp(buf, want, (size_t)n) != 0)
		snprintf(why, sizeof(why), "its stamp names another bundle");
	if (fd >= 0)
		close(fd);
	free(path);
	free(want);
	return why[0] ? why : NULL;
}

char *kb_extract_default_dir(const char *id)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *root, *dir = NULL;
	int err;

	if (x && x[0] == '/')
		root = kb_xasprintf("%s/kbundle/trees", x);
	else if (home && home[0] == '/')
		root = kb_xasprintf("%s/.cache/kbundle/trees", home);
	else {
		kb_error("no per-user cache directory (set HOME or XDG_CACHE_HOME), or give --extract DIR");
		return NULL;
	}
	err = kb_mkdir_p(root, 0700);
	if (err)
		kb_error("%s: %s", root, kb_strerror(err));
	else
		dir = kb_path_join(root, id);
	free(root);
	return dir;
}
