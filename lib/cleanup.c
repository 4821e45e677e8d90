/* cleanup.c — the signal handlers that kill child process groups and remove
 * temp trees, a tree remover that is async-signal-safe (openat, getdents64,
 * unlinkat; no malloc, no stdio), and the sweep of dead runs' temp trees. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/file.h"
#include "lib/log.h"

#define KB_CLEANUP_TREES 32
#define KB_CLEANUP_CHILDREN 64
#define KB_CLEANUP_DEPTH 64	/* header trees are ~12 deep */

static char kb_cleanup_trees[KB_CLEANUP_TREES][PATH_MAX];
static volatile sig_atomic_t kb_cleanup_tree_used[KB_CLEANUP_TREES];
static volatile pid_t kb_cleanup_children[KB_CLEANUP_CHILDREN];
static volatile pid_t kb_cleanup_owner;
static pthread_mutex_t kb_cleanup_lock = PTHREAD_MUTEX_INITIALIZER;

struct kb_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Remove name under dfd, a tree, never following a symlink. */
static void kb_cleanup_rm_at(int dfd, const char *name, int depth)
{
	char buf[1024];
	int fd;

	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT || depth > KB_CLEANUP_DEPTH)
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	/* Entries removed while reading may hide others: read again until
	 * a pass finds nothing. */
	for (int pass = 0; pass < 8; pass++) {
		int seen = 0;
		long n;

		lseek(fd, 0, SEEK_SET);
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
			for (long off = 0; off < n;) {
				struct kb_dirent64 *d = (struct kb_dirent64 *)(buf + off);

				off += d->d_reclen;
				if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
					continue;
				seen = 1;
				kb_cleanup_rm_at(fd, d->d_name, depth + 1);
			}
		if (!seen)
			break;
	}
	close(fd);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

static void kb_cleanup_signal(int sig)
{
	if (getpid() != kb_cleanup_owner)
		_exit(128 + sig);	/* a child between fork and exec */
	for (int i = 0; i < KB_CLEANUP_CHILDREN; i++) {
		pid_t p = kb_cleanup_children[i];

		if (p > 0) {
			kill(-p, SIGKILL);
			kill(p, SIGKILL);
		}
	}
	for (int i = 0; i < KB_CLEANUP_TREES; i++)
		if (kb_cleanup_tree_used[i])
			kb_cleanup_rm_at(AT_FDCWD, kb_cleanup_trees[i], 0);
	_exit(128 + sig);
}

void kb_cleanup_install(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;

	pthread_mutex_lock(&kb_cleanup_lock);
	if (kb_cleanup_owner != getpid()) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = kb_cleanup_signal;
		sigfillset(&sa.sa_mask);
		kb_cleanup_owner = getpid();
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], &sa, NULL);
	}
	pthread_mutex_unlock(&kb_cleanup_lock);
}

int kb_cleanup_tree_add(const char *path)
{
	int slot = -1;

	if (strlen(path) >= PATH_MAX)
		return -1;
	pthread_mutex_lock(&kb_cleanup_lock);
	for (int i = 0; i < KB_CLEANUP_TREES && slot < 0; i++)
		if (!kb_cleanup_tree_used[i]) {
			strcpy(kb_cleanup_trees[i], path);
			kb_cleanup_tree_used[i] = 1;
			slot = i;
		}
	pthread_mutex_unlock(&kb_cleanup_lock);
	return slot;
}

void kb_cleanup_tree_del(int slot)
{
	if (slot < 0 || slot >= KB_CLEANUP_TREES)
		return;
	pthread_mutex_lock(&kb_cleanup_lock);
	kb_cleanup_tree_used[slot] = 0;
	pthread_mutex_unlock(&kb_cleanup_lock);
}

int kb_cleanup_child_add(pid_t pgid)
{
	int slot = -1;

	pthread_mutex_lock(&kb_cleanup_lock);
	for (int i = 0; i < KB_CLEANUP_CHILDREN && slot < 0; i++)
		if (!kb_cleanup_children[i]) {
			kb_cleanup_children[i] = pgid;
			slot = i;
		}
	pthread_mutex_unlock(&kb_cleanup_lock);
	return slot;
}

void kb_cleanup_child_del(int slot)
{
	if (slot < 0 || slot >= KB_CLEANUP_CHILDREN)
		return;
	pthread_mutex_lock(&kb_cleanup_lock);
	kb_cleanup_children[slot] = 0;
	pthread_mutex_unlock(&kb_cleanup_lock);
}

char *kb_cleanup_mkdtemp(const char *dir, const char *prefix)
{
	char *t = kb_xasprintf("%s/%s%d.XXXXXX", dir, prefix, (int)getpid());

	if (!mkdtemp(t)) {
		int e = errno;

		free(t);
		errno = e;
		return NULL;
	}
	return t;
}

/* The owner pid of a PREFIX<pid>.XXXXXX name, or 0. */
static pid_t kb_cleanup_owner_of(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix);
	char *end;
	long pid;

	if (strncmp(name, prefix, pl) || name[pl] < '1' || name[pl] > '9')
		return 0;
	pid = strtol(name + pl, &end, 10);
	return *end == '.' && end[1] && pid > 0 && pid <= INT_MAX ? (pid_t)pid : 0;
}

int kb_cleanup_sweep(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		pid_t pid = kb_cleanup_owner_of(e->d_name, prefix);
		struct stat st;
		char *p;

		if (!pid || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		p = kb_path_join(dir, e->d_name);
		if (lstat(p, &st) == 0 && !S_ISLNK(st.st_mode) && st.st_uid == getuid() &&
		    kb_rm_rf(p) == 0) {
			kb_info("%s: removed (left by process %d, which is gone)", p, (int)pid);
			n++;
		}
		free(p);
	}
	closedir(d);
	return n;
}
