/* preview.c — what pack or vmtest would do, without doing it (preview.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundles/bundle.h"
#include "lib/file.h"
#include "lib/human.h"
#include "packer/pack.h"
#include "pipeline/preview.h"

struct kb_preview_pkg {
	const char *sha256;
	uint64_t size;
};

static int kb_preview_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kb_preview_pkg *)a)->sha256,
		      ((const struct kb_preview_pkg *)b)->sha256);
}

static void kb_preview_add(struct kb_preview_pkg **v, size_t *n, const struct kb_mpkg *p,
			   size_t np)
{
	*v = kb_xrealloc(*v, (*n + np + 1) * sizeof(**v));
	for (size_t k = 0; k < np; k++)
		(*v)[(*n)++] = (struct kb_preview_pkg){ .sha256 = p[k].sha256, .size = p[k].size };
}

void kb_preview_entries(const struct kb_entries *s, const char *workdir, bool images,
			struct kb_preview *p)
{
	char *bundles = kb_path_join(workdir, "bundles");
	struct kb_preview_pkg *v = NULL;
	struct kb_cache cache;
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	kb_cache_view(&cache, workdir);
	for (size_t i = 0; i < s->m.n; i++) {
		const struct kb_bundle_entry *e = &s->m.v[i];
		struct kb_bundle_info bi;

		if (!s->sel[i])
			continue;
		p->entries++;
		if (kb_bundle_find(bundles, e->id, &bi) == 0 &&
		    kb_cache_bundle_done(&cache, e->id, KB_PACKER_FORMAT, bi.sha256, bi.size))
			p->packed++;
		else
			kb_preview_add(&v, &n, e->headers, e->nheaders);
		if (images)
			kb_preview_add(&v, &n, e->images, e->nimages);
	}
	if (n)
		qsort(v, n, sizeof(*v), kb_preview_cmp);
	for (size_t k = 0; k < n; k++) {
		char *path;

		if (k && !strcmp(v[k].sha256, v[k - 1].sha256))
			continue;
		p->packages++;
		path = kb_cache_object_path(&cache, v[k].sha256);
		if (access(path, F_OK) != 0) {
			p->missing++;
			p->bytes += v[k].size;
		}
		free(path);
	}
	free(v);
	kb_cache_close(&cache);
	free(bundles);
}

char *kb_preview_text(const struct kb_preview *p)
{
	char packed[48] = "", size[KB_HUMAN_LEN];

	if (p->packed)
		snprintf(packed, sizeof(packed), " (%zu packed already)", p->packed);
	return kb_xasprintf("%zu bundle%s%s, %zu of %zu packages to download (%s)", p->entries,
			    p->entries == 1 ? "" : "s", packed, p->missing, p->packages,
			    kb_human_bytes(p->bytes, size));
}

void kb_preview_json(struct kb_json *j, const struct kb_preview *p)
{
	kb_json_uint(j, "bundles", p->entries);
	kb_json_uint(j, "packed_already", p->packed);
	kb_json_uint(j, "packages", p->packages);
	kb_json_uint(j, "packages_to_download", p->missing);
	kb_json_uint(j, "download_bytes", p->bytes);
}
