/* fuzz_rpm.c — an .rpm as the packer loads it (kb_tree_load_rpm): the lead
 * and header through librpm, the compressed cpio payload through libarchive
 * and lib/archive_safe's checks, into the in-memory tree. */
#include "packer/rpm_tree.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_tree t;
	char path[64];
	int fd = kb_fuzz_memfile(data, size, path, sizeof(path));

	kb_tree_init(&t);
	if (kb_tree_load_rpm(&t, path, "fuzz.rpm", NULL, NULL) == 0) {
		char *root = NULL;

		kb_tree_sort(&t);
		if (kb_rpm_build_root(&t, "5.14.0-427.el9.x86_64", "fuzz.rpm", &root) == 0)
			free(root);
	}
	kb_tree_free(&t);
	close(fd);
	return 0;
}
