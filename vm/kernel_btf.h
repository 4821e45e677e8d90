/* kernel_btf.h — the BTF of a kernel in vm/kernel.h's cache (the entry
 * kb_vm_kernel_get filled from the verified image package), and its
 * vmlinux.h, both made once and kept in that entry: cache_dir/<key>/btf,
 * cache_dir/<key>/vmlinux.h. A kernel without BTF leaves
 * cache_dir/<key>/no-btf saying why, so later runs do not look again. */
#ifndef KB_VM_KERNEL_BTF_H
#define KB_VM_KERNEL_BTF_H

#include "lib/family.h"

/* The raw BTF of the kernel cached under cache_dir/<key>/ (call
 * kb_vm_kernel_get first). *btf_path malloc'd. -KB_ENOTFOUND when the
 * kernel has none (*why, malloc'd, says so: also when not cached). */
int kb_vm_kernel_btf(const char *cache_dir, const char *key, char **btf_path, char **why);

/* vmlinux.h of that kernel (bpftool btf dump … format c). *h_path
 * malloc'd; errors as kb_vm_kernel_btf. */
int kb_vm_kernel_vmlinux_h(const char *cache_dir, const char *key, char **h_path, char **why);

/* The raw BTF of the kernel in image package pkg (of family), written to
 * out atomically; the kernel goes through a temp directory, not the cache.
 * Errors logged (-KB_ENOTFOUND: no kernel, or a kernel without BTF). */
int kb_vm_image_btf(const char *pkg, enum kb_family family, const char *out);

#endif
