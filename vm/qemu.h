/* qemu.h — boot one kernel with one initramfs in its architecture's
 * qemu-system-<arch> (vm/arch_vm.h), the console captured to a log file, a
 * host-side timeout; and the choice of accelerator (KVM only for guests of
 * the host's architecture, and only when a real probe boot proves it
 * works: nested KVM can hang forever on hosts where /dev/kvm opens fine). */
#ifndef KB_VM_QEMU_H
#define KB_VM_QEMU_H

#include <stdbool.h>
#include <stddef.h>

#include "vm/arch_vm.h"

struct kb_vm_boot {
	const struct kb_vm_arch *arch;
	const char *kernel;
	const char *initrd;
	const char *accel;	/* "kvm" or "tcg" */
	const char *log_path;	/* the serial console, and QEMU's own messages */
	const char *result_path; /* the private virtio-serial port kbundle.result is
				  * written here (NULL: no port) */
	int timeout_ms;
	int mem_mb;		/* 0: 256 */
};

struct kb_vm_boot_result {
	bool timed_out;
	int exit_code;
	double seconds;
	char *console;		/* malloc'd, capped at 1 MiB */
	size_t console_len;
	char *result;		/* the port's bytes, malloc'd, capped at 1 MiB (NULL: none) */
	size_t result_len;
};

/* 0 when QEMU ran (whatever the guest did); -ETIMEDOUT when the host
 * stopped it (r still filled); -errno when it could not start. */
int kb_vm_qemu_boot(const struct kb_vm_boot *b, struct kb_vm_boot_result *r);

/* The accelerator modes (--accel), NULL-terminated: "auto", "kvm", "tcg". */
extern const char *const kb_vm_accel_modes[];

/* Decide the accelerator of an arch guest for mode "auto", "kvm" or "tcg".
 * A guest of another architecture than the host's gets TCG, without a
 * probe. For auto, the verdict cached in state_dir/accel is used;
 * otherwise kernel is booted under KVM with a busybox-only initramfs built
 * in tmp_dir and a short timeout, and the verdict is cached. *accel is
 * "kvm" or "tcg". */
int kb_vm_accel_decide(const char *mode, const struct kb_vm_arch *arch, const char *state_dir,
		       const char *kernel, const char *busybox, const char *tmp_dir,
		       const char **accel);

#endif
