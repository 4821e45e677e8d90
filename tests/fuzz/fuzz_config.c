/* fuzz_config.c — kbundle's config file (lib/config.c) through the real
 * loader from a memory file: YAML, then the typed settings. */
#include "lib/config.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_config c;
	char path[64];
	int fd = kb_fuzz_memfile(data, size, path, sizeof(path));

	if (kb_config_load(path, &c) == 0)
		kb_config_free(&c);
	close(fd);
	return 0;
}
