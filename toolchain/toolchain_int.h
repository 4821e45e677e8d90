/* toolchain_int.h — what the toolchain files share and nothing else may
 * use: a root's name and package set, and the per-root lock. */
#ifndef KB_TOOLCHAIN_INT_H
#define KB_TOOLCHAIN_INT_H

#include "toolchain/toolchain.h"

struct kb_arch;
/* "gcc-14,make,libc6-dev,…": the packages of a root, for --include; with a
 * cross target (NULL: none) also its cross compiler (gcc-14-aarch64-linux-gnu)
 * or, for clang, its binutils. */
char *kb_tc_packages(enum kb_cc_kind kind, unsigned major, const struct kb_arch *cross);
/* "<release>-<spec>[-<arch>]-<hash of the package set>" */
char *kb_tc_root_name(const char *release, const char *spec, const struct kb_arch *cross);
/* flock(op) on dir/<name>.lock into *fd; with LOCK_NB, -KB_ELOCKED
 * (unlogged) when another run holds it; otherwise waits, saying so. */
int kb_tc_lock(const char *dir, const char *name, int op, int *fd);

#endif
