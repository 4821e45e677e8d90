/* fuzz_compiler.c — the compiler facts in a kernel configuration (.config,
 * auto.conf, autoconf.h) and in a `cc --version` line; the first byte picks
 * which parser reads the rest. */
#include "lib/compiler.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_compiler c;
	char spec[KB_COMPILER_SPEC_MAX];

	if (size < 1)
		return 0;
	if (data[0] & 1)
		kb_compiler_from_text((const char *)data + 1, size - 1, &c);
	else
		kb_compiler_from_config((const char *)data + 1, size - 1, &c);
	kb_compiler_spec(&c, spec);
	kb_compiler_free(&c);
	return 0;
}
