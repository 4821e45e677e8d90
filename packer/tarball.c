/* tarball.c — libarchive's pax-restricted tar (plain ustar unless a name
 * needs more), compressed by packer/pgzip (libarchive's gzip filter on
 * several threads) into a FILE, hashed on the way. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/error.h"
#include "lib/log.h"
#include "packer/pgzip.h"
#include "packer/tarball.h"

struct kb_tarball_sink {
	struct kb_pgzip *z;
	int err;
};

static la_ssize_t kb_tarball_out(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct kb_tarball_sink *s = ctx;

	(void)a;
	s->err = kb_pgzip_write(s->z, buf, n);
	return s->err ? -1 : (la_ssize_t)n;
}

static const char *kb_tarball_why(struct archive *a)
{
	const char *why = archive_error_string(a);

	return why ? why : "libarchive failed without saying why";
}

int kb_tarball_write(const struct kb_tree *t, const struct kb_tarball_opts *o, FILE *f,
		     char sha256[KB_SHA256_HEX_LEN + 1], uint64_t *size)
{
	struct kb_tarball_sink sink = { .z = kb_pgzip_new(f, o->level ? o->level : 6, o->threads) };
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int err = 0, zerr;

	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    /* no blocking: straight into the compressor, one copy fewer */
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_open2(a, &sink, NULL, kb_tarball_out, NULL, NULL) != ARCHIVE_OK) {
		kb_error("tarball: %s", kb_tarball_why(a));
		err = -KB_EPARSE;
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct kb_node *nd = &t->v[i];

		if (!*nd->path)
			continue;
		archive_entry_clear(e);
		archive_entry_set_pathname(e, nd->path);
		archive_entry_set_mtime(e, o->mtime, 0);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		archive_entry_set_uname(e, "root");
		archive_entry_set_gname(e, "root");
		switch (nd->type) {
		case KB_NODE_DIR:
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		case KB_NODE_FILE:
			archive_entry_set_filetype(e, AE_IFREG);
			/* executables stay executable, nothing else survives */
			archive_entry_set_perm(e, (nd->mode & 0111) ? 0755 : 0644);
			archive_entry_set_size(e, (la_int64_t)nd->size);
			break;
		case KB_NODE_SYMLINK:
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, nd->link);
			break;
		}
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (nd->type == KB_NODE_FILE && nd->size &&
		     archive_write_data(a, nd->data, nd->size) != (la_ssize_t)nd->size)) {
			err = sink.err ? sink.err : -KB_EPARSE;
			/* a failed write (ENOSPC) leaves libarchive no message of its own */
			kb_error("tarball: %s: %s", nd->path,
				 sink.err ? kb_strerror(sink.err) : kb_tarball_why(a));
			goto out;
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		err = sink.err ? sink.err : -KB_EPARSE;
		kb_error("tarball: %s", sink.err ? kb_strerror(sink.err) : kb_tarball_why(a));
	}
out:
	archive_entry_free(e);
	archive_write_free(a);
	zerr = kb_pgzip_finish(sink.z, sha256, size);
	return err ? err : zerr;
}
