/* upstream.c — load and check upstream files (upstreams/<name>.yml).
 *
 * These files decide which URLs kbundle fetches and which key vouches for
 * them, so every field is checked strictly and every error names file:line. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/distro.h"
#include "crawler/upstream.h"
#include "lib/apt_sources.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/limits.h"
#include "lib/suggest.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/yaml_doc.h"

#define KB_UPSTREAM_MAX_FILE (1u << 20)
#define KB_UPSTREAM_MAX_ITEMS 256
#define KB_UPSTREAM_MAX_VALUE 1024

struct kb_uctx {
	const char *path;
	const char *dir;
};

/* A name-like token: distro, architecture, suite, component. '/' is allowed
 * in suites and components (Debian's "main/debian-installer"), never "..". */
static bool kb_token_ok(const char *s, bool slash)
{
	if (!*s || *s == '/' || *s == '.' || *s == '-' || strstr(s, ".."))
		return false;
	for (const char *p = s; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == '+' || (slash && c == '/')))
			return false;
	}
	return s[strlen(s) - 1] != '/';
}

static bool kb_url_ok(const char *s)
{
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return strlen(s) > 8;
}

static int kb_ubad(const struct kb_uctx *c, const struct kb_ynode *n, const char *fmt, const char *what)
{
	kb_error("%s:%d: %s %s", c->path, n ? n->line : 1, what, fmt);
	return -KB_EUSAGE;
}

static int kb_uscalar(const struct kb_uctx *c, const struct kb_ynode *n, const char *key, char **out)
{
	if (n->type != KB_Y_SCALAR)
		return kb_ubad(c, n, "must be a single value", key);
	if (!*n->scalar || strlen(n->scalar) > KB_UPSTREAM_MAX_VALUE)
		return kb_ubad(c, n, "must be a non-empty value of at most 1024 bytes", key);
	free(*out);
	*out = kb_xstrdup(n->scalar);
	return 0;
}

/* A non-empty list of values, each checked by ok(); "[x]" and a lone "x"
 * are both accepted so one-item lists read naturally. */
static int kb_ulist(const struct kb_uctx *c, const struct kb_ynode *n, const char *key,
		    bool (*ok)(const char *, bool), bool slash, struct kb_strv *out)
{
	const struct kb_ynode *const *items = &n;
	size_t count = 1;

	if (n->type == KB_Y_SEQ) {
		items = (const struct kb_ynode *const *)n->items;
		count = n->n;
	} else if (n->type != KB_Y_SCALAR) {
		return kb_ubad(c, n, "must be a list", key);
	}
	if (count == 0 || count > KB_UPSTREAM_MAX_ITEMS)
		return kb_ubad(c, n, "must list 1 to 256 values", key);
	kb_strv_free(out);
	for (size_t i = 0; i < count; i++) {
		const struct kb_ynode *it = items[i];

		if (it->type != KB_Y_SCALAR) {
			kb_error("%s:%d: %s: every item must be a single value", c->path, it->line, key);
			return -KB_EUSAGE;
		}
		if (!ok(it->scalar, slash) || strlen(it->scalar) > KB_UPSTREAM_MAX_VALUE) {
			kb_error("%s:%d: %s: '%s' is not a valid value", c->path, it->line, key,
				 it->scalar);
			return -KB_EUSAGE;
		}
		for (size_t j = 0; j < out->n; j++)
			if (!strcmp(out->v[j], it->scalar)) {
				kb_error("%s:%d: %s: '%s' is listed twice", c->path, it->line, key,
					 it->scalar);
				return -KB_EUSAGE;
			}
		kb_strv_push(out, it->scalar);
	}
	return 0;
}

static bool kb_mirror_ok(const char *s, bool unused)
{
	(void)unused;
	return !strcmp(s, KB_MIRROR_APT_SOURCES) || kb_url_ok(s);
}

static bool kb_repo_ok(const char *s, bool unused)
{
	(void)unused;
	if (!*s || *s == '/' || strstr(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#')
			return false;
	return true;
}

/* A distro kbundle knows comes in its own family only. */
static int kb_upstream_family_check(const struct kb_uctx *c, const struct kb_ynode *root,
				    const struct kb_upstream *u)
{
	const struct kb_distro *d = kb_distro_find(u->distro);
	char *must;
	int err;

	if (!d || d->family == u->family)
		return 0;
	must = kb_xasprintf("must be '%s', the family of distro '%s'", kb_family_name(d->family),
			    d->name);
	err = kb_ubad(c, kb_ymap_get(root, "family"), must, "family");
	free(must);
	return err;
}

static int kb_ukey(const struct kb_uctx *c, struct kb_upstream *u, const struct kb_ynode *k,
		   const struct kb_ynode *v)
{
	const char *key = k->scalar;

	if (!strcmp(key, "distro")) {
		int err = kb_uscalar(c, v, key, &u->distro);

		if (!err && !kb_token_ok(u->distro, false))
			return kb_ubad(c, v, "must be a name like 'debian'", key);
		return err;
	}
	if (!strcmp(key, "family")) {
		char *must = kb_xasprintf("must be %s", kb_family_names());
		int err = v->type != KB_Y_SCALAR || kb_family_parse(v->scalar, &u->family)
				  ? kb_ubad(c, v, must, key) : 0;

		free(must);
		return err;
	}
	if (!strcmp(key, "release")) {
		int err = kb_uscalar(c, v, key, &u->release);

		if (!err && !kb_token_ok(u->release, false))
			return kb_ubad(c, v, "must be a version like '12'", key);
		return err;
	}
	if (!strcmp(key, "enabled")) {
		if (v->type == KB_Y_SCALAR && !strcmp(v->scalar, "true"))
			u->enabled = true;
		else if (v->type == KB_Y_SCALAR && !strcmp(v->scalar, "false"))
			u->enabled = false;
		else
			return kb_ubad(c, v, "must be true or false", key);
		return 0;
	}
	if (!strcmp(key, "architectures"))
		return kb_ulist(c, v, key, kb_token_ok, false, &u->archs);
	if (!strcmp(key, "mirrors")) {
		int err = kb_ulist(c, v, key, kb_mirror_ok, false, &u->mirrors);

		for (size_t i = 0; !err && i < u->mirrors.n; i++) {
			size_t n = strlen(u->mirrors.v[i]);

			while (n > 8 && u->mirrors.v[i][n - 1] == '/')
				u->mirrors.v[i][--n] = '\0';
		}
		return err;
	}
	if (!strcmp(key, "suites"))
		return kb_ulist(c, v, key, kb_token_ok, true, &u->suites);
	if (!strcmp(key, "components"))
		return kb_ulist(c, v, key, kb_token_ok, true, &u->components);
	if (!strcmp(key, "repos"))
		return kb_ulist(c, v, key, kb_repo_ok, false, &u->repos);
	if (!strcmp(key, "keyring")) {
		char *s = NULL;
		int err = kb_uscalar(c, v, key, &s);

		if (err)
			return err;
		free(u->keyring);
		u->keyring = NULL;
		if (strcmp(s, "none") == 0)
			free(s);
		else if (s[0] == '/')
			u->keyring = s;
		else {
			u->keyring = kb_path_join(c->dir, s);
			free(s);
		}
		u->unsigned_ok = !u->keyring;
		return 0;
	}
	if (!strcmp(key, "package_key")) {
		char *s = NULL;
		int err = kb_uscalar(c, v, key, &s);

		if (err)
			return err;
		free(u->package_key);
		u->package_key = s[0] == '/' ? kb_xstrdup(s) : kb_path_join(c->dir, s);
		free(s);
		return 0;
	}
	kb_error("%s:%d: unknown key '%s'", c->path, k->line, key);
	return -KB_EUSAGE;
}

static int kb_urequire(const struct kb_uctx *c, const struct kb_ynode *root, const char *key,
		       bool present)
{
	if (present)
		return 0;
	kb_error("%s:%d: missing '%s'", c->path, root->line, key);
	return -KB_EUSAGE;
}

static char *kb_upstream_stem(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 4 && !strcmp(b + n - 4, ".yml"))
		n -= 4;
	return kb_xstrndup(b, n);
}

int kb_upstream_load(const char *path, const struct kb_limits *limits, struct kb_upstream *u)
{
	const struct kb_limits *base = kb_limits_or_default(limits);
	/* upstream files nest 2 deep: 8 is plenty, and --max-yaml-depth may lower it */
	struct kb_yaml_limits lim = { .base = base,
				      .max_depth = base->max_yaml_depth < 8 ? base->max_yaml_depth : 8,
				      .max_nodes = 10000 };
	struct kb_ynode *root = NULL;
	char *dir = kb_xstrdup(path), *slash = strrchr(dir, '/');
	struct kb_uctx c = { .path = path, .dir = dir };
	bool has_family = false;
	int err;

	memset(u, 0, sizeof(*u));
	u->enabled = true;
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	u->path = kb_xstrdup(path);
	u->name = kb_upstream_stem(path);
	if (!kb_token_ok(u->name, false)) {
		kb_error("%s: the file name must be <name>.yml with a plain name", path);
		err = -KB_EUSAGE;
		goto out;
	}
	err = kb_yaml_load(path, &lim, &root);
	if (err) {
		err = -KB_EUSAGE;
		goto out;
	}
	if (root->type != KB_Y_MAP) {
		err = kb_ubad(&c, root, "must be a mapping of keys to values", "the file");
		goto out;
	}
	for (size_t i = 0; i + 1 < root->n; i += 2) {
		const struct kb_ynode *k = root->items[i];

		if (k->type != KB_Y_SCALAR) {
			err = kb_ubad(&c, k, "must be plain words", "keys");
			goto out;
		}
		for (size_t j = 0; j < i; j += 2)
			if (!strcmp(root->items[j]->scalar, k->scalar)) {
				kb_error("%s:%d: '%s' is given twice", path, k->line, k->scalar);
				err = -KB_EUSAGE;
				goto out;
			}
		if (!strcmp(k->scalar, "family"))
			has_family = true;
		err = kb_ukey(&c, u, k, root->items[i + 1]);
		if (err)
			goto out;
	}
	err = kb_urequire(&c, root, "distro", u->distro);
	err = err ? err : kb_urequire(&c, root, "family", has_family);
	err = err ? err : kb_urequire(&c, root, "release", u->release);
	err = err ? err : kb_urequire(&c, root, "architectures", u->archs.n);
	err = err ? err : kb_urequire(&c, root, "mirrors", u->mirrors.n);
	err = err ? err : kb_urequire(&c, root, "keyring (a path, or 'none' for unsigned)",
				      u->keyring || u->unsigned_ok);
	if (err)
		goto out;
	err = kb_upstream_family_check(&c, root, u);
	if (err)
		goto out;
	switch (u->family) {	/* the keys each family's crawler reads; no default: -Wswitch */
	case KB_FAMILY_APT:
		err = kb_urequire(&c, root, "suites", u->suites.n);
		err = err ? err : kb_urequire(&c, root, "components", u->components.n);
		if (!err && u->repos.n)
			err = kb_ubad(&c, kb_ymap_get(root, "repos"), "is for rpm-md upstreams",
				      "repos");
		break;
	case KB_FAMILY_RPMMD:
		err = kb_urequire(&c, root, "repos", u->repos.n);
		if (!err && (u->suites.n || u->components.n))
			err = kb_ubad(&c, root, "are for apt upstreams", "suites and components");
		break;
	case KB_FAMILY_COUNT:
		break;
	}
out:
	kb_yaml_free(root);
	free(dir);
	if (err)
		kb_upstream_free(u);
	return err;
}

static int kb_yml_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kb_upstream_unknown(const char *dir, const char *name, const struct kb_upstream *v, size_t n)
{
	struct kb_strv names = { 0 };
	char *hint;

	for (size_t i = 0; i < n; i++)
		kb_strv_push(&names, v[i].name);
	hint = kb_suggest_text(name, &names);
	kb_error("%s: no upstream '%s' (no %s/%s.yml); %s", dir, name, dir, name, hint);
	free(hint);
	kb_strv_free(&names);
}

int kb_upstream_load_dir(const char *dir, const struct kb_limits *lim, struct kb_upstream **v,
			 size_t *n)
{
	struct kb_upstream *out = NULL;
	size_t count = 0, nnames = 0;
	char **names = NULL;
	DIR *d = opendir(dir);
	int err = 0;

	*v = NULL;
	*n = 0;
	if (!d && (errno == ENOENT || errno == ENOTDIR)) {
		/* a configuration error: say where upstream files come from */
		kb_error("%s: no such directory of upstream files; give --upstreams DIR, run in a "
			 "kbundle checkout, or install kbundle (make install, or the kbundle "
			 "package), which ships them in share/kbundle/upstreams", dir);
		err = -KB_EUSAGE;
		goto out;
	}
	if (!d) {
		err = -errno;
		kb_error("%s: %s", dir, strerror(errno));
		goto out;
	}
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name);

		if (l > 4 && e->d_name[0] != '.' && !strcmp(e->d_name + l - 4, ".yml")) {
			names = kb_xrealloc(names, sizeof(*names) * (nnames + 1));
			names[nnames++] = kb_xstrdup(e->d_name);
		}
	}
	closedir(d);
	if (nnames)
		qsort(names, nnames, sizeof(*names), kb_yml_cmp);
	out = kb_xcalloc(nnames ? nnames : 1, sizeof(*out));
	for (size_t i = 0; i < nnames; i++) {
		char *p = kb_path_join(dir, names[i]);
		int e = kb_upstream_load(p, lim, &out[count]);

		free(p);
		if (e)
			err = err ? err : e;
		else
			count++;
	}
	if (err) {
		kb_upstreams_free(out, count);
		out = NULL;
		count = 0;
	}
out:
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	*v = out;
	*n = count;
	return err;
}

char *kb_upstream_mirror(const struct kb_upstream *u, size_t i, const char *suite)
{
	char *url;

	if (i >= u->mirrors.n)
		return NULL;
	if (strcmp(u->mirrors.v[i], KB_MIRROR_APT_SOURCES))
		return kb_xstrdup(u->mirrors.v[i]);
	url = kb_apt_sources_mirror(getenv("KB_APT_ROOT"), suite ? suite : "");
	if (!url)
		kb_error("%s: mirror 'apt-sources': apt has no deb source configured", u->path);
	return url;
}

int kb_upstream_mirrors_all(const struct kb_upstream *u, struct kb_strv *out)
{
	size_t nsuites = u->suites.n ? u->suites.n : 1;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < u->mirrors.n; i++)
		for (size_t s = 0; s < nsuites; s++) {
			char *url = kb_upstream_mirror(u, i, u->suites.n ? u->suites.v[s] : NULL);
			bool dup = false;

			if (!url) {
				kb_strv_free(out);
				return -KB_ENOTFOUND;
			}
			for (size_t j = 0; j < out->n && !dup; j++)
				dup = !strcmp(out->v[j], url);
			if (!dup)
				kb_strv_push(out, url);
			free(url);
		}
	return 0;
}

int kb_upstream_set_load(const char *dir, const struct kb_limits *lim, struct kb_upstream_set *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = kb_upstream_load_dir(dir, lim, &s->v, &s->n);
	if (err)
		return err;
	s->mirrors = kb_xcalloc(s->n ? s->n : 1, sizeof(*s->mirrors));
	for (size_t i = 0; i < s->n; i++)
		kb_upstream_mirrors_all(&s->v[i], &s->mirrors[i]);
	return 0;
}

const struct kb_upstream *kb_upstream_set_find(const struct kb_upstream_set *s, const char *name,
					       const struct kb_strv **mirrors)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name)) {
			if (mirrors)
				*mirrors = &s->mirrors[i];
			return &s->v[i];
		}
	return NULL;
}

void kb_upstream_set_free(struct kb_upstream_set *s)
{
	for (size_t i = 0; s->mirrors && i < s->n; i++)
		kb_strv_free(&s->mirrors[i]);
	free(s->mirrors);
	kb_upstreams_free(s->v, s->n);
	memset(s, 0, sizeof(*s));
}

void kb_upstream_free(struct kb_upstream *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->distro);
	free(u->release);
	kb_strv_free(&u->archs);
	kb_strv_free(&u->mirrors);
	kb_strv_free(&u->suites);
	kb_strv_free(&u->components);
	kb_strv_free(&u->repos);
	free(u->keyring);
	free(u->package_key);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

void kb_upstreams_free(struct kb_upstream *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kb_upstream_free(&v[i]);
	free(v);
}
