/* hosttools.h — the kbuild host programs of a bundle of another
 * architecture than the build machine's.
 *
 * A bundle stays native: an arm64 bundle's scripts/basic/fixdep,
 * scripts/mod/modpost, … are aarch64 programs, so that a product on an
 * arm64 machine extracts it and builds. To cross-build on this machine,
 * the build's private copy of the bundle gets the same files from the
 * build machine's own linux-kbuild package of the same name and version
 * (Debian builds it from the same source for every architecture, and its
 * modpost reads modules of either byte order and class). The manifest
 * already lists that package in the build machine's entry of the same
 * kernel; it comes through the package cache, verified like any other.
 * DESIGN.md ("Cross-builds") says why this and not a rebuild of the tools. */
#ifndef KB_VM_HOSTTOOLS_H
#define KB_VM_HOSTTOOLS_H

#include <stdbool.h>

struct kb_vm_targets;

/* For each target whose bundle is for another architecture than the build
 * machine's: the cache object of the build machine's kbuild package of the
 * same name and version, taken from the manifest's entry of that
 * architecture and fetched through the cache (under the work directory's
 * lock). NULL entries: a native target, or no such package in the manifest
 * (the build then fails saying so). An array of ts->n, free with
 * kb_vm_hosttools_free. */
char **kb_vm_hosttools_fetch(struct kb_vm_targets *ts);
void kb_vm_hosttools_free(char **v, size_t n);

/* Replace every file of the extracted tree build_dir that the kbuild
 * package deb (a .deb of usr/lib/linux-kbuild-<V>/…) also holds, at the
 * same path below linux-kbuild-<V>/, with the package's. name: the bundle,
 * for messages. 0, or an error (logged); *replaced: how many files. */
int kb_vm_hosttools_overlay(const char *deb, const char *build_dir, const char *name,
			    size_t *replaced);

/* True when arch (any spelling) is not the build machine's. */
bool kb_vm_arch_foreign(const char *arch);

#endif
