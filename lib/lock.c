/* lock.c — the work directory's writer lock: a non-blocking flock(2) on
 * WORKDIR/lock whose content names the holder. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/lock.h"
#include "lib/log.h"

/* What the holder wrote, as one printable line (it is another process's
 * text: keep it short and strip anything odd before it reaches a terminal). */
static void kb_lock_holder(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	if (n <= 0) {
		snprintf(buf, len, "an unknown process");
		return;
	}
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			buf[i] = '\0';
			break;
		}
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
			buf[i] = '?';
	}
}

/* The lock this process holds, so nested takers do not lock themselves out
 * (flock locks belong to the open file: a second open would conflict). */
static struct {
	pid_t pid;	/* a forked child holds nothing: flock is per open file */
	dev_t dev;
	ino_t ino;
	int depth;
} kb_lock_held;

/* The lock file's line starts so; kb_lock_open accepts nothing else. */
#define KB_LOCK_LINE_START "pid "

/* Open path as a lock file: created here, or one a kbundle lock made before
 * (a regular file with one link, empty or holding a holder line). Never
 * through a symlink, and never a file someone else made: the holder line
 * is written over it, so a `lock -> precious.txt` planted in the directory
 * would otherwise be emptied. */
static int kb_lock_open(const char *path, int *fdp)
{
	char buf[256];
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0)
		goto out;
	if (errno == EEXIST)
		fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ELOOP)
			kb_error("%s: a symbolic link, not a kbundle lock: refusing to use it "
				 "(remove it)", path);
		else
			kb_error("%s: %s", path, strerror(errno));
		goto out;
	}
	n = pread(fd, buf, sizeof(buf), 0);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 || n < 0 ||
	    (size_t)n >= sizeof(buf) ||
	    (n > 0 && (strncmp(buf, KB_LOCK_LINE_START, strlen(KB_LOCK_LINE_START)) != 0 ||
		       !memmem(buf, (size_t)n, " (kbundle ", 10)))) {
		kb_error("%s: not a kbundle lock file (a regular file with one link, empty or "
			 "naming its holder): refusing to use it (remove it)", path);
		err = -KB_EUNSAFE;
	}
out:
	if (err && fd >= 0)
		close(fd);
	*fdp = err ? -1 : fd;
	return err;
}

static int kb_lock_get(struct kb_lock *l, const char *workdir, const char *what, bool wait)
{
	struct stat st;
	char holder[256], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int err;

	l->fd = -1;
	l->nested = false;
	l->dir = false;
	l->path = kb_path_join(workdir, "lock");
	if (kb_lock_held.depth && kb_lock_held.pid == getpid() && stat(l->path, &st) == 0 &&
	    st.st_dev == kb_lock_held.dev &&
	    st.st_ino == kb_lock_held.ino) {
		kb_lock_held.depth++;
		l->nested = true;
		return 0;
	}
	err = kb_mkdir_p(workdir, 0755);
	if (err) {
		kb_error("%s: cannot create: %s", workdir, kb_strerror(err));
		goto out;
	}
	err = kb_lock_open(l->path, &l->fd);
	if (err)
		goto out;
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK && wait) {
		kb_lock_holder(l->fd, holder, sizeof(holder));
		kb_info("%s is locked by %s; waiting for it", workdir, holder);
		while (flock(l->fd, LOCK_EX) != 0 && errno == EINTR)
			;
	}
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		err = errno == EWOULDBLOCK ? -KB_ELOCKED : -errno;
		if (err == -KB_ELOCKED) {
			kb_lock_holder(l->fd, holder, sizeof(holder));
			kb_error("%s is locked by %s; another kbundle run is using this work "
				 "directory, try again when it has finished", workdir, holder);
		} else {
			kb_error("%s: flock: %s", l->path, kb_strerror(err));
		}
		goto out;
	}
	/* Ours now: say who holds it. Rewriting in place is fine — only a
	 * process that failed to take the lock reads it, for its message. */
	if (fstat(l->fd, &st) == 0) {
		kb_lock_held.pid = getpid();
		kb_lock_held.dev = st.st_dev;
		kb_lock_held.ino = st.st_ino;
		kb_lock_held.depth = 1;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (ftruncate(l->fd, 0) == 0)
		dprintf(l->fd, KB_LOCK_LINE_START "%ld (kbundle %s, since %s)\n", (long)getpid(),
			what ? what : "run", stamp);
out:
	if (err)
		kb_lock_release(l);
	return err;
}

int kb_lock_take(struct kb_lock *l, const char *workdir, const char *what)
{
	return kb_lock_get(l, workdir, what, false);
}

int kb_lock_wait(struct kb_lock *l, const char *workdir, const char *what)
{
	return kb_lock_get(l, workdir, what, true);
}

int kb_lock_wait_dir(struct kb_lock *l, const char *dir, const char *what)
{
	int err = 0;

	l->nested = false;
	l->dir = true;
	l->path = kb_xstrdup(dir);
	l->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->fd < 0) {
		err = -errno;
		kb_error("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
		kb_info("%s is in use by another kbundle %s; waiting for it", dir, what);
		while (flock(l->fd, LOCK_EX) != 0 && errno == EINTR)
			;
	}
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		err = -errno;
		kb_error("%s: flock: %s", dir, kb_strerror(err));
	}
out:
	if (err)
		kb_lock_release(l);
	return err;
}

void kb_lock_release(struct kb_lock *l)
{
	if (l->dir) {
		if (l->fd >= 0)
			close(l->fd);
		l->fd = -1;
		l->dir = false;
		free(l->path);
		l->path = NULL;
		return;
	}
	if (l->nested) {
		kb_lock_held.depth--;
		l->nested = false;
	}
	if (l->fd >= 0) {
		kb_lock_held.depth = 0;
		/* Leave the file: unlinking it would race with a run that opened it
		 * and is about to flock the orphaned inode. */
		if (ftruncate(l->fd, 0) != 0)
			kb_debug("%s: truncate: %s", l->path, strerror(errno));
		close(l->fd);
	}
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}
