/* kernel.h — the kernel a bundle is proven against: found in the manifest
 * entry's image package, extracted in process, cached in the work directory,
 * and (when it allows) decompressed ahead of time so QEMU boots it through
 * its PVH entry instead of decompressing it slowly under TCG. */
#ifndef KB_VM_KERNEL_H
#define KB_VM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

/* Does an image package member (path as in the archive, "./" allowed) hold
 * the kernel of release? Debian/Ubuntu: boot/vmlinuz-<release>; RPM
 * images: lib/modules/<release>/vmlinuz. release NULL: the package's own
 * kernel, whatever its release. Extend here for new layouts. */
bool kb_vm_kernel_member(const char *path, const char *release);

/* Extract the kernel from one image package (.deb; the RPM reader plugs in
 * beside kb_deb_open) into out_path, atomically; *found (malloc'd) is the
 * release its member names. -KB_ENOTFOUND when the package holds no kernel
 * for release (logged). */
int kb_vm_kernel_extract(const char *pkg, const char *release, const char *out_path,
			 char **found);

/* From a bzImage in memory: the uncompressed ELF vmlinux inside it, if the
 * kernel has a PVH entry note (CONFIG_PVH). *out is malloc'd. -KB_ENOTFOUND
 * when it has none, -KB_EPARSE when the image is malformed. */
int kb_vm_kernel_unpack_pvh(const void *bz, size_t len, void **out, size_t *outlen);

/* The kernel to boot for release, from the first of pkgs that holds it,
 * cached under cache_dir/<key>/: *boot_path is the PVH vmlinux when there is
 * one, else the vmlinuz; *kernel_release the release of that kernel. key
 * names the cache entry (the image's sha256). */
int kb_vm_kernel_get(const char *cache_dir, const char *key, const char *const *pkgs,
		     size_t npkgs, const char *release, char **boot_path, char **kernel_release);

#endif
