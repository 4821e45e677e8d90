/* vmtest_verdict.c — the <id>.vmtest file beside a bundle, and the index's
 * vmtest field made from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundles/bundle_path.h"
#include "bundles/vmtest_verdict.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"

int kb_vmtest_verdict_put(const char *dir, const char *id, bool passed)
{
	char *tgz = kb_bundle_path(dir, id), *path = kb_vmtest_verdict_path(dir, id), *line;
	char hex[KB_SHA256_HEX_LEN + 1];
	int err = kb_sha256_file(tgz, hex, NULL);

	if (!err) {
		line = kb_xasprintf("%s %s\n", passed ? "passed" : "failed", hex);
		err = kb_file_write_atomic(path, line, strlen(line));
		free(line);
	}
	if (err)
		kb_error("%s: the vmtest verdict could not be kept: %s", path, kb_strerror(err));
	free(tgz);
	free(path);
	return err;
}

void kb_vmtest_verdict_index(const char *dir, struct kb_index_entry *x)
{
	char *path = kb_vmtest_verdict_path(dir, x->id), *text = NULL;
	size_t len = 0;
	const char *v = "untested";

	if (kb_file_read(path, 256, &text, &len) == 0 && len == 7 + KB_SHA256_HEX_LEN + 1 &&
	    text[6] == ' ' && !memcmp(text + 7, x->sha256, KB_SHA256_HEX_LEN) &&
	    (!memcmp(text, "passed", 6) || !memcmp(text, "failed", 6)))
		v = text[0] == 'p' ? "passed" : "failed";
	snprintf(x->vmtest, sizeof(x->vmtest), "%s", v);
	free(text);
	free(path);
}

int kb_vmtest_verdict_refresh(const char *dir)
{
	char *path = kb_path_join(dir, "index.json");
	struct kb_index idx = { 0 };
	int err = 0;

	if (access(path, F_OK) == 0) {
		err = kb_index_load(path, &idx);
		for (size_t i = 0; !err && i < idx.n; i++)
			kb_vmtest_verdict_index(dir, &idx.v[i]);
		if (!err)
			err = kb_index_write(path, &idx);
		kb_index_free(&idx);
	}
	free(path);
	return err;
}
