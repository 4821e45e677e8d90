/* pack_run.c — the pack command's pipeline: selected entries (entries.c)
 * → their header packages in the cache → bundles/ → the index. Each
 * package is read once per run, however many bundles share it
 * (packer/pack_inputs.h). */
#include <stdlib.h>
#include <string.h>

#include "bundles/bundle.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/pool.h"
#include "packer/pack.h"
#include "packer/pack_inputs.h"
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
	size_t *order;		/* the pool's i-th job is items[order[i]] */
	struct kb_entries_pkgs pkgs;
	struct kb_pack_inputs in;
};

/* Why entry e cannot have header package k: no mirror had it, nor any
 * alternate (the versions and URLs tried, and the dependency it was to
 * satisfy), or the cache's error. */
static void kb_pack_unavailable(const struct kb_bundle_entry *e, const struct kb_entries_pkgs *pk,
				size_t k)
{
	const struct kb_mpkg *m = pk->pkg[k];

	if (!pk->tried[k])
		kb_error("%s (%s): package %s is not available", e->id, e->release, pk->v[k].name);
	else if (!m->satisfies)
		kb_error("%s (%s): cannot be packed: no mirror has %s %s (%s)", e->id, e->release,
			 m->name, m->version, pk->tried[k]);
	else
		kb_error("%s (%s): cannot be packed: no mirror has a %s that satisfies its "
			 "dependency (%s %s): tried %s; the lists have no other version that "
			 "satisfies it", e->id, e->release, m->name, m->name, m->satisfies,
			 pk->tried[k]);
}

static void kb_pack_one(void *arg, size_t i)
{
	struct kb_pack_ctx *c = arg;
	struct kb_pack_item *it = &c->items[c->order[i]];
	const struct kb_bundle_entry *e = &c->s->m.v[it->entry];
	size_t first = c->pkgs.first[it->entry];
	const struct kb_cache_fetch *f = &c->pkgs.v[first];
	struct kb_bundle_subst *subst = NULL;
	size_t nsubst = 0;
	const char **paths;
	struct kb_bundle_info bi;

	if (it->skip || it->err)
		return;
	paths = kb_xcalloc(e->nheaders, sizeof(*paths));
	subst = kb_xcalloc(e->nheaders, sizeof(*subst));
	for (size_t k = 0; k < e->nheaders; k++) {
		const struct kb_malt *used = c->pkgs.used[first + k];

		if (f[k].err) {	/* each one missing is named */
			kb_pack_unavailable(e, &c->pkgs, first + k);
			it->err = it->err ? it->err : f[k].err;
			continue;
		}
		paths[k] = f[k].object;
		if (!used)
			continue;
		kb_warn("%s (%s): no mirror has %s %s (%s); packing %s %s instead, which satisfies "
			"its dependency too (%s)", e->id, e->release, e->headers[k].name,
			e->headers[k].version, c->pkgs.tried[first + k], e->headers[k].name,
			used->version, e->headers[k].satisfies ? e->headers[k].satisfies : "any");
		subst[nsubst++] = (struct kb_bundle_subst){
			.header = k, .used = used, .why = c->pkgs.tried[first + k],
		};
	}
	if (it->err)
		goto out;
	kb_info("packing %s (%s %s)", e->release, e->distro, e->id);
	it->err = kb_bundle_build(e, paths, subst, nsubst, it->package_key, c->s->limits, &c->in,
				  c->bundles, c->mtime, &bi);
	if (!it->err && nsubst)
		kb_info("%s (%s): packed as %s, the content id of the packages used", e->id,
			e->release, bi.id);
	if (!it->err)
		it->err = kb_cache_bundle_stamp(&c->s->cache, e->id, KB_PACKER_FORMAT, bi.sha256, bi.size);
	if (it->err)
		kb_error("%s (%s): not packed: %s", e->id, e->release, kb_strerror(it->err));
out:
	free(subst);
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
		if (kb_bundle_find(c->bundles, e->id, &bi) == 0 &&
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

/* Plan every package use of the items that will be built (all their
 * packages are in the cache), so each is read once and freed after its
 * last bundle. */
static void kb_pack_plan_inputs(struct kb_pack_ctx *c)
{
	for (size_t i = 0; i < c->nitems; i++) {
		const struct kb_pack_item *it = &c->items[i];
		const struct kb_bundle_entry *e = &c->s->m.v[it->entry];
		const struct kb_cache_fetch *f = &c->pkgs.v[c->pkgs.first[it->entry]];
		bool ok = !it->skip && !it->err;

		for (size_t k = 0; k < e->nheaders && ok; k++)
			ok = !f[k].err;
		for (size_t k = 0; k < e->nheaders && ok; k++)
			kb_pack_inputs_plan(&c->in, f[k].object, it->package_key);
	}
}

/* The order the pool takes the items in: the run cut into `jobs` stretches
 * of the manifest, one step of each in turn. The flavours of an ABI are
 * neighbours in the manifest, so bundles packed side by side are seldom
 * waiting for the same package's read, while each stretch uses a shared
 * package again soon after reading it (which keeps memory bounded). */
static void kb_pack_order(struct kb_pack_ctx *c, int jobs)
{
	size_t n = c->nitems, w = jobs > 1 ? (size_t)jobs : 1, len = (n + w - 1) / w, k = 0;

	c->order = kb_xcalloc(n ? n : 1, sizeof(*c->order));
	for (size_t step = 0; step < len; step++)
		for (size_t j = 0; j < w; j++)
			if (j * len + step < n)
				c->order[k++] = j * len + step;
}

int kb_pack_entries(struct kb_entries *s, const bool *which, int jobs, int64_t mtime,
		    struct kb_pack_stats *st)
{
	struct kb_pack_ctx c = { .s = s, .mtime = mtime };
	bool *fetch = kb_xcalloc(s->m.n ? s->m.n : 1, sizeof(*fetch));
	int err;

	memset(st, 0, sizeof(*st));
	kb_pack_inputs_init(&c.in);
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
	kb_pack_plan_inputs(&c);
	kb_pack_order(&c, jobs);
	kb_pool_run(c.nitems, jobs, kb_pack_one, &c);
	st->inputs_read = c.in.reads;
	st->inputs_used = c.in.gets;
	st->inputs_peak = c.in.peak;
	if (c.in.gets)
		kb_info("header packages: %zu read for %zu uses (at most %zu held at once)",
			c.in.reads, c.in.gets, c.in.peak);
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
	kb_pack_inputs_free(&c.in);
	free(c.order);
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
	err = kb_entries_open(&s, o->manifest, &o->sel, o->upstreams, o->workdir);
	if (!err)
		err = kb_pack_entries(&s, s.sel, o->jobs, o->mtime, st);
	kb_entries_free(&s);
	return err;
}
