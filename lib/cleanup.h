/* cleanup.h — what kbundle leaves behind when it is killed, and how it
 * goes: on TERM, INT or HUP every registered child process group is killed
 * and every registered temp tree removed (from the signal handler, with
 * async-signal-safe calls only), then the process exits 128+signal (143,
 * 130, 129). Temp trees are named PREFIX<pid>.XXXXXX, so the next run
 * sweeps those whose owner is dead, e.g. after a SIGKILL. */
#ifndef KB_CLEANUP_H
#define KB_CLEANUP_H

#include <sys/types.h>

/* Install the handlers (once per process; later calls do nothing). */
void kb_cleanup_install(void);

/* Remove path (a tree) if the process is killed. Returns a slot for
 * kb_cleanup_tree_del, or -1 when every slot is taken (nothing is then
 * removed on a signal, but the next run's sweep still finds it). */
int kb_cleanup_tree_add(const char *path);
void kb_cleanup_tree_del(int slot);

/* Kill process group pgid if the process is killed. */
int kb_cleanup_child_add(pid_t pgid);
void kb_cleanup_child_del(int slot);

/* "DIR/PREFIX<pid>.XXXXXX", made by mkdtemp; NULL with errno on failure.
 * malloc'd. */
char *kb_cleanup_mkdtemp(const char *dir, const char *prefix);

/* Remove DIR's PREFIX<pid>.* entries (directories or files, owned by this
 * user, not symlinks) whose pid is no live process. Returns how many. */
int kb_cleanup_sweep(const char *dir, const char *prefix);

#endif
