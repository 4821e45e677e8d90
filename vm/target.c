/* target.c — manifest entries (or a bundle given directly) to boot. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/vercmp.h"
#include "bundles/pack_run.h"
#include "cache/cache.h"
#include "crawler/upstream.h"
#include "manifest/manifest.h"
#include "vm/modbuild.h"
#include "vm/target.h"

static void kb_vm_targets_free_one(struct kb_vm_target *t);

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

static bool kb_vm_selected(const struct kb_vmtest_opts *o, const struct kb_bundle_entry *e,
			   const regex_t *re)
{
	if (o->id && strncmp(e->id, o->id, strlen(o->id)))
		return false;
	if (o->distro && strcmp(e->distro, o->distro))
		return false;
	if (re && regexec(re, e->release, 0, NULL, 0) != 0)
		return false;
	if (!kb_vm_bootable(e)) {
		kb_debug("%s (%s): not an x86-64 kernel, skipped", e->release, e->arch);
		return false;
	}
	return true;
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
			.id = v[i].id, .jobs = o->jobs > 1 ? o->jobs : 1, .mtime = 0,
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
	struct kb_upstream *ups = NULL;
	struct kb_strv *mirrors = NULL;
	struct kb_fetch *f = NULL;
	struct kb_cache cache = { 0 };
	size_t nups = 0, nf = 0;
	int err = 0;

	for (size_t i = 0; i < m->n; i++)
		for (size_t k = 0; sel[i] && k < m->v[i].nimages; k++) {
			char *p = kb_vm_object(o->workdir, m->v[i].images[k].sha256);

			nf += m->v[i].images[k].kind == KB_KIND_IMAGE && !kb_vm_is_file(p);
			free(p);
		}
	if (!nf)
		return 0;
	err = kb_upstream_load_dir(o->upstreams, &ups, &nups);
	if (err)
		goto out;
	mirrors = kb_xcalloc(nups ? nups : 1, sizeof(*mirrors));
	for (size_t u = 0; u < nups; u++)
		kb_upstream_mirrors_all(&ups[u], &mirrors[u]);
	f = kb_xcalloc(nf, sizeof(*f));
	nf = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct kb_strv *mv = NULL;

		for (size_t u = 0; sel[i] && u < nups; u++)
			if (!strcmp(ups[u].name, m->v[i].upstream))
				mv = &mirrors[u];
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
	for (size_t u = 0; mirrors && u < nups; u++)
		kb_strv_free(&mirrors[u]);
	free(mirrors);
	kb_upstreams_free(ups, nups);
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

/* Package versions compare by the family's rules: RPM paths end in .rpm. */
static int kb_vm_vercmp(const struct kb_bundle_entry *a, const struct kb_bundle_entry *b)
{
	const char *p = a->nheaders ? a->headers[0].path : "";
	size_t l = strlen(p);

	if (l > 4 && !strcmp(p + l - 4, ".rpm"))
		return kb_rpm_vercmp(a->version, b->version);
	return kb_deb_vercmp(a->version, b->version);
}

/* A kernel's flavour: the trailing dash-separated words of its release that
 * start with a letter ("cloud-amd64" in 6.12.117+deb12-cloud-amd64,
 * "generic" in 6.8.0-45-generic); "" when there are none (RPM releases). */
static const char *kb_vm_flavour(const char *release)
{
	const char *f = release + strlen(release);

	for (const char *p = f; p > release; p--)
		if (p[-1] == '-') {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
				break;
			f = p;
		}
	return f;
}

/* Same upstream, architecture and flavour: one line of kernels. */
static bool kb_vm_same_line(const struct kb_bundle_entry *a, const struct kb_bundle_entry *b)
{
	return !strcmp(a->upstream, b->upstream) && !strcmp(a->arch, b->arch) &&
	       !strcmp(kb_vm_flavour(a->release), kb_vm_flavour(b->release));
}

/* --latest: of the selected entries, only the newest of each line. */
static void kb_vm_keep_latest(const struct kb_manifest *m, struct kb_vm_target *v, size_t *idx,
			      size_t *n)
{
	size_t keep = 0;

	for (size_t i = 0; i < *n; i++) {
		const struct kb_bundle_entry *e = &m->v[idx[i]];
		bool newest = true;

		for (size_t j = 0; j < *n && newest; j++) {
			const struct kb_bundle_entry *f = &m->v[idx[j]];
			int c = kb_vm_vercmp(f, e);

			if (j != i && kb_vm_same_line(f, e) &&
			    (c > 0 || (c == 0 && strcmp(f->release, e->release) > 0)))
				newest = false;
		}
		if (newest) {
			struct kb_vm_target t = v[i];

			v[i] = v[keep];
			v[keep] = t;
			idx[keep++] = idx[i];
		} else {
			kb_vm_targets_free_one(&v[i]);
		}
	}
	*n = keep;
}

int kb_vm_targets(const struct kb_vmtest_opts *o, struct kb_vm_target **out, size_t *n)
{
	struct kb_manifest m = { 0 };
	bool *sel = NULL;
	size_t *idx = NULL;
	regex_t re;
	bool have_re = false;
	int err;

	*out = NULL;
	*n = 0;
	if (o->bundle)
		return kb_vm_targets_direct(o, out, n);
	if (o->release_re) {
		if (regcomp(&re, o->release_re, REG_EXTENDED | REG_NOSUB) != 0) {
			kb_error("--release '%s': not a valid regular expression", o->release_re);
			return -KB_EUSAGE;
		}
		have_re = true;
	}
	/* A manifest that cannot be read is a configuration error (exit 2). */
	err = kb_manifest_load(o->manifest, &m) ? -KB_EUSAGE : 0;
	if (err)
		goto out;
	*out = kb_xcalloc(m.n ? m.n : 1, sizeof(**out));
	sel = kb_xcalloc(m.n ? m.n : 1, sizeof(*sel));
	idx = kb_xcalloc(m.n ? m.n : 1, sizeof(*idx));
	for (size_t i = 0; i < m.n; i++) {
		sel[i] = kb_vm_selected(o, &m.v[i], have_re ? &re : NULL);
		if (sel[i]) {
			idx[*n] = i;
			kb_vm_target_from(o, &m.v[i], &(*out)[(*n)++]);
		}
	}
	if (o->latest) {
		kb_vm_keep_latest(&m, *out, idx, n);
		memset(sel, 0, m.n * sizeof(*sel));
		for (size_t i = 0; i < *n; i++)
			sel[idx[i]] = true;
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
	if (have_re)
		regfree(&re);
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
