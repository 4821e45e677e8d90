/* kimage.h — the kernel inside a kernel image as packaged: an x86 bzImage's
 * compressed payload (boot protocol 2.08+ names it), or an Image compressed
 * as a whole (arm64's vmlinuz is a gzip'd Image), decompressed in memory by
 * libarchive's raw-format filters (gzip, xz, lzma, bzip2, lz4, zstd, lzop). */
#ifndef KB_KIMAGE_H
#define KB_KIMAGE_H

#include <stddef.h>

/* The uncompressed kernel in img (len bytes): for a bzImage the payload
 * (an ELF vmlinux, followed by its relocation table), for a compressed
 * Image the Image. *out is malloc'd, at most max bytes. -KB_ENOTFOUND when
 * img is neither (e.g. an ELF or an Image not compressed: use it as it is)
 * or its compressor is one libarchive lacks, -KB_EPARSE when it is
 * malformed or truncated, -KB_ELIMIT above max. Not logged. */
int kb_kimage_decompress(const void *img, size_t len, size_t max, void **out, size_t *outlen);

#endif
