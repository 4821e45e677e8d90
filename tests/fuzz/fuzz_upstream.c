/* fuzz_upstream.c — upstream files (upstreams/<name>.yml), through the real
 * loader (YAML, then the typed checks) from a memory file. */
#include "crawler/upstream.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_upstream u;
	char path[64];
	int fd = kb_fuzz_memfile(data, size, path, sizeof(path));

	if (kb_upstream_load(path, NULL, &u) == 0)
		kb_upstream_free(&u);
	close(fd);
	return 0;
}
