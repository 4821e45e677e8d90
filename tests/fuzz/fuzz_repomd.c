/* fuzz_repomd.c — repodata/repomd.xml, the root of an rpm-md repository,
 * parsed with libxml2's reader (no network, no entities, no DTD). */
#include "crawler/rpmmd_repomd.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_repomd_primary r;

	(void)kb_repomd_parse((const char *)data, size, "fuzz", &r);
	return 0;
}
