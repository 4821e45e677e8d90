/* fuzz_console.c — the VM result parser (vm/result.c) as vmtest runs it on
 * a guest's channel, which a misbehaving kernel or module can fill with
 * anything: the input is split at its first NUL into the private port's
 * bytes and the serial console's (no NUL: the console alone, as for a
 * kernel without the port), parsed with a fixed nonce (the seeds and the
 * dictionary carry it); then kb_vm_kernel_apply to two units, once as a
 * boot that ended and once as one the host stopped at its timeout, and the
 * verdicts read back. A forged line must fail every unit. */
#include <string.h>

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
	struct kb_vm_channel ch = { .nonce = "0123456789abcdef0123456789abcdef" };
	const uint8_t *nul = memchr(data, 0, size);
	struct kb_vm_parsed p;

	for (int c = 0; c < KB_CHK_N; c++)
		critical[c] = true;
	if (nul) {
		ch.result = (const char *)data;
		ch.result_len = (size_t)(nul - data);
		ch.console = (const char *)nul + 1;
		ch.console_len = size - ch.result_len - 1;
	} else {
		ch.console = (const char *)data;
		ch.console_len = size;
	}
	kb_vm_result_parse(&ch, &p);
	for (int timed_out = 0; timed_out < 2; timed_out++) {
		struct kb_vm_kernel k = { 0 };

		k.units = kb_xcalloc(2, sizeof(*k.units));
		kb_fuzz_unit(&k, &k.units[0], "kbundle_test");
		kb_fuzz_unit(&k, &k.units[1], "hang");
		kb_vm_kernel_apply(&k, &p, timed_out, 30);
		for (size_t i = 0; i < k.nunits; i++)
			if (kb_vm_unit_passed(&k.units[i], critical) &&
			    (k.units[i].chk[KB_CHK_BOOT].st == KB_ST_FAIL || p.forged))
				abort();	/* a failed boot, a forgery: cannot pass */
		kb_vm_kernel_free(&k);
	}
	kb_vm_parsed_free(&p);
	return 0;
}
