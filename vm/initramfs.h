/* initramfs.h — the guest: a cpio (newc) written by kbundle holding the
 * host's static busybox, the modules under test and a generated /init that
 * loads, checks and unloads each unit and prints the results on the serial
 * console between markers (see vm/result.h for the line format). */
#ifndef KB_VM_INITRAMFS_H
#define KB_VM_INITRAMFS_H

#include <stdbool.h>

#include "vm/result.h"

#define KB_VM_BUSYBOX "/bin/busybox"	/* busybox-static */

/* The /init script for k's units that built (malloc'd). A unit's check.sh,
 * when its directory ships one, runs after the unit is loaded, from the
 * unit's directory, under busybox sh; exit 0 means pass. */
char *kb_vm_init_script(const struct kb_vm_kernel *k);

/* Write the initramfs to path atomically. units may be NULL/0 for a
 * busybox-only image whose init is init_script. gzip: compress it (smaller,
 * but the guest spends time inflating it; off by default). */
int kb_vm_initramfs_write(const char *path, const char *busybox, const char *init_script,
			  const struct kb_vm_kernel *k, bool gzip);

#endif
