/* bpfunit.h — the BPF units of a vmtest run: each *.bpf.c of a --bpf DIR,
 * built with clang -target bpf -O2 -g in up to two ways, as DIR/bpf.yml
 * says (NAME: core | non-core | both; both by default):
 *   - CO-RE ("NAME-core"), against the kernel's own vmlinux.h and libbpf's
 *     headers, with KBUNDLE_BPF_CORE=1;
 *   - non-CO-RE ("NAME-noncore"), against the bundle's headers with the
 *     include paths a kernel build uses for its architecture (LINUXINCLUDE:
 *     arch/ARCH/include, include, their uapi and generated dirs, and
 *     linux/kconfig.h), -D__KERNEL__ and KBUNDLE_BPF_CORE=0. Nothing of
 *     the host's kernel headers is on the path.
 * Each object is then checked (vm/bpfobj.h) before anything boots. */
#ifndef KB_VM_BPFUNIT_H
#define KB_VM_BPFUNIT_H

#include <stddef.h>

#include "vm/result.h"

/* Before anything is packed or booted: -KB_EUSAGE (logged, naming the
 * directory, or bpf.yml with its line) when dir holds no *.bpf.c or its
 * bpf.yml is wrong. */
int kb_vm_bpf_dir_check(const char *dir);

/* Append the units of dirs (checked) to k's, in name order per dir. */
void kb_vm_bpf_units_add(struct kb_vm_kernel *k, const char *const *dirs, size_t ndirs);

struct kb_vm_bpf_env {
	const char *build_dir;	/* the extracted bundle's BUNDLE_BUILD_DIR */
	const char *arch;	/* the kernel's architecture, any spelling */
	const char *vmlinux_h;	/* its vmlinux.h; NULL: no BTF, and no_btf says why */
	const char *no_btf;
	const char *work;	/* objects go here */
	int timeout_ms;		/* per compile */
};

/* Build u and check its object: sets bpf-build and bpf-validate, u->bpf_obj,
 * u->insns and u->bpf_tc. */
void kb_vm_bpf_unit_build(struct kb_vm_unit *u, const struct kb_vm_bpf_env *e);

/* The cache of built objects, WORKDIR/cache/bpf/<key>.bpf.o: key over
 * the bundle's bytes (bundle_sha), the kernel image (image_key: its
 * vmlinux.h), clang's version, the unit's name and every file of its
 * directory. On a hit u is built and checked from it. The key (malloc'd;
 * NULL: none can be had) is for kb_vm_bpf_cache_put after a build. */
char *kb_vm_bpf_cache_get(struct kb_vm_unit *u, const char *cache_dir, const char *bundle_sha,
			  const char *image_key);
void kb_vm_bpf_cache_put(const struct kb_vm_unit *u, const char *cache_dir, const char *key);

/* Does k have a BPF unit that will run in the guest? With tc: one with a
 * TC program. */
bool kb_vm_kernel_has_bpf(const struct kb_vm_kernel *k, bool tc);

/* For each BPF unit of k in the guest: its min-core BTF out of the
 * kernel's (cached under kcache/<key>: vm/kernel_btf.h), as
 * work/<unit>.btf, for the loader to hand libbpf as btf_custom_path. A
 * kernel without BTF, or a failure, is said in the unit's bpf-validate. */
void kb_vm_bpf_min_core(struct kb_vm_kernel *k, const char *kcache, const char *key,
			const char *work);

/* The guest's loader for k (arch: the kernel's): k->bpfload, or every BPF
 * unit's bpf-load failed saying why (a foreign architecture, no loader
 * built) and the unit kept out of the guest. */
void kb_vm_bpf_loader(struct kb_vm_kernel *k, const char *arch);

#endif
