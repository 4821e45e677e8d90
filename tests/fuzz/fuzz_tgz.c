/* fuzz_tgz.c — a bundle (.tgz) as `fetch` reads one from a mirror: any
 * compressed tar through lib/archive_safe's checks, with absolute symlinks
 * refused as they are for bundles. */
#include <archive.h>
#include <archive_entry.h>

#include "lib/archive_safe.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 << 16];
	struct kb_archive_limits lim = { .max_total = 64u << 20 };
	struct archive *a = archive_read_new();
	struct kb_archive_guard g;
	struct archive_entry *e;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, data, size) != ARCHIVE_OK)
		goto out;
	kb_archive_guard_init(&g, "fuzz", size, &lim);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		struct kb_safe_entry se = { 0 };
		la_ssize_t r;
		int err = kb_archive_check_entry(&g, e, &se);

		while (!err && (r = archive_read_data(a, buf, sizeof(buf))) > 0)
			err = kb_archive_account(&g, se.path, (uint64_t)r);
		kb_safe_entry_free(&se);
		if (err)
			break;
	}
out:
	archive_read_free(a);
	return 0;
}
