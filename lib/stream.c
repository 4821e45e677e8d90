/* stream.c — decompressing reader over libarchive's raw format and filters. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/stream.h"

struct kb_stream {
	struct archive *a;
	uint64_t total, max;
	uint64_t in;		/* packed size, for the ratio check (0: unknown) */
	struct kb_limits lim;
	char *name;		/* for messages */
	int eof;
};

static int kb_stream_start(struct kb_stream *s, int open_rc)
{
	struct archive_entry *e;

	if (open_rc != ARCHIVE_OK)
		return -KB_EPARSE;
	switch (archive_read_next_header(s->a, &e)) {
	case ARCHIVE_OK:
		return 0;
	case ARCHIVE_EOF:	/* an empty file: an empty stream */
		s->eof = 1;
		return 0;
	default:
		return -KB_EPARSE;
	}
}

static struct kb_stream *kb_stream_new(uint64_t max_bytes, const struct kb_limits *lim,
				       const char *name)
{
	struct kb_stream *s = kb_xcalloc(1, sizeof(*s));

	s->lim = *kb_limits_or_default(lim);
	/* a size the caller got from metadata never lifts the limit */
	s->max = s->lim.max_unpacked_size;
	if (max_bytes && max_bytes < s->max)
		s->max = max_bytes;
	s->name = kb_xstrdup(name);
	s->a = archive_read_new();
	archive_read_support_filter_all(s->a);
	archive_read_support_format_raw(s->a);
	archive_read_support_format_empty(s->a);
	return s;
}

static int kb_stream_finish(struct kb_stream *s, int rc, const char *name, struct kb_stream **out)
{
	int err = kb_stream_start(s, rc);

	if (err) {
		kb_debug("%s: %s", name, archive_error_string(s->a));
		kb_stream_close(s);
		return err;
	}
	*out = s;
	return 0;
}

int kb_stream_open(const char *path, uint64_t max_bytes, const struct kb_limits *lim,
		   struct kb_stream **out)
{
	struct kb_stream *s = kb_stream_new(max_bytes, lim, path);
	int rc = archive_read_open_filename(s->a, path, 1 << 16);
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		s->in = (uint64_t)st.st_size;

	if (rc != ARCHIVE_OK && archive_errno(s->a) > 0 && archive_errno(s->a) < KB_ERR_BASE) {
		int err = -archive_errno(s->a);

		kb_stream_close(s);
		return err;
	}
	return kb_stream_finish(s, rc, path, out);
}

int kb_stream_open_mem(const void *buf, size_t len, uint64_t max_bytes,
		       const struct kb_limits *lim, struct kb_stream **out)
{
	struct kb_stream *s = kb_stream_new(max_bytes, lim, "(memory)");

	s->in = len;
	return kb_stream_finish(s, archive_read_open_memory(s->a, buf, len), "(memory)", out);
}

ssize_t kb_stream_read(struct kb_stream *s, void *buf, size_t n)
{
	la_ssize_t r;

	if (s->eof)
		return 0;
	r = archive_read_data(s->a, buf, n);
	if (r < 0)
		return -KB_EPARSE;
	if (r == 0)
		s->eof = 1;
	s->total += (uint64_t)r;
	if (s->total > s->max) {
		kb_error("%s: decompresses to more than %" PRIu64 " bytes%s", s->name, s->max,
			 s->max == s->lim.max_unpacked_size ? " (--max-unpacked-size)" : "");
		return -KB_ELIMIT;
	}
	if (s->in && kb_limits_check_ratio(&s->lim, s->in, s->total)) {
		kb_error("%s: decompresses more than %" PRIu64 " times its %" PRIu64
			 " bytes (--max-ratio): a decompression bomb?",
			 s->name, s->lim.max_ratio, s->in);
		return -KB_ELIMIT;
	}
	return r;
}

void kb_stream_set_name(struct kb_stream *s, const char *name)
{
	free(s->name);
	s->name = kb_xstrdup(name);
}

uint64_t kb_stream_total(const struct kb_stream *s)
{
	return s->total;
}

void kb_stream_close(struct kb_stream *s)
{
	if (!s)
		return;
	archive_read_free(s->a);
	free(s->name);
	free(s);
}
