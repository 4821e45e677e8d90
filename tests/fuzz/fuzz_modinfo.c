/* fuzz_modinfo.c — a built .ko's ELF reader (vm/modinfo.c): its identity,
 * a .modinfo key and the .comment strings, in either class and byte order. */
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"
#include "vm/modinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_vm_elf_ident id;
	char *v = NULL;

	kb_vm_elf_ident_mem(data, size, &id);
	if (kb_vm_modinfo_mem(data, size, "vermagic", &v) == 0)
		free(v);
	v = NULL;
	if (kb_vm_comment_mem(data, size, &v) == 0)
		free(v);
	return 0;
}
