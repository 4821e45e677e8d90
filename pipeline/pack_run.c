/* pack_run.c — the pack command's pipeline: selected entries (entries.c)
 * → their header packages in the cache → bundles/ → the index. */
#include <stdlib.h>
#include <string.h>

#include "bundles/bundle.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/pool.h"
#include "packer/pack.h"
#include "pipeline/pack_run.h"

struct kb_pack_item {
	size_t entry;		/* its index in the manifest */
	const char *package_key;	/* its upstream's, for rpm signatures */
	int err;
	bool skip;
};

struct kb_pack_ctx {
	struct kb_entries *s;
	int64_t mtime;
	char *bundles;
	struct kb_pack_item *items;
	size_t nitems;
	struct kb_entries_pkgs pkgs;
};

static void kb_pack_one(void *arg, size_t i)
{
	struct kb_pack_ctx *c = arg;
	struct kb_pack_item *it = &c->items[i];
	const struct kb_bundle_entry *e = &c->s->m.v[it->entry];
	const struct kb_cache_fetch *f = &c->pkgs.v[c->pkgs.first[it->entry]];
	const char **paths;
	struct kb_bundle_info bi;

	if (it->skip || it->err)
		return;
	paths = kb_xcalloc(e->nheaders, sizeof(*paths));
	for (size_t k = 0; k < e->nheaders; k++) {
		if (f[k].err) {
			kb_error("%s (%s): package %s is not available", e->id, e->release, f[k].name);
			it->err = f[k].err;
			goto out;
		}
		paths[k] = f[k].object;
	}
	kb_info("packing %s (%s %s)", e->release, e->distro, e->id);
	it->err = kb_bundle_build(e, paths, it->package_key, c->s->limits, c->bundles, c->mtime,
				  &bi);
	if (!it->err)
		it->err = kb_cache_bundle_stamp(&c->s->cache, e->id, KB_PACKER_FORMAT, bi.sha256, bi.size);
	if (it->err)
		kb_error("%s (%s): not packed: %s", e->id, e->release, kb_strerror(it->err));
out:
	free(paths);
}

/* Which entries need packing: not already packed by this packer format,
 * and with an upstream file for their mirrors. Sets fetch[i] for those. */
static void kb_pack_plan(struct kb_pack_ctx *c, const bool *which, bool *fetch,
			 struct kb_pack_stats *st)
{
	struct kb_entries *s = c->s;

	for (size_t i = 0; i < s->m.n; i++) {
		const struct kb_bundle_entry *e = &s->m.v[i];
		const struct kb_upstream *u;
		struct kb_pack_item *it;
		struct kb_bundle_info bi;

		if (!which[i])
			continue;
		it = &c->items[c->nitems++];
		it->entry = i;
		st->selected++;
		if (kb_bundle_stat(c->bundles, e->id, &bi) == 0 &&
		    kb_cache_bundle_done(&s->cache, e->id, KB_PACKER_FORMAT, bi.sha256, bi.size)) {
			kb_info("%s (%s): already packed", e->release, e->id);
			it->skip = true;
			st->skipped++;
			continue;
		}
		u = kb_upstream_set_find(&s->ups, e->upstream, NULL);
		if (!u) {
			kb_error("%s (%s): no upstream file %s/%s.yml for its mirrors", e->id, e->release,
				 s->upstreams_dir, e->upstream);
			it->err = -KB_ENOTFOUND;
			continue;
		}
		it->package_key = u->package_key;
		fetch[i] = true;
	}
}

int kb_pack_entries(struct kb_entries *s, const bool *which, int jobs, int64_t mtime,
		    struct kb_pack_stats *st)
{
	struct kb_pack_ctx c = { .s = s, .mtime = mtime };
	bool *fetch = kb_xcalloc(s->m.n ? s->m.n : 1, sizeof(*fetch));
	int err;

	memset(st, 0, sizeof(*st));
	c.bundles = kb_path_join(s->cache.workdir, "bundles");
	err = kb_mkdir_p(c.bundles, 0755);
	if (err) {
		kb_error("%s: %s", c.bundles, kb_strerror(err));
		goto out;
	}
	/* under the lock: what a killed run left half-written goes */
	kb_atomic_sweep(c.bundles);
	kb_cache_sweep(&s->cache);

	c.items = kb_xcalloc(s->m.n ? s->m.n : 1, sizeof(*c.items));
	kb_pack_plan(&c, which, fetch, st);
	kb_entries_fetch(s, fetch, KB_ENTRIES_HEADERS, jobs, &c.pkgs);
	st->downloaded = c.pkgs.downloaded;
	kb_pool_run(c.nitems, jobs, kb_pack_one, &c);
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
		int ierr = kb_bundle_index_write(c.bundles, &s->m);

		if (!err)
			err = ierr;
	}
out:
	kb_entries_pkgs_free(&c.pkgs);
	free(c.items);
	free(c.bundles);
	free(fetch);
	return err;
}

int kb_pack_run(const struct kb_pack_opts *o, struct kb_pack_stats *st)
{
	struct kb_entries s = { 0 };
	int err;

	memset(st, 0, sizeof(*st));
	s.limits = o->limits;
	err = kb_entries_select(&s, o->manifest, &o->sel);
	if (!err)
		err = kb_entries_load_upstreams(&s, o->upstreams);
	if (!err)
		err = kb_entries_open_cache(&s, o->workdir);
	if (err)
		goto out;
	if (!s.nsel)
		kb_warn("%s: no bundle matches the selection", o->manifest);
	err = kb_pack_entries(&s, s.sel, o->jobs, o->mtime, st);
out:
	kb_entries_free(&s);
	return err;
}
