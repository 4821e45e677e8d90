/* pgzip.h — a gzip writer that compresses on several threads (see
 * pgzip.c): same bytes whatever the thread count, hashed as written. */
#ifndef KB_PGZIP_H
#define KB_PGZIP_H

#include <stdint.h>
#include <stdio.h>

#include "lib/hash.h"

struct kb_pgzip;

struct kb_pgzip *kb_pgzip_new(FILE *f, int level, int threads);
/* Sticky: returns the first error so far (write or compression). */
int kb_pgzip_write(struct kb_pgzip *z, const void *buf, size_t n);
/* Flush, stop the threads, free z; sha256 and size of the gzip bytes. */
int kb_pgzip_finish(struct kb_pgzip *z, char sha256[KB_SHA256_HEX_LEN + 1], uint64_t *size);

#endif
