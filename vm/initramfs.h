/* initramfs.h — the guest: a cpio (newc) written by kbundle holding a
 * static busybox of the guest's architecture (vm/busybox.h), the modules
 * under test and a generated /init that loads, checks and unloads each
 * unit and writes the results, each line
 * with the boot's nonce, on the private virtio-serial port (or the serial
 * console when the kernel has no port; see vm/result.h). */
#ifndef KB_VM_INITRAMFS_H
#define KB_VM_INITRAMFS_H

#include <stdbool.h>

#include "vm/result.h"

#define KB_VM_BUSYBOX "/bin/busybox"	/* the host's busybox-static: for guests of its architecture */

/* The /init script for k's units that built (malloc'd). A unit's check.sh,
 * when its directory ships one, runs after the unit is loaded, from the
 * unit's directory, under busybox sh; exit 0 means pass. */
char *kb_vm_init_script(const struct kb_vm_kernel *k);

#define KB_VM_NONCE_LEN 32	/* hex digits: 128 bits from getrandom */

/* A fresh secret for one boot's result lines (see result.h). */
int kb_vm_nonce_make(char out[KB_VM_NONCE_LEN + 1]);

/* Write the initramfs to path atomically. units may be NULL/0 for a
 * busybox-only image whose init is init_script. nonce (NULL: none) becomes
 * /kbnonce, which /init reads and unlinks before anything else runs. gzip:
 * compress it (smaller, but the guest spends time inflating it; off by
 * default). */
int kb_vm_initramfs_write(const char *path, const char *busybox, const char *init_script,
			  const char *nonce, const struct kb_vm_kernel *k, bool gzip);

#endif
