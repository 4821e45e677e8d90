/* fuzz_btf_kernel.c — BTF from a kernel image (btf/btf_extract.c): the
 * bzImage and whole-image decompression (lib/kimage.c), the ELF's .BTF
 * section through libelf, and the BTF header scan of an Image without
 * section headers, each result parsed by libbpf before it is returned. */
#include <string.h>

#include "btf/btf.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *btf = NULL;
	size_t len = 0;

	if (kb_btf_from_kernel(data, size, "fuzz", &btf, &len) == 0 && (!btf || len < 24))
		abort();	/* success means a BTF blob, header and all */
	free(btf);
	return 0;
}
