/* image_rpmmd.c — the rpm-md family's kernel packages for the VM stage:
 * .rpm (lib/rpm), the kernel at lib/modules/<release>/vmlinuz (kernel-core;
 * usr/lib/modules/ where usrmerged; SUSE's kernel-default may also carry
 * boot/vmlinuz-<release>), the modules below the same directory of
 * kernel-core and kernel-modules-core. */
#include <string.h>

#include "lib/rpm.h"
#include "vm/kernel.h"

static int kb_vm_rpmmd_open(const char *path, void **handle, struct archive **a)
{
	struct kb_rpm *r = NULL;
	int err = kb_rpm_open(path, path, NULL, &r);

	*handle = r;
	*a = err ? NULL : kb_rpm_payload(r);
	return err;
}

static void kb_vm_rpmmd_close(void *handle)
{
	kb_rpm_close(handle);
}

static bool kb_vm_rpmmd_kernel_member(const char *path, const char *release)
{
	const char *rest = kb_vm_modules_member(path, release);

	return (rest && !strcmp(rest, "vmlinuz")) || kb_vm_boot_member(path, release);
}

const struct kb_vm_family kb_vm_family_rpmmd = {
	.open = kb_vm_rpmmd_open,
	.close = kb_vm_rpmmd_close,
	.kernel_member = kb_vm_rpmmd_kernel_member,
	.module_member = kb_vm_modules_member,
};
