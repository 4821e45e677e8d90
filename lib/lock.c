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

static int kb_lock_get(struct kb_lock *l, const char *workdir, const char *what, bool wait)
{
	struct stat st;
	char holder[256], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int err;

	l->fd = -1;
	l->nested = false;
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
	l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (l->fd < 0) {
		err = -errno;
		kb_error("%s: %s", l->path, strerror(errno));
		goto out;
	}
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
		dprintf(l->fd, "pid %ld (kbundle %s, since %s)\n", (long)getpid(),
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

void kb_lock_release(struct kb_lock *l)
{
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
