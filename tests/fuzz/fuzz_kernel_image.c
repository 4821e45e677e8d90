/* fuzz_kernel_image.c — the kernel image path of vmtest (vm/kernel.c): an
 * image package (.deb, or .rpm told apart by its lead as vmtest does)
 * searched for its kernel member, which is extracted (kb_vm_kernel_extract)
 * and unpacked from bzImage to its PVH vmlinux (kb_vm_kernel_unpack_pvh).
 * The input itself is also tried as a bzImage, so the unpacker (boot
 * header, compressed payload, ELF program headers and notes) gets inputs of
 * its own. The extracted kernel goes to a private scratch directory. */
#include <string.h>

#include "lib/file.h"
#include "tests/fuzz/fuzz.h"
#include "vm/kernel.h"

#define KB_FUZZ_KERNEL_MAX (64u << 20)

static char kb_fuzz_dir[64];

static void kb_fuzz_dir_remove(void)
{
	kb_rm_rf(kb_fuzz_dir);
}

static void kb_fuzz_unpack(const void *bz, size_t len)
{
	void *elf = NULL;
	size_t elflen = 0;

	if (kb_vm_kernel_unpack_pvh(bz, len, &elf, &elflen) == 0 && (!elf || elflen < 64))
		abort();	/* success means an ELF, header and all */
	free(elf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* odd sizes: the package's own kernel; even: one named release */
	const char *release = size & 1 ? NULL : "6.1.0-57-amd64";
	char pkg[64], *out, *found = NULL, *bz = NULL;
	size_t bzlen = 0;
	int fd;

	if (!kb_fuzz_dir[0]) {
		snprintf(kb_fuzz_dir, sizeof(kb_fuzz_dir), "/dev/shm/kb-fuzz-kernel.XXXXXX");
		if (!mkdtemp(kb_fuzz_dir)) {
			snprintf(kb_fuzz_dir, sizeof(kb_fuzz_dir), "/tmp/kb-fuzz-kernel.XXXXXX");
			if (!mkdtemp(kb_fuzz_dir))
				abort();
		}
		atexit(kb_fuzz_dir_remove);
	}
	kb_fuzz_unpack(data, size);
	fd = kb_fuzz_memfile(data, size, pkg, sizeof(pkg));
	out = kb_path_join(kb_fuzz_dir, "vmlinuz");
	/* the package read as each family's image package in turn */
	for (int f = 0; f < KB_FAMILY_COUNT; f++) {
		if (kb_vm_kernel_extract(pkg, (enum kb_family)f, release, out, &found) == 0) {
			if (!found || (release && strcmp(found, release)))
				abort();	/* the member named another kernel than asked for */
			if (kb_file_read(out, KB_FUZZ_KERNEL_MAX, &bz, &bzlen) == 0)
				kb_fuzz_unpack(bz, bzlen);
		}
		free(found);
		free(bz);
		found = bz = NULL;
	}
	free(out);
	close(fd);
	return 0;
}
