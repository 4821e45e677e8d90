/* deb_tree.c — read a .deb's payload into an in-memory tree, in process
 * (lib/deb: libarchive over the ar member), every entry checked by
 * lib/archive_safe before it is kept. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/archive_safe.h"
#include "lib/deb.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "packer/tree.h"

/* Read the entry's bytes, counting them against the guard. The header's
 * size is only trusted as a first allocation: the data may be shorter. */
static int kb_deb_read_data(struct archive *a, struct kb_archive_guard *g,
			    const struct kb_safe_entry *se, unsigned char **out, size_t *len)
{
	size_t cap = se->size ? (size_t)se->size : 4096, n = 0;
	unsigned char *buf = kb_xmalloc(cap), probe[512];
	int err = 0;

	for (;;) {
		la_ssize_t r;

		/* a full buffer grows only when more data really comes */
		if (n == cap)
			r = archive_read_data(a, probe, sizeof(probe));
		else
			r = archive_read_data(a, buf + n, cap - n);
		if (r < 0) {
			kb_error("%s: entry '%s': %s", g->name, se->path, archive_error_string(a));
			err = -KB_EPARSE;
			goto out;
		}
		if (r == 0)
			break;
		if (n == cap) {
			cap *= 2;
			buf = kb_xrealloc(buf, cap);
			memcpy(buf + n, probe, (size_t)r);
		}
		n += (size_t)r;
		err = kb_archive_account(g, se->path, (uint64_t)r);
		if (err)
			goto out;
	}
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	return err;
}

int kb_tree_load_archive(struct kb_tree *t, struct archive *a, struct kb_archive_guard *g,
			 const char *name)
{
	int err = 0;

	for (;;) {
		struct archive_entry *e;
		struct kb_safe_entry se;
		unsigned char *data = NULL;
		size_t len = 0;
		int rc = archive_read_next_header(a, &e);

		if (rc == ARCHIVE_EOF)
			break;
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
			kb_error("%s: %s", name, archive_error_string(a));
			return -KB_EPARSE;
		}
		err = kb_archive_check_entry(g, e, &se);
		if (err)
			return err;
		switch (se.type) {
		case KB_ENTRY_DIR:
			if (*se.path)
				kb_tree_put(t, se.path, KB_NODE_DIR, se.mode, NULL, NULL, 0, false);
			break;
		case KB_ENTRY_FILE:
			err = kb_deb_read_data(a, g, &se, &data, &len);
			if (!err)
				kb_tree_put(t, se.path, KB_NODE_FILE, se.mode, NULL, data, len, true);
			break;
		case KB_ENTRY_SYMLINK:
			kb_tree_put(t, se.path, KB_NODE_SYMLINK, 0777, se.link, NULL, 0, false);
			break;
		case KB_ENTRY_HARDLINK: {
			/* only to a regular file this archive already gave */
			const struct kb_node *to = kb_tree_get(t, se.link);

			if (!to || to->type != KB_NODE_FILE) {
				kb_error("%s: entry '%s': hardlink to '%s', which is not an earlier file of the package",
					 name, se.path, se.link);
				err = -KB_EUNSAFE;
				break;
			}
			data = kb_xmalloc(to->size ? to->size : 1);
			memcpy(data, to->data, to->size);
			kb_tree_put(t, se.path, KB_NODE_FILE, to->mode, NULL, data, to->size, true);
			break;
		}
		}
		kb_safe_entry_free(&se);
		if (err)
			return err;
	}
	return 0;
}

int kb_tree_load_deb(struct kb_tree *t, const char *deb_path, const char *name,
		     const struct kb_limits *limits)
{
	struct kb_archive_limits lim = { .base = limits, .allow_abs_symlinks = true };
	struct kb_archive_guard g;
	struct kb_deb *d = NULL;
	struct stat st;
	int err;

	if (stat(deb_path, &st) != 0) {
		err = -errno;
		kb_error("%s: %s", deb_path, strerror(errno));
		return err;
	}
	kb_archive_guard_init(&g, name, (uint64_t)st.st_size, &lim);
	err = kb_deb_open(deb_path, &d);
	if (!err)
		err = kb_tree_load_archive(t, kb_deb_data(d), &g, name);
	kb_deb_close(d);
	return err;
}
