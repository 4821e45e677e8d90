/* manifest.c — manifest.yml: the bundle id, a deterministic writer (libyaml's
 * emitter into an atomic file) and a strict loader (lib/yaml_doc).
 *
 *   format: kbundle-manifest 2
 *   bundles:
 *   - id: <sha256>
 *     distro: debian
 *     family: apt                 (lib/family.h; format 1 had no such key)
 *     upstream: debian-12
 *     release: 6.1.0-47-amd64
 *     arch: amd64
 *     version: "6.1.170-3"
 *     headers:
 *     - {name, version, arch, kind, path, size, sha256}   (block style)
 *       satisfies: ">= 5.10.223-1"   (optional: the Depends it was picked for)
 *       alternates:                  (optional: other files satisfying it,
 *       - {version, arch, path, size, sha256}        newest first)
 *     images:
 *     - …
 *
 * Entries are sorted by distro, release, arch, version, id; packages by name,
 * version, arch, sha256; keys always in this order. Strings a YAML 1.1 reader
 * would take for a number, boolean or null are double-quoted. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/yaml_doc.h"
#include "manifest/manifest.h"

#define KB_BUNDLE_ID_TAG "kbundle-bundle-v1\n"

static int kb_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void kb_bundle_id(struct kb_bundle_entry *e)
{
	const char **shas = kb_xcalloc(e->nheaders, sizeof(*shas));
	struct kb_sha256 h;

	for (size_t i = 0; i < e->nheaders; i++)
		shas[i] = e->headers[i].sha256;
	qsort(shas, e->nheaders, sizeof(*shas), kb_strcmp_p);
	kb_sha256_init(&h);
	kb_sha256_update(&h, KB_BUNDLE_ID_TAG, strlen(KB_BUNDLE_ID_TAG));
	for (size_t i = 0; i < e->nheaders; i++) {
		kb_sha256_update(&h, shas[i], strlen(shas[i]));
		kb_sha256_update(&h, "\n", 1);
	}
	kb_sha256_final(&h, e->id);
	free(shas);
}

const char *kb_manifest_str_check(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > KB_MANIFEST_MAX_STR)
		return "must be 1 to 4096 characters";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return "holds a blank, control or non-ASCII character";
	return NULL;
}

const char *kb_manifest_path_check(const char *s)
{
	const char *why = kb_manifest_str_check(s);
	size_t n = strlen(s);

	if (why)
		return why;
	/* relative to the mirror, and it must stay under it */
	if (s[0] == '/' || !strcmp(s, "..") || !strncmp(s, "../", 3) || strstr(s, "/../") ||
	    (n >= 3 && !strcmp(s + n - 3, "/..")))
		return "must be a relative path inside the mirror";
	return NULL;
}

const char *kb_manifest_satisfies_check(const char *s)
{
	static const char *const ops[] = { "<< ", "<= ", "= ", ">= ", ">> " };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(s, ops[i], strlen(ops[i])))
			return kb_manifest_str_check(s + strlen(ops[i])) ? "has a bad version" : NULL;
	return "must be \"<op> <version>\", op one of << <= = >= >>";
}

static void kb_malts_free(struct kb_malt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].version);
		free(v[i].arch);
		free(v[i].path);
	}
	free(v);
}

static void kb_mpkgs_free(struct kb_mpkg *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].version);
		free(v[i].arch);
		free(v[i].path);
		free(v[i].satisfies);
		kb_malts_free(v[i].alternates, v[i].nalternates);
	}
	free(v);
}

void kb_bundle_entry_free(struct kb_bundle_entry *e)
{
	free(e->distro);
	free(e->upstream);
	free(e->release);
	free(e->arch);
	free(e->version);
	kb_mpkgs_free(e->headers, e->nheaders);
	kb_mpkgs_free(e->images, e->nimages);
	*e = (struct kb_bundle_entry){ 0 };
}

void kb_manifest_free(struct kb_manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		kb_bundle_entry_free(&m->v[i]);
	free(m->v);
	*m = (struct kb_manifest){ 0 };
}

/* --- writing --- */

static int kb_entry_cmp(const void *a, const void *b)
{
	const struct kb_bundle_entry *x = *(const struct kb_bundle_entry *const *)a;
	const struct kb_bundle_entry *y = *(const struct kb_bundle_entry *const *)b;
	int c;

	if ((c = strcmp(x->distro, y->distro)) || (c = strverscmp(x->release, y->release)) ||
	    (c = strcmp(x->arch, y->arch)) || (c = strverscmp(x->version, y->version)))
		return c;
	return strcmp(x->id, y->id);
}

static int kb_mpkg_cmp(const void *a, const void *b)
{
	const struct kb_mpkg *x = *(const struct kb_mpkg *const *)a;
	const struct kb_mpkg *y = *(const struct kb_mpkg *const *)b;
	int c;

	if ((c = strcmp(x->name, y->name)) || (c = strverscmp(x->version, y->version)) ||
	    (c = strcmp(x->arch, y->arch)))
		return c;
	return strcmp(x->sha256, y->sha256);
}

struct kb_yout {
	yaml_emitter_t em;
	struct kb_atomic_file af;
	int err;
};

static int kb_yout_write(void *data, unsigned char *buf, size_t n)
{
	struct kb_atomic_file *af = data;

	kb_atomic_write(af, buf, n);
	return af->err == 0;
}

static void kb_yout_emit(struct kb_yout *o, yaml_event_t *ev)
{
	if (o->err) {
		yaml_event_delete(ev);
		return;
	}
	if (!yaml_emitter_emit(&o->em, ev)) {	/* the emitter deletes ev either way */
		o->err = o->af.err ? o->af.err : -EIO;
		if (!o->af.err)
			kb_error("%s: YAML emitter: %s", o->af.path,
				 o->em.problem ? o->em.problem : "failed");
	}
}

static bool kb_yaml_word(const char *s)
{
	static const char *const words[] = { "y", "n", "yes", "no", "true", "false", "on",
					     "off", "null", "~" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

/* Would a YAML 1.1 reader (PyYAML, …) take the plain scalar for anything but
 * a string? "6.1" is a float there, "1:20" an integer, "no" a boolean. */
static bool kb_yaml_needs_quotes(const char *s)
{
	bool numeric = true;

	if (!s[0] || kb_yaml_word(s) || s[strlen(s) - 1] == ' ' || !strncmp(s, "0x", 2) || !strncmp(s, "0o", 2) ||
	    !strncmp(s, "0b", 2))
		return true;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9') || s[0] == '/' || s[0] == '_'))
		return true;
	for (const char *p = s; *p; p++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+~/- ",
			    *p))
			return true;	/* ':' '#' spaces and the rest: let libyaml quote */
		if (!strchr("0123456789._+-eE", *p))
			numeric = false;
	}
	return numeric && s[0] >= '0' && s[0] <= '9';
}

static void kb_yout_scalar(struct kb_yout *o, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
				     style);
	kb_yout_emit(o, &ev);
}

/* A string: plain when no reader can mistake it, else double-quoted. */
static void kb_yout_str(struct kb_yout *o, const char *s)
{
	kb_yout_scalar(o, s, kb_yaml_needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
						       : YAML_PLAIN_SCALAR_STYLE);
}

static void kb_yout_kv(struct kb_yout *o, const char *key, const char *value)
{
	kb_yout_str(o, key);
	kb_yout_str(o, value);
}

static void kb_yout_start(struct kb_yout *o, bool map)
{
	yaml_event_t ev;

	if (map)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	kb_yout_emit(o, &ev);
}

static void kb_yout_end(struct kb_yout *o, bool map)
{
	yaml_event_t ev;

	if (map)
		yaml_mapping_end_event_initialize(&ev);
	else
		yaml_sequence_end_event_initialize(&ev);
	kb_yout_emit(o, &ev);
}

static void kb_yout_size(struct kb_yout *o, uint64_t n)
{
	char size[24];

	snprintf(size, sizeof(size), "%" PRIu64, n);
	kb_yout_str(o, "size");
	kb_yout_scalar(o, size, YAML_PLAIN_SCALAR_STYLE);	/* an integer */
}

/* In the order grouping found them (newest first): the order pack tries. */
static void kb_yout_alts(struct kb_yout *o, const struct kb_malt *v, size_t n)
{
	kb_yout_str(o, "alternates");
	kb_yout_start(o, false);
	for (size_t i = 0; i < n; i++) {
		kb_yout_start(o, true);
		kb_yout_kv(o, "version", v[i].version);
		kb_yout_kv(o, "arch", v[i].arch);
		kb_yout_kv(o, "path", v[i].path);
		kb_yout_size(o, v[i].size);
		kb_yout_kv(o, "sha256", v[i].sha256);
		kb_yout_end(o, true);
	}
	kb_yout_end(o, false);
}

static void kb_yout_pkgs(struct kb_yout *o, const char *key, const struct kb_mpkg *v, size_t n)
{
	const struct kb_mpkg **sorted = kb_xcalloc(n, sizeof(*sorted));

	for (size_t i = 0; i < n; i++)
		sorted[i] = &v[i];
	qsort(sorted, n, sizeof(*sorted), kb_mpkg_cmp);
	kb_yout_str(o, key);
	kb_yout_start(o, false);
	for (size_t i = 0; i < n; i++) {
		const struct kb_mpkg *p = sorted[i];

		kb_yout_start(o, true);
		kb_yout_kv(o, "name", p->name);
		kb_yout_kv(o, "version", p->version);
		kb_yout_kv(o, "arch", p->arch);
		kb_yout_kv(o, "kind", kb_kind_name(p->kind));
		kb_yout_kv(o, "path", p->path);
		kb_yout_size(o, p->size);
		kb_yout_kv(o, "sha256", p->sha256);
		if (p->satisfies)
			kb_yout_kv(o, "satisfies", p->satisfies);
		if (p->nalternates)
			kb_yout_alts(o, p->alternates, p->nalternates);
		kb_yout_end(o, true);
	}
	kb_yout_end(o, false);
	free(sorted);
}

static void kb_yout_entry(struct kb_yout *o, const struct kb_bundle_entry *e)
{
	kb_yout_start(o, true);
	kb_yout_kv(o, "id", e->id);
	kb_yout_kv(o, "distro", e->distro);
	kb_yout_kv(o, "family", kb_family_name(e->family));
	kb_yout_kv(o, "upstream", e->upstream);
	kb_yout_kv(o, "release", e->release);
	kb_yout_kv(o, "arch", e->arch);
	kb_yout_kv(o, "version", e->version);
	kb_yout_pkgs(o, "headers", e->headers, e->nheaders);
	kb_yout_pkgs(o, "images", e->images, e->nimages);
	kb_yout_end(o, true);
}

int kb_manifest_write(const char *path, const struct kb_manifest *m)
{
	const struct kb_bundle_entry **sorted = kb_xcalloc(m->n, sizeof(*sorted));
	struct kb_yout o = { .err = 0 };
	bool emitter = false;
	yaml_event_t ev;
	int err;

	for (size_t i = 0; i < m->n; i++)
		sorted[i] = &m->v[i];
	qsort(sorted, m->n, sizeof(*sorted), kb_entry_cmp);
	for (size_t i = 1; i < m->n; i++)
		if (!strcmp(sorted[i - 1]->id, sorted[i]->id)) {
			kb_error("%s: bundle %s appears twice", path, sorted[i]->id);
			err = -EINVAL;
			goto out;
		}
	err = kb_atomic_open(&o.af, path);
	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		goto out;
	}
	if (!yaml_emitter_initialize(&o.em))
		abort();
	emitter = true;
	yaml_emitter_set_output(&o.em, kb_yout_write, &o.af);
	yaml_emitter_set_unicode(&o.em, 1);
	yaml_emitter_set_width(&o.em, -1);	/* never fold long paths */
	yaml_emitter_set_break(&o.em, YAML_LN_BREAK);

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	kb_yout_emit(&o, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	kb_yout_emit(&o, &ev);
	kb_yout_start(&o, true);
	kb_yout_kv(&o, "format", KB_MANIFEST_FORMAT);
	kb_yout_str(&o, "bundles");
	kb_yout_start(&o, false);
	for (size_t i = 0; i < m->n; i++)
		kb_yout_entry(&o, sorted[i]);
	kb_yout_end(&o, false);
	kb_yout_end(&o, true);
	yaml_document_end_event_initialize(&ev, 1);
	kb_yout_emit(&o, &ev);
	yaml_stream_end_event_initialize(&ev);
	kb_yout_emit(&o, &ev);
	if (!o.err && !yaml_emitter_flush(&o.em))
		o.err = o.af.err ? o.af.err : -EIO;
	if (o.err) {
		err = o.err;
		kb_atomic_abort(&o.af);
		if (o.af.err)
			kb_error("%s: %s", path, kb_strerror(err));
		goto out;
	}
	err = kb_atomic_commit(&o.af);
	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
out:
	if (emitter)
		yaml_emitter_delete(&o.em);
	free(sorted);
	return err;
}
