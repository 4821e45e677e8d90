/* toolchain.h — build roots: running a module build with the compiler that
 * built the kernel (DESIGN.md "Build roots").
 *
 * A toolchain is either the host, when it has a compiler of the wanted kind
 * and major version (`gcc-14 --version` or `gcc --version` says 14.x), or a
 * root: a minimal root file system of the Debian release that ships that
 * compiler, made once with mmdebstrap from the mirror this machine's apt
 * uses and cached as
 *
 *   WORKDIR/toolchains/<release>-<spec>[-<arch>]-<hash>/   e.g. trixie-gcc-14-1f2e3d4c5b6a
 *
 * where arch names the target of a cross compiler (trixie-gcc-14-arm64-…:
 * the same set plus Debian's gcc-14-aarch64-linux-gnu; a native root has
 * none, so its name and hash do not change) and hash covers the package set, so a changed set makes a new root and
 * `kbundle toolchain gc` drops the old one. A root is created in a temp
 * directory beside it and renamed into place under an exclusive flock on
 * <name>.lock; a toolchain in use holds a shared one, so gc never removes a
 * root under a running build. Commands run inside through bubblewrap (no
 * shell): the root read-only at /, fresh /dev, /proc and /tmp, no network,
 * a clean environment, and the caller's directories bound at their own
 * paths — the kbuild host tools of the headers, linked against the release's
 * libc, run there too. When no root can be had for the compiler wanted, the
 * error names it: nothing ever builds silently with another compiler. */
#ifndef KB_TOOLCHAIN_H
#define KB_TOOLCHAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lib/compiler.h"
#include "lib/proc.h"

enum {
	KB_TC_ROOT = 1,		/* a root even when the host's compiler matches */
	KB_TC_NO_CREATE = 2,	/* only a root already cached (-KB_ENOTFOUND otherwise) */
};

struct kb_toolchain {
	char *spec;	/* "gcc-14" */
	char *release;	/* "trixie"; NULL on the host */
	char *root;	/* the root's directory; NULL: the host */
	char *cc;	/* the compiler command, e.g. gcc-14 or aarch64-linux-gnu-gcc-14 */
	char *arch;	/* a cross toolchain's target (Debian's name: arm64); NULL: native */
	char *cross_compile;	/* its make CROSS_COMPILE= ("aarch64-linux-gnu-"); NULL: native */
	int lock_fd;	/* shared lock on the root while in use; -1 */
};

/* One directory a command inside the root sees at its own path. */
struct kb_toolchain_bind {
	const char *path;	/* absolute */
	bool writable;
};

/* Find (or, unless KB_TC_NO_CREATE, make) the toolchain for spec
 * ("gcc-14"). release: a Debian codename or number ("trixie", "13",
 * "debian-13"); NULL: the release that ships that compiler by the table in
 * toolchain.c. arch: the architecture the code is for, any spelling
 * lib/arch.h knows; NULL or the build machine's own: a native compiler,
 * else the cross compiler for it (<triplet>-gcc-14 on the host, or Debian's
 * gcc-14-<triplet> package in a root of its own). Errors are logged naming
 * the compiler: -KB_EUSAGE (a bad spec, release or arch), -KB_ENOTFOUND (no
 * release ships it, or not cached), -KB_ESUBPROC (mmdebstrap failed; its
 * log is named). */
int kb_toolchain_for(const char *workdir, const char *spec, const char *release, const char *arch,
		     unsigned flags, struct kb_toolchain *tc);
void kb_toolchain_free(struct kb_toolchain *tc);

/* The argument vector that runs cmd with tc, in cwd (NULL: inherit) and
 * with binds (n of them) visible; NULL-terminated, free with
 * kb_toolchain_argv_free. On the host it is cmd itself. */
char **kb_toolchain_argv(const struct kb_toolchain *tc, const struct kb_toolchain_bind *binds,
			 size_t n, const char *cwd, const char *const *cmd);
void kb_toolchain_argv_free(char **argv);
/* kb_proc_run of kb_toolchain_argv (opts->cwd is the directory inside). */
int kb_toolchain_run(const struct kb_toolchain *tc, const struct kb_toolchain_bind *binds, size_t n,
		     const char *const *cmd, const struct kb_proc_opts *opts,
		     struct kb_proc_result *res);

/* The Debian codename for a release name or number; NULL when unknown. */
const char *kb_toolchain_release(const char *name);
/* The Debian release whose kernels are built with spec; NULL when none. */
const char *kb_toolchain_release_for(const char *spec);

/* A cached root, as `kbundle toolchain list` shows it. */
struct kb_toolchain_root {
	char *name, *path, *release, *spec;
	char *arch;		/* a cross root's target; NULL: native */
	uint64_t size;		/* bytes on disk */
	time_t created, used;
	bool current;		/* made from today's package set for its release and spec */
};

int kb_toolchain_list(const char *workdir, struct kb_toolchain_root **v, size_t *n);
void kb_toolchain_list_free(struct kb_toolchain_root *v, size_t n);
/* Remove leftover temp roots, roots of an old package set, and roots not
 * used for unused_secs (0: every root not in use). removed/freed: counts. */
int kb_toolchain_gc(const char *workdir, time_t unused_secs, bool dry_run, size_t *removed,
		    uint64_t *freed);

#endif
