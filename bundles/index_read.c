/* index_read.c — index.json from outside (a server or a directory) into a
 * checked kb_index. JSON is read as YAML flow syntax through lib/yaml_doc,
 * so the limits on depth and node count apply; every field is then checked
 * here, and the first bad one is reported with the file or URL and line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bundles/bundle_path.h"
#include "bundles/index.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/yaml_doc.h"

#define KB_INDEX_MAX_FIELD 128

int kb_index_name_safe(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > KB_INDEX_MAX_FIELD || s[0] == '.' || strstr(s, ".."))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+~-", s[i]))
			return 0;
	return 1;
}

/* Printable ASCII without quotes or backslashes: these strings end up in
 * messages and in file and directory decisions. */
static int kb_index_text_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > KB_INDEX_MAX_FIELD)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\' || s[i] == '/')
			return 0;
	return 1;
}

/* A decimal number without sign, leading junk or overflow. */
static int kb_index_number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || strlen(s) > 20)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 1;
}

static int kb_index_bad(const char *name, const struct kb_ynode *n, const char *what)
{
	kb_error("%s:%d: %s", name, n ? n->line : 0, what);
	return -KB_EPARSE;
}

static int kb_index_entry_parse(const char *name, const struct kb_ynode *m,
				struct kb_index_entry *e)
{
	/* the first 6 must be there; manifest_id is optional */
	static const char *const keys[] = { "id", "distro", "uname", "arch", "sha256", "size",
					    "manifest_id" };
	const struct kb_ynode *seen[7] = { NULL };

	if (m->type != KB_Y_MAP)
		return kb_index_bad(name, m, "a bundle is not an object");
	for (size_t i = 0; i + 1 < m->n; i += 2) {
		const struct kb_ynode *k = m->items[i], *v = m->items[i + 1];
		size_t f;

		if (k->type != KB_Y_SCALAR)
			return kb_index_bad(name, k, "a bundle's key is not a string");
		for (f = 0; f < 7 && strcmp(k->scalar, keys[f]) != 0; f++)
			;
		if (f == 7)
			continue;	/* a newer writer's field: not ours to judge */
		if (seen[f]) {
			kb_error("%s:%d: '%s' given twice", name, k->line, keys[f]);
			return -KB_EPARSE;
		}
		if (v->type != KB_Y_SCALAR) {
			kb_error("%s:%d: '%s' is not a string or number", name, v->line, keys[f]);
			return -KB_EPARSE;
		}
		seen[f] = v;
	}
	for (size_t f = 0; f < 6; f++)
		if (!seen[f]) {
			kb_error("%s:%d: a bundle without '%s'", name, m->line, keys[f]);
			return -KB_EPARSE;
		}
	if (!kb_index_name_safe(seen[0]->scalar)) {
		kb_error("%s:%d: bundle id '%.64s' is not a safe file name", name, seen[0]->line,
			 seen[0]->scalar);
		return -KB_EPARSE;
	}
	for (size_t f = 1; f <= 3; f++)
		if (!kb_index_text_ok(seen[f]->scalar)) {
			kb_error("%s:%d: bundle %s: bad '%s'", name, seen[f]->line, seen[0]->scalar, keys[f]);
			return -KB_EPARSE;
		}
	if (!kb_sha256_valid(seen[4]->scalar)) {
		kb_error("%s:%d: bundle %s: sha256 is not 64 lowercase hex digits", name,
			 seen[4]->line, seen[0]->scalar);
		return -KB_EPARSE;
	}
	if (!kb_index_number(seen[5]->scalar, (uint64_t)1 << 40, &e->size) || e->size == 0) {
		kb_error("%s:%d: bundle %s: size '%.32s' is not a number of bytes", name,
			 seen[5]->line, seen[0]->scalar, seen[5]->scalar);
		return -KB_EPARSE;
	}
	if (seen[6] && !kb_sha256_valid(seen[6]->scalar)) {
		kb_error("%s:%d: bundle %s: manifest_id is not 64 lowercase hex digits", name,
			 seen[6]->line, seen[0]->scalar);
		return -KB_EPARSE;
	}
	e->manifest_id = seen[6] ? kb_xstrdup(seen[6]->scalar) : NULL;
	e->id = kb_xstrdup(seen[0]->scalar);
	e->distro = kb_xstrdup(seen[1]->scalar);
	e->uname = kb_xstrdup(seen[2]->scalar);
	e->arch = kb_xstrdup(seen[3]->scalar);
	memcpy(e->sha256, seen[4]->scalar, KB_SHA256_HEX_LEN + 1);
	return 0;
}

int kb_index_parse(const char *buf, size_t len, const char *name, struct kb_index *idx)
{
	const struct kb_yaml_limits lim = { .max_depth = 8, .max_nodes = KB_INDEX_MAX_ENTRIES * 16 };
	const struct kb_ynode *fmt, *list;
	struct kb_ynode *root = NULL;
	uint64_t pf = 0;
	int err;

	memset(idx, 0, sizeof(*idx));
	if (len > KB_INDEX_MAX_BYTES) {
		kb_error("%s: larger than %u bytes", name, KB_INDEX_MAX_BYTES);
		return -KB_ELIMIT;
	}
	err = kb_yaml_parse(buf, len, name, &lim, &root);
	if (err)
		return err;
	if (root->type != KB_Y_MAP) {
		err = kb_index_bad(name, root, "not a JSON object");
		goto out;
	}
	fmt = kb_ymap_get(root, "packer_format");
	if (!fmt || fmt->type != KB_Y_SCALAR || !kb_index_number(fmt->scalar, INT32_MAX, &pf)) {
		err = kb_index_bad(name, fmt ? fmt : root, "no numeric 'packer_format'");
		goto out;
	}
	idx->packer_format = (int64_t)pf;
	list = kb_ymap_get(root, "bundles");
	if (!list || list->type != KB_Y_SEQ) {
		err = kb_index_bad(name, list ? list : root, "no 'bundles' array");
		goto out;
	}
	if (list->n > KB_INDEX_MAX_ENTRIES) {
		kb_error("%s: more than %u bundles", name, KB_INDEX_MAX_ENTRIES);
		err = -KB_ELIMIT;
		goto out;
	}
	idx->v = kb_xcalloc(list->n ? list->n : 1, sizeof(*idx->v));
	for (size_t i = 0; i < list->n; i++) {
		err = kb_index_entry_parse(name, list->items[i], &idx->v[idx->n]);
		if (err)
			goto out;
		idx->n++;
		/* one id, one file: two entries for it could disagree on its sha256 */
		for (size_t k = 0; k + 1 < idx->n; k++)
			if (!strcmp(idx->v[k].id, idx->v[idx->n - 1].id)) {
				kb_error("%s:%d: bundle %s listed twice", name, list->items[i]->line,
					 idx->v[k].id);
				err = -KB_EPARSE;
				goto out;
			}
	}
out:
	kb_yaml_free(root);
	if (err)
		kb_index_free(idx);
	return err;
}

int kb_index_load(const char *path, struct kb_index *idx)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	memset(idx, 0, sizeof(*idx));
	err = kb_file_read(path, KB_INDEX_MAX_BYTES, &buf, &len);
	if (err == -ENOENT)
		return -KB_ENOTFOUND;
	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		return err;
	}
	err = kb_index_parse(buf, len, path, idx);
	free(buf);
	return err;
}

void kb_index_free(struct kb_index *idx)
{
	for (size_t i = 0; i < idx->n; i++) {
		free(idx->v[i].id);
		free(idx->v[i].manifest_id);
		free(idx->v[i].distro);
		free(idx->v[i].uname);
		free(idx->v[i].arch);
	}
	free(idx->v);
	memset(idx, 0, sizeof(*idx));
}

int kb_index_sidecar_check(const char *text, size_t len, const char *name,
			   const struct kb_index_entry *e)
{
	char sha[KB_SHA256_HEX_LEN + 1];
	char *want = kb_bundle_path(NULL, e->id);
	size_t wl = strlen(want);
	int err = 0;

	/* "<sha256>  <id>.tgz" or sha256sum's binary-mode "<sha256> *<id>.tgz" */
	if (len < KB_SHA256_HEX_LEN + 2 + wl || (text[64] != ' ') ||
	    (text[65] != ' ' && text[65] != '*') || memcmp(text + 66, want, wl) != 0 ||
	    (len > 66 + wl && !(len == 67 + wl && text[66 + wl] == '\n'))) {
		err = -KB_EPARSE;
		goto out;
	}
	memcpy(sha, text, KB_SHA256_HEX_LEN);
	sha[KB_SHA256_HEX_LEN] = '\0';
	if (!kb_sha256_valid(sha))
		err = -KB_EPARSE;
	else if (strcmp(sha, e->sha256) != 0)
		err = -KB_ECHECKSUM;
out:
	if (err == -KB_EPARSE && name)
		kb_error("%s: not a sha256sum line for %s", name, want);
	else if (err && name)
		kb_error("%s: sha256 mismatch with the index (index %s, sidecar %s)", name, e->sha256, sha);
	free(want);
	return err;
}
