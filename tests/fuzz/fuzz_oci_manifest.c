/* fuzz_oci_manifest.c — a registry's artefact manifest through
 * kb_oci_manifest_parse (libyaml under limits, then the layer checks), as
 * fetch and publish read one from an OCI registry. */
#include <stdlib.h>
#include <string.h>

#include "bundles/oci.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_oci_layer layers[KB_OCI_MAX_LAYERS];
	size_t n = 0;

	if (kb_oci_manifest_parse((const char *)data, size, "fuzz", layers, &n) == 0)
		for (size_t i = 0; i < n; i++)
			if (!kb_sha256_valid(layers[i].sha256) || !layers[i].name[0])
				abort();
	return 0;
}
