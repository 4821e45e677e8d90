/* index_write.c — a kb_index as index.json, in the layout bundle.c writes
 * for a work directory, so a published index reads like a local one. */
#include <stdlib.h>

#include "bundles/index.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"

void kb_index_entry_json(struct kb_json *j, const struct kb_index_entry *e)
{
	kb_json_str(j, "id", e->id);
	if (e->manifest_id)
		kb_json_str(j, "manifest_id", e->manifest_id);
	kb_json_str(j, "distro", e->distro);
	kb_json_str(j, "uname", e->uname);
	kb_json_str(j, "arch", e->arch);
	kb_json_str(j, "sha256", e->sha256);
	kb_json_uint(j, "size", e->size);
	if (e->packer_format)
		kb_json_int(j, "packer_format", e->packer_format);
	if (e->packed_at[0])
		kb_json_str(j, "packed_at", e->packed_at);
}

int kb_index_write(const char *path, const struct kb_index *idx)
{
	struct kb_json j;
	char *text;
	size_t len;
	int err;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_int(&j, "index_format", KB_INDEX_FORMAT);
	kb_json_int(&j, "packer_format", idx->packer_format);
	kb_json_arr_begin(&j, "bundles");
	for (size_t i = 0; i < idx->n; i++) {
		kb_json_obj_begin(&j, NULL);
		kb_index_entry_json(&j, &idx->v[i]);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	text = kb_json_finish(&j, &len, &err);
	if (!err)
		err = kb_file_write_atomic(path, text, len);
	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	free(text);
	return err;
}
