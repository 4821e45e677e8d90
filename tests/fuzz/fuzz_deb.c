/* fuzz_deb.c — the .deb reader: the outer ar archive, then every entry of
 * its data.tar member, headers and contents, as the packer walks them. */
#include <archive.h>
#include <archive_entry.h>

#include "lib/deb.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 << 16];
	struct kb_deb *d = NULL;
	struct archive_entry *e;
	size_t total = 0;

	if (kb_deb_open_mem(data, size, &d) != 0)
		return 0;
	while (archive_read_next_header(kb_deb_data(d), &e) == ARCHIVE_OK) {
		la_ssize_t r;

		(void)archive_entry_pathname(e);
		(void)archive_entry_symlink(e);
		(void)archive_entry_hardlink(e);
		while (total < (64u << 20) &&
		       (r = archive_read_data(kb_deb_data(d), buf, sizeof(buf))) > 0)
			total += (size_t)r;
	}
	kb_deb_close(d);
	return 0;
}
