/* fuzz_dkms_conf.c — the strict dkms.conf reader, then what vmtest does
 * with its values: expand each with dkms's variables and split MAKE[]
 * into a command line. */
#include <stdlib.h>

#include "vm/dkms.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const env[] = {
		"kernelver=6.1.0-57-amd64", "kernel_source_dir=/k", "dkms_tree=/d", NULL,
	};
	struct kb_dkms_conf c;

	if (kb_dkms_conf_parse((const char *)data, size, "fuzz", &c) != 0)
		return 0;
	for (size_t i = 0; i < c.n; i++) {
		char *v = NULL, **argv = NULL;
		size_t argc = 0;

		if (kb_dkms_expand(&c, c.v[i].value, env, "fuzz", &v) != 0)
			continue;
		if (kb_dkms_split(v, "fuzz", &argv, &argc) == 0) {
			for (size_t j = 0; j < argc; j++)
				free(argv[j]);
			free(argv);
		}
		free(v);
	}
	kb_dkms_conf_free(&c);
	return 0;
}
