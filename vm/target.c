/* target.c — manifest entries (or a bundle given directly) to boot: the
 * entries come from pipeline/entries.c, their bundles packed and their
 * kernel image packages fetched through the cache; their modules packages
 * later, on demand (kb_vm_target_modpkgs). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "bundles/bundle.h"
#include "bundles/bundle_meta.h"
#include "bundles/bundle_path.h"
#include "crawler/distro.h"
#include "manifest/manifest.h"
#include "pipeline/entries.h"
#include "pipeline/pack_run.h"
#include "lib/arch.h"
#include "vm/busybox.h"
#include "vm/hosttools.h"
#include "vm/initramfs.h"
#include "vm/modbuild.h"
#include "vm/target.h"

static bool kb_vm_is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int kb_vm_targets_direct(const struct kb_vmtest_opts *o, struct kb_vm_targets *ts)
{
	struct kb_vm_target *t = kb_xcalloc(1, sizeof(*t));
	char hex[KB_SHA256_HEX_LEN + 1];
	struct kb_bundle_meta bm;
	const struct kb_distro *d;
	int err;

	t->id = kb_bundle_id_of(o->bundle);
	t->bundle = kb_xstrdup(o->bundle);
	if (!kb_vm_is_file(o->bundle)) {
		kb_error("%s: no such bundle", o->bundle);
		err = -KB_EUSAGE;
		goto out;
	}
	if (kb_bundle_meta_peek(o->bundle, &bm) == 0) {
		t->release = bm.uname;
		t->distro = bm.distro;
		t->arch = kb_vm_arch_find(bm.arch);
		bm.uname = bm.distro = NULL;
		kb_bundle_meta_free(&bm);
	}
	/* A bundle without BUNDLE_ARCH is the host's (as before it had one). */
	if (!t->arch)
		t->arch = kb_vm_arch_find(kb_arch_host());
	d = t->distro ? kb_distro_find(t->distro) : NULL;
	if (d)
		t->family = d->family;
	t->images = kb_xcalloc(o->nimages + 1, sizeof(char *));
	for (size_t i = 0; i < o->nimages; i++) {
		if (!kb_vm_is_file(o->images[i])) {
			kb_error("%s: no such package", o->images[i]);
			err = -KB_EUSAGE;
			goto out;
		}
		t->images[t->nimages++] = kb_xstrdup(o->images[i]);
	}
	if (!o->nimages) {
		t->error = kb_xstrdup("no kernel image given (--image PACKAGE)");
	} else if (!t->arch || kb_vm_arch_foreign(t->arch->debian)) {
		t->error = kb_xasprintf("bundle %s: not a kernel of this host's architecture (%s): "
					"select it from the manifest, whose upstream gives the "
					"guest its busybox-static", o->bundle, kb_arch_host());
	} else if (!d) {
		t->error = kb_xasprintf("bundle %s: its distro (BUNDLE_DISTRO %s) is not one kbundle "
					"knows, so how to read --image is unknown", o->bundle,
					t->distro ? t->distro : "missing");
	} else {
		err = kb_sha256_file(o->images[0], hex, NULL);
		if (err) {
			kb_error("%s: %s", o->images[0], kb_strerror(err));
			goto out;
		}
		t->image_key = kb_xstrdup(hex);
	}
	t->busybox = kb_xstrdup(KB_VM_BUSYBOX);
	ts->v = t;
	ts->n = 1;
	return 0;
out:
	ts->v = t;
	ts->n = 1;
	kb_vm_targets_free(ts);
	return err;
}

static void kb_vm_target_from(const struct kb_vmtest_opts *o, const struct kb_bundle_entry *e,
			      struct kb_vm_target *t)
{
	char *dir = kb_path_join(o->workdir, "bundles");

	t->id = kb_xstrdup(e->id);
	t->distro = kb_xstrdup(e->distro);
	t->arch = kb_vm_arch_find(e->arch);
	t->family = e->family;
	t->release = kb_xstrdup(e->release);
	t->bundle = kb_bundle_find_path(dir, e->id);
	free(dir);
}

/* Pack the bundles not packed yet, with pack's own core over the same
 * selection (which may be narrower than pack's selectors, e.g. --latest). */
static void kb_vm_pack_missing(const struct kb_vmtest_opts *o, struct kb_entries *s,
			       struct kb_vm_target *v, const size_t *idx, size_t n)
{
	bool *missing = kb_xcalloc(s->m.n ? s->m.n : 1, sizeof(*missing));
	struct kb_pack_stats st;
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		if (kb_vm_is_file(v[i].bundle))
			continue;
		kb_info("%s: packing its bundle first", v[i].release);
		missing[idx[i]] = any = true;
	}
	if (any)	/* a failure shows as the missing bundle */
		kb_pack_entries(s, missing, o->jobs > 1 ? o->jobs : 1, 0, &st);
	for (size_t i = 0; any && i < n; i++) {
		char *dir;

		if (!missing[idx[i]])
			continue;
		/* packed with an alternate package, it has another id */
		dir = kb_path_join(o->workdir, "bundles");
		free(v[i].bundle);
		v[i].bundle = kb_bundle_find_path(dir, s->m.v[idx[i]].id);
		free(dir);
	}
	free(missing);
}

/* The kernel image packages of every selected entry, in the cache
 * (downloaded from the entry's upstream mirrors when it lacks them,
 * verified against the manifest's size and sha256). A package that could
 * not be had stays on the target by its cache path: the check says why. */
static void kb_vm_fetch_images(const struct kb_vmtest_opts *o, struct kb_entries *s,
			       struct kb_vm_target *v, const size_t *idx, size_t n)
{
	struct kb_entries_pkgs imgs;

	kb_entries_fetch(s, s->sel, KB_ENTRIES_IMAGE, o->jobs, &imgs);
	for (size_t i = 0; i < n; i++) {
		size_t first = imgs.first[idx[i]], end = imgs.first[idx[i] + 1];

		v[i].images = kb_xcalloc(end - first + 1, sizeof(char *));
		for (size_t k = first; k < end; k++) {
			if (!v[i].image_key)
				v[i].image_key = kb_xstrdup(imgs.v[k].sha256);
			v[i].images[v[i].nimages++] = kb_xstrdup(imgs.v[k].object);
		}
	}
	kb_entries_pkgs_free(&imgs);
}

/* Each target's busybox: the host's for the host's architecture, else
 * busybox-static of its architecture from its upstream, once per
 * (upstream, architecture). */
static void kb_vm_fetch_busyboxes(struct kb_entries *s, struct kb_vm_target *v, const size_t *idx,
				  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct kb_bundle_entry *e = &s->m.v[idx[i]];
		const struct kb_strv *mirrors = NULL;
		const struct kb_upstream *up;

		if (v[i].error)
			continue;
		if (!kb_vm_arch_foreign(v[i].arch->debian)) {
			v[i].busybox = kb_xstrdup(KB_VM_BUSYBOX);
			continue;
		}
		for (size_t j = 0; j < i && !v[i].busybox; j++)
			if (v[j].busybox && v[j].arch == v[i].arch &&
			    !strcmp(s->m.v[idx[j]].upstream, e->upstream))
				v[i].busybox = kb_xstrdup(v[j].busybox);
		if (v[i].busybox)
			continue;
		up = kb_upstream_set_find(&s->ups, e->upstream, &mirrors);
		if (up && kb_vm_busybox_get(&s->cache, up, mirrors, v[i].arch->debian,
					    &v[i].busybox) == 0)
			continue;
		v[i].error = kb_xasprintf("no busybox-static for %s from upstream %s (%s): the "
					  "guest has nothing to run", v[i].arch->debian, e->upstream,
					  up ? "see the error above" : "its upstream file is not loaded");
	}
}

/* What still keeps a target from booting, in words. */
static void kb_vm_target_check(struct kb_vm_target *t, const struct kb_bundle_entry *e)
{
	if (!t->nimages)
		t->error = kb_xasprintf("no kernel image in the manifest entry %.12s (%s): "
					"nothing to boot", e->id, e->release);
	else if (!kb_vm_is_file(t->images[0]))
		t->error = kb_xasprintf("the kernel image package for %s is not in the cache "
					"and could not be downloaded (%s)", e->release, t->images[0]);
	else if (!kb_vm_is_file(t->bundle))
		t->error = kb_xasprintf("bundle %s is missing and could not be packed", t->bundle);
}

/* The host tools the selected targets need (each architecture's QEMU, and
 * make for the module builds): a missing one is a configuration error,
 * said before anything is fetched, naming the Debian package to install. */
static int kb_vm_targets_tools(const struct kb_vmtest_opts *o, const struct kb_vm_targets *ts)
{
	int err = 0;

	if (!kb_proc_have("make")) {
		kb_error("make: not installed; apt-get install make (module builds need it)");
		err = -KB_EUSAGE;
	}
	for (size_t i = 0; i < ts->n && !o->build_only; i++) {
		const struct kb_vm_arch *a = ts->v[i].arch;
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = ts->v[k].arch == a;
		if (!seen && a && !kb_proc_have(a->qemu)) {
			kb_error("%s: not installed, and %s needs it to boot; apt-get install %s",
				 a->qemu, ts->v[i].release ? ts->v[i].release : a->debian, a->qemu_pkg);
			err = -KB_EUSAGE;
		}
	}
	return err;
}

int kb_vm_targets_select(const struct kb_vmtest_opts *o, struct kb_vm_targets *ts)
{
	struct kb_entries *s;
	size_t *idx = NULL;
	int err;

	memset(ts, 0, sizeof(*ts));
	ts->o = o;
	pthread_mutex_init(&ts->lock, NULL);
	if (o->bundle)
		return kb_vm_targets_direct(o, ts);
	s = ts->entries = kb_xcalloc(1, sizeof(*s));
	/* A manifest that cannot be read is a configuration error (exit 2). */
	s->limits = o->limits;
	err = kb_entries_select(s, o->manifest, &o->sel) ? -KB_EUSAGE : 0;
	if (err)
		goto out;
	ts->v = kb_xcalloc(s->m.n ? s->m.n : 1, sizeof(*ts->v));
	idx = kb_xcalloc(s->m.n ? s->m.n : 1, sizeof(*idx));
	for (size_t i = 0; i < s->m.n; i++) {
		if (s->sel[i] && !o->build_only && !kb_vm_arch_find(s->m.v[i].arch)) {
			kb_debug("%s (%s): no VM for this architecture, skipped", s->m.v[i].release,
				 s->m.v[i].arch);
			s->sel[i] = false;
		}
		if (s->sel[i]) {
			idx[ts->n] = i;
			ts->v[ts->n].entry = i;
			kb_vm_target_from(o, &s->m.v[i], &ts->v[ts->n++]);
		}
	}
	if (!ts->n) {
		if (o->build_only)
			kb_error("%s: no entry matches the selection", o->manifest);
		else
			kb_error("%s: no entry of an architecture vmtest boots (%s) matches the "
				 "selection", o->manifest, kb_vm_arch_names());
		err = -KB_EUSAGE;
		goto out;
	}
	err = kb_vm_targets_tools(o, ts);
	if (err)
		goto out;
	if (o->preview) {	/* what a run would fetch; nothing locked or made */
		kb_preview_entries(s, o->workdir, !o->build_only, o->preview);
		goto out;
	}
	/* The packages come through the cache, under its lock; failures from
	 * here on are per entry: the entries still report why. */
	err = kb_entries_open_cache(s, o->workdir);
	if (err)
		goto out;
	kb_entries_load_upstreams(s, o->upstreams);	/* without: the cache alone */
	kb_vm_pack_missing(o, s, ts->v, idx, ts->n);
	if (!o->build_only)
		kb_vm_fetch_images(o, s, ts->v, idx, ts->n);
	for (size_t i = 0; i < ts->n; i++) {
		const struct kb_bundle_entry *e = &s->m.v[idx[i]];
		const struct kb_upstream *up = kb_upstream_set_find(&s->ups, e->upstream, NULL);

		ts->v[i].os_release = kb_xstrdup(up && up->release ? up->release : e->upstream);
		if (!o->build_only)
			kb_vm_target_check(&ts->v[i], e);
		else if (!kb_vm_is_file(ts->v[i].bundle))
			ts->v[i].error = kb_xasprintf("bundle %s is missing and could not be packed",
						      ts->v[i].bundle);
	}
	if (!o->build_only)
		kb_vm_fetch_busyboxes(s, ts->v, idx, ts->n);
	kb_entries_close_cache(s);	/* until a modules package is wanted */
out:
	free(idx);
	if (err)
		kb_vm_targets_free(ts);
	return err;
}

/* How many modules packages the entry lists. */
static size_t kb_vm_entry_modpkgs(const struct kb_bundle_entry *e)
{
	size_t n = 0;

	for (size_t k = 0; k < e->nimages; k++)
		n += e->images[k].kind == KB_KIND_MODULES;
	return n;
}

void kb_vm_target_modpkgs(struct kb_vm_targets *ts, struct kb_vm_target *t)
{
	struct kb_entries *s = ts->entries;
	struct kb_entries_pkgs p = { 0 };
	bool *want = NULL;

	pthread_mutex_lock(&ts->lock);
	if (t->modpkgs_done || !s || !kb_vm_entry_modpkgs(&s->m.v[t->entry]))
		goto out;
	if (kb_entries_open_cache(s, ts->o->workdir) != 0)
		goto out;
	want = kb_xcalloc(s->m.n, sizeof(*want));
	want[t->entry] = true;
	kb_entries_fetch(s, want, KB_ENTRIES_MODULES, ts->o->jobs, &p);
	kb_entries_close_cache(s);
	t->modpkgs = kb_xcalloc(p.n + 1, sizeof(*t->modpkgs));
	for (size_t k = 0; k < p.n; k++) {
		if (p.v[k].err) {
			kb_warn("%s: %s could not be had: its modules are not loaded", t->release,
				p.v[k].name);
			continue;
		}
		t->modpkgs[t->nmodpkgs++] = kb_xstrdup(p.v[k].object);
	}
	kb_info("%s: the kernel's modules packages: %zu in the cache, %zu downloaded",
		t->release, t->nmodpkgs, p.downloaded);
out:
	t->modpkgs_done = true;
	pthread_mutex_unlock(&ts->lock);
	free(want);
	kb_entries_pkgs_free(&p);
}

static void kb_vm_targets_free_one(struct kb_vm_target *t)
{
	free(t->id);
	free(t->distro);
	free(t->busybox);
	free(t->release);
	free(t->os_release);
	free(t->bundle);
	for (size_t j = 0; j < t->nimages; j++)
		free(t->images[j]);
	free(t->images);
	for (size_t j = 0; j < t->nmodpkgs; j++)
		free(t->modpkgs[j]);
	free(t->modpkgs);
	free(t->image_key);
	free(t->error);
	memset(t, 0, sizeof(*t));
}

void kb_vm_targets_free(struct kb_vm_targets *ts)
{
	for (size_t i = 0; ts->v && i < ts->n; i++)
		kb_vm_targets_free_one(&ts->v[i]);
	free(ts->v);
	if (ts->entries)
		kb_entries_free(ts->entries);
	free(ts->entries);
	pthread_mutex_destroy(&ts->lock);
	memset(ts, 0, sizeof(*ts));
}
