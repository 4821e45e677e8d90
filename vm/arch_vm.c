/* arch_vm.c — the per-architecture guest table. Every setting was read
 * off Debian 13's own kernels (boot/config-6.12.118+deb13-<flavour>) and
 * tried with QEMU 7.2 here (ppc64el and s390x: the configs of Debian 13
 * backports' 7.2.11+deb13 kernels); the boot times are bare boots of those
 * kernels to a busybox poweroff under TCG on this 2-core host.
 *
 * amd64: PC machine, 8250 console. Bare TCG boot of the bzImage: 11.5 s in
 *   bench/arch.sh at load ~10 (vmtest boots the PVH vmlinux).
 * arm64: virt machine, PL011 console (SERIAL_AMBA_PL011_CONSOLE=y), PCI by
 *   PCI_HOST_GENERIC=y, VIRTIO_PCI=y and VIRTIO_CONSOLE=y built in. The
 *   packaged vmlinuz is a plain Image (not EFI zboot), which QEMU loads as
 *   it is. The 16k-page flavour (ARM64_16K_PAGES) needs a CPU with the 16k
 *   granule: "max" has it (on cortex-a57 the 16k kernel printed nothing
 *   and hung until a 60 s timeout; the 4k one boots there in 2.7 s);
 *   pauth-impdef=on keeps pointer authentication cheap under TCG (4.5 s
 *   instead of 8.1 s for a bare boot; 16k: 4.8 s).
 * riscv64: virt machine, OpenSBI (QEMU's -bios default, from qemu-system-data),
 *   8250 console (SERIAL_8250_CONSOLE=y, SERIAL_OF_PLATFORM=y), the kernel
 *   is boot/vmlinux-<release>, an Image with a PE header, which QEMU loads
 *   raw. Bare TCG boot: 3.1 s.
 * ppc64el: pseries machine (PPC_PSERIES=y), POWER9 CPU (TARGET_CPU is
 *   power8, the minimum; POWER9 has the radix MMU, PPC_RADIX_MMU=y), hvc0
 *   console (HVC_CONSOLE=y: the sPAPR vty QEMU puts -serial on). The
 *   packaged vmlinuz is an ELF, loaded as it is. x-vof=on boots it through
 *   QEMU's Virtual Open Firmware instead of SLOF: a bare boot of Debian 13's
 *   7.2.11+deb13-powerpc64le took 13.7 s with SLOF, 6.1 s with VOF. The
 *   cap-*s off/broken are the Spectre caps TCG cannot give (QEMU warns on
 *   every boot otherwise).
 * s390x: s390-ccw-virtio machine, QEMU's "qemu" CPU model (the kernel
 *   needs z10, MARCH_Z10=y), the SCLP console (SCLP_CONSOLE=y, ttysclp0:
 *   -serial goes to the SCLP line-mode console); virtio on the CCW bus
 *   (S390_GUEST=y builds virtio_ccw in), so the results' port hangs on
 *   virtio-serial-ccw. Bare boot of 7.2.11+deb13-s390x: 4.7 s. */
#include <stdio.h>
#include <string.h>

#include "vm/arch_vm.h"

/* 120 s per boot: ~20x the slowest measured bare boot (6.1 s), for a
 * loaded host running -j 2 with module loads and unloads on top. */
#define KB_VM_TCG_TIMEOUT 120

static const struct kb_vm_arch kb_vm_arches[] = {
	{ "amd64", "qemu-system-x86_64", "qemu-system-x86", NULL, "max", NULL,
	  "console=ttyS0 panic=-1 quiet loglevel=1 i8042.noaux i8042.nokbd i8042.nopnp "
	  "tsc=reliable no_timer_check", "virtio-serial-pci", KB_VM_TCG_TIMEOUT, true },
	{ "arm64", "qemu-system-aarch64", "qemu-system-arm", "virt", "max,pauth-impdef=on", NULL,
	  "console=ttyAMA0 panic=-1 quiet loglevel=1", "virtio-serial-pci", KB_VM_TCG_TIMEOUT,
	  false },
	{ "riscv64", "qemu-system-riscv64", "qemu-system-misc", "virt", "rv64", "default",
	  "console=ttyS0 panic=-1 quiet loglevel=1", "virtio-serial-pci", KB_VM_TCG_TIMEOUT,
	  false },
	{ "ppc64el", "qemu-system-ppc64", "qemu-system-ppc",
	  "pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off",
	  "power9", NULL, "console=hvc0 panic=-1 quiet loglevel=1", "virtio-serial-pci",
	  KB_VM_TCG_TIMEOUT, false },
	{ "s390x", "qemu-system-s390x", "qemu-system-misc", "s390-ccw-virtio", "qemu", NULL,
	  "console=ttysclp0 panic=-1 quiet loglevel=1", "virtio-serial-ccw", KB_VM_TCG_TIMEOUT,
	  false },
};

#define KB_VM_NARCHES (sizeof(kb_vm_arches) / sizeof(kb_vm_arches[0]))

const struct kb_vm_arch *kb_vm_arch_find(const char *name)
{
	const struct kb_arch *a = kb_arch_find(name);

	for (size_t i = 0; a && i < KB_VM_NARCHES; i++)
		if (!strcmp(kb_vm_arches[i].debian, a->debian))
			return &kb_vm_arches[i];
	return NULL;
}

const char *kb_vm_arch_names(void)
{
	static char names[128];

	if (!names[0])
		for (size_t i = 0; i < KB_VM_NARCHES; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", kb_vm_arches[i].debian);
	return names;
}
