/* fuzz_pkglist.c — package lists (lists/<upstream>.list): read through the
 * real loader from a memory file, then merged with an empty crawl (which
 * marks every package gone) as a crawl would. */
#include "crawler/pkglist.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_pkglist l = { 0 }, fresh = { 0 };
	char path[64];
	int fd = kb_fuzz_memfile(data, size, path, sizeof(path));

	if (kb_pkglist_read(path, &l) == 0) {
		kb_pkglist_merge(&l, &fresh, "2025-01-01");
		kb_pkglist_free(&l);
	}
	kb_pkglist_free(&fresh);
	close(fd);
	return 0;
}
