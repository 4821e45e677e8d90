/* fuzz_bpfobj.c — the pre-boot check of a BPF object (vm/bpfobj.c): the
 * ELF identity and license section through libelf, then libbpf's own open
 * of the programs, their sections and the maps. */
#include <stdlib.h>

#include "vm/bpfobj.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_vm_bpfobj o;
	char *why = NULL;
	int err = kb_vm_bpfobj_check(data, size, "fuzz", &o, &why);

	if ((err == 0) != (why == NULL) || (!err && (!o.nprogs || !o.summary)))
		abort();	/* a verdict is either an object with programs or a reason */
	kb_vm_bpfobj_free(&o);
	free(why);
	return 0;
}
