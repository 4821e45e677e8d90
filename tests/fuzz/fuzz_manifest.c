/* fuzz_manifest.c — manifest.yml through the real loader (YAML, then the
 * typed checks on bundles and packages) from a memory file. */
#include "manifest/manifest.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_manifest m = { 0 };
	char path[64];
	int fd = kb_fuzz_memfile(data, size, path, sizeof(path));

	if (kb_manifest_load(path, NULL, &m) == 0)
		kb_manifest_free(&m);
	close(fd);
	return 0;
}
