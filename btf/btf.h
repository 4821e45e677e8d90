/* btf.h — a kernel's BTF (BPF Type Format): the raw .BTF section of its
 * vmlinux, taken from the kernel image as packaged, and what is made from
 * it with the kernel's own tools: vmlinux.h (bpftool btf dump … format c),
 * a min-core BTF for a set of BPF objects (bpftool gen min_core_btf), and
 * BTF for a kernel without any, from its DWARF (pahole -J).
 *
 * Files only: which kernel, from which package, is the caller's business
 * (vm/kernel_btf.h reads the image packages and caches per kernel). */
#ifndef KB_BTF_H
#define KB_BTF_H

#include <stddef.h>

/* An uncompressed vmlinux is ~60 MiB; its BTF ~5-8 MiB. */
#define KB_BTF_VMLINUX_MAX (512u << 20)
#define KB_BTF_MAX (64u << 20)

/* The raw BTF of the kernel in img (len bytes): a bzImage, a compressed or
 * plain Image, or an ELF vmlinux (lib/kimage.h decompresses). From an ELF,
 * its .BTF section (libelf); from an Image (no section headers), the one
 * BTF blob in it. Either way libbpf must parse it. *btf malloc'd. name (the
 * image's file) prefixes every message, logged here. -KB_ENOTFOUND when the
 * kernel carries no BTF (CONFIG_DEBUG_INFO_BTF unset), -KB_EPARSE when the
 * image or its BTF is malformed, -KB_ELIMIT above the sizes above. */
int kb_btf_from_kernel(const void *img, size_t len, const char *name, void **btf,
		       size_t *btflen);

/* The same from the file vmlinuz, written atomically to out. */
int kb_btf_extract_file(const char *vmlinuz, const char *out);

/* vmlinux.h for the BTF in file btf (`bpftool btf dump file BTF format c`),
 * made once and kept as dir/vmlinux.h (dir made if missing; keyed by the
 * caller, e.g. the kernel's cache entry). *h_path malloc'd. */
int kb_btf_vmlinux_h(const char *btf, const char *dir, char **h_path);

/* The BTF the CO-RE relocations of objs need out of btf, written to out
 * atomically (`bpftool gen min_core_btf BTF OUT OBJ…`): a few KB. */
int kb_btf_min_core(const char *btf, const char *const *objs, size_t nobjs, const char *out);

/* BTF for a kernel built without it, from its vmlinux with DWARF (Debian's
 * linux-image-*-dbg: usr/lib/debug/boot/vmlinux-R), as btfhub makes it:
 * `pahole -J --btf_encode_detached OUT VMLINUX`, written atomically. */
int kb_btf_from_dwarf(const char *vmlinux, const char *out);

#endif
