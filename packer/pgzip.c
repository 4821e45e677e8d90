/* pgzip.c — gzip on several cores, like pigz: the stream is cut into fixed
 * 1 MiB chunks, each compressed by libarchive's gzip filter into its own
 * gzip member on a worker thread, and the members are written in order.
 * A sequence of members is one valid gzip file (RFC 1952 2.2; gunzip, tar,
 * libarchive, Python and Go all read it), and since the cut points depend
 * only on the input, the output is the same for any number of threads.
 * Restarting the dictionary every MiB costs about 0.3% in size. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "packer/pgzip.h"

#define KB_PGZIP_CHUNK (1u << 20)

enum { KB_CHUNK_FREE, KB_CHUNK_QUEUED, KB_CHUNK_DONE };

struct kb_chunk {
	unsigned char *in, *out;
	size_t in_len, out_len, out_cap;
	int state, err;
};

struct kb_pgzip {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t *th;
	size_t nth;
	struct kb_chunk *ring;
	size_t nring;
	size_t head;		/* chunks handed out (the one filling is ring[head % nring]) */
	size_t work;		/* next chunk a worker takes */
	size_t tail;		/* next chunk to write */
	bool stop;
	int level;
	FILE *f;
	struct kb_sha256 h;
	uint64_t size;
	int err;
};

static la_ssize_t kb_pgzip_collect(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct kb_chunk *c = ctx;

	(void)a;
	if (c->out_len + n > c->out_cap) {
		c->out_cap = (c->out_len + n) * 2;
		c->out = kb_xrealloc(c->out, c->out_cap);
	}
	memcpy(c->out + c->out_len, buf, n);
	c->out_len += n;
	return (la_ssize_t)n;
}

/* One gzip member: libarchive's raw format through its gzip filter, with
 * no time in the header and no block padding after the trailer. */
static int kb_pgzip_member(struct kb_chunk *c, int level)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char lv[8];
	int err = 0;

	snprintf(lv, sizeof(lv), "%d", level);
	c->out_len = 0;
	archive_entry_set_pathname(e, "chunk");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)c->in_len);
	if (archive_write_set_format_raw(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "compression-level", lv) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_open2(a, c, NULL, kb_pgzip_collect, NULL, NULL) != ARCHIVE_OK ||
	    archive_write_header(a, e) != ARCHIVE_OK ||
	    archive_write_data(a, c->in, c->in_len) != (la_ssize_t)c->in_len ||
	    archive_write_close(a) != ARCHIVE_OK) {
		kb_error("gzip: %s", archive_error_string(a) ? archive_error_string(a) : "failed");
		err = -KB_EPARSE;
	}
	archive_entry_free(e);
	archive_write_free(a);
	return err;
}

static void *kb_pgzip_worker(void *arg)
{
	struct kb_pgzip *z = arg;

	pthread_mutex_lock(&z->mu);
	for (;;) {
		struct kb_chunk *c;

		while (!z->stop && z->work == z->head)
			pthread_cond_wait(&z->cv, &z->mu);
		if (z->work == z->head)
			break;
		c = &z->ring[z->work++ % z->nring];
		pthread_mutex_unlock(&z->mu);
		c->err = kb_pgzip_member(c, z->level);
		pthread_mutex_lock(&z->mu);
		c->state = KB_CHUNK_DONE;
		pthread_cond_broadcast(&z->cv);
	}
	pthread_mutex_unlock(&z->mu);
	return NULL;
}

struct kb_pgzip *kb_pgzip_new(FILE *f, int level, int threads)
{
	struct kb_pgzip *z = kb_xcalloc(1, sizeof(*z));

	pthread_mutex_init(&z->mu, NULL);
	pthread_cond_init(&z->cv, NULL);
	z->f = f;
	z->level = level;
	z->nth = threads > 1 ? (size_t)threads : 1;
	z->nring = z->nth * 2 + 1;
	z->ring = kb_xcalloc(z->nring, sizeof(*z->ring));
	for (size_t i = 0; i < z->nring; i++)
		z->ring[i].in = kb_xmalloc(KB_PGZIP_CHUNK);
	kb_sha256_init(&z->h);
	z->th = kb_xcalloc(z->nth, sizeof(*z->th));
	for (size_t i = 0; i < z->nth; i++)
		if (pthread_create(&z->th[i], NULL, kb_pgzip_worker, z) != 0)
			abort();	/* like an allocation failure: nothing sensible to do */
	return z;
}

/* Write the oldest chunk once compressed. Called with the lock held. */
static void kb_pgzip_drain_one(struct kb_pgzip *z)
{
	struct kb_chunk *c = &z->ring[z->tail % z->nring];

	while (c->state != KB_CHUNK_DONE)
		pthread_cond_wait(&z->cv, &z->mu);
	pthread_mutex_unlock(&z->mu);
	if (c->err && !z->err)
		z->err = c->err;
	if (!z->err && fwrite(c->out, 1, c->out_len, z->f) != c->out_len)
		z->err = errno ? -errno : -EIO;
	kb_sha256_update(&z->h, c->out, c->out_len);
	z->size += c->out_len;
	pthread_mutex_lock(&z->mu);
	c->state = KB_CHUNK_FREE;
	c->in_len = 0;
	z->tail++;
}

/* Queue the filling chunk, first making room for the next one. */
static void kb_pgzip_submit(struct kb_pgzip *z)
{
	pthread_mutex_lock(&z->mu);
	z->ring[z->head % z->nring].state = KB_CHUNK_QUEUED;
	z->head++;
	pthread_cond_broadcast(&z->cv);
	if (z->head - z->tail == z->nring)
		kb_pgzip_drain_one(z);
	pthread_mutex_unlock(&z->mu);
}

int kb_pgzip_write(struct kb_pgzip *z, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n) {
		struct kb_chunk *c = &z->ring[z->head % z->nring];
		size_t k = KB_PGZIP_CHUNK - c->in_len;

		if (k > n)
			k = n;
		memcpy(c->in + c->in_len, p, k);
		c->in_len += k;
		p += k;
		n -= k;
		if (c->in_len == KB_PGZIP_CHUNK)
			kb_pgzip_submit(z);
	}
	return z->err;
}

int kb_pgzip_finish(struct kb_pgzip *z, char sha256[KB_SHA256_HEX_LEN + 1], uint64_t *size)
{
	int err;

	if (z->ring[z->head % z->nring].in_len)
		kb_pgzip_submit(z);
	pthread_mutex_lock(&z->mu);
	while (z->tail < z->head)
		kb_pgzip_drain_one(z);
	z->stop = true;
	pthread_cond_broadcast(&z->cv);
	pthread_mutex_unlock(&z->mu);
	for (size_t i = 0; i < z->nth; i++)
		pthread_join(z->th[i], NULL);
	kb_sha256_final(&z->h, sha256);
	*size = z->size;
	err = z->err;
	for (size_t i = 0; i < z->nring; i++) {
		free(z->ring[i].in);
		free(z->ring[i].out);
	}
	free(z->ring);
	free(z->th);
	pthread_mutex_destroy(&z->mu);
	pthread_cond_destroy(&z->cv);
	free(z);
	return err;
}
