/* publish_memo.c — remembered sha256s of published files (publish_memo.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundles/publish_memo.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

#define KB_MEMO_HEADER "#kbundle-publish-sha256 1\n"
#define KB_MEMO_MAX_BYTES (32u << 20)

static int kb_memo_cmp(const void *a, const void *b)
{
	const struct kb_publish_memo_row *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	if (x->ctime_ns != y->ctime_ns)
		return x->ctime_ns < y->ctime_ns ? -1 : 1;
	return 0;
}

void kb_publish_memo_load(struct kb_publish_memo *m, const char *path)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len;

	memset(m, 0, sizeof(*m));
	m->path = kb_xstrdup(path);
	if (kb_file_read(path, KB_MEMO_MAX_BYTES, &buf, &len) != 0 ||
	    strncmp(buf, KB_MEMO_HEADER, strlen(KB_MEMO_HEADER)) != 0)
		goto out;
	for (line = strtok_r(buf + strlen(KB_MEMO_HEADER), "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct kb_publish_memo_row r = { 0 };
		int end = 0;

		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNd64 " %" SCNd64 " %64s%n",
			   &r.dev, &r.ino, &r.size, &r.mtime_ns, &r.ctime_ns, r.sha256, &end) != 6 ||
		    line[end] != '\0' || !kb_sha256_valid(r.sha256))
			continue;	/* a damaged row: that file is hashed again */
		m->v = kb_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
		m->v[m->n++] = r;
	}
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), kb_memo_cmp);
	m->sorted = m->n;
out:
	free(buf);
}

static struct kb_publish_memo_row kb_memo_key(const struct stat *st)
{
	return (struct kb_publish_memo_row){
		.dev = (uint64_t)st->st_dev, .ino = (uint64_t)st->st_ino, .size = (uint64_t)st->st_size,
		.mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
		.ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec,
	};
}

static void kb_memo_add(struct kb_publish_memo *m, struct kb_publish_memo_row *r, const char *hex)
{
	memcpy(r->sha256, hex, sizeof(r->sha256));
	r->used = 1;
	m->v = kb_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	m->v[m->n++] = *r;
}

void kb_publish_memo_put(struct kb_publish_memo *m, const char *file,
			 const char hex[KB_SHA256_HEX_LEN + 1])
{
	struct kb_publish_memo_row key;
	struct stat st;

	if (stat(file, &st) != 0)
		return;
	key = kb_memo_key(&st);
	kb_memo_add(m, &key, hex);
}

int kb_publish_memo_sha256(struct kb_publish_memo *m, const char *file,
			   char hex[KB_SHA256_HEX_LEN + 1], uint64_t *size)
{
	struct kb_publish_memo_row key, *hit = NULL;
	struct stat st, after;
	int err;

	if (stat(file, &st) != 0)
		return -errno;
	key = kb_memo_key(&st);
	if (m->sorted)
		hit = bsearch(&key, m->v, m->sorted, sizeof(*m->v), kb_memo_cmp);
	for (size_t i = m->sorted; !hit && i < m->n; i++)
		if (!kb_memo_cmp(&key, &m->v[i]))
			hit = &m->v[i];
	if (hit) {
		hit->used = 1;
		memcpy(hex, hit->sha256, sizeof(hit->sha256));
		*size = hit->size;
		return 0;
	}
	err = kb_sha256_file(file, hex, size);
	if (err)
		return err;
	m->hashed++;
	/* changed while it was read: correct now, but not worth remembering */
	if (stat(file, &after) != 0 || after.st_ctim.tv_sec != st.st_ctim.tv_sec ||
	    after.st_ctim.tv_nsec != st.st_ctim.tv_nsec || *size != key.size)
		return 0;
	kb_memo_add(m, &key, hex);
	return 0;
}

void kb_publish_memo_save(struct kb_publish_memo *m)
{
	struct kb_atomic_file af;
	char *dir = kb_xstrdup(m->path), *slash = strrchr(dir, '/');
	int err;

	if (slash) {
		*slash = '\0';
		kb_mkdir_p(dir, 0755);
	}
	err = kb_atomic_open(&af, m->path);
	if (!err) {
		kb_atomic_printf(&af, "%s", KB_MEMO_HEADER);
		for (size_t i = 0; i < m->n; i++) {
			const struct kb_publish_memo_row *r = &m->v[i];

			if (r->used)
				kb_atomic_printf(&af, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64
						 " %" PRId64 " %s\n", r->dev, r->ino, r->size,
						 r->mtime_ns, r->ctime_ns, r->sha256);
		}
		err = kb_atomic_commit(&af);
	}
	if (err)
		kb_debug("%s: %s (the next publish hashes again)", m->path, kb_strerror(err));
	free(dir);
}

void kb_publish_memo_free(struct kb_publish_memo *m)
{
	free(m->path);
	free(m->v);
	memset(m, 0, sizeof(*m));
}
