/* fuzz_deb_tree.c — a package as the packer loads it (kb_tree_load_deb):
 * the ar container, data.tar, archive_safe's checks, hardlinks resolved in
 * the in-memory tree; then symlinks resolved inside the tree. */
#include <stdlib.h>

#include "packer/tree.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_tree t;
	char path[64];
	int fd = kb_fuzz_memfile(data, size, path, sizeof(path));

	kb_tree_init(&t);
	if (kb_tree_load_deb(&t, path, "fuzz.deb", NULL) == 0) {
		kb_tree_sort(&t);
		for (size_t i = 0; i < t.n && i < 64; i++) {
			char *canon = NULL;

			if (kb_tree_resolve(&t, t.v[i].path, &canon) == 0)
				free(canon);
		}
		(void)kb_tree_check_contained(&t, "usr/src", "fuzz.deb");
	}
	kb_tree_free(&t);
	close(fd);
	return 0;
}
