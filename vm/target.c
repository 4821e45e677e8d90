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
#include "manifest/manifest.h"
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

static bool kb_vm_selected(const struct kb_vmtest_opts *o, const struct kb_bundle_entry *e,
			   const regex_t *re)
{
	if (o->id && strncmp(e->id, o->id, strlen(o->id)))
		return false;
	if (o->distro && strcmp(e->distro, o->distro))
		return false;
	return !re || regexec(re, e->release, 0, NULL, 0) == 0;
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
		/* The image package proper first; a modules package may follow. */
		if (e->images[i].kind != KB_KIND_IMAGE)
			continue;
		if (!t->image_key)
			t->image_key = kb_xstrdup(e->images[i].sha256);
		t->images[t->nimages++] = kb_vm_object(o->workdir, e->images[i].sha256);
	}
	if (!t->nimages)
		t->error = kb_xasprintf("no kernel image in the manifest entry %.12s (%s): "
					"nothing to boot", e->id, e->release);
	else if (!kb_vm_is_file(t->images[0]))
		t->error = kb_xasprintf("the kernel image package %s is not in the cache "
					"(%s); run `kbundle pack` for this entry first",
					e->images[0].name, t->images[0]);
	else if (!kb_vm_is_file(t->bundle))
		t->error = kb_xasprintf("bundle %s is missing; run `kbundle pack --id %.12s`",
					t->bundle, e->id);
}

int kb_vm_targets(const struct kb_vmtest_opts *o, struct kb_vm_target **out, size_t *n)
{
	struct kb_manifest m = { 0 };
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
	err = kb_manifest_load(o->manifest, &m);
	if (err)
		goto out;
	*out = kb_xcalloc(m.n ? m.n : 1, sizeof(**out));
	for (size_t i = 0; i < m.n; i++)
		if (kb_vm_selected(o, &m.v[i], have_re ? &re : NULL))
			kb_vm_target_from(o, &m.v[i], &(*out)[(*n)++]);
	if (!*n) {
		kb_error("%s: no entry matches the selection", o->manifest);
		err = -KB_EUSAGE;
	}
out:
	if (have_re)
		regfree(&re);
	kb_manifest_free(&m);
	return err;
}

void kb_vm_targets_free(struct kb_vm_target *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].id);
		free(v[i].distro);
		free(v[i].release);
		free(v[i].bundle);
		for (size_t j = 0; j < v[i].nimages; j++)
			free(v[i].images[j]);
		free(v[i].images);
		free(v[i].image_key);
		free(v[i].error);
	}
	free(v);
}
