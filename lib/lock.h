/* lock.h — the work directory's writer lock (WORKDIR/lock).
 *
 * Every command that writes lists, the manifest, the cache or bundles takes
 * it, so an overlapping cron run exits at once instead of corrupting state.
 * flock(2) on the file: the kernel drops it when the process dies, so a
 * crashed run never leaves a stale lock behind. The holder's pid and start
 * time are written into the file only to name it in the refusal message.
 * The file is opened without following symlinks, and one this code did not
 * make (not a regular file with one link holding a holder line) is refused,
 * never truncated. */
#ifndef KB_LOCK_H
#define KB_LOCK_H

#include <stdbool.h>

struct kb_lock {
	int fd;		/* -1 when not held (or held through an outer taker) */
	char *path;
	bool nested;	/* this process already held it: release is a no-op */
	bool dir;	/* a kb_lock_wait_dir lock */
};

/* Take the lock without waiting (creating workdir if needed). Returns 0, or
 * -KB_ELOCKED after logging "WORKDIR is locked by pid N (…)"; other errors
 * are logged with the path. what names the command for the holder line.
 * Taking a lock this process already holds (kbundle update → crawl → pack)
 * succeeds at once, nested: only the outermost release lets go. */
int kb_lock_take(struct kb_lock *l, const char *workdir, const char *what);
/* The same, but while another run holds the lock, say so (naming it) and
 * wait for it: for interactive commands (pack) that would rather queue
 * behind the nightly job than fail. */
int kb_lock_wait(struct kb_lock *l, const char *workdir, const char *what);
/* Lock a directory itself (flock on the directory), waiting while another
 * kbundle run (what: its command, for the message) holds it: for a
 * directory that is served as it is (publish's), where a lock file would
 * be published too. Not nested. */
int kb_lock_wait_dir(struct kb_lock *l, const char *dir, const char *what);
/* Release; safe on a lock never taken. */
void kb_lock_release(struct kb_lock *l);

#endif
