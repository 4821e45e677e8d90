/* stream.h — read a possibly compressed file (gzip, xz, zstd, bzip2, lz4 or
 * plain) as one decompressed byte stream, through libarchive's raw format.
 * The decompressed size is capped: past max_bytes (0, or more than
 * lim->max_unpacked_size: that limit) or past lim->max_ratio times the
 * packed size, a read fails with -KB_ELIMIT, logged here with the limit's
 * flag, so a decompression bomb is stopped, not swallowed. lim NULL: the
 * defaults (lib/limits.h). */
#ifndef KB_STREAM_H
#define KB_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kb_limits;
struct kb_stream;

int kb_stream_open(const char *path, uint64_t max_bytes, const struct kb_limits *lim,
		   struct kb_stream **out);
/* Open an in-memory buffer (for fuzzing and tests); buf must outlive s. */
int kb_stream_open_mem(const void *buf, size_t len, uint64_t max_bytes,
		       const struct kb_limits *lim, struct kb_stream **out);
/* Bytes read (0 at end) or a negative error. */
ssize_t kb_stream_read(struct kb_stream *s, void *buf, size_t n);
/* The name limit errors give (default: the path, or "(memory)"): the URL a
 * downloaded file came from says more than its temp file. */
void kb_stream_set_name(struct kb_stream *s, const char *name);
/* Total decompressed bytes so far. */
uint64_t kb_stream_total(const struct kb_stream *s);
void kb_stream_close(struct kb_stream *s);

#endif
