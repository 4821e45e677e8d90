/* btf_artifact.c — <id>.btf, its sidecar and <id>.btf.none in a work
 * directory's bundles/ (see btf_artifact.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundles/btf_artifact.h"
#include "bundles/bundle_path.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"

int kb_btf_artifact_put(const char *dir, const char *id, const char *btf)
{
	char *dst = kb_btf_path(dir, id), *side = kb_btf_sidecar_path(dir, id);
	char *none = kb_btf_none_path(dir, id), *line = NULL;
	char got[KB_SHA256_HEX_LEN + 1];
	int err = kb_file_copy(btf, dst, NULL, KB_BTF_MAX_BYTES, got);

	if (err) {
		kb_error("%s -> %s: %s", btf, dst, kb_strerror(err));
		goto out;
	}
	line = kb_btf_sidecar_line(got, id);
	err = kb_file_write_atomic(side, line, strlen(line));
	if (err)
		kb_error("%s: %s", side, kb_strerror(err));
	else
		unlink(none);
out:
	free(dst);
	free(side);
	free(none);
	free(line);
	return err;
}

int kb_btf_artifact_none(const char *dir, const char *id, const char *why)
{
	char *btf = kb_btf_path(dir, id), *side = kb_btf_sidecar_path(dir, id);
	char *none = kb_btf_none_path(dir, id);
	size_t n = strcspn(why, "\n");
	int err;

	if (n > KB_INDEX_WHY_MAX)
		n = KB_INDEX_WHY_MAX;
	/* the sidecar first: a sidecar never names a missing file */
	unlink(side);
	unlink(btf);
	err = kb_file_write_atomic(none, why, n);
	if (err)
		kb_error("%s: %s", none, kb_strerror(err));
	free(btf);
	free(side);
	free(none);
	return err;
}

void kb_btf_artifact_index(const char *dir, struct kb_index_entry *x)
{
	char *btf = kb_btf_path(dir, x->id), *side = kb_btf_sidecar_path(dir, x->id);
	char *none = kb_btf_none_path(dir, x->id), *text = NULL;
	size_t len = 0;
	struct stat st;

	if (stat(btf, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    kb_file_read(side, KB_SIDECAR_MAX_BYTES, &text, &len) == 0 && len > KB_SHA256_HEX_LEN) {
		text[KB_SHA256_HEX_LEN] = '\0';
		if (kb_sha256_valid(text)) {
			memcpy(x->btf_sha256, text, KB_SHA256_HEX_LEN + 1);
			x->btf_size = (uint64_t)st.st_size;
		}
	} else if (kb_file_read(none, KB_INDEX_WHY_MAX, &text, &len) == 0 && len) {
		for (size_t i = 0; i < len; i++)	/* the index holds printable text */
			if (text[i] < ' ' || text[i] > '~' || text[i] == '"' || text[i] == '\\')
				text[i] = ' ';
		x->btf_missing = text;
		text = NULL;
	}
	free(text);
	free(btf);
	free(side);
	free(none);
}
