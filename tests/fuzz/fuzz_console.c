/* fuzz_console.c — the VM console parser (vm/result.c) as vmtest runs it on
 * a guest's serial log, which a misbehaving kernel or module can fill with
 * anything: kb_vm_console_parse, then kb_vm_kernel_apply to two units, once
 * as a boot that ended and once as one the host stopped at its timeout, and
 * the verdicts read back. */
#include "lib/file.h"
#include "tests/fuzz/fuzz.h"
#include "vm/result.h"

static void kb_fuzz_unit(struct kb_vm_kernel *k, struct kb_vm_unit *u, const char *name)
{
	u->name = kb_xstrdup(name);
	u->chk[KB_CHK_BUILD].st = KB_ST_PASS;
	u->chk[KB_CHK_VERMAGIC].st = KB_ST_PASS;
	k->nunits++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool critical[KB_CHK_N];
	struct kb_vm_parsed p;

	for (int c = 0; c < KB_CHK_N; c++)
		critical[c] = true;
	kb_vm_console_parse((const char *)data, size, &p);
	for (int timed_out = 0; timed_out < 2; timed_out++) {
		struct kb_vm_kernel k = { 0 };

		k.units = kb_xcalloc(2, sizeof(*k.units));
		kb_fuzz_unit(&k, &k.units[0], "kbundle_test");
		kb_fuzz_unit(&k, &k.units[1], "hang");
		kb_vm_kernel_apply(&k, &p, timed_out, 30);
		for (size_t i = 0; i < k.nunits; i++)
			if (kb_vm_unit_passed(&k.units[i], critical) &&
			    k.units[i].chk[KB_CHK_BOOT].st == KB_ST_FAIL)
				abort();	/* a failed boot is critical: cannot pass */
		kb_vm_kernel_free(&k);
	}
	kb_vm_parsed_free(&p);
	return 0;
}
