/* fuzz_primary.c — primary.xml, the rpm-md package index, streamed through
 * the decompressing reader (so compressed input is fuzzed too) into the
 * xmlTextReader parser; every package is wanted, so every field is parsed. */
#include <stdbool.h>
#include <stddef.h>

#include "crawler/rpmmd_primary.h"
#include "lib/stream.h"
#include "tests/fuzz/fuzz.h"

static bool kb_fuzz_want(const char *name, void *ctx)
{
	(void)ctx;
	return name[0] != 'x';	/* most, so both paths run */
}

static int kb_fuzz_pkg(const struct kb_rpm_pkginfo *p, void *ctx)
{
	char evr[512];

	(void)ctx;
	kb_rpm_pkginfo_evr(p, evr, sizeof(evr));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_primary_limits lim = { .max_packages = 100000 };
	struct kb_stream *s = NULL;

	if (kb_stream_open_mem(data, size, 64u << 20, NULL, &s) != 0)
		return 0;
	(void)kb_primary_parse(s, "fuzz", &lim, kb_fuzz_want, kb_fuzz_pkg, NULL, NULL);
	kb_stream_close(s);
	return 0;
}
