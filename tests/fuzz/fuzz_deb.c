/* fuzz_deb.c — the .deb reader as the packer uses it: the outer ar archive,
 * then every entry of its data.tar member through lib/archive_safe's checks
 * (paths, links, types, entry count, sizes and ratio), contents included. */
#include <archive.h>
#include <archive_entry.h>

#include "lib/archive_safe.h"
#include "lib/deb.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 << 16];
	struct kb_archive_limits lim = { .max_total = 64u << 20, .allow_abs_symlinks = true };
	struct kb_archive_guard g;
	struct kb_deb *d = NULL;
	struct archive_entry *e;

	if (kb_deb_open_mem(data, size, &d) != 0)
		return 0;
	kb_archive_guard_init(&g, "fuzz", size, &lim);
	while (archive_read_next_header(kb_deb_data(d), &e) == ARCHIVE_OK) {
		struct kb_safe_entry se = { 0 };
		la_ssize_t r;
		int err = kb_archive_check_entry(&g, e, &se);

		if (!err && se.type == KB_ENTRY_SYMLINK)
			free(kb_link_resolve(se.path, se.link));
		while (!err && (r = archive_read_data(kb_deb_data(d), buf, sizeof(buf))) > 0)
			err = kb_archive_account(&g, se.path, (uint64_t)r);
		kb_safe_entry_free(&se);
		if (err)
			break;
	}
	kb_deb_close(d);
	return 0;
}
