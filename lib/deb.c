/* deb.c — a .deb is an ar archive; its data.tar.{xz,zst,gz,bz2} member is
 * read as a second libarchive stream fed from the first. */
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/deb.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

struct kb_deb {
	struct archive *ar;	/* the outer ar archive */
	struct archive *data;	/* the data.tar member */
	char buf[1 << 16];
};

static la_ssize_t kb_deb_member_read(struct archive *a, void *ctx, const void **out)
{
	struct kb_deb *d = ctx;
	la_ssize_t r = archive_read_data(d->ar, d->buf, sizeof(d->buf));

	(void)a;
	*out = d->buf;
	return r;
}

static int kb_deb_finish(struct kb_deb *d, int rc, const char *name, struct kb_deb **out)
{
	struct archive_entry *e;
	int err = -KB_EPARSE;

	if (rc != ARCHIVE_OK)
		goto out;
	for (;;) {
		rc = archive_read_next_header(d->ar, &e);
		if (rc != ARCHIVE_OK)
			goto out;
		if (strncmp(archive_entry_pathname(e), "data.tar", 8) == 0)
			break;
	}
	d->data = archive_read_new();
	archive_read_support_filter_all(d->data);
	archive_read_support_format_tar(d->data);
	if (archive_read_open(d->data, d, NULL, kb_deb_member_read, NULL) != ARCHIVE_OK)
		goto out;
	*out = d;
	return 0;
out:
	kb_error("%s: not a Debian package (no readable data.tar member): %s", name,
		 archive_error_string(d->data ? d->data : d->ar) ?: "truncated");
	kb_deb_close(d);
	return err;
}

static struct kb_deb *kb_deb_new(void)
{
	struct kb_deb *d = kb_xcalloc(1, sizeof(*d));

	d->ar = archive_read_new();
	archive_read_support_format_ar(d->ar);
	return d;
}

int kb_deb_open(const char *path, struct kb_deb **out)
{
	struct kb_deb *d = kb_deb_new();

	return kb_deb_finish(d, archive_read_open_filename(d->ar, path, 1 << 16), path, out);
}

int kb_deb_open_mem(const void *buf, unsigned long len, struct kb_deb **out)
{
	struct kb_deb *d = kb_deb_new();

	return kb_deb_finish(d, archive_read_open_memory(d->ar, buf, len), "(memory)", out);
}

struct archive *kb_deb_data(struct kb_deb *d)
{
	return d->data;
}

void kb_deb_close(struct kb_deb *d)
{
	if (!d)
		return;
	if (d->data)
		archive_read_free(d->data);
	archive_read_free(d->ar);
	free(d);
}
