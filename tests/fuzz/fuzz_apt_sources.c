/* fuzz_apt_sources.c — apt's sources.list and deb822 .sources parsers; the
 * first byte picks the format and the suite asked for. */
#include <stdlib.h>

#include "lib/apt_sources.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const suites[] = { "bookworm", "bookworm-security", "jammy", "" };

	if (size < 1)
		return 0;
	free(kb_apt_sources_mirror_mem((const char *)data + 1, size - 1, data[0] & 1,
				       suites[(data[0] >> 1) & 3]));
	return 0;
}
