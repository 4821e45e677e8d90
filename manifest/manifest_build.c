/* manifest_build.c — the `kbundle manifest` core: every package list, grouped
 * by its distro's rules into one manifest. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/pkglist.h"
#include "crawler/upstream.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "manifest/group.h"
#include "manifest/manifest.h"

#define KB_LIST_SUFFIX ".list"

static int kb_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The stems of dir's *.list files, sorted bytewise (not by locale). */
static int kb_list_stems(const char *dir, char ***out, size_t *nout)
{
	char **v = NULL;
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	int err = 0;

	if (!d) {
		err = -errno;
		kb_error("%s: %s", dir, kb_strerror(err));
		return err;
	}
	while ((errno = 0, de = readdir(d))) {
		size_t len = strlen(de->d_name), sl = strlen(KB_LIST_SUFFIX);

		if (len <= sl || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - sl, KB_LIST_SUFFIX))
			continue;
		v = kb_xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = kb_xstrndup(de->d_name, len - sl);
	}
	if (errno) {
		err = -errno;
		kb_error("%s: %s", dir, kb_strerror(err));
	}
	closedir(d);
	if (n)	/* qsort may not be given v == NULL, even for no items */
		qsort(v, n, sizeof(*v), kb_strcmp_p);
	*out = v;
	*nout = n;
	return err;
}

static int kb_entry_cmp_id(const void *a, const void *b)
{
	const struct kb_bundle_entry *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->upstream, y->upstream);
}

/* The same header files reached through two lists are one bundle. */
static void kb_manifest_dedup(struct kb_manifest *m)
{
	size_t n = 0;

	if (!m->n)	/* no bundle at all: m->v is NULL, which qsort must not get */
		return;
	qsort(m->v, m->n, sizeof(*m->v), kb_entry_cmp_id);
	for (size_t i = 0; i < m->n; i++) {
		if (n && !strcmp(m->v[n - 1].id, m->v[i].id)) {
			kb_debug("bundle %s (%s) from %s is also in %s", m->v[i].id, m->v[i].release,
				 m->v[i].upstream, m->v[n - 1].upstream);
			kb_bundle_entry_free(&m->v[i]);
			continue;
		}
		m->v[n++] = m->v[i];
	}
	m->n = n;
}

static const struct kb_upstream *kb_upstream_by_name(const struct kb_upstream *v, size_t n,
						     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

int kb_manifest_build(const char *upstreams_dir, const char *lists_dir,
		      const struct kb_limits *lim, struct kb_manifest *m,
		      struct kb_group_skips *skips)
{
	struct kb_upstream *ups = NULL;
	struct kb_manifest out = { 0 };
	char **stems = NULL;
	size_t nups = 0, nstems = 0;
	int err;

	err = kb_upstream_load_dir(upstreams_dir, lim, &ups, &nups);
	if (err)
		goto out;
	err = kb_list_stems(lists_dir, &stems, &nstems);
	if (err)
		goto out;
	for (size_t i = 0; i < nstems; i++) {
		const struct kb_upstream *u = kb_upstream_by_name(ups, nups, stems[i]);
		const struct kb_group_rule *rule;
		struct kb_pkglist l = { 0 };
		char *path;

		if (!u) {
			kb_error("%s/%s%s: no upstream file %s/%s.yml says which distro it holds",
				 lists_dir, stems[i], KB_LIST_SUFFIX, upstreams_dir, stems[i]);
			err = -KB_EUSAGE;
			goto out;
		}
		rule = kb_group_rule_find(u->distro);
		if (!rule) {
			kb_warn("%s: no grouping rules for distro '%s'; its list is left out",
				u->name, u->distro);
			continue;
		}
		path = kb_xasprintf("%s/%s%s", lists_dir, stems[i], KB_LIST_SUFFIX);
		err = kb_pkglist_read(path, &l);	/* names file and line itself */
		free(path);
		if (err) {
			kb_pkglist_free(&l);
			goto out;
		}
		kb_group_list(rule, u->distro, u->name, &l, &out, skips);
		kb_pkglist_free(&l);
	}
	kb_manifest_dedup(&out);
	*m = out;
	out = (struct kb_manifest){ 0 };
out:
	kb_manifest_free(&out);
	for (size_t i = 0; i < nstems; i++)
		free(stems[i]);
	free(stems);
	kb_upstreams_free(ups, nups);
	return err;
}
