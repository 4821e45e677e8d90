/* file.h — files and atomic writes.
 *
 * Every output goes through kb_atomic_file: written to a temp file in the
 * target's directory, fsync'd, then rename()d over the target, so readers see
 * the old file or the new one and never half of either. The writer is sticky:
 * it keeps its first error and reports it from kb_atomic_commit(). */
#ifndef KB_FILE_H
#define KB_FILE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct kb_atomic_file {
	char *path;	/* final name */
	char *tmp;	/* temp name beside it */
	FILE *f;
	int err;	/* first error, negative errno */
};

int kb_atomic_open(struct kb_atomic_file *af, const char *path);
void kb_atomic_write(struct kb_atomic_file *af, const void *buf, size_t n);
void kb_atomic_printf(struct kb_atomic_file *af, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Flush, fsync, rename into place. On any error (including an earlier sticky
 * one) the temp file is removed and the target is left untouched. */
int kb_atomic_commit(struct kb_atomic_file *af);
/* Drop the temp file; the target is untouched. Safe after commit. */
void kb_atomic_abort(struct kb_atomic_file *af);
/* The temp file of dir/NAME is dir/.NAME.kbundle.tmp.XXXXXX (mkstemp's six). */
#define KB_ATOMIC_TMP_MARK ".kbundle.tmp."
/* True when name (a file name, no '/') is spelt like one of our temp files. */
int kb_atomic_tmp_is(const char *name);
/* Remove the temp files that writers killed mid-write left in dir (call it
 * holding the lock that serialises dir's writers): only regular files owned
 * by this user and named by kb_atomic_open, never another program's
 * "x.tmp.1". */
void kb_atomic_sweep(const char *dir);

/* Read a whole small file (at most max bytes, else -KB_ELIMIT), NUL-terminated. */
int kb_file_read(const char *path, size_t max, char **buf, size_t *len);
int kb_file_write_atomic(const char *path, const void *buf, size_t len);
/* An output a user named (--json FILE|-): "-" is stdout, anything else a
 * file written atomically. */
int kb_file_write_output(const char *path, const void *buf, size_t len);
/* Copy src to dst atomically, hashing on the way; got (optional) receives
 * the sha256. With want_sha256, dst is replaced only when the copy hashes to
 * it (else -KB_ECHECKSUM, dst untouched). More than max bytes (0: no
 * limit): -KB_ELIMIT. Not logged: the caller names the files. */
int kb_file_copy(const char *src, const char *dst, const char *want_sha256, uint64_t max,
		 char got[65]);
int kb_mkdir_p(const char *path, mode_t mode);
int kb_rm_rf(const char *path);
/* malloc'd "a/b"; aborts on out-of-memory like the x-allocators below. */
char *kb_path_join(const char *a, const char *b);

/* Allocators that abort on out-of-memory: kbundle cannot do anything useful
 * without memory, and checking every small allocation buries the logic. */
void *kb_xmalloc(size_t n);
void *kb_xcalloc(size_t n, size_t size);
void *kb_xrealloc(void *p, size_t n);
char *kb_xstrdup(const char *s);
char *kb_xstrndup(const char *s, size_t n);
char *kb_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define kb_cleanup_free __attribute__((cleanup(kb_freep)))
void kb_freep(void *p);

#endif
