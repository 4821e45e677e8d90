/* publish_memo.h — the sha256 of each published bundle file, remembered
 * under what any change of its bytes changes (device, inode, size, mtime
 * and ctime, in nanoseconds: a write, a truncate or a `touch -d` moves
 * ctime, which no one can set back), so `publish` checks every published
 * byte without re-reading gigabytes on each run. Kept in
 * WORKDIR/state/publish-sha256.tsv; a missing or damaged file just means
 * hashing again. */
#ifndef KB_PUBLISH_MEMO_H
#define KB_PUBLISH_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "lib/hash.h"

struct kb_publish_memo_row {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
	char sha256[KB_SHA256_HEX_LEN + 1];
	int used;	/* looked up or hashed this run: saved */
};

struct kb_publish_memo {
	char *path;
	struct kb_publish_memo_row *v;
	size_t n, sorted;	/* v[0..sorted) is sorted by key, the rest is new */
	size_t hashed;		/* files read in full this run */
};

/* Read the memo at path (missing or unreadable: empty). */
void kb_publish_memo_load(struct kb_publish_memo *m, const char *path);
/* file's sha256 and size: remembered when its key is, else read (and
 * remembered). 0 or -errno. */
int kb_publish_memo_sha256(struct kb_publish_memo *m, const char *file,
			   char hex[KB_SHA256_HEX_LEN + 1], uint64_t *size);
/* Remember hex for file as it is now (just written and verified on the way). */
void kb_publish_memo_put(struct kb_publish_memo *m, const char *file,
			 const char hex[KB_SHA256_HEX_LEN + 1]);
/* Write the rows used this run back, atomically (a failure only costs
 * hashing next time: logged at debug level). */
void kb_publish_memo_save(struct kb_publish_memo *m);
void kb_publish_memo_free(struct kb_publish_memo *m);

#endif
