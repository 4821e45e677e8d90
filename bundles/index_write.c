/* index_write.c — a kb_index as index.json, in the layout bundle.c writes
 * for a work directory, so a published index reads like a local one. */
#include <stdlib.h>
#include <time.h>

#include "bundles/bundle_path.h"
#include "bundles/index.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"

void kb_index_time_fmt(int64_t t, char out[KB_INDEX_TIME_LEN + 1])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, KB_INDEX_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void kb_index_entry_json(struct kb_json *j, const struct kb_index_entry *e)
{
	char *path;

	kb_json_str(j, "id", e->id);
	if (e->manifest_id)
		kb_json_str(j, "manifest_id", e->manifest_id);
	kb_json_str(j, "distro", e->distro);
	kb_json_str(j, "uname", e->uname);
	kb_json_str(j, "arch", e->arch);
	kb_json_str(j, "sha256", e->sha256);
	kb_json_uint(j, "size", e->size);
	path = kb_bundle_path(NULL, e->id);
	kb_json_str(j, "path", path);
	free(path);
	kb_json_str(j, "vmtest", e->vmtest[0] ? e->vmtest : "untested");
	if (e->alias)
		kb_json_str(j, "alias", e->alias);
	if (e->btf_sha256[0]) {
		path = kb_btf_path(NULL, e->id);
		kb_json_str(j, "btf_path", path);
		kb_json_str(j, "btf_sha256", e->btf_sha256);
		kb_json_uint(j, "btf_size", e->btf_size);
		free(path);
	} else if (e->btf_missing) {
		kb_json_str(j, "btf_missing", e->btf_missing);
	}
	if (e->packer_format)
		kb_json_int(j, "packer_format", e->packer_format);
	if (e->packed_at[0])
		kb_json_str(j, "packed_at", e->packed_at);
}

char *kb_index_text(const struct kb_index *idx, size_t *len, int *err)
{
	struct kb_json j;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_int(&j, "index_format", KB_INDEX_FORMAT);
	kb_json_int(&j, "packer_format", idx->packer_format);
	if (idx->version) {
		kb_json_uint(&j, "version", idx->version);
		kb_json_str(&j, "generated", idx->generated);
		kb_json_str(&j, "expires", idx->expires);
		kb_json_str(&j, "key_id", idx->key_id);
	}
	kb_json_arr_begin(&j, "bundles");
	for (size_t i = 0; i < idx->n; i++) {
		kb_json_obj_begin(&j, NULL);
		kb_index_entry_json(&j, &idx->v[i]);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	return kb_json_finish(&j, len, err);
}

int kb_index_write(const char *path, const struct kb_index *idx)
{
	size_t len;
	int err;
	char *text = kb_index_text(idx, &len, &err);

	if (!err)
		err = kb_file_write_atomic(path, text, len);
	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	free(text);
	return err;
}
