/* qemu.c — the QEMU command line and the KVM probe. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/arch.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "vm/initramfs.h"
#include "vm/qemu.h"

#define KB_VM_PROBE_TIMEOUT_MS 10000	/* a KVM boot takes ~1 s; a hang never ends */
#define KB_VM_CONSOLE_MAX (1u << 20)

static double kb_vm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int kb_vm_qemu_boot(const struct kb_vm_boot *b, struct kb_vm_boot_result *r)
{
	const struct kb_vm_arch *va = b->arch;
	bool kvm = !strcmp(b->accel, "kvm");
	char mem[16], *chardev = NULL, *serial = NULL;
	/* Minimal machine: no default devices, serial on stdout, one CPU, and
	 * the results' own virtio-serial port written to a file. The kernel's
	 * console stays quiet; /init says how loud. */
	const char *argv[40] = {
		va->qemu, "-nodefaults", "-no-user-config", "-no-reboot",
		"-display", "none", "-serial", "stdio", "-monitor", "none",
		"-smp", "1", "-m", mem, "-accel", b->accel, "-cpu", kvm ? "host" : va->cpu,
		"-kernel", b->kernel, "-initrd", b->initrd, "-append", va->append,
	};
	size_t argc = 24;
	struct kb_proc_opts o = {
		.timeout_ms = b->timeout_ms,
		.output_max = KB_VM_CONSOLE_MAX,
		.output_path = b->log_path,
	};
	struct kb_proc_result pr = { 0 };
	double t0 = kb_vm_now();
	int err;

	if (va->machine) {
		argv[argc++] = "-machine";
		argv[argc++] = va->machine;
	}
	if (va->bios) {
		argv[argc++] = "-bios";
		argv[argc++] = va->bios;
	}
	if (b->result_path) {
		chardev = kb_xasprintf("file,id=kbr,path=%s", b->result_path);
		serial = kb_xasprintf("%s,id=kbs", va->serial);
		argv[argc++] = "-device";
		argv[argc++] = serial;
		argv[argc++] = "-chardev";
		argv[argc++] = chardev;
		argv[argc++] = "-device";
		argv[argc++] = "virtserialport,bus=kbs.0,chardev=kbr,name=kbundle.result";
		unlink(b->result_path);
	}
	argv[argc] = NULL;
	snprintf(mem, sizeof(mem), "%d", b->mem_mb ? b->mem_mb : 256);
	err = kb_proc_run(argv, &o, &pr);
	memset(r, 0, sizeof(*r));
	r->seconds = kb_vm_now() - t0;
	r->timed_out = pr.timed_out;
	r->exit_code = pr.exit_code;
	r->console = pr.output;
	r->console_len = pr.output_len;
	if (b->result_path && kb_file_read(b->result_path, KB_VM_CONSOLE_MAX, &r->result,
					   &r->result_len) != 0) {
		r->result = NULL;	/* QEMU never opened it: the console tells why */
		r->result_len = 0;
	}
	if (err == -KB_ESUBPROC && pr.exit_code == 127 && !pr.output_len)
		err = -ENOENT;	/* exec failed: kb_proc_run's child exits 127 silently */
	else if (err == -KB_ESUBPROC)
		err = 0;	/* QEMU's own status says little; the console says what happened */
	if (err && err != -ETIMEDOUT)
		kb_error("%s: could not run: %s (is %s installed?)", va->qemu, kb_strerror(err),
			 va->qemu_pkg);
	free(chardev);
	free(serial);
	return err;
}

static int kb_vm_accel_probe(const struct kb_vm_arch *va, const char *kernel,
			     const char *busybox, const char *tmp_dir, const char **accel)
{
	static const char init[] = "#!/bin/sh\n/bin/busybox echo KBUNDLE-PROBE-OK\n"
				   "/bin/busybox poweroff -f\n";
	char *initrd = kb_path_join(tmp_dir, "probe.cpio");
	char *log = kb_path_join(tmp_dir, "probe.log");
	struct kb_vm_boot b = {
		.arch = va, .kernel = kernel, .initrd = initrd, .accel = "kvm", .log_path = log,
		.timeout_ms = KB_VM_PROBE_TIMEOUT_MS, .mem_mb = 128,
	};
	struct kb_vm_boot_result r = { 0 };
	int fd, err;

	*accel = "tcg";
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		kb_info("KVM: /dev/kvm: %s; using TCG", strerror(errno));
		err = 0;
		goto out;
	}
	close(fd);
	err = kb_vm_initramfs_write(initrd, busybox, init, NULL, NULL, false);
	if (err)
		goto out;
	kb_info("KVM: probing with a %d s boot of %s", KB_VM_PROBE_TIMEOUT_MS / 1000, kernel);
	err = kb_vm_qemu_boot(&b, &r);
	if (r.console && strstr(r.console, "KBUNDLE-PROBE-OK")) {
		*accel = "kvm";
		kb_info("KVM: works (probe boot took %.1f s)", r.seconds);
	} else {
		kb_warn("KVM: /dev/kvm opens but a probe boot %s (nested KVM?); using TCG",
			r.timed_out ? "hung until the timeout" : "failed");
	}
	err = 0;
out:
	unlink(initrd);
	unlink(log);
	free(initrd);
	free(log);
	free(r.console);
	free(r.result);
	return err;
}

const char *const kb_vm_accel_modes[] = { "auto", "kvm", "tcg", NULL };

int kb_vm_accel_decide(const char *mode, const struct kb_vm_arch *va, const char *state_dir,
		       const char *kernel, const char *busybox, const char *tmp_dir,
		       const char **accel)
{
	char *path = kb_path_join(state_dir, "accel");
	char *buf = NULL;
	size_t len;
	int err = 0;

	/* KVM runs guests of the host's own architecture only. */
	if (!kb_arch_same(va->debian, kb_arch_host())) {
		if (!strcmp(mode, "kvm"))
			kb_warn("--accel kvm: an %s guest on an %s host cannot use KVM; using TCG",
				va->debian, kb_arch_host());
		*accel = "tcg";
		goto out;
	}
	if (!strcmp(mode, "kvm") || !strcmp(mode, "tcg")) {
		*accel = !strcmp(mode, "kvm") ? "kvm" : "tcg";
		goto out;
	}
	if (kb_file_read(path, 64, &buf, &len) == 0 &&
	    (!strcmp(buf, "kvm\n") || !strcmp(buf, "tcg\n"))) {
		*accel = buf[0] == 'k' ? "kvm" : "tcg";
		kb_debug("accelerator: %s (cached in %s)", *accel, path);
		goto out;
	}
	err = kb_vm_accel_probe(va, kernel, busybox, tmp_dir, accel);
	if (err)
		goto out;
	/* A cache that cannot be written only costs the next run a probe. */
	if (kb_mkdir_p(state_dir, 0755) == 0 &&
	    kb_file_write_atomic(path, !strcmp(*accel, "kvm") ? "kvm\n" : "tcg\n", 4) != 0)
		kb_warn("%s: could not cache the accelerator verdict", path);
out:
	free(buf);
	free(path);
	return err;
}
