/* tarball.h — the reproducible bundle writer: a gzip'd tar streamed from an
 * in-memory tree (no header tree on the disk). Same tree, same bytes, on
 * any machine: entries in byte order of their paths, one fixed mtime,
 * uid/gid 0 owned by root:root, permission bits only (no setuid), no
 * device nodes, and a gzip header without time or name. */
#ifndef KB_TARBALL_H
#define KB_TARBALL_H

#include <stdint.h>
#include <stdio.h>

#include "lib/hash.h"
#include "packer/tree.h"

struct kb_tarball_opts {
	int64_t mtime;		/* every entry's mtime (SOURCE_DATE_EPOCH, or 0) */
	int level;		/* gzip level; 0: 6 */
	int threads;		/* compressing threads; the bytes do not depend on it */
};

/* Write t (sorted) to f; sha256 and size of the bytes written come back. */
int kb_tarball_write(const struct kb_tree *t, const struct kb_tarball_opts *o, FILE *f,
		     char sha256[KB_SHA256_HEX_LEN + 1], uint64_t *size);

#endif
