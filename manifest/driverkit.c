/* driverkit.c — the manifest as falco kernel-crawler's JSON, so a
 * falco/driverkit pipeline can take kbundle's verified crawl as its input.
 *
 * kernel-crawler prints one object keyed by distro ("debian", "ubuntu",
 * "centos", …), each an array of driverkit configs: kernelversion (a
 * string; "1" unless the distro numbers its builds: Ubuntu's upload
 * number), kernelrelease (uname -r), target (driverkit's name of the
 * builder: "debian", "ubuntu-<flavour>", "ol", "redhat", …) and headers
 * (the URLs of the header packages). Written from kbundle's own data: the
 * manifest entry's header packages under its upstream's mirror. */
#include <stdlib.h>
#include <string.h>

#include "crawler/upstream.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "manifest/driverkit.h"

/* kbundle's distro → kernel-crawler's key and driverkit's target. */
static const struct {
	const char *distro, *key, *target;
} kb_dk_distros[] = {
	{ "debian", "debian", "debian" },
	{ "ubuntu", "ubuntu", NULL },	/* ubuntu-<flavour> */
	{ "centos", "centos", "centos" },
	{ "almalinux", "almalinux", "almalinux" },
	{ "rocky", "rocky", "rocky" },
	{ "fedora", "fedora", "fedora" },
	{ "oraclelinux", "ol", "ol" },
	{ "rhel", "redhat", "redhat" },
	{ "opensuse", "opensuse", "opensuse" },
	{ "sles", "sles", "sles" },
	{ "amazonlinux", NULL, NULL },	/* amazonlinux<release> */
};

struct kb_dk_item {
	const struct kb_bundle_entry *e;
	char *key, *target, *version;
};

static int kb_dk_cmp(const void *a, const void *b)
{
	const struct kb_dk_item *x = a, *y = b;
	int c;

	if ((c = strcmp(x->key, y->key)) || (c = strverscmp(x->e->release, y->e->release)) ||
	    (c = strcmp(x->e->arch, y->e->arch)))
		return c;
	return strcmp(x->e->id, y->e->id);
}

/* Ubuntu's flavour is what uname -r has after "X.Y.Z-ABI-" (generic, aws,
 * lowlatency, …); its kernelversion the upload number ending the package
 * version ("5.15.0-91.101" → "101"). */
static void kb_dk_ubuntu(const struct kb_bundle_entry *e, struct kb_dk_item *it)
{
	const char *dash = strchr(e->release, '-');
	const char *flavour = dash ? strchr(dash + 1, '-') : NULL;
	const char *dot = strrchr(e->version, '.');

	it->target = kb_xasprintf("ubuntu-%.*s", flavour ? (int)strcspn(flavour + 1, "-") : 7,
				  flavour ? flavour + 1 : "generic");
	it->version = kb_xstrdup(dot && dot[1] ? dot + 1 : "1");
}

static int kb_dk_item(const struct kb_bundle_entry *e, const struct kb_upstream *u,
		      struct kb_dk_item *it)
{
	size_t i = 0;

	while (i < sizeof(kb_dk_distros) / sizeof(kb_dk_distros[0]) &&
	       strcmp(kb_dk_distros[i].distro, e->distro))
		i++;
	if (i == sizeof(kb_dk_distros) / sizeof(kb_dk_distros[0]))
		return -KB_ENOTFOUND;
	it->e = e;
	if (!strcmp(e->distro, "ubuntu")) {
		kb_dk_ubuntu(e, it);
	} else if (!strcmp(e->distro, "amazonlinux")) {
		it->target = kb_xasprintf("amazonlinux%s", u->release && strcmp(u->release, "1") ? u->release : "");
		it->version = kb_xstrdup("1");
	} else {
		it->target = kb_xstrdup(kb_dk_distros[i].target);
		it->version = kb_xstrdup("1");
	}
	it->key = kb_xstrdup(kb_dk_distros[i].key ? kb_dk_distros[i].key : it->target);
	return 0;
}

/* The mirror a package's path is under. Debian serves security updates
 * from another archive whose pool is pool/updates/: such a path is under
 * the mirror of the upstream's -security suite. */
static char *kb_dk_mirror(const struct kb_upstream *u, const char *path)
{
	const char *suite = u->suites.n ? u->suites.v[0] : NULL;

	if (!strncmp(path, "pool/updates/", 13))
		for (size_t s = 0; s < u->suites.n; s++) {
			size_t n = strlen(u->suites.v[s]);

			if (n > 9 && !strcmp(u->suites.v[s] + n - 9, "-security"))
				suite = u->suites.v[s];
		}
	return u->mirrors.n ? kb_upstream_mirror(u, 0, suite) : NULL;
}

char *kb_driverkit_json(const struct kb_manifest *m, const struct kb_upstream_set *ups,
			size_t *len, int *err)
{
	struct kb_dk_item *items = kb_xcalloc(m->n + 1, sizeof(*items));
	size_t n = 0, skipped = 0;
	struct kb_json j;
	char *out = NULL;

	*err = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct kb_upstream *u = kb_upstream_set_find(ups, m->v[i].upstream, NULL);

		if (!u) {
			kb_error("%s (%s): no upstream file %s.yml for its mirrors", m->v[i].id,
				 m->v[i].release, m->v[i].upstream);
			*err = -KB_ENOTFOUND;
			goto out;
		}
		if (kb_dk_item(&m->v[i], u, &items[n]) == 0)
			n++;
		else
			skipped++;
	}
	if (skipped)
		kb_warn("%zu entries of distros driverkit has no target for are left out", skipped);
	if (n)
		qsort(items, n, sizeof(*items), kb_dk_cmp);
	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	for (size_t i = 0; i < n && !*err; i++) {
		const struct kb_bundle_entry *e = items[i].e;
		const struct kb_upstream *u = kb_upstream_set_find(ups, e->upstream, NULL);

		if (!i || strcmp(items[i - 1].key, items[i].key)) {
			if (i)
				kb_json_arr_end(&j);
			kb_json_arr_begin(&j, items[i].key);
		}
		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "kernelversion", items[i].version);
		kb_json_str(&j, "kernelrelease", e->release);
		kb_json_str(&j, "target", items[i].target);
		kb_json_arr_begin(&j, "headers");
		for (size_t k = 0; k < e->nheaders && !*err; k++) {
			char *base = kb_dk_mirror(u, e->headers[k].path), *url;

			if (!base) {
				kb_error("%s: no mirror for %s", u->path, e->headers[k].path);
				*err = -KB_ENOTFOUND;
				break;
			}
			url = kb_xasprintf("%s/%s", base, e->headers[k].path);
			kb_json_str(&j, NULL, url);
			free(url);
			free(base);
		}
		kb_json_arr_end(&j);
		kb_json_obj_end(&j);
	}
	if (n)
		kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	if (*err)
		kb_json_free(&j);
	else
		out = kb_json_finish(&j, len, err);
out:
	for (size_t i = 0; i < n; i++) {
		free(items[i].key);
		free(items[i].target);
		free(items[i].version);
	}
	free(items);
	return out;
}
