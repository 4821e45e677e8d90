/* file.c — atomic writes, small-file reads, directories, checked allocation. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"

void *kb_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *kb_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

void *kb_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *kb_xstrdup(const char *s)
{
	return kb_xstrndup(s, strlen(s));
}

char *kb_xstrndup(const char *s, size_t n)
{
	char *p = kb_xmalloc(n + 1);

	if (n)	/* an empty view may have a NULL pointer (KB_STR_NULL) */
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *kb_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

void kb_freep(void *p)
{
	free(*(void **)p);
}

char *kb_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	return kb_xasprintf("%.*s/%s", (int)la, a, b);
}

/* dir/.NAME.kbundle.tmp.XXXXXX: hidden, and marked as kbundle's so that
 * kb_atomic_sweep never takes another program's "x.tmp.1" for its own. */
static char *kb_atomic_tmp_name(const char *path)
{
	const char *base = strrchr(path, '/');

	if (!base)
		return kb_xasprintf("." "%s" KB_ATOMIC_TMP_MARK "XXXXXX", path);
	return kb_xasprintf("%.*s/.%s" KB_ATOMIC_TMP_MARK "XXXXXX", (int)(base - path), path,
			    base + 1);
}

int kb_atomic_tmp_is(const char *name)
{
	size_t n = strlen(name), m = strlen(KB_ATOMIC_TMP_MARK);

	/* ".", at least one byte of the target's name, the mark, mkstemp's six */
	if (n < 1 + 1 + m + 6 || name[0] != '.' ||
	    memcmp(name + n - 6 - m, KB_ATOMIC_TMP_MARK, m) != 0)
		return 0;
	for (size_t i = n - 6; i < n; i++)
		if (!isalnum((unsigned char)name[i]))
			return 0;
	return 1;
}

int kb_atomic_open(struct kb_atomic_file *af, const char *path)
{
	int fd;

	memset(af, 0, sizeof(*af));
	af->path = kb_xstrdup(path);
	af->tmp = kb_atomic_tmp_name(path);
	fd = mkstemp(af->tmp);
	if (fd < 0) {
		af->err = -errno;
		goto out;
	}
	fchmod(fd, 0644);
	af->f = fdopen(fd, "w");
	if (!af->f) {
		af->err = -errno;
		close(fd);
		unlink(af->tmp);
	}
out:
	if (af->err) {
		int err = af->err;

		free(af->path);
		free(af->tmp);
		memset(af, 0, sizeof(*af));
		return err;
	}
	return 0;
}

void kb_atomic_write(struct kb_atomic_file *af, const void *buf, size_t n)
{
	if (af->err || !af->f || n == 0)
		return;
	if (fwrite(buf, 1, n, af->f) != n)
		af->err = errno ? -errno : -EIO;
}

void kb_atomic_printf(struct kb_atomic_file *af, const char *fmt, ...)
{
	va_list ap;

	if (af->err || !af->f)
		return;
	va_start(ap, fmt);
	if (vfprintf(af->f, fmt, ap) < 0)
		af->err = errno ? -errno : -EIO;
	va_end(ap);
}

static void kb_fsync_parent(const char *path)
{
	char *copy = kb_xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int kb_atomic_commit(struct kb_atomic_file *af)
{
	int err;

	if (!af->f)
		return af->err ? af->err : -EINVAL;
	if (!af->err && fflush(af->f) != 0)
		af->err = -errno;
	if (!af->err && fsync(fileno(af->f)) != 0)
		af->err = -errno;
	if (fclose(af->f) != 0 && !af->err)
		af->err = -errno;
	af->f = NULL;
	if (!af->err && rename(af->tmp, af->path) != 0)
		af->err = -errno;
	if (af->err)
		unlink(af->tmp);
	else
		kb_fsync_parent(af->path);
	err = af->err;
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	return err;
}

void kb_atomic_abort(struct kb_atomic_file *af)
{
	if (af->f) {
		fclose(af->f);
		af->f = NULL;
	}
	if (af->tmp)
		unlink(af->tmp);
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
}

void kb_atomic_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;

	if (!d)
		return;
	while ((de = readdir(d))) {
		/* only our own temp files: a regular file of ours, by our name */
		if (!kb_atomic_tmp_is(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		kb_debug("removing %s/%s, left by an interrupted run", dir, de->d_name);
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int kb_file_write_atomic(const char *path, const void *buf, size_t len)
{
	struct kb_atomic_file af;
	int err = kb_atomic_open(&af, path);

	if (err)
		return err;
	kb_atomic_write(&af, buf, len);
	return kb_atomic_commit(&af);
}

int kb_file_write_output(const char *path, const void *buf, size_t len)
{
	if (strcmp(path, "-"))
		return kb_file_write_atomic(path, buf, len);
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0)
		return -EIO;
	return 0;
}

int kb_file_copy(const char *src, const char *dst, const char *want_sha256, uint64_t max,
		 char got[65])
{
	struct kb_atomic_file af = { 0 };
	struct kb_sha256 h;
	char hex[KB_SHA256_HEX_LEN + 1];
	char *buf = kb_xmalloc(1 << 16);
	uint64_t total = 0;
	int fd, err;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	err = kb_atomic_open(&af, dst);
	if (err)
		goto out;
	kb_sha256_init(&h);
	for (;;) {
		ssize_t r = read(fd, buf, 1 << 16);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : 0;
			break;
		}
		total += (uint64_t)r;
		if (max && total > max) {
			err = -KB_ELIMIT;
			break;
		}
		kb_sha256_update(&h, buf, (size_t)r);
		kb_atomic_write(&af, buf, (size_t)r);
	}
	kb_sha256_final(&h, hex);
	if (got)
		memcpy(got, hex, sizeof(hex));
	if (!err && want_sha256 && strcmp(hex, want_sha256) != 0)
		err = -KB_ECHECKSUM;
	if (err)
		kb_atomic_abort(&af);
	else
		err = kb_atomic_commit(&af);
out:
	close(fd);
	free(buf);
	return err;
}

int kb_file_read(const char *path, size_t max, char **buf, size_t *len)
{
	char *data = NULL;
	size_t n = 0, cap = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			data = kb_xrealloc(data, cap + 1);
		}
		r = read(fd, data + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			err = -KB_ELIMIT;
			goto out;
		}
	}
	data[n] = '\0';
	*buf = data;
	if (len)
		*len = n;
	data = NULL;
out:
	free(data);
	close(fd);
	return err;
}

int kb_mkdir_p(const char *path, mode_t mode)
{
	char *p = kb_xstrdup(path);
	int err = 0;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST) {
			err = -errno;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return err;
}

static int kb_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

int kb_rm_rf(const char *path)
{
	/* FTW_MOUNT: never into another file system mounted below (a killed
	 * chroot's /dev/shm or /sys); its mount point then fails EBUSY. */
	if (nftw(path, kb_rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}
