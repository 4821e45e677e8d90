/* manifest_load.c — read manifest.yml back, strictly: every key known and
 * present once, every field of the right type and shape, sha256s valid,
 * each bundle id recomputed from its headers; errors name file:line.
 * Format 1 manifests (no `family:`) are still read. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/distro.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/yaml_doc.h"
#include "manifest/manifest.h"

struct kb_mload {
	const char *file;
	int format;		/* 1 or 2 (manifest.h) */
};

static int kb_mload_bad(const struct kb_mload *c, const struct kb_ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Log "file:line: problem" once, where the problem is found. */
static int kb_mload_bad(const struct kb_mload *c, const struct kb_ynode *n, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	kb_error("%s:%d: %s", c->file, n ? n->line : 0, msg);
	free(msg);
	return -KB_EPARSE;
}

/* Every key of map is one of keys (NULL-ended), none twice, all present. */
static int kb_mload_keys(const struct kb_mload *c, const struct kb_ynode *map, const char *what,
			 const char *const *keys)
{
	if (!map || map->type != KB_Y_MAP)
		return kb_mload_bad(c, map, "%s: expected a mapping", what);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct kb_ynode *k = map->items[i];
		size_t j;

		if (k->type != KB_Y_SCALAR)
			return kb_mload_bad(c, k, "%s: keys must be plain strings", what);
		for (j = 0; keys[j] && strcmp(keys[j], k->scalar); j++)
			;
		if (!keys[j]) {
			kb_error("%s:%d: %s: unknown key '%s'", c->file, k->line, what, k->scalar);
			return -KB_EPARSE;
		}
		for (size_t d = 0; d < i; d += 2)
			if (!strcmp(map->items[d]->scalar, k->scalar)) {
				kb_error("%s:%d: %s: key '%s' given twice", c->file, k->line, what,
					 k->scalar);
				return -KB_EPARSE;
			}
	}
	for (size_t j = 0; keys[j]; j++)
		if (!kb_ymap_get(map, keys[j])) {
			kb_error("%s:%d: %s: missing '%s'", c->file, map->line, what, keys[j]);
			return -KB_EPARSE;
		}
	return 0;
}

/* A scalar of printable, non-blank ASCII: names, versions and paths never
 * need more, and whatever is downstream (URLs, file names) is safer for it. */
static int kb_mload_str(const struct kb_mload *c, const struct kb_ynode *map, const char *key,
			char **out)
{
	const struct kb_ynode *v = kb_ymap_get(map, key);
	const char *why;

	if (v->type != KB_Y_SCALAR)
		return kb_mload_bad(c, v, "'%s' must be a string", key);
	why = strcmp(key, "path") ? kb_manifest_str_check(v->scalar)
				  : kb_manifest_path_check(v->scalar);
	if (why)
		return kb_mload_bad(c, v, "'%s' %s", key, why);
	*out = kb_xstrdup(v->scalar);
	return 0;
}

static int kb_mload_sha(const struct kb_mload *c, const struct kb_ynode *map, const char *key,
			char out[65])
{
	const struct kb_ynode *v = kb_ymap_get(map, key);

	if (v->type != KB_Y_SCALAR || !kb_sha256_valid(v->scalar))
		return kb_mload_bad(c, v, "'%s' must be 64 lowercase hex digits", key);
	memcpy(out, v->scalar, 65);
	return 0;
}

static int kb_mload_size(const struct kb_mload *c, const struct kb_ynode *map, uint64_t *out)
{
	const struct kb_ynode *v = kb_ymap_get(map, "size");
	uint64_t n = 0;

	if (v->type != KB_Y_SCALAR || !v->scalar[0] || strlen(v->scalar) > 19)
		return kb_mload_bad(c, v, "'%s' must be a positive integer", "size");
	for (const char *p = v->scalar; *p; p++) {
		if (*p < '0' || *p > '9')
			return kb_mload_bad(c, v, "'%s' must be a positive integer", "size");
		n = n * 10 + (uint64_t)(*p - '0');	/* 19 digits cannot overflow */
	}
	if (n == 0)
		return kb_mload_bad(c, v, "'%s' must be a positive integer", "size");
	*out = n;
	return 0;
}

static int kb_mload_pkgs(const struct kb_mload *c, const struct kb_ynode *entry, const char *key,
			 struct kb_mpkg **out, size_t *nout)
{
	static const char *const keys[] = { "name", "version", "arch", "kind", "path",
					    "size", "sha256", NULL };
	const struct kb_ynode *seq = kb_ymap_get(entry, key);
	bool images = !strcmp(key, "images");
	struct kb_mpkg *v;
	int err = 0;

	if (seq->type != KB_Y_SEQ)
		return kb_mload_bad(c, seq, "'%s' must be a list of packages", key);
	if (!images && seq->n == 0)
		return kb_mload_bad(c, seq, "'%s' must name at least one package", key);
	v = kb_xcalloc(seq->n, sizeof(*v));
	*out = v;
	*nout = seq->n;
	for (size_t i = 0; i < seq->n && !err; i++) {
		const struct kb_ynode *p = seq->items[i];
		const char *kind;

		if ((err = kb_mload_keys(c, p, "package", keys)) ||
		    (err = kb_mload_str(c, p, "name", &v[i].name)) ||
		    (err = kb_mload_str(c, p, "version", &v[i].version)) ||
		    (err = kb_mload_str(c, p, "arch", &v[i].arch)) ||
		    (err = kb_mload_str(c, p, "path", &v[i].path)) ||
		    (err = kb_mload_size(c, p, &v[i].size)) ||
		    (err = kb_mload_sha(c, p, "sha256", v[i].sha256)))
			break;
		kind = kb_ymap_str(p, "kind");
		if (!kind || kb_kind_parse(kind, &v[i].kind))
			err = kb_mload_bad(c, kb_ymap_get(p, "kind"), "'%s' is not a package kind",
					   "kind");
		else if (images != (v[i].kind == KB_KIND_IMAGE || v[i].kind == KB_KIND_MODULES))
			err = kb_mload_bad(c, kb_ymap_get(p, "kind"), "a '%s' package in the wrong list",
					   kind);
	}
	return err;
}

/* Format 2 names the family, which must be the distro's own when
 * crawler/distro.c knows the distro; format 1 leaves it to that table. */
static int kb_mload_family(const struct kb_mload *c, const struct kb_ynode *n,
			   struct kb_bundle_entry *e)
{
	const struct kb_distro *d = kb_distro_find(e->distro);
	const struct kb_ynode *v = kb_ymap_get(n, "family");

	if (c->format == 1) {
		if (!d)
			return kb_mload_bad(c, kb_ymap_get(n, "distro"),
					    "distro '%s' is unknown, so this format 1 manifest "
					    "does not say its family; regenerate it with "
					    "`kbundle manifest`", e->distro);
		e->family = d->family;
		return 0;
	}
	if (v->type != KB_Y_SCALAR || kb_family_parse(v->scalar, &e->family))
		return kb_mload_bad(c, v, "'family' must be %s", kb_family_names());
	if (d && d->family != e->family)
		return kb_mload_bad(c, v, "'family' must be '%s', the family of distro '%s'",
				    kb_family_name(d->family), d->name);
	return 0;
}

static int kb_mload_entry(const struct kb_mload *c, const struct kb_ynode *n,
			  struct kb_bundle_entry *e)
{
	static const char *const keys_1[] = { "id", "distro", "upstream", "release", "arch",
					      "version", "headers", "images", NULL };
	static const char *const keys_2[] = { "id", "distro", "family", "upstream", "release",
					      "arch", "version", "headers", "images", NULL };
	char id[65];
	int err;

	if ((err = kb_mload_keys(c, n, "bundle", c->format == 1 ? keys_1 : keys_2)) ||
	    (err = kb_mload_sha(c, n, "id", id)) ||
	    (err = kb_mload_str(c, n, "distro", &e->distro)) ||
	    (err = kb_mload_family(c, n, e)) ||
	    (err = kb_mload_str(c, n, "upstream", &e->upstream)) ||
	    (err = kb_mload_str(c, n, "release", &e->release)) ||
	    (err = kb_mload_str(c, n, "arch", &e->arch)) ||
	    (err = kb_mload_str(c, n, "version", &e->version)) ||
	    (err = kb_mload_pkgs(c, n, "headers", &e->headers, &e->nheaders)) ||
	    (err = kb_mload_pkgs(c, n, "images", &e->images, &e->nimages)))
		return err;
	/* the id is a content id: a hand edit of the headers must not keep it */
	kb_bundle_id(e);
	if (strcmp(id, e->id)) {
		kb_error("%s:%d: bundle id %s does not match its headers (%s)", c->file,
			 kb_ymap_get(n, "id")->line, id, e->id);
		return -KB_EPARSE;
	}
	return 0;
}

static int kb_mload_cmp_id(const void *a, const void *b)
{
	return strcmp((*(const struct kb_bundle_entry *const *)a)->id,
		      (*(const struct kb_bundle_entry *const *)b)->id);
}

/* A bundle id names one entry: pack and vmtest select by it. */
static int kb_mload_unique(const struct kb_mload *c, const struct kb_ynode *seq,
			   const struct kb_manifest *m)
{
	const struct kb_bundle_entry **v = kb_xcalloc(m->n, sizeof(*v));
	int err = 0;

	for (size_t i = 0; i < m->n; i++)
		v[i] = &m->v[i];
	qsort(v, m->n, sizeof(*v), kb_mload_cmp_id);
	for (size_t i = 1; i < m->n && !err; i++)
		if (!strcmp(v[i - 1]->id, v[i]->id))
			err = kb_mload_bad(c, seq->items[v[i] - m->v], "bundle %s appears twice",
					   v[i]->id);
	free(v);
	return err;
}

int kb_manifest_load(const char *path, const struct kb_limits *lim, struct kb_manifest *m)
{
	const struct kb_yaml_limits ylim = { .base = lim };
	static const char *const keys[] = { "format", "bundles", NULL };
	struct kb_mload c = { .file = path };
	struct kb_manifest out = { 0 };
	struct kb_ynode *root = NULL;
	const struct kb_ynode *seq;
	const char *format;
	int err;

	err = kb_yaml_load(path, &ylim, &root);	/* logs its own errors */
	if (err)
		goto out;
	if ((err = kb_mload_keys(&c, root, "manifest", keys)))
		goto out;
	format = kb_ymap_str(root, "format");
	c.format = !format ? 0 : !strcmp(format, KB_MANIFEST_FORMAT) ? 2
		 : !strcmp(format, KB_MANIFEST_FORMAT_1) ? 1 : 0;
	if (!c.format) {
		err = kb_mload_bad(&c, kb_ymap_get(root, "format"), "format must be '%s' (or '%s')",
				   KB_MANIFEST_FORMAT, KB_MANIFEST_FORMAT_1);
		goto out;
	}
	seq = kb_ymap_get(root, "bundles");
	if (seq->type != KB_Y_SEQ) {
		err = kb_mload_bad(&c, seq, "'%s' must be a list", "bundles");
		goto out;
	}
	out.v = kb_xcalloc(seq->n, sizeof(*out.v));
	for (size_t i = 0; i < seq->n; i++) {
		out.n = i + 1;	/* so kb_manifest_free sees a half-read entry */
		if ((err = kb_mload_entry(&c, seq->items[i], &out.v[i])))
			goto out;
	}
	if ((err = kb_mload_unique(&c, seq, &out)))
		goto out;
	*m = out;
	out = (struct kb_manifest){ 0 };
out:
	kb_manifest_free(&out);
	kb_yaml_free(root);
	return err;
}
