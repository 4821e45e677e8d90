/* toolchain_int.h — what the toolchain files share and nothing else may
 * use: a root's name and package set, and the per-root lock. */
#ifndef KB_TOOLCHAIN_INT_H
#define KB_TOOLCHAIN_INT_H

#include "toolchain/toolchain.h"

/* "gcc-14,make,libc6-dev,…": the packages of a root, for --include. */
char *kb_tc_packages(enum kb_cc_kind kind, unsigned major);
/* "<release>-<spec>-<hash of the package set>" */
char *kb_tc_root_name(const char *release, const char *spec);
/* flock(op) on dir/<name>.lock into *fd; with LOCK_NB, -KB_ELOCKED
 * (unlogged) when another run holds it; otherwise waits, saying so. */
int kb_tc_lock(const char *dir, const char *name, int op, int *fd);

#endif
