/* kernel.c — find (by the family's row, vm/image_<id>.c), extract, cache and
 * pre-decompress the kernel image. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/kimage.h"
#include "lib/log.h"
#include "vm/kernel.h"

#define KB_VM_KERNEL_MAX (128u << 20)	/* a vmlinuz is ~10 MiB */
#define KB_VM_VMLINUX_MAX (512u << 20)	/* an uncompressed vmlinux ~60 MiB */

static const struct kb_vm_family *const kb_vm_families[KB_FAMILY_COUNT] = {
#define KB_VM_FAMILY_ROW(e, id, name, vercmp) [KB_FAMILY_##e] = &kb_vm_family_##id,
	KB_FAMILIES(KB_VM_FAMILY_ROW)
#undef KB_VM_FAMILY_ROW
};

const struct kb_vm_family *kb_vm_family(enum kb_family f)
{
	return kb_vm_families[f];
}

const char *kb_vm_member_path(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	while (path[0] == '/')
		path++;
	return path;
}

const char *kb_vm_modules_member(const char *path, const char *release)
{
	const char *p = kb_vm_member_path(path);
	size_t rl;

	if (!strncmp(p, "usr/", 4))
		p += 4;
	if (strncmp(p, "lib/modules/", 12))
		return NULL;
	p += 12;
	rl = release ? strlen(release) : strcspn(p, "/");
	if (!rl || strncmp(p, release ? release : p, rl) || p[rl] != '/' || !p[rl + 1])
		return NULL;
	return p + rl + 1;
}

bool kb_vm_boot_member(const char *path, const char *release)
{
	const char *p = kb_vm_member_path(path);

	/* vmlinux: riscv64's and ppc64el's (an Image, an ELF), not compressed */
	if (strncmp(p, "boot/vmlinuz-", 13) && strncmp(p, "boot/vmlinux-", 13))
		return false;
	return release ? !strcmp(p + 13, release) : p[13] && !strchr(p + 13, '/');
}

bool kb_vm_kernel_member(const char *path, const char *release)
{
	for (unsigned f = 0; f < KB_FAMILY_COUNT; f++)
		if (kb_vm_families[f]->kernel_member(path, release))
			return true;
	return false;
}

/* The release a kernel member names (boot/vmlinu[zx]-R, lib/modules/R/vmlinuz). */
static char *kb_vm_member_release(const char *path)
{
	const char *p = kb_vm_member_path(path);

	if (!strncmp(p, "boot/vmlinuz-", 13) || !strncmp(p, "boot/vmlinux-", 13))
		return kb_xstrdup(p + 13);
	if (!strncmp(p, "usr/", 4))
		p += 4;
	p += strlen("lib/modules/");
	return kb_xstrndup(p, strcspn(p, "/"));
}

int kb_vm_archive_read(struct archive *a, struct archive_entry *e, const char *name, size_t max,
		       char **buf, size_t *len)
{
	int64_t size = archive_entry_size(e);
	char *p = NULL;
	size_t got = 0;
	la_ssize_t n;
	int err = 0;

	if (archive_entry_filetype(e) != AE_IFREG || size <= 0 || (uint64_t)size > max) {
		kb_error("%s: %s: not a regular file of a plausible size", name,
			 archive_entry_pathname(e));
		err = -KB_EUNSAFE;
		goto out;
	}
	p = kb_xmalloc((size_t)size);
	while (got < (size_t)size && (n = archive_read_data(a, p + got, (size_t)size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)size) {
		kb_error("%s: %s: truncated (%s)", name, archive_entry_pathname(e),
			 archive_error_string(a) ?: "short read");
		err = -KB_EPARSE;
		goto out;
	}
	*buf = p;
	*len = got;
	p = NULL;
out:
	free(p);
	return err;
}

int kb_vm_kernel_extract(const char *pkg, enum kb_family family, const char *release,
			 const char *out_path, char **found)
{
	const struct kb_vm_family *fam = kb_vm_families[family];
	struct archive_entry *e;
	struct archive *a = NULL;
	void *handle = NULL;
	char *buf = NULL;
	size_t len = 0;
	int err, rc;

	err = fam->open(pkg, &handle, &a);
	if (err)
		goto out;
	err = -KB_ENOTFOUND;
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (!fam->kernel_member(archive_entry_pathname(e), release))
			continue;
		err = kb_vm_archive_read(a, e, pkg, KB_VM_KERNEL_MAX, &buf, &len);
		if (!err)
			*found = kb_vm_member_release(archive_entry_pathname(e));
		break;
	}
	if (rc != ARCHIVE_OK && rc != ARCHIVE_EOF) {
		kb_error("%s: %s", pkg, archive_error_string(a) ?: "unreadable archive");
		err = -KB_EPARSE;
		goto out;
	}
	if (err == -KB_ENOTFOUND)
		kb_error("%s: no kernel image for %s in this %s package (looked for "
			 "boot/vmlinu[zx]-%s and [usr/]lib/modules/%s/vmlinuz)", pkg,
			 release ? release : "any release", kb_family_name(family),
			 release ? release : "*", release ? release : "*");
	if (err)
		goto out;
	err = kb_file_write_atomic(out_path, buf, len);
	if (err)
		kb_error("%s: %s", out_path, kb_strerror(err));
out:
	free(buf);
	if (handle)
		fam->close(handle);
	return err;
}

static uint32_t kb_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t kb_le64(const unsigned char *p)
{
	return kb_le32(p) | (uint64_t)kb_le32(p + 4) << 32;
}

static uint16_t kb_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The extent of an x86-64 ELF's loadable data (what QEMU reads), or 0 when
 * it is no such ELF or lacks the PVH entry note (Xen note type 18). */
static size_t kb_vm_elf_pvh_extent(const unsigned char *p, size_t n)
{
	uint64_t phoff, end = 0;
	uint16_t phentsize, phnum;
	bool pvh = false;

	if (n < 64 || memcmp(p, "\177ELF\2\1", 6) || kb_le16(p + 18) != 62)
		return 0;
	phoff = kb_le64(p + 32);
	phentsize = kb_le16(p + 54);
	phnum = kb_le16(p + 56);
	if (phentsize < 56 || phoff > n || (uint64_t)phnum * phentsize > n - phoff)
		return 0;
	for (uint16_t i = 0; i < phnum; i++) {
		const unsigned char *ph = p + phoff + (uint64_t)i * phentsize;
		uint64_t off = kb_le64(ph + 8), fsz = kb_le64(ph + 32);

		if (off > n || fsz > n - off)
			return 0;
		if (off + fsz > end)
			end = off + fsz;
		if (kb_le32(ph) != 4)	/* PT_NOTE */
			continue;
		for (uint64_t q = off; q + 12 <= off + fsz;) {
			uint32_t nsz = kb_le32(p + q), dsz = kb_le32(p + q + 4);
			uint32_t type = kb_le32(p + q + 8);
			uint64_t next = q + 12 + ((nsz + 3ull) & ~3ull) + ((dsz + 3ull) & ~3ull);

			if (next > off + fsz)
				break;
			if (nsz == 4 && !memcmp(p + q + 12, "Xen", 4) && type == 18)
				pvh = true;
			q = next;
		}
	}
	return pvh ? (size_t)end : 0;
}

int kb_vm_kernel_unpack_pvh(const void *bz, size_t len, void **out, size_t *outlen)
{
	const unsigned char *b = bz;
	void *v = NULL;
	size_t got = 0, extent;
	int err;

	if (len < 0x250 || memcmp(b + 0x202, "HdrS", 4))
		return -KB_EPARSE;	/* not a bzImage */
	err = kb_kimage_decompress(bz, len, KB_VM_VMLINUX_MAX, &v, &got);
	if (err == -KB_ELIMIT)
		err = -KB_EPARSE;
	if (err)
		goto out;
	extent = kb_vm_elf_pvh_extent(v, got);
	if (!extent) {
		err = -KB_ENOTFOUND;
		goto out;
	}
	*out = v;
	*outlen = extent;	/* drop the relocation table appended after the ELF */
	v = NULL;
out:
	free(v);
	return err;
}

static bool kb_vm_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* Fill the cache entry dir: vmlinuz and its release from the first package
 * that holds the kernel, then vmlinux (PVH) or the no-pvh marker. */
static int kb_vm_kernel_fill(const char *dir, enum kb_family family, const char *const *pkgs,
			     size_t npkgs, const char *release, bool pvh)
{
	char *vmlinuz = kb_path_join(dir, "vmlinuz"), *vmlinux = kb_path_join(dir, "vmlinux");
	char *nopvh = kb_path_join(dir, "no-pvh"), *relpath = kb_path_join(dir, "release");
	char *found = NULL, *bz = NULL;
	void *elf = NULL;
	size_t bzlen = 0, elflen = 0;
	int err = kb_mkdir_p(dir, 0755);

	if (err) {
		kb_error("%s: %s", dir, kb_strerror(err));
		goto out;
	}
	err = -KB_ENOTFOUND;
	for (size_t i = 0; i < npkgs && err; i++)
		err = kb_vm_kernel_extract(pkgs[i], family, release, vmlinuz, &found);
	if (err)
		goto out;
	err = kb_file_read(vmlinuz, KB_VM_KERNEL_MAX, &bz, &bzlen);
	if (err) {
		kb_error("%s: %s", vmlinuz, kb_strerror(err));
		goto out;
	}
	if (pvh && kb_vm_kernel_unpack_pvh(bz, bzlen, &elf, &elflen) == 0) {
		err = kb_file_write_atomic(vmlinux, elf, elflen);
	} else {
		/* Not fatal: QEMU boots the bzImage, only more slowly. */
		if (pvh)
			kb_info("%s: no PVH entry; booting the compressed image", vmlinuz);
		err = kb_file_write_atomic(nopvh, "", 0);
	}
	/* Written last: its presence says the entry is complete. */
	if (!err)
		err = kb_file_write_atomic(relpath, found, strlen(found));
	if (err)
		kb_error("%s: %s", dir, kb_strerror(err));
out:
	free(vmlinuz);
	free(vmlinux);
	free(nopvh);
	free(relpath);
	free(found);
	free(bz);
	free(elf);
	return err;
}

int kb_vm_kernel_get(const char *cache_dir, const char *key, enum kb_family family,
		     const char *const *pkgs, size_t npkgs, const char *release, bool pvh,
		     char **boot_path, char **kernel_release)
{
	char *dir = kb_xasprintf("%s/%s", cache_dir, key);
	char *vmlinux = kb_path_join(dir, "vmlinux"), *vmlinuz = kb_path_join(dir, "vmlinuz");
	char *relpath = kb_path_join(dir, "release"), *found = NULL;
	size_t len = 0;
	int err = 0;

	*boot_path = NULL;
	*kernel_release = NULL;
	if (kb_file_read(relpath, 256, &found, &len) != 0 || !len) {
		err = kb_vm_kernel_fill(dir, family, pkgs, npkgs, release, pvh);
		if (!err)
			err = kb_file_read(relpath, 256, &found, &len);
	}
	if (err)
		goto out;
	/* A cache entry of another kernel than asked for is not this one. */
	if (release && strcmp(found, release)) {
		kb_error("%s: holds the kernel of %s, not %s", dir, found, release);
		err = -KB_ENOTFOUND;
		goto out;
	}
	*boot_path = kb_xstrdup(kb_vm_exists(vmlinux) ? vmlinux : vmlinuz);
	*kernel_release = found;
	found = NULL;
out:
	free(found);
	free(relpath);
	free(dir);
	free(vmlinuz);
	free(vmlinux);
	return err;
}
