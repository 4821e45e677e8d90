/* fuzz_stream.c — the decompressing reader (gzip, xz, zstd, bzip2, lz4,
 * plain) that every index goes through: any input ends in data, a parse
 * error or the size limit. */
#include <sys/types.h>

#include "lib/stream.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 << 16];
	struct kb_stream *s = NULL;
	ssize_t r;

	if (kb_stream_open_mem(data, size, 16u << 20, NULL, &s) != 0)
		return 0;
	while ((r = kb_stream_read(s, buf, sizeof(buf))) > 0)
		;
	kb_stream_close(s);
	return 0;
}
