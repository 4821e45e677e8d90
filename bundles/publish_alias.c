/* publish_alias.c — the names a product without kbundle can guess: for the
 * newest packing of each kernel, <distro>/<arch>/bundle-<uname>.tgz (as
 * the store can: a symlink in a directory, a copy on WebDAV) and its
 * sha256sum sidecar; and
 * SHA256SUMS, every bundle and alias with its sha256, signed like the index
 * (SHA256SUMS.sig), so `openssl pkeyutl -verify` then `sha256sum -c` is the
 * whole check with stock tools (README). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundles/bundle_path.h"
#include "bundles/publish.h"
#include "bundles/publish_store.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/sign.h"

static int kb_alias_same_kernel(const struct kb_index_entry *a, const struct kb_index_entry *b)
{
	return !strcmp(a->distro, b->distro) && !strcmp(a->uname, b->uname) &&
	       !strcmp(a->arch, b->arch);
}

void kb_publish_alias_pick(struct kb_index *out)
{
	for (size_t i = 0; i < out->n; i++) {
		free(out->v[i].alias);
		out->v[i].alias = NULL;
	}
	/* out is sorted by distro, uname, arch: one kernel's packings are
	 * neighbours */
	for (size_t i = 0, j; i < out->n; i = j) {
		struct kb_index_entry *best = &out->v[i];

		for (j = i + 1; j < out->n && kb_alias_same_kernel(&out->v[i], &out->v[j]); j++)
			if (kb_index_entry_newer_cmp(&out->v[j], best) > 0)
				best = &out->v[j];
		best->alias = kb_bundle_alias_path(best->distro, best->arch, best->uname);
		if (!best->alias)
			kb_warn("bundle %s (%s %s %s): no alias, a part is not a safe file name",
				best->id, best->distro, best->arch, best->uname);
	}
}

int kb_publish_alias_write(struct kb_pub_store *s, const struct kb_index *out)
{
	int err = 0;

	for (size_t i = 0; i < out->n && !err; i++) {
		const struct kb_index_entry *e = &out->v[i];
		char *dir, *base, *side, *line;

		if (!e->alias)
			continue;
		dir = kb_xstrdup(e->alias);
		*strrchr(dir, '/') = '\0';
		base = kb_bundle_id_of(e->alias);	/* bundle-<uname> */
		side = kb_bundle_sidecar_path(dir, base);
		line = kb_bundle_sidecar_line(e->sha256, base);
		err = s->ops->put_alias(s, e);
		if (!err)
			err = s->ops->put_buf(s, side, line, strlen(line));
		if (!err)
			kb_debug("%s -> %s", e->alias, e->id);
		free(dir);
		free(base);
		free(side);
		free(line);
	}
	return err;
}

int kb_publish_sums_write(struct kb_pub_store *s, const struct kb_index *out,
			  const struct kb_key *key)
{
	unsigned char sig[KB_SIGN_SIG_LEN];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err = 0;

	if (!f)
		abort();	/* out of memory, as the x-allocators */
	for (size_t i = 0; i < out->n; i++) {
		const struct kb_index_entry *e = &out->v[i];
		char *p = kb_bundle_path(NULL, e->id);

		fprintf(f, "%s  %s\n", e->sha256, p);
		if (e->alias)
			fprintf(f, "%s  %s\n", e->sha256, e->alias);
		free(p);
	}
	if (fclose(f) != 0)
		abort();
	if (!key)
		err = s->ops->remove(s, "SHA256SUMS.sig");
	else
		err = kb_key_sign(key, text, len, sig);
	if (!err)
		err = s->ops->put_buf(s, "SHA256SUMS", text, len);
	if (!err && key)
		err = s->ops->put_buf(s, "SHA256SUMS.sig", sig, sizeof(sig));
	free(text);
	return err;
}
