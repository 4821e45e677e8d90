/* pack_run.c — the pack command's pipeline over the cache and bundles/. */
#include <stdlib.h>
#include <string.h>

#include "bundles/bundle.h"
#include "bundles/pack_run.h"
#include "cache/cache.h"
#include "crawler/upstream.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/pool.h"
#include "manifest/manifest.h"
#include "manifest/select.h"
#include "packer/pack.h"

struct kb_pack_item {
	const struct kb_bundle_entry *e;
	const struct kb_strv *mirrors;
	size_t first_fetch;	/* its packages in the fetch array */
	const char *package_key;	/* its upstream's, for rpm signatures */
	int err;
	bool skip;
};

struct kb_pack_ctx {
	const struct kb_pack_opts *o;
	struct kb_cache cache;
	char *bundles;
	struct kb_pack_item *items;
	size_t nitems;
	struct kb_fetch *fetch;
	size_t nfetch;
	size_t packed;
};

static void kb_pack_one(void *arg, size_t i)
{
	struct kb_pack_ctx *c = arg;
	struct kb_pack_item *it = &c->items[i];
	const char **paths;
	struct kb_bundle_info bi;

	if (it->skip || it->err)
		return;
	paths = kb_xcalloc(it->e->nheaders, sizeof(*paths));
	for (size_t k = 0; k < it->e->nheaders; k++) {
		const struct kb_fetch *f = &c->fetch[it->first_fetch + k];

		if (f->err) {
			kb_error("%s (%s): package %s is not available", it->e->id, it->e->release,
				 f->pkg->name);
			it->err = f->err;
			goto out;
		}
		paths[k] = f->path;
	}
	kb_info("packing %s (%s %s)", it->e->release, it->e->distro, it->e->id);
	it->err = kb_bundle_build(it->e, paths, it->package_key, c->o->limits, c->bundles,
				  c->o->mtime, &bi);
	if (!it->err)
		it->err = kb_cache_bundle_stamp(&c->cache, it->e->id, KB_PACKER_FORMAT, bi.sha256, bi.size);
	if (it->err)
		kb_error("%s (%s): not packed: %s", it->e->id, it->e->release, kb_strerror(it->err));
out:
	free(paths);
}

int kb_pack_run(const struct kb_pack_opts *o, struct kb_pack_stats *st)
{
	struct kb_pack_ctx c = { .o = o };
	struct kb_manifest m = { 0 };
	struct kb_upstream_set ups = { 0 };
	size_t nsel = 0;
	bool *sel = NULL;
	int err;

	memset(st, 0, sizeof(*st));
	err = kb_manifest_load(o->manifest, o->limits, &m);
	if (err)
		goto out;
	sel = kb_xcalloc(m.n ? m.n : 1, sizeof(*sel));
	err = kb_select_entries(&m, &o->sel, sel, &nsel);
	if (err)
		goto out;
	err = kb_upstream_set_load(o->upstreams, o->limits, &ups);
	if (err)
		goto out;
	err = kb_cache_open(&c.cache, o->workdir);
	if (err)
		goto out;
	c.bundles = kb_path_join(o->workdir, "bundles");
	err = kb_mkdir_p(c.bundles, 0755);
	if (err) {
		kb_error("%s: %s", c.bundles, kb_strerror(err));
		goto out;
	}
	/* under the lock: what a killed run left half-written goes */
	kb_cache_sweep(&c.cache, c.bundles);
	kb_cache_sweep(&c.cache, c.cache.stamps);

	c.items = kb_xcalloc(m.n ? m.n : 1, sizeof(*c.items));
	for (size_t i = 0; i < m.n; i++) {
		const struct kb_bundle_entry *e = &m.v[i];
		struct kb_pack_item *it;
		struct kb_bundle_info bi;

		if (!sel[i])
			continue;
		it = &c.items[c.nitems++];
		it->e = e;
		st->selected++;
		if (kb_bundle_stat(c.bundles, e->id, &bi) == 0 &&
		    kb_cache_bundle_done(&c.cache, e->id, KB_PACKER_FORMAT, bi.sha256, bi.size)) {
			kb_info("%s (%s): already packed", e->release, e->id);
			it->skip = true;
			st->skipped++;
			continue;
		}
		const struct kb_upstream *u = kb_upstream_set_find(&ups, e->upstream, &it->mirrors);

		if (!u) {
			kb_error("%s (%s): no upstream file %s/%s.yml for its mirrors", e->id, e->release,
				 o->upstreams, e->upstream);
			it->err = -KB_ENOTFOUND;
			continue;
		}
		it->package_key = u->package_key;
		it->first_fetch = c.nfetch;
		c.fetch = kb_xrealloc(c.fetch, (c.nfetch + e->nheaders) * sizeof(*c.fetch));
		for (size_t k = 0; k < e->nheaders; k++)
			c.fetch[c.nfetch++] = (struct kb_fetch){ .pkg = &e->headers[k], .mirrors = it->mirrors };
	}
	if (!c.nitems)
		kb_warn("%s: no bundle matches the selection", o->manifest);
	kb_cache_fetch_all(&c.cache, c.fetch, c.nfetch, o->jobs);
	for (size_t i = 0; i < c.nfetch; i++)
		st->downloaded += c.fetch[i].downloaded;
	kb_pool_run(c.nitems, o->jobs, kb_pack_one, &c);
	for (size_t i = 0; i < c.nitems; i++) {
		if (c.items[i].err) {
			st->failed++;
			if (!err)
				err = c.items[i].err;
		} else if (!c.items[i].skip) {
			st->packed++;
		}
	}
	{
		int ierr = kb_bundle_index_write(c.bundles, &m);

		if (!err)
			err = ierr;
	}
out:
	free(sel);
	for (size_t i = 0; i < c.nfetch; i++)
		free(c.fetch[i].path);
	free(c.fetch);
	free(c.items);
	free(c.bundles);
	if (c.cache.workdir)
		kb_cache_close(&c.cache);
	kb_upstream_set_free(&ups);
	kb_manifest_free(&m);
	return err;
}
