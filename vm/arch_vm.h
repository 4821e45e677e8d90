/* arch_vm.h — how each architecture's guest is booted: its QEMU system
 * binary, machine, CPU, firmware, console and the bus of the results'
 * virtio-serial port. One row per architecture vmtest can boot; the
 * generic facts (spellings, ELF identity) are lib/arch.h's. */
#ifndef KB_VM_ARCH_VM_H
#define KB_VM_ARCH_VM_H

#include <stdbool.h>

#include "lib/arch.h"

struct kb_vm_arch {
	const char *debian;	/* lib/arch.h's canonical name */
	const char *qemu;	/* qemu-system-<arch> */
	const char *qemu_pkg;	/* the Debian package that ships it (for messages) */
	const char *machine;	/* -machine, NULL: QEMU's default */
	const char *cpu;	/* -cpu under TCG (KVM: host) */
	const char *bios;	/* -bios, NULL: none given */
	const char *append;	/* the kernel command line: console= and the rest */
	const char *serial;	/* the virtio-serial controller device */
	int timeout_s;		/* default per boot under TCG, from measured boots */
	bool pvh;		/* the kernel may carry a PVH entry (x86 bzImage) */
};

/* The row of the architecture any spelling names, or NULL: vmtest cannot
 * boot it. */
const struct kb_vm_arch *kb_vm_arch_find(const char *name);

/* The architectures that have a row, for messages: "amd64, arm64, …". */
const char *kb_vm_arch_names(void);

#endif
