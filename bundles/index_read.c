/* index_read.c — index.json from outside (a server or a directory) into a
 * checked kb_index. JSON is read as YAML flow syntax through lib/yaml_doc,
 * so the limits on depth and node count apply; every field is then checked
 * here, and the first bad one is reported with the file or URL and line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundles/bundle_path.h"
#include "bundles/index.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/yaml_doc.h"

#define KB_INDEX_MAX_FIELD 128
/* an entry's keys (kb_index_entry_parse) */
#define KB_INDEX_KEYS 16

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

/* packed_at's one spelling: "YYYY-MM-DDTHH:MM:SSZ". */
static int kb_index_time_ok(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != KB_INDEX_TIME_LEN)
		return 0;
	for (size_t i = 0; i < KB_INDEX_TIME_LEN; i++)
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return 0;
	return 1;
}

int kb_index_time_parse(const char *s, int64_t *t)
{
	struct tm tm = { 0 };

	if (!kb_index_time_ok(s) ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -KB_EPARSE;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = (int64_t)timegm(&tm);
	return 0;
}

/* The optional fields of format 2 (seen[6], seen[7]); NULL: format 1's. */
static int kb_index_entry_order(const char *name, const struct kb_ynode *const seen[KB_INDEX_KEYS],
				int64_t index_pf, struct kb_index_entry *e)
{
	uint64_t pf = (uint64_t)index_pf;

	if (seen[6] && !kb_index_number(seen[6]->scalar, INT32_MAX, &pf)) {
		kb_error("%s:%d: bundle %s: packer_format is not a number", name, seen[6]->line,
			 seen[0]->scalar);
		return -KB_EPARSE;
	}
	if (seen[7] && !kb_index_time_ok(seen[7]->scalar)) {
		kb_error("%s:%d: bundle %s: packed_at is not YYYY-MM-DDTHH:MM:SSZ", name,
			 seen[7]->line, seen[0]->scalar);
		return -KB_EPARSE;
	}
	e->packer_format = (int64_t)pf;
	if (seen[7])
		memcpy(e->packed_at, seen[7]->scalar, KB_INDEX_TIME_LEN + 1);
	return 0;
}

/* Format 3's path (always <id>.tgz: a reader never opens another name the
 * server chose), vmtest and alias (only ever the bundle's own spelling)
 * (seen[9], seen[10], seen[11]). */
static int kb_index_entry_store(const char *name, const struct kb_ynode *const seen[KB_INDEX_KEYS],
				struct kb_index_entry *e)
{
	char *want = kb_bundle_path(NULL, seen[0]->scalar);
	const char *vm = seen[10] ? seen[10]->scalar : "untested";
	char *alias = seen[11] ? kb_bundle_alias_path(seen[1]->scalar, seen[3]->scalar,
						      seen[2]->scalar) : NULL;
	int err = 0;

	if (seen[9] && strcmp(seen[9]->scalar, want) != 0) {
		kb_error("%s:%d: bundle %s: path '%.64s' is not %s", name, seen[9]->line,
			 seen[0]->scalar, kb_log_esc(seen[9]->scalar), want);
		err = -KB_EPARSE;
	} else if (strcmp(vm, "passed") && strcmp(vm, "failed") && strcmp(vm, "untested")) {
		kb_error("%s:%d: bundle %s: vmtest '%.32s' is not passed, failed or untested", name,
			 seen[10]->line, seen[0]->scalar, kb_log_esc(vm));
		err = -KB_EPARSE;
	} else if (seen[11] && (!alias || strcmp(alias, seen[11]->scalar) != 0)) {
		kb_error("%s:%d: bundle %s: alias '%.64s' is not %s", name, seen[11]->line,
			 seen[0]->scalar, kb_log_esc(seen[11]->scalar),
			 alias ? alias : "<distro>/<arch>/bundle-<uname>.tgz of safe names");
		err = -KB_EPARSE;
	} else {
		snprintf(e->vmtest, sizeof(e->vmtest), "%s", vm);
		e->alias = alias;
		alias = NULL;
	}
	free(alias);
	free(want);
	return err;
}

/* A short line of printable ASCII without quotes or backslashes. */
static int kb_index_line_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > KB_INDEX_WHY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

/* The kernel's BTF (seen[12..15]): sha256 and size together, the path
 * only ever <id>.btf; or why there is none (printable, no quotes). */
static int kb_index_entry_btf(const char *name, const struct kb_ynode *const seen[KB_INDEX_KEYS],
			      struct kb_index_entry *e)
{
	const char *id = seen[0]->scalar, *why = seen[15] ? seen[15]->scalar : NULL;
	char *want = kb_btf_path(NULL, id);
	int err = -KB_EPARSE;

	if (!seen[12] != !seen[13] || (seen[14] && !seen[12]) || (seen[12] && why)) {
		kb_error("%s:%d: bundle %s: btf_sha256 and btf_size go together, and without "
			 "btf_missing", name, seen[0]->line, id);
	} else if (seen[12] && !kb_sha256_valid(seen[12]->scalar)) {
		kb_error("%s:%d: bundle %s: btf_sha256 is not 64 lowercase hex digits", name,
			 seen[12]->line, id);
	} else if (seen[13] && (!kb_index_number(seen[13]->scalar, KB_BTF_MAX_BYTES, &e->btf_size) ||
				!e->btf_size)) {
		kb_error("%s:%d: bundle %s: btf_size is not a number of bytes up to %llu", name,
			 seen[13]->line, id, (unsigned long long)KB_BTF_MAX_BYTES);
	} else if (seen[14] && strcmp(seen[14]->scalar, want)) {
		kb_error("%s:%d: bundle %s: btf_path '%.64s' is not %s", name, seen[14]->line, id,
			 kb_log_esc(seen[14]->scalar), want);
	} else if (why && !kb_index_line_ok(why)) {
		kb_error("%s:%d: bundle %s: btf_missing is not a short line of text", name,
			 seen[15]->line, id);
	} else {
		if (seen[12])
			memcpy(e->btf_sha256, seen[12]->scalar, KB_SHA256_HEX_LEN + 1);
		e->btf_missing = why ? kb_xstrdup(why) : NULL;
		err = 0;
	}
	free(want);
	return err;
}

static int kb_index_entry_parse(const char *name, const struct kb_ynode *m, int64_t index_pf,
				struct kb_index_entry *e)
{
	/* the first 6 must be there; the others are optional */
	static const char *const keys[KB_INDEX_KEYS] = {
		"id", "distro", "uname", "arch", "sha256", "size", "packer_format", "packed_at",
		"manifest_id", "path", "vmtest", "alias", "btf_sha256", "btf_size", "btf_path",
		"btf_missing"
	};
	const struct kb_ynode *seen[KB_INDEX_KEYS] = { NULL };
	int err;

	if (m->type != KB_Y_MAP)
		return kb_index_bad(name, m, "a bundle is not an object");
	for (size_t i = 0; i + 1 < m->n; i += 2) {
		const struct kb_ynode *k = m->items[i], *v = m->items[i + 1];
		size_t f;

		if (k->type != KB_Y_SCALAR)
			return kb_index_bad(name, k, "a bundle's key is not a string");
		for (f = 0; f < KB_INDEX_KEYS && strcmp(k->scalar, keys[f]) != 0; f++)
			;
		if (f == KB_INDEX_KEYS)
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
			 kb_log_esc(seen[0]->scalar));
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
			 seen[5]->line, seen[0]->scalar, kb_log_esc(seen[5]->scalar));
		return -KB_EPARSE;
	}
	if (seen[8] && !kb_sha256_valid(seen[8]->scalar)) {
		kb_error("%s:%d: bundle %s: manifest_id is not 64 lowercase hex digits", name,
			 seen[8]->line, seen[0]->scalar);
		return -KB_EPARSE;
	}
	if (e->size > KB_BUNDLE_MAX_BYTES) {
		kb_error("%s:%d: bundle %s: size %llu is over the %llu bytes a bundle may have",
			 name, seen[5]->line, seen[0]->scalar, (unsigned long long)e->size,
			 (unsigned long long)KB_BUNDLE_MAX_BYTES);
		return -KB_ELIMIT;
	}
	err = kb_index_entry_order(name, seen, index_pf, e);
	if (!err)
		err = kb_index_entry_store(name, seen, e);
	if (!err)
		err = kb_index_entry_btf(name, seen, e);
	if (err)
		return err;
	e->line = m->line;
	e->manifest_id = seen[8] ? kb_xstrdup(seen[8]->scalar) : NULL;
	e->id = kb_xstrdup(seen[0]->scalar);
	e->distro = kb_xstrdup(seen[1]->scalar);
	e->uname = kb_xstrdup(seen[2]->scalar);
	e->arch = kb_xstrdup(seen[3]->scalar);
	memcpy(e->sha256, seen[4]->scalar, KB_SHA256_HEX_LEN + 1);
	return 0;
}

static const struct kb_index_entry *kb_index_sort_base;

static int kb_index_id_cmp(const void *a, const void *b)
{
	const struct kb_index_entry *v = kb_index_sort_base;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(v[x].id, v[y].id);

	return c ? c : x < y ? -1 : x > y;
}

int kb_index_check_unique(const struct kb_index *idx, const char *name)
{
	size_t *order = kb_xcalloc(idx->n ? idx->n : 1, sizeof(*order));
	int err = 0;

	for (size_t i = 0; i < idx->n; i++)
		order[i] = i;
	kb_index_sort_base = idx->v;	/* qsort has no context argument in C11 */
	if (idx->n)
		qsort(order, idx->n, sizeof(*order), kb_index_id_cmp);
	kb_index_sort_base = NULL;
	for (size_t i = 1; i < idx->n && !err; i++)
		if (!strcmp(idx->v[order[i - 1]].id, idx->v[order[i]].id)) {
			kb_error("%s:%d: bundle %s listed twice", name, idx->v[order[i]].line,
				 idx->v[order[i]].id);
			err = -KB_EPARSE;
		}
	free(order);
	return err;
}

int kb_index_entry_newer_cmp(const struct kb_index_entry *a, const struct kb_index_entry *b)
{
	int c;

	if (a->packer_format != b->packer_format)
		return a->packer_format < b->packer_format ? -1 : 1;
	if ((c = strcmp(a->packed_at, b->packed_at)))
		return c;
	return strcmp(a->id, b->id);
}

/* Format 3's top-level version, generated, expires and key_id: all four or
 * none (a work directory's index). */
static int kb_index_signed_fields(const char *name, const struct kb_ynode *root,
				  struct kb_index *idx)
{
	static const char *const keys[] = { "version", "generated", "expires", "key_id" };
	const struct kb_ynode *v[4];
	size_t have = 0;

	for (size_t i = 0; i < 4; i++) {
		v[i] = kb_ymap_get(root, keys[i]);
		if (v[i] && v[i]->type != KB_Y_SCALAR)
			return kb_index_bad(name, v[i], "a signed index field is not a string or number");
		have += v[i] != NULL;
	}
	if (have == 0)
		return 0;
	for (size_t i = 0; i < 4; i++)
		if (!v[i]) {
			kb_error("%s:%d: a signed index without '%s'", name, root->line, keys[i]);
			return -KB_EPARSE;
		}
	if (!kb_index_number(v[0]->scalar, UINT64_MAX / 2, &idx->version) || idx->version == 0)
		return kb_index_bad(name, v[0], "'version' is not a number above 0");
	if (!kb_index_time_ok(v[1]->scalar) || !kb_index_time_ok(v[2]->scalar))
		return kb_index_bad(name, v[1], "'generated' or 'expires' is not YYYY-MM-DDTHH:MM:SSZ");
	if (strlen(v[3]->scalar) != KB_INDEX_KEYID_LEN ||
	    strspn(v[3]->scalar, "0123456789abcdef") != KB_INDEX_KEYID_LEN)
		return kb_index_bad(name, v[3], "'key_id' is not 16 lowercase hex digits");
	memcpy(idx->generated, v[1]->scalar, KB_INDEX_TIME_LEN + 1);
	memcpy(idx->expires, v[2]->scalar, KB_INDEX_TIME_LEN + 1);
	memcpy(idx->key_id, v[3]->scalar, KB_INDEX_KEYID_LEN + 1);
	return 0;
}

int kb_index_parse(const char *buf, size_t len, const char *name, struct kb_index *idx)
{
	/* an entry of format 3: its map, 11 keys and 11 values */
	const struct kb_yaml_limits lim = { .max_depth = 8,
					    .max_nodes = KB_INDEX_MAX_ENTRIES * (2 * KB_INDEX_KEYS + 2) };
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
	fmt = kb_ymap_get(root, "index_format");
	if (fmt && (fmt->type != KB_Y_SCALAR || !kb_index_number(fmt->scalar, INT32_MAX, &pf))) {
		err = kb_index_bad(name, fmt, "'index_format' is not a number");
		goto out;
	}
	if (fmt && pf > KB_INDEX_FORMAT) {
		kb_error("%s:%d: index format %llu is newer than this kbundle reads (%d): "
			 "update kbundle", name, fmt->line, (unsigned long long)pf, KB_INDEX_FORMAT);
		err = -KB_EPARSE;
		goto out;
	}
	idx->format = fmt ? (int64_t)pf : 1;
	err = kb_index_signed_fields(name, root, idx);
	if (err)
		goto out;
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
		err = kb_index_entry_parse(name, list->items[i], idx->packer_format, &idx->v[idx->n]);
		if (err)
			goto out;
		idx->n++;
	}
	err = kb_index_check_unique(idx, name);
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
		free(idx->v[i].alias);
		free(idx->v[i].btf_missing);
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
