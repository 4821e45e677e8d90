/* image_apt.c — the apt family's kernel packages for the VM stage: .deb
 * (lib/deb), the kernel at boot/vmlinuz-<release> (or, usrmerged,
 * usr/lib/modules/<release>/vmlinuz), the modules below lib/modules/<release>/
 * or usr/lib/modules/<release>/ of linux-image-* (Ubuntu: also
 * linux-modules-*). */
#include <string.h>

#include "lib/deb.h"
#include "vm/kernel.h"

static int kb_vm_apt_open(const char *path, void **handle, struct archive **a)
{
	struct kb_deb *d = NULL;
	int err = kb_deb_open(path, &d);

	*handle = d;
	*a = err ? NULL : kb_deb_data(d);
	return err;
}

static void kb_vm_apt_close(void *handle)
{
	kb_deb_close(handle);
}

static bool kb_vm_apt_kernel_member(const char *path, const char *release)
{
	const char *rest = kb_vm_modules_member(path, release);

	return kb_vm_boot_member(path, release) || (rest && !strcmp(rest, "vmlinuz"));
}

const struct kb_vm_family kb_vm_family_apt = {
	.open = kb_vm_apt_open,
	.close = kb_vm_apt_close,
	.kernel_member = kb_vm_apt_kernel_member,
	.module_member = kb_vm_modules_member,
};
