/* kimage.c — decompress the kernel inside a packaged kernel image (see
 * kimage.h). The compressed data is handed to libarchive as it is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/kimage.h"

static uint32_t kb_kimage_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Decompress p (n bytes) into *out: exactly want bytes when want is not 0,
 * else all of it up to max. */
static int kb_kimage_inflate(const unsigned char *p, size_t n, size_t want, size_t max,
			     void **out, size_t *outlen)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t cap = want ? want : (n * 4 < max ? n * 4 : max), got = 0;
	unsigned char *v = NULL;
	la_ssize_t r = 0;
	int err = -KB_ENOTFOUND;	/* not compressed, or by a compressor libarchive lacks */

	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, p, n) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK || archive_filter_count(a) < 2)
		goto out;
	err = -KB_EPARSE;
	v = kb_xmalloc(cap ? cap : 1);
	for (;;) {
		if (got == cap) {
			if (want || cap >= max)
				break;
			cap = cap * 2 < max ? cap * 2 : max;
			v = kb_xrealloc(v, cap);
		}
		r = archive_read_data(a, v + got, cap - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (r < 0 || (want && got != want))
		goto out;
	if (!want && got == max) {	/* more than max, or exactly max: refused alike */
		err = -KB_ELIMIT;
		goto out;
	}
	*out = v;
	*outlen = got;
	v = NULL;
	err = 0;
out:
	archive_read_free(a);
	free(v);
	return err;
}

int kb_kimage_decompress(const void *img, size_t len, size_t max, void **out, size_t *outlen)
{
	const unsigned char *b = img;
	uint32_t setup, poff, plen, want;
	size_t start;

	if (len < 0x250 || memcmp(b + 0x202, "HdrS", 4))
		return kb_kimage_inflate(b, len, 0, max, out, outlen);
	/* A bzImage. Boot protocol 2.08+ names the compressed payload; its last
	 * 4 bytes are the uncompressed size, which the decompressors must not
	 * see. */
	if ((b[0x206] | b[0x207] << 8) < 0x208)
		return -KB_EPARSE;
	setup = b[0x1f1] ? b[0x1f1] : 4;
	poff = kb_kimage_le32(b + 0x248);
	plen = kb_kimage_le32(b + 0x24c);
	start = ((size_t)setup + 1) * 512 + poff;
	if (plen < 8 || start > len || plen > len - start)
		return -KB_EPARSE;
	want = kb_kimage_le32(b + start + plen - 4);
	if (want < 64)
		return -KB_EPARSE;
	if (want > max)
		return -KB_ELIMIT;
	return kb_kimage_inflate(b + start, plen - 4, want, max, out, outlen);
}
