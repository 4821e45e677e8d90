/* target.c — manifest entries (or a bundle given directly) to boot. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "bundles/pack_run.h"
#include "cache/cache.h"
#include "crawler/upstream.h"
#include "manifest/manifest.h"
#include "manifest/select.h"
#include "vm/modbuild.h"
#include "vm/target.h"

static bool kb_vm_is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *kb_vm_object(const char *workdir, const char *sha)
{
	return kb_xasprintf("%s/cache/objects/%.2s/%s", workdir, sha, sha);
}

static int kb_vm_targets_direct(const struct kb_vmtest_opts *o, struct kb_vm_target **out,
				size_t *n)
{
	struct kb_vm_target *t = kb_xcalloc(1, sizeof(*t));
	char hex[KB_SHA256_HEX_LEN + 1];
	const char *base = strrchr(o->bundle, '/');
	int err;

	t->id = kb_xstrdup(base ? base + 1 : o->bundle);
	if (strstr(t->id, ".tgz"))
		*strstr(t->id, ".tgz") = '\0';
	t->bundle = kb_xstrdup(o->bundle);
	if (!kb_vm_is_file(o->bundle)) {
		kb_error("%s: no such bundle", o->bundle);
		err = -KB_EUSAGE;
		goto out;
	}
	kb_vm_bundle_peek(o->bundle, &t->release, &t->distro);
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
	} else {
		err = kb_sha256_file(o->images[0], hex, NULL);
		if (err) {
			kb_error("%s: %s", o->images[0], kb_strerror(err));
			goto out;
		}
		t->image_key = kb_xstrdup(hex);
	}
	*out = t;
	*n = 1;
	return 0;
out:
	kb_vm_targets_free(t, 1);
	return err;
}

/* The VM stage boots x86-64 kernels (qemu-system-x86_64). */
static bool kb_vm_bootable(const struct kb_bundle_entry *e)
{
	return !strcmp(e->arch, "amd64") || !strcmp(e->arch, "x86_64");
}

static void kb_vm_target_from(const struct kb_vmtest_opts *o, const struct kb_bundle_entry *e,
			      struct kb_vm_target *t)
{
	t->id = kb_xstrdup(e->id);
	t->distro = kb_xstrdup(e->distro);
	t->release = kb_xstrdup(e->release);
	t->bundle = kb_xasprintf("%s/bundles/%s.tgz", o->workdir, e->id);
	t->images = kb_xcalloc(e->nimages + 1, sizeof(char *));
	for (size_t i = 0; i < e->nimages; i++) {
		/* The image package proper; the kernel is never in a modules package. */
		if (e->images[i].kind != KB_KIND_IMAGE)
			continue;
		if (!t->image_key)
			t->image_key = kb_xstrdup(e->images[i].sha256);
		t->images[t->nimages++] = kb_vm_object(o->workdir, e->images[i].sha256);
	}
}

/* Pack what is not packed yet, with pack's own core, one entry at a time
 * (the selection may be narrower than pack's selectors, e.g. --latest). */
static void kb_vm_pack_missing(const struct kb_vmtest_opts *o, const struct kb_vm_target *v,
			       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct kb_pack_opts po = {
			.manifest = o->manifest, .upstreams = o->upstreams, .workdir = o->workdir,
			.sel = { .id = v[i].id }, .jobs = o->jobs > 1 ? o->jobs : 1, .mtime = 0,
			.limits = o->limits,
		};
		struct kb_pack_stats st;

		if (kb_vm_is_file(v[i].bundle))
			continue;
		kb_info("%s: packing its bundle first", v[i].release);
		kb_pack_run(&po, &st);	/* a failure shows as the missing bundle */
	}
}

/* Download the kernel image packages the cache lacks, from the entry's
 * upstream mirrors, verified against the manifest's sha256. */
static int kb_vm_fetch_images(const struct kb_vmtest_opts *o, const struct kb_manifest *m,
			      const bool *sel)
{
	struct kb_upstream_set ups = { 0 };
	struct kb_fetch *f = NULL;
	struct kb_cache cache = { 0 };
	size_t nf = 0;
	int err = 0;

	for (size_t i = 0; i < m->n; i++)
		for (size_t k = 0; sel[i] && k < m->v[i].nimages; k++) {
			char *p = kb_vm_object(o->workdir, m->v[i].images[k].sha256);

			nf += m->v[i].images[k].kind == KB_KIND_IMAGE && !kb_vm_is_file(p);
			free(p);
		}
	if (!nf)
		return 0;
	err = kb_upstream_set_load(o->upstreams, o->limits, &ups);
	if (err)
		goto out;
	f = kb_xcalloc(nf, sizeof(*f));
	nf = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct kb_strv *mv = NULL;

		if (sel[i])
			kb_upstream_set_find(&ups, m->v[i].upstream, &mv);
		for (size_t k = 0; mv && k < m->v[i].nimages; k++)
			if (m->v[i].images[k].kind == KB_KIND_IMAGE)
				f[nf++] = (struct kb_fetch){ .pkg = &m->v[i].images[k], .mirrors = mv };
	}
	err = kb_cache_open(&cache, o->workdir);
	if (!err)
		err = kb_cache_fetch_all(&cache, f, nf, o->jobs > 1 ? o->jobs : 1);
out:
	if (cache.workdir)
		kb_cache_close(&cache);
	for (size_t i = 0; i < nf; i++)
		free(f[i].path);
	free(f);
	kb_upstream_set_free(&ups);
	return err;
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

int kb_vm_targets(const struct kb_vmtest_opts *o, struct kb_vm_target **out, size_t *n)
{
	struct kb_manifest m = { 0 };
	bool *sel = NULL;
	size_t *idx = NULL, nsel = 0;
	int err;

	*out = NULL;
	*n = 0;
	if (o->bundle)
		return kb_vm_targets_direct(o, out, n);
	/* A manifest that cannot be read is a configuration error (exit 2). */
	err = kb_manifest_load(o->manifest, o->limits, &m) ? -KB_EUSAGE : 0;
	if (err)
		goto out;
	sel = kb_xcalloc(m.n ? m.n : 1, sizeof(*sel));
	err = kb_select_entries(&m, &o->sel, sel, &nsel);
	if (err)
		goto out;
	*out = kb_xcalloc(m.n ? m.n : 1, sizeof(**out));
	idx = kb_xcalloc(m.n ? m.n : 1, sizeof(*idx));
	for (size_t i = 0; i < m.n; i++) {
		if (sel[i] && !kb_vm_bootable(&m.v[i])) {
			kb_debug("%s (%s): not an x86-64 kernel, skipped", m.v[i].release, m.v[i].arch);
			sel[i] = false;
		}
		if (sel[i]) {
			idx[*n] = i;
			kb_vm_target_from(o, &m.v[i], &(*out)[(*n)++]);
		}
	}
	if (!*n) {
		kb_error("%s: no x86-64 entry matches the selection", o->manifest);
		err = -KB_EUSAGE;
		goto out;
	}
	/* Failures here are per entry: the entries still report why. */
	kb_vm_pack_missing(o, *out, *n);
	kb_vm_fetch_images(o, &m, sel);
	for (size_t i = 0; i < *n; i++)
		kb_vm_target_check(&(*out)[i], &m.v[idx[i]]);
out:
	free(sel);
	free(idx);
	kb_manifest_free(&m);
	return err;
}

static void kb_vm_targets_free_one(struct kb_vm_target *t)
{
	free(t->id);
	free(t->distro);
	free(t->release);
	free(t->bundle);
	for (size_t j = 0; j < t->nimages; j++)
		free(t->images[j]);
	free(t->images);
	free(t->image_key);
	free(t->error);
	memset(t, 0, sizeof(*t));
}

void kb_vm_targets_free(struct kb_vm_target *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		kb_vm_targets_free_one(&v[i]);
	free(v);
}
