/* btf_pack.c — BTF artifacts beside packed bundles (see btf_pack.h): image
 * package → vm/kernel.c's kernel cache → vm/kernel_btf.c → bundles/. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundles/btf_artifact.h"
#include "bundles/bundle.h"
#include "btf/btf.h"
#include "bundles/bundle_path.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/arch_vm.h"
#include "vm/btf_pack.h"
#include "vm/kernel.h"
#include "vm/kernel_btf.h"

/* The BTF of entry e's kernel (entry i of imgs) in the kernel cache:
 * *btf, or *why it has none (-KB_ENOTFOUND) or could not be read. */
static int kb_vm_btf_of(const char *kcache, const struct kb_bundle_entry *e,
			const struct kb_entries_pkgs *imgs, size_t i, char **btf, char **why)
{
	size_t first = imgs->first[i], end = imgs->first[i + 1], n = 0;
	const struct kb_vm_arch *va = kb_vm_arch_find(e->arch);
	const char **pkgs = kb_xcalloc(end - first + 1, sizeof(*pkgs));
	char *boot = NULL, *krel = NULL;
	int err;

	*btf = *why = NULL;
	for (size_t k = first; k < end; k++)
		if (!imgs->v[k].err)
			pkgs[n++] = imgs->v[k].object;
	if (!n) {
		/* a failure (said by the cache), not a kernel without BTF */
		*why = kb_xasprintf("no kernel image package of %s could be had", e->release);
		err = -KB_EHTTP;
		goto out;
	}
	err = kb_vm_kernel_get(kcache, imgs->v[first].sha256, e->family, pkgs, n, e->release,
			       va && va->pvh, &boot, &krel);
	if (err)
		*why = kb_xasprintf("the kernel image of %s could not be read (%s)", e->release,
				    kb_strerror(err));
	else
		err = kb_vm_kernel_btf(kcache, imgs->v[first].sha256, btf, why);
out:
	free(pkgs);
	free(boot);
	free(krel);
	return err;
}

/* One entry's artifact beside its bundle (packed with an alternate: the
 * bundle's own id). */
static int kb_vm_btf_one(const char *bundles, const char *kcache, const struct kb_bundle_entry *e,
			 const struct kb_entries_pkgs *imgs, size_t i, struct kb_btf_stats *st)
{
	char *btf = NULL, *why = NULL, *have = NULL;
	struct kb_bundle_info bi;
	struct stat sb;
	int err = 0;

	if (kb_bundle_find(bundles, e->id, &bi) != 0)
		goto out;	/* not packed: its pack error was reported */
	have = kb_btf_path(bundles, bi.id);
	if (stat(have, &sb) == 0) {
		st->present++;
		goto out;
	}
	err = kb_vm_btf_of(kcache, e, imgs, i, &btf, &why);
	if (!err) {
		err = kb_btf_artifact_put(bundles, bi.id, btf);
		if (!err) {
			kb_info("%s: BTF written beside bundle %s", e->release, bi.id);
			st->made++;
		}
	} else if (err == -KB_ENOTFOUND) {
		/* a kernel without BTF: said per kernel, in the index too */
		kb_warn("%s (%s): no BTF: %s", e->release, bi.id, why);
		err = kb_btf_artifact_none(bundles, bi.id, why);
		st->none++;
	} else {
		kb_error("%s (%s): no BTF artifact: %s", e->release, bi.id,
			 why ? why : kb_strerror(err));
	}
	if (err)
		st->failed++;
out:
	free(btf);
	free(why);
	free(have);
	return err;
}

int kb_vm_btf_entries(struct kb_entries *s, const bool *which, int jobs, struct kb_btf_stats *st)
{
	char *bundles = kb_path_join(s->cache.workdir, "bundles");
	char *kcache = kb_cache_dir(s->cache.workdir, "kernels");
	struct kb_entries_pkgs imgs = { 0 };
	int err = 0, ierr;

	memset(st, 0, sizeof(*st));
	kb_entries_fetch(s, which, KB_ENTRIES_IMAGE, jobs, &imgs);
	for (size_t i = 0; i < s->m.n; i++) {
		int e;

		if (!which[i])
			continue;
		e = kb_vm_btf_one(bundles, kcache, &s->m.v[i], &imgs, i, st);
		if (e && !err)
			err = e;
	}
	ierr = kb_bundle_index_write(bundles, &s->m);
	if (!err)
		err = ierr;
	kb_entries_pkgs_free(&imgs);
	free(bundles);
	free(kcache);
	return err;
}

int kb_vm_btf_min_core(struct kb_entries *s, const bool *which, int jobs,
		       const char *const *objs, size_t nobjs, const char *outdir,
		       struct kb_btf_stats *st)
{
	char *kcache = kb_cache_dir(s->cache.workdir, "kernels");
	struct kb_entries_pkgs imgs = { 0 };
	int err = 0;

	memset(st, 0, sizeof(*st));
	kb_entries_fetch(s, which, KB_ENTRIES_IMAGE, jobs, &imgs);
	for (size_t i = 0; i < s->m.n; i++) {
		const struct kb_bundle_entry *e = &s->m.v[i];
		char *btf = NULL, *why = NULL, *dir = NULL, *out = NULL;
		int r;

		if (!which[i])
			continue;
		r = kb_vm_btf_of(kcache, e, &imgs, i, &btf, &why);
		if (r) {
			kb_error("%s: no min-core BTF: %s", e->release, why ? why : kb_strerror(r));
			st->none += r == -KB_ENOTFOUND;
		} else {
			dir = kb_path_join(outdir, e->arch);
			out = kb_xasprintf("%s/%s.btf", dir, e->release);
			r = kb_mkdir_p(dir, 0755);
			if (r)
				kb_error("%s: %s", dir, kb_strerror(r));
			else
				r = kb_btf_min_core(btf, objs, nobjs, out);
			if (!r) {
				kb_info("%s: min-core BTF %s", e->release, out);
				st->made++;
			}
		}
		if (r) {
			st->failed++;
			err = err ? err : r;
		}
		free(btf);
		free(why);
		free(dir);
		free(out);
	}
	kb_entries_pkgs_free(&imgs);
	free(kcache);
	return err;
}

int kb_vm_btf_run(const struct kb_pack_opts *o, const char *const *objs, size_t nobjs,
		  const char *outdir, struct kb_btf_stats *st)
{
	struct kb_entries s = { 0 };
	int err;

	memset(st, 0, sizeof(*st));
	s.limits = o->limits;
	err = kb_entries_open(&s, o->manifest, &o->sel, o->upstreams, o->workdir);
	if (!err && objs)
		err = kb_vm_btf_min_core(&s, s.sel, o->jobs, objs, nobjs, outdir, st);
	else if (!err)
		err = kb_vm_btf_entries(&s, s.sel, o->jobs, st);
	kb_entries_free(&s);
	return err;
}
