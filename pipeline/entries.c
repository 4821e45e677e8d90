/* entries.c — select manifest entries and fetch their packages through the
 * cache (see entries.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
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

void kb_entries_close_cache(struct kb_entries *s)
{
	if (s->cache.workdir)
		kb_cache_close(&s->cache);
}

int kb_entries_load_upstreams(struct kb_entries *s, const char *dir)
{
	s->upstreams_dir = dir;
	return kb_upstream_set_load(dir, s->limits, &s->ups);
}

int kb_entries_open(struct kb_entries *s, const char *manifest, const struct kb_select *sel,
		    const char *upstreams_dir, const char *workdir)
{
	int err = kb_entries_select(s, manifest, sel);

	if (!err)
		err = kb_entries_load_upstreams(s, upstreams_dir);
	if (!err)
		err = kb_entries_open_cache(s, workdir);
	if (!err && !s->nsel)
		kb_warn("%s: no bundle matches the selection", manifest);
	return err;
}

void kb_entries_free(struct kb_entries *s)
{
	kb_entries_close_cache(s);
	kb_upstream_set_free(&s->ups);
	kb_manifest_free(&s->m);
	free(s->sel);
	memset(s, 0, sizeof(*s));
}

static bool kb_entries_wants(const struct kb_mpkg *p, enum kb_entries_part part)
{
	/* the kernel is never in a modules package */
	switch (part) {
	case KB_ENTRIES_IMAGE:
		return p->kind == KB_KIND_IMAGE;
	case KB_ENTRIES_MODULES:
		return p->kind == KB_KIND_MODULES;
	default:
		return true;
	}
}

/* Add "<version>: HTTP 404 at <url>[, <url>]" for f, which every mirror
 * lacked, to *tried. */
static void kb_entries_tried(char **tried, const char *version, const struct kb_cache_fetch *f)
{
	char *text = kb_xasprintf("%s%s%s: HTTP 404 at", *tried ? *tried : "", *tried ? "; " : "",
				  version);

	for (size_t m = 0; m < f->mirrors->n; m++) {
		char *next = kb_xasprintf("%s%s %s/%s", text, m ? "," : "", f->mirrors->v[m], f->path);

		free(text);
		text = next;
	}
	free(*tried);
	*tried = text;
}

/* Rounds over the packages no mirror had: each tries its next alternate,
 * all of a round in one kb_cache_fetch_all (a kbuild shared by many
 * bundles is fetched once), until each has one or has none left. */
static void kb_entries_fallback(struct kb_entries *s, struct kb_entries_pkgs *out, int jobs)
{
	size_t *next = kb_xcalloc(out->n ? out->n : 1, sizeof(*next));
	struct kb_cache_fetch *round = kb_xcalloc(out->n ? out->n : 1, sizeof(*round));
	size_t *of = kb_xcalloc(out->n ? out->n : 1, sizeof(*of));
	bool *done = kb_xcalloc(out->n ? out->n : 1, sizeof(*done));

	for (;;) {
		size_t nr = 0;

		for (size_t k = 0; k < out->n; k++) {
			const struct kb_mpkg *p = out->pkg[k];
			const struct kb_malt *a;

			if (done[k] || !out->v[k].err || !out->v[k].gone)
				continue;
			kb_entries_tried(&out->tried[k], out->used[k] ? out->used[k]->version
								      : p->version, &out->v[k]);
			out->used[k] = NULL;
			if (next[k] == p->nalternates) {
				done[k] = true;		/* none left: v[k].err stands */
				continue;
			}
			a = &p->alternates[next[k]++];
			out->used[k] = a;
			of[nr] = k;
			round[nr++] = (struct kb_cache_fetch){
				.sha256 = a->sha256, .size = a->size, .path = a->path, .name = p->name,
				.mirrors = out->v[k].mirrors, .fallback = next[k] < p->nalternates,
			};
		}
		if (!nr)
			break;
		kb_cache_fetch_all(&s->cache, round, nr, jobs);
		for (size_t r = 0; r < nr; r++) {
			size_t k = of[r];

			free(out->v[k].object);
			out->v[k] = round[r];	/* takes its object */
			/* another failure than a missing file ends the search */
			if (out->v[k].err && !out->v[k].gone)
				out->used[k] = NULL;
		}
	}
	free(done);
	free(of);
	free(round);
	free(next);
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
			out->pkg = kb_xrealloc(out->pkg, (out->n + 1) * sizeof(*out->pkg));
			out->pkg[out->n] = p;
			out->v[out->n++] = (struct kb_cache_fetch){
				.sha256 = p->sha256, .size = p->size, .path = p->path,
				.name = p->name, .mirrors = mirrors, .fallback = p->nalternates > 0,
			};
		}
	}
	out->first[s->m.n] = out->n;
	out->used = kb_xcalloc(out->n ? out->n : 1, sizeof(*out->used));
	out->tried = kb_xcalloc(out->n ? out->n : 1, sizeof(*out->tried));
	jobs = jobs > 1 ? jobs : 1;
	kb_cache_fetch_all(&s->cache, out->v, out->n, jobs);
	kb_entries_fallback(s, out, jobs);
	err = 0;
	for (size_t k = 0; k < out->n; k++) {
		out->downloaded += out->v[k].downloaded;
		if (!err)
			err = out->v[k].err;
	}
	return err;
}

void kb_entries_pkgs_free(struct kb_entries_pkgs *p)
{
	for (size_t k = 0; k < p->n; k++) {
		free(p->v[k].object);
		free(p->tried[k]);
	}
	free(p->v);
	free(p->pkg);
	free(p->used);
	free(p->tried);
	free(p->first);
	memset(p, 0, sizeof(*p));
}
