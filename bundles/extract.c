/* extract.c — a fetched bundle onto the disk, for a module build. Every
 * entry passes lib/archive_safe's checks (the packer's: no absolute paths,
 * no "..", no link out of the tree, no devices, size and ratio limits), is
 * written by libarchive's disk writer refusing to write through symlinks,
 * into a temp directory that is renamed into place only when whole. */
#include <errno.h>
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundles/fetch.h"
#include "lib/archive_safe.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

#define KB_META_MAX 4096

/* the symlinks written, for the check once all are there */
struct kb_extract_links {
	char **v;
	size_t n;
};

static void kb_extract_links_free(struct kb_extract_links *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* The value of the meta file root/name (one line, no newline), or NULL. */
static char *kb_extract_meta(const char *root, const char *name)
{
	char *path = kb_path_join(root, name), *buf = NULL;
	size_t len;

	if (kb_file_read(path, KB_META_MAX, &buf, &len) != 0 || len == 0 || memchr(buf, '\n', len) ||
	    strlen(buf) != len) {
		free(buf);
		buf = NULL;
	}
	free(path);
	return buf;
}

/* 1: dir missing or empty; 0: not empty; negative: cannot tell. */
static int kb_extract_dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return errno == ENOENT ? 1 : -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

/* root/BUNDLE_BUILD_DIR names a directory inside root: its absolute path. */
static int kb_extract_build_dir(const char *name, const char *root, char **out)
{
	char *bd = kb_extract_meta(root, "BUNDLE_BUILD_DIR");
	char *norm = bd ? kb_path_normalize(bd) : NULL;
	char *joined = NULL, *real = NULL;
	size_t rl = strlen(root);
	int err = -KB_EUNSAFE;

	if (!norm || !*norm) {
		kb_error("%s: BUNDLE_BUILD_DIR is missing or leaves the bundle", name);
		goto out;
	}
	joined = kb_path_join(root, norm);
	real = realpath(joined, NULL);
	if (!real || strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0')) {
		kb_error("%s: BUNDLE_BUILD_DIR '%s' is not a directory inside the bundle", name, bd);
		goto out;
	}
	*out = real;
	real = NULL;
	err = 0;
out:
	free(bd);
	free(norm);
	free(joined);
	free(real);
	return err;
}

/* After writing: a symlink that resolves at all resolves inside root (the
 * lexical check cannot see a chain of links that climbs out together). */
static int kb_extract_links_inside(const char *name, const char *root,
				   struct kb_extract_links *links)
{
	size_t rl = strlen(root);

	for (size_t i = 0; i < links->n; i++) {
		char *p = kb_path_join(root, links->v[i]);
		char *real = realpath(p, NULL);
		int bad = real && (strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'));

		free(p);
		free(real);
		if (bad) {
			kb_error("%s: entry '%s': symlink leads out of the tree", name, links->v[i]);
			return -KB_EUNSAFE;
		}
	}
	return 0;
}

/* Every entry of tgz into root (an empty directory, no symlinks in it). */
static int kb_extract_into(const char *tgz, const char *name, const char *root,
			   const struct kb_limits *lim, struct kb_extract_links *links)
{
	const struct kb_archive_limits alim = { .base = lim };
	struct archive *ar = archive_read_new(), *aw = archive_write_disk_new();
	struct kb_archive_guard g;
	struct stat st;
	int err = 0;

	if (stat(tgz, &st) != 0) {
		err = -errno;
		kb_error("%s: %s", name, kb_strerror(err));
		goto out;
	}
	kb_archive_guard_init(&g, name, (uint64_t)st.st_size, &alim);
	archive_read_support_filter_gzip(ar);
	archive_read_support_format_tar(ar);
	archive_write_disk_set_options(aw, ARCHIVE_EXTRACT_SECURE_SYMLINKS |
					   ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (archive_read_open_filename(ar, tgz, 1 << 16) != ARCHIVE_OK) {
		kb_error("%s: %s", name, archive_error_string(ar));
		err = -KB_EPARSE;
		goto out;
	}
	for (;;) {
		struct archive_entry *e;
		struct kb_safe_entry se;
		char *dst = NULL, *hard = NULL;
		int r = archive_read_next_header(ar, &e);

		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			kb_error("%s: %s", name, archive_error_string(ar));
			err = -KB_EPARSE;
			goto out;
		}
		err = kb_archive_check_entry(&g, e, &se);
		if (err)
			goto out;
		if (!*se.path) {	/* the root itself: already there */
			kb_safe_entry_free(&se);
			continue;
		}
		dst = kb_path_join(root, se.path);
		archive_entry_set_pathname(e, dst);
		archive_entry_set_perm(e, se.mode);
		if (se.type == KB_ENTRY_HARDLINK) {
			hard = kb_path_join(root, se.link);
			archive_entry_set_hardlink(e, hard);
		} else if (se.type == KB_ENTRY_SYMLINK) {
			links->v = kb_xrealloc(links->v, (links->n + 1) * sizeof(*links->v));
			links->v[links->n++] = kb_xstrdup(se.path);
		}
		r = archive_write_header(aw, e);
		if (r != ARCHIVE_OK) {
			kb_error("%s: entry '%s': %s", name, se.path, archive_error_string(aw));
			err = -KB_EUNSAFE;
		}
		while (!err && se.type == KB_ENTRY_FILE) {
			const void *buf;
			size_t n;
			la_int64_t off;

			r = archive_read_data_block(ar, &buf, &n, &off);
			if (r == ARCHIVE_EOF)
				break;
			if (r != ARCHIVE_OK) {
				kb_error("%s: entry '%s': %s", name, se.path, archive_error_string(ar));
				err = -KB_EPARSE;
			} else if (!(err = kb_archive_account(&g, se.path, n)) &&
				   archive_write_data_block(aw, buf, n, off) != ARCHIVE_OK) {
				kb_error("%s: entry '%s': %s", name, se.path, archive_error_string(aw));
				err = -EIO;
			}
		}
		if (!err && archive_write_finish_entry(aw) != ARCHIVE_OK) {
			kb_error("%s: entry '%s': %s", name, se.path, archive_error_string(aw));
			err = -EIO;
		}
		kb_safe_entry_free(&se);
		free(dst);
		free(hard);
		if (err)
			goto out;
	}
	if (archive_write_close(aw) != ARCHIVE_OK) {
		kb_error("%s: %s", name, archive_error_string(aw));
		err = -EIO;
	}
out:
	archive_read_free(ar);
	archive_write_free(aw);
	return err;
}

int kb_bundle_extract(const char *tgz, const char *name, const char *id, const char *dir,
		      const struct kb_limits *lim, char **build_dir)
{
	struct kb_extract_links links = { 0 };
	char *d = kb_xstrdup(dir), *parent = NULL, *tmp = NULL, *root = NULL, *sum = NULL;
	char *real = NULL;
	size_t dl = strlen(d);
	int err, empty;

	*build_dir = NULL;
	while (dl > 1 && d[dl - 1] == '/')
		d[--dl] = '\0';
	empty = kb_extract_dir_empty(d);
	if (empty < 0) {
		err = empty;
		kb_error("%s: %s", d, kb_strerror(err));
		goto out;
	}
	if (!empty) {
		/* the same bundle extracted before: keep it (a product may call
		 * fetch on every build) */
		sum = kb_extract_meta(d, "BUNDLE_CHECKSUM");
		if (sum && !strcmp(sum, id) && (real = realpath(d, NULL))) {
			kb_info("%s: bundle %s already extracted there", d, id);
			err = kb_extract_build_dir(name, real, build_dir);
			goto out;
		}
		kb_error("%s: not empty and not holding bundle %s: extract into a new directory", d, id);
		err = -KB_EUSAGE;
		goto out;
	}
	parent = kb_xstrdup(d);
	err = kb_mkdir_p(dirname(parent), 0755);
	if (err) {
		kb_error("%s: %s", d, kb_strerror(err));
		goto out;
	}
	tmp = kb_xasprintf("%s.part.XXXXXX", d);
	if (!mkdtemp(tmp)) {
		err = -errno;
		kb_error("%s: %s", tmp, kb_strerror(err));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	chmod(tmp, 0755);
	/* libarchive refuses to write through any symlink on the way, so the
	 * root is spelt without any */
	root = realpath(tmp, NULL);
	if (!root) {
		err = -errno;
		goto out;
	}
	err = kb_extract_into(tgz, name, root, lim, &links);
	if (!err)
		err = kb_extract_links_inside(name, root, &links);
	if (err)
		goto out;
	free(sum);
	sum = kb_extract_meta(root, "BUNDLE_CHECKSUM");
	if (!sum || strcmp(sum, id) != 0) {
		kb_error("%s: BUNDLE_CHECKSUM is not the bundle id %s", name, id);
		err = -KB_ECHECKSUM;
		goto out;
	}
	err = kb_extract_build_dir(name, root, build_dir);
	if (err)
		goto out;
	if ((rmdir(d) != 0 && errno != ENOENT) || rename(tmp, d) != 0) {
		err = -errno;
		kb_error("%s: %s", d, kb_strerror(err));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* the build dir as it is called now, under dir's real name */
	real = realpath(d, NULL);
	if (!real) {
		err = -errno;
		goto out;
	}
	{
		char *bd = kb_xasprintf("%s%s", real, *build_dir + strlen(root));

		free(*build_dir);
		*build_dir = bd;
	}
out:
	if (tmp)
		kb_rm_rf(tmp);
	if (err) {
		free(*build_dir);
		*build_dir = NULL;
	}
	kb_extract_links_free(&links);
	free(d);
	free(parent);
	free(tmp);
	free(root);
	free(sum);
	free(real);
	return err;
}
