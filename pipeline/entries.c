/* entries.c — select manifest entries and fetch their packages through the
 * cache (see entries.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "pipeline/entries.h"

int kb_entries_select(struct kb_entries *s, const char *manifest, const struct kb_select *sel)
{
	int err = kb_manifest_load(manifest, s->limits, &s->m);

	/* a manifest that is missing or does not parse is a configuration
	 * error (exit 2), already reported with its file and line */
	if (err == -KB_EPARSE || err == -KB_ELIMIT || err == -KB_ENOTFOUND || err == -ENOENT)
		return -KB_EUSAGE;
	if (err)
		return err;
	s->sel = kb_xcalloc(s->m.n ? s->m.n : 1, sizeof(*s->sel));
	return kb_select_entries(&s->m, sel, s->sel, &s->nsel);
}

int kb_entries_open_cache(struct kb_entries *s, const char *workdir)
{
	int err = kb_cache_open(&s->cache, workdir);

	s->cache.limits = s->limits;	/* the downloads' deadline and speed */
	return err;
}

int kb_entries_load_upstreams(struct kb_entries *s, const char *dir)
{
	s->upstreams_dir = dir;
	return kb_upstream_set_load(dir, s->limits, &s->ups);
}

void kb_entries_free(struct kb_entries *s)
{
	if (s->cache.workdir)
		kb_cache_close(&s->cache);
	kb_upstream_set_free(&s->ups);
	kb_manifest_free(&s->m);
	free(s->sel);
	memset(s, 0, sizeof(*s));
}

static bool kb_entries_wants(const struct kb_mpkg *p, enum kb_entries_part part)
{
	/* the kernel is never in a modules package */
	return part == KB_ENTRIES_HEADERS || p->kind == KB_KIND_IMAGE;
}

int kb_entries_fetch(struct kb_entries *s, const bool *want, enum kb_entries_part part, int jobs,
		     struct kb_entries_pkgs *out)
{
	static const struct kb_strv no_mirrors;
	int err;

	memset(out, 0, sizeof(*out));
	out->first = kb_xcalloc(s->m.n + 1, sizeof(*out->first));
	/* one pass that counts and fills alike: the array grows as it goes */
	for (size_t i = 0; i < s->m.n; i++) {
		const struct kb_bundle_entry *e = &s->m.v[i];
		const struct kb_mpkg *pkgs = part == KB_ENTRIES_HEADERS ? e->headers : e->images;
		size_t npkgs = part == KB_ENTRIES_HEADERS ? e->nheaders : e->nimages;
		const struct kb_strv *mirrors = NULL;

		out->first[i] = out->n;
		if (!want[i])
			continue;
		if (!kb_upstream_set_find(&s->ups, e->upstream, &mirrors))
			mirrors = &no_mirrors;
		for (size_t k = 0; k < npkgs; k++) {
			const struct kb_mpkg *p = &pkgs[k];

			if (!kb_entries_wants(p, part))
				continue;
			out->v = kb_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n++] = (struct kb_cache_fetch){
				.sha256 = p->sha256, .size = p->size, .path = p->path,
				.name = p->name, .mirrors = mirrors,
			};
		}
	}
	out->first[s->m.n] = out->n;
	err = kb_cache_fetch_all(&s->cache, out->v, out->n, jobs > 1 ? jobs : 1);
	for (size_t k = 0; k < out->n; k++)
		out->downloaded += out->v[k].downloaded;
	return err;
}

void kb_entries_pkgs_free(struct kb_entries_pkgs *p)
{
	for (size_t k = 0; k < p->n; k++)
		free(p->v[k].object);
	free(p->v);
	free(p->first);
	memset(p, 0, sizeof(*p));
}
