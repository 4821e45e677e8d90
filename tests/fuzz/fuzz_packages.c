/* fuzz_packages.c — an apt Packages index, streamed through the
 * decompressing reader (compressed input is fuzzed too) into the stanza
 * parser, with small line and stanza limits so the limit paths run. */
#include "crawler/apt_packages.h"
#include "tests/fuzz/fuzz.h"

static int kb_fuzz_stanza(void *ctx, const struct kb_apt_stanza *st)
{
	struct kb_str v = kb_apt_stanza_get(st, "Package");

	(void)ctx;
	(void)kb_apt_stanza_get(st, "Depends");
	return v.n == 4 && !memcmp(v.p, "stop", 4);	/* the callback's early stop */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_apt_limits lim = { .max_line = 4096, .max_stanza = 65536 };
	struct kb_stream *s = NULL;

	if (kb_stream_open_mem(data, size, 64u << 20, NULL, &s) != 0)
		return 0;
	(void)kb_apt_packages_parse(s, "fuzz", data[0] & 1 ? &lim : NULL, kb_fuzz_stanza, NULL);
	kb_stream_close(s);
	return 0;
}
