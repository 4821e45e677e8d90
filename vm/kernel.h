/* kernel.h — the kernel a bundle is proven against: found in the manifest
 * entry's image package, extracted in process, cached in the work directory,
 * and (when it allows) decompressed ahead of time so QEMU boots it through
 * its PVH entry instead of decompressing it slowly under TCG. */
#ifndef KB_VM_KERNEL_H
#define KB_VM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/family.h"

struct archive;
struct archive_entry;

/* A family's kernel packages, as the VM stage reads them: its row of
 * lib/family.h's KB_FAMILIES, defined as kb_vm_family_<id> in
 * vm/image_<id>.c. Member paths are as in the archive ("./" allowed). */
struct kb_vm_family {
	/* Open package file path's payload (the files it installs) as a
	 * libarchive reader *a, valid until close(*handle). Errors logged. */
	int (*open)(const char *path, void **handle, struct archive **a);
	void (*close)(void *handle);
	/* Find the kernel image: does member path hold the kernel of release
	 * (NULL: the package's own kernel, whatever its release)? */
	bool (*kernel_member)(const char *path, const char *release);
	/* The kernel's own modules: when member path lies in release's module
	 * directory (lib/modules/<release>/ and the like), its path below that
	 * directory ("kernel/drivers/…/videodev.ko.xz", "modules.dep"), else
	 * NULL. release NULL: any release's. */
	const char *(*module_member)(const char *path, const char *release);
};

#define KB_VM_FAMILY_DECL(e, id, name, vercmp) \
	extern const struct kb_vm_family kb_vm_family_##id;
KB_FAMILIES(KB_VM_FAMILY_DECL)
#undef KB_VM_FAMILY_DECL

/* The VM stage's row for family f. */
const struct kb_vm_family *kb_vm_family(enum kb_family f);

/* For the family rows: member path without "./" and "/" in front. */
const char *kb_vm_member_path(const char *path);
/* For the family rows: member path, without "./" and "/" in front, below
 * lib/modules/<release>/ or usr/lib/modules/<release>/ (release NULL: any
 * one): the rest of the path, else NULL. */
const char *kb_vm_modules_member(const char *path, const char *release);

/* For the family rows: is member path boot/vmlinuz-<release> or
 * boot/vmlinux-<release> (release NULL: any one)? */
bool kb_vm_boot_member(const char *path, const char *release);

/* Does an image package member hold the kernel of release, by any family's
 * layout (kb_vm_family.kernel_member)? */
bool kb_vm_kernel_member(const char *path, const char *release);

/* Extract the kernel from one image package of family into out_path,
 * atomically; *found (malloc'd) is the release its member names.
 * -KB_ENOTFOUND when the package holds no kernel for release (logged). */
int kb_vm_kernel_extract(const char *pkg, enum kb_family family, const char *release,
			 const char *out_path, char **found);

/* From a bzImage in memory: the uncompressed ELF vmlinux inside it, if the
 * kernel has a PVH entry note (CONFIG_PVH). *out is malloc'd. -KB_ENOTFOUND
 * when it has none, -KB_EPARSE when the image is malformed. */
int kb_vm_kernel_unpack_pvh(const void *bz, size_t len, void **out, size_t *outlen);

/* The kernel to boot for release, from the first of pkgs (packages of
 * family) that holds it,
 * cached under cache_dir/<key>/: *boot_path is the PVH vmlinux when pvh
 * (the architecture's kernels may have one: x86) and there is one, else
 * the kernel as packaged; *kernel_release the release of that kernel. key
 * names the cache entry (the image's sha256). */
int kb_vm_kernel_get(const char *cache_dir, const char *key, enum kb_family family,
		     const char *const *pkgs, size_t npkgs, const char *release, bool pvh,
		     char **boot_path, char **kernel_release);

/* Read archive a's current entry e (of file name, for messages) into
 * memory: a regular file of at most max bytes. *buf malloc'd. */
int kb_vm_archive_read(struct archive *a, struct archive_entry *e, const char *name, size_t max,
		       char **buf, size_t *len);

#endif
