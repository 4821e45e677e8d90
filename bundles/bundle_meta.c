/* bundle_meta.c — the BUNDLE_* files and bundle.json, from an extracted
 * tree or straight from the .tgz, under one set of rules (bundle_meta.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundles/bundle_meta.h"
#include "lib/archive_safe.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/yaml_doc.h"

#define KB_META_MAX 4096		/* one BUNDLE_* value */
#define KB_META_JSON_MAX (1u << 20)	/* bundle.json: a few packages' provenance */
#define KB_META_PEEK_ENTRIES 64		/* the meta files lead the sorted tarball */
#define KB_META_JSON "bundle.json"

/* The meta files, the field each fills, and bundle.json's key for it. */
static const struct {
	const char *file;
	size_t off;
	const char *json;
} kb_meta_files[] = {
	{ "BUNDLE_BUILD_DIR", offsetof(struct kb_bundle_meta, build_dir), "build_dir" },
	{ "BUNDLE_CHECKSUM", offsetof(struct kb_bundle_meta, checksum), "id" },
	{ "BUNDLE_DISTRO", offsetof(struct kb_bundle_meta, distro), "distro" },
	{ "BUNDLE_UNAME", offsetof(struct kb_bundle_meta, uname), "uname" },
	{ "BUNDLE_VERSION", offsetof(struct kb_bundle_meta, version), NULL },
	{ "BUNDLE_MAJOR", offsetof(struct kb_bundle_meta, major), NULL },
	{ "BUNDLE_MINOR", offsetof(struct kb_bundle_meta, minor), NULL },
	{ "BUNDLE_ARCH", offsetof(struct kb_bundle_meta, arch), "arch" },
	{ "BUNDLE_COMPILER", offsetof(struct kb_bundle_meta, compiler), NULL },
};
#define KB_META_N (sizeof(kb_meta_files) / sizeof(kb_meta_files[0]))

static char **kb_meta_field(struct kb_bundle_meta *m, size_t i)
{
	return (char **)((char *)m + kb_meta_files[i].off);
}

/* Index of a meta file's name, KB_META_N for bundle.json, -1 otherwise. */
static int kb_meta_which(const char *name)
{
	for (size_t i = 0; i < KB_META_N; i++)
		if (!strcmp(name, kb_meta_files[i].file))
			return (int)i;
	return strcmp(name, KB_META_JSON) ? -1 : (int)KB_META_N;
}

/* One value: 1-4096 bytes, no newline, NUL or other control character. */
static int kb_meta_value_ok(const char *buf, size_t len)
{
	if (len == 0 || len > KB_META_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] < ' ' || buf[i] == 0x7f)
			return 0;
	return 1;
}

static int kb_meta_set(struct kb_bundle_meta *m, size_t i, const char *name, const char *buf,
		       size_t len)
{
	char **f = kb_meta_field(m, i);

	if (!kb_meta_value_ok(buf, len)) {
		kb_error("%s: %s: want a single value (1-%d bytes, no newline or control "
			 "characters)", name, kb_meta_files[i].file, KB_META_MAX);
		return -KB_EPARSE;
	}
	if (*f) {
		kb_error("%s: %s given twice", name, kb_meta_files[i].file);
		return -KB_EPARSE;
	}
	*f = kb_xstrndup(buf, len);
	if (f == &m->build_dir) {
		char *norm = kb_path_normalize(m->build_dir);

		if (!norm || !*norm) {
			kb_error("%s: BUNDLE_BUILD_DIR '%s' leaves the bundle", name, kb_log_esc(m->build_dir));
			free(norm);
			return -KB_EUNSAFE;
		}
		free(m->build_dir);
		m->build_dir = norm;
	}
	return 0;
}

/* bundle.json: an object; the facts it shares with the BUNDLE_* files agree. */
static int kb_meta_json(struct kb_bundle_meta *m, const char *name, const char *buf, size_t len)
{
	struct kb_ynode *root = NULL;
	char *where = kb_xasprintf("%s: " KB_META_JSON, name);
	const char *v;
	int err = kb_yaml_parse(buf, len, where, NULL, &root);

	if (err)
		goto out;
	if (root->type != KB_Y_MAP) {
		kb_error("%s: not a JSON object", where);
		err = -KB_EPARSE;
		goto out;
	}
	for (size_t i = 0; i < KB_META_N; i++) {
		const char *mine = *kb_meta_field(m, i);

		char *norm = NULL;
		int same;

		if (!kb_meta_files[i].json || !(v = kb_ymap_str(root, kb_meta_files[i].json)) || !mine)
			continue;
		/* the build directory is compared as a path, normalized alike */
		if (kb_meta_files[i].off == offsetof(struct kb_bundle_meta, build_dir))
			norm = kb_path_normalize(v);
		same = !strcmp(norm ? norm : v, mine);
		free(norm);
		if (!same) {
			kb_error("%s: \"%s\" is '%.128s' but %s is '%s'", where, kb_meta_files[i].json,
				 v, kb_meta_files[i].file, mine);
			err = -KB_EPARSE;
			goto out;
		}
	}
	v = kb_ymap_str(root, "compiler");
	if (!m->compiler && v && strcmp(v, "null") && kb_meta_value_ok(v, strlen(v)))
		m->compiler = kb_xstrdup(v);
	v = kb_ymap_str(root, "packer_format");
	if (v)
		m->packer_format = strtoll(v, NULL, 10);
out:
	kb_yaml_free(root);
	free(where);
	return err;
}

/* root/file, a regular file (never followed through a symlink), at most max
 * bytes: 0 with *buf; 1 when absent; negative (logged) otherwise. */
static int kb_meta_read(const char *root, const char *name, const char *file, size_t max,
			char **buf, size_t *len)
{
	char *p = kb_path_join(root, file);
	struct stat st;
	ssize_t n = 0;
	int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK), err = 0;

	*buf = NULL;
	if (fd < 0 && errno == ENOENT) {
		err = 1;
		goto out;
	}
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		kb_error("%s: %s is not a regular file", name, file);
		err = -KB_EUNSAFE;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		kb_error("%s: %s is larger than %zu bytes", name, file, max);
		err = -KB_EPARSE;
		goto out;
	}
	*buf = kb_xmalloc((size_t)st.st_size + 1);
	for (*len = 0; *len < (size_t)st.st_size; *len += (size_t)n) {
		n = read(fd, *buf + *len, (size_t)st.st_size - *len);
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			kb_error("%s: %s: %s", name, file, kb_strerror(err));
			goto out;
		}
	}
	(*buf)[*len] = '\0';
out:
	if (fd >= 0)
		close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	free(p);
	return err;
}

int kb_bundle_meta_load(const char *root, const char *name, struct kb_bundle_meta *m)
{
	char *buf = NULL;
	size_t len = 0;
	int err = 0;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < KB_META_N && !err; i++) {
		err = kb_meta_read(root, name, kb_meta_files[i].file, KB_META_MAX + 1, &buf, &len);
		if (!err)
			err = kb_meta_set(m, i, name, buf, len);
		err = err == 1 ? 0 : err;
		free(buf);
		buf = NULL;
	}
	if (!err) {
		err = kb_meta_read(root, name, KB_META_JSON, KB_META_JSON_MAX, &buf, &len);
		if (!err)
			err = kb_meta_json(m, name, buf, len);
		err = err == 1 ? 0 : err;
	}
	free(buf);
	if (err)
		kb_bundle_meta_free(m);
	return err;
}

/* The data of the current entry, at most max bytes (else -KB_EPARSE). */
static int kb_meta_entry_data(struct archive *a, const char *tgz, const char *file, size_t max,
			      char **buf, size_t *len)
{
	la_ssize_t n;

	*buf = kb_xmalloc(max + 2);
	*len = 0;
	while ((n = archive_read_data(a, *buf + *len, max + 1 - *len)) > 0 && *len <= max)
		*len += (size_t)n;
	if (n < 0 || *len > max) {
		kb_error("%s: %s: %s", tgz, file, n < 0 ? archive_error_string(a) : "too large");
		free(*buf);
		*buf = NULL;
		return -KB_EPARSE;
	}
	(*buf)[*len] = '\0';
	return 0;
}

int kb_bundle_meta_peek(const char *tgz, struct kb_bundle_meta *m)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *json = NULL;
	size_t jlen = 0;
	int err = 0;

	memset(m, 0, sizeof(*m));
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, tgz, 1 << 16) != ARCHIVE_OK) {
		kb_error("%s: %s", tgz, archive_error_string(a) ?: strerror(errno));
		err = -KB_EPARSE;
		goto out;
	}
	for (int n = 0; !err && n < KB_META_PEEK_ENTRIES && archive_read_next_header(a, &e) == ARCHIVE_OK;
	     n++) {
		const char *raw = archive_entry_pathname(e);
		char *p = raw && raw[0] != '/' ? kb_path_normalize(raw) : NULL, *buf = NULL;
		int w = p ? kb_meta_which(p) : -1;
		size_t len;

		if (w >= 0 && archive_entry_filetype(e) != AE_IFREG) {
			kb_error("%s: %s is not a regular file", tgz, p);
			err = -KB_EUNSAFE;
		} else if (w >= 0 && w < (int)KB_META_N) {
			err = kb_meta_entry_data(a, tgz, p, KB_META_MAX + 1, &buf, &len);
			if (!err)
				err = kb_meta_set(m, (size_t)w, tgz, buf, len);
		} else if (w == (int)KB_META_N && !json) {
			err = kb_meta_entry_data(a, tgz, p, KB_META_JSON_MAX, &json, &jlen);
		}
		free(buf);
		free(p);
	}
	if (!err && json)
		err = kb_meta_json(m, tgz, json, jlen);
out:
	free(json);
	archive_read_free(a);
	if (err)
		kb_bundle_meta_free(m);
	return err;
}

int kb_bundle_meta_build_dir(const char *root, const char *name, const struct kb_bundle_meta *m,
			     char **out)
{
	char *rroot = realpath(root, NULL), *joined = NULL, *real = NULL;
	size_t rl = rroot ? strlen(rroot) : 0;
	struct stat st;
	int err = -KB_EUNSAFE;

	*out = NULL;
	if (!m->build_dir) {
		kb_error("%s: BUNDLE_BUILD_DIR is missing or leaves the bundle", name);
		goto out;
	}
	if (!rroot) {
		err = -errno;
		kb_error("%s: %s", root, kb_strerror(err));
		goto out;
	}
	joined = kb_path_join(rroot, m->build_dir);
	real = realpath(joined, NULL);
	if (!real || strncmp(real, rroot, rl) != 0 || (real[rl] != '/' && real[rl] != '\0') ||
	    stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		kb_error("%s: BUNDLE_BUILD_DIR '%s' is not a directory inside the bundle", name,
			 kb_log_esc(m->build_dir));
		goto out;
	}
	*out = real;
	real = NULL;
	err = 0;
out:
	free(rroot);
	free(joined);
	free(real);
	return err;
}

void kb_bundle_meta_free(struct kb_bundle_meta *m)
{
	for (size_t i = 0; i < KB_META_N; i++)
		free(*kb_meta_field(m, i));
	memset(m, 0, sizeof(*m));
}
