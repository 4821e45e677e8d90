/* crawl_apt.c — the apt Packages index: keep the kernel packages of one
 * verified index (checked against the signed Release by the downloader,
 * crawl_apt_fetch.c, before it reaches here), and fold the same package
 * seen in several suites into one. Nothing here writes a list: the caller
 * merges. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/apt_packages.h"
#include "crawler/crawl.h"
#include "crawler/distro.h"
#include "crawler/recognise_deb.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/stream.h"
#include "lib/vercmp.h"

#define KB_DEPENDS_MAX 4096

struct kb_apt_ctx {
	const struct kb_upstream *u;
	kb_deb_recogniser recog;
	struct kb_pkglist *fresh;
	const char *url;	/* of the index being parsed */
};

static bool kb_text_ok(struct kb_str s)
{
	if (!s.n)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] < ' ' || s.p[i] == 0x7f)
			return false;
	return true;
}

static bool kb_pool_path_ok(struct kb_str p)
{
	if (!kb_text_ok(p) || p.p[0] == '/' || memchr(p.p, ' ', p.n))
		return false;
	for (struct kb_str s = p, seg; s.n;) {
		kb_str_split(&s, '/', &seg);
		if (!seg.n || kb_str_eq(seg, "..") || kb_str_eq(seg, "."))
			return false;
	}
	return true;
}

/* The package name at the start of a Depends alternative. */
static struct kb_str kb_dep_name(struct kb_str alt)
{
	size_t n = 0;

	while (n < alt.n && alt.p[n] != ' ' && alt.p[n] != '(' && alt.p[n] != ':' &&
	       alt.p[n] != '\t' && alt.p[n] != '\n')
		n++;
	return kb_str(alt.p, n);
}

/* Append s to out with every whitespace run made one space. */
static void kb_dep_append(char *out, size_t *n, size_t cap, struct kb_str s)
{
	bool space = false;

	for (size_t i = 0; i < s.n && *n + 2 < cap; i++) {
		char c = s.p[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = true;
			continue;
		}
		if (space)
			out[(*n)++] = ' ';
		space = false;
		out[(*n)++] = c;
	}
	out[*n] = '\0';
}

/* Depends restricted to kernel packages, alternatives kept together:
 * "linux-headers-6.1.0-47-common (= 6.1.164-1), linux-kbuild-6.1 (>= 6.1.164-1)". */
static char *kb_kernel_depends(struct kb_str deps, kb_deb_recogniser recog)
{
	char out[KB_DEPENDS_MAX];
	size_t n = 0;
	struct kb_str clause, alt;

	out[0] = '\0';
	while (deps.n) {
		bool first_alt = true;

		kb_str_split(&deps, ',', &clause);
		while (clause.n) {
			struct kb_deb_match m;

			kb_str_split(&clause, '|', &alt);
			alt = kb_str_trim(alt);
			if (!alt.n || !recog(kb_dep_name(alt), &m))
				continue;
			if (n && n + 3 < sizeof(out)) {
				memcpy(out + n, first_alt ? ", " : " | ", 3);
				n += first_alt ? 2 : 3;
			}
			kb_dep_append(out, &n, sizeof(out), alt);
			first_alt = false;
		}
	}
	return kb_xstrdup(out);
}

static int kb_apt_bad(const struct kb_apt_ctx *c, const struct kb_apt_stanza *st,
		      struct kb_str name, const char *why)
{
	kb_error("%s:%zu: package " KB_STR_FMT ": %s", c->url, st->line, KB_STR_ARG(name), why);
	return -KB_EPARSE;
}

static int kb_apt_stanza_cb(void *ctx, const struct kb_apt_stanza *st)
{
	struct kb_apt_ctx *c = ctx;
	struct kb_str name = kb_apt_stanza_get(st, "Package"), arch, ver, file, size, sha;
	struct kb_deb_match m;
	struct kb_pkg *p;
	bool arch_ok = false;
	uint64_t bytes = 0;

	if (!name.p)
		return kb_apt_bad(c, st, kb_str_c("?"), "stanza without Package");
	if (!kb_str_startswith(name, "linux-") || !c->recog(name, &m))
		return 0;
	arch = kb_apt_stanza_get(st, "Architecture");
	ver = kb_apt_stanza_get(st, "Version");
	file = kb_apt_stanza_get(st, "Filename");
	size = kb_apt_stanza_get(st, "Size");
	sha = kb_apt_stanza_get(st, "SHA256");
	if (!kb_text_ok(name) || memchr(name.p, ' ', name.n))
		return kb_apt_bad(c, st, kb_str_c("?"), "bad Package");
	if (!kb_text_ok(arch) || memchr(arch.p, ' ', arch.n))
		return kb_apt_bad(c, st, name, "missing or bad Architecture");
	arch_ok = kb_str_eq(arch, "all");
	for (size_t i = 0; i < c->u->archs.n && !arch_ok; i++)
		arch_ok = kb_str_eq(arch, c->u->archs.v[i]);
	if (!arch_ok)
		return 0;
	if (!kb_text_ok(ver) || memchr(ver.p, ' ', ver.n))
		return kb_apt_bad(c, st, name, "missing or bad Version");
	if (!kb_pool_path_ok(file))
		return kb_apt_bad(c, st, name, "missing or unsafe Filename");
	if (sha.n != 64)
		return kb_apt_bad(c, st, name, "missing or bad SHA256");
	if (!size.n || size.n > 19)
		return kb_apt_bad(c, st, name, "missing or bad Size");
	for (size_t i = 0; i < size.n; i++) {
		if (size.p[i] < '0' || size.p[i] > '9')
			return kb_apt_bad(c, st, name, "missing or bad Size");
		bytes = bytes * 10 + (uint64_t)(size.p[i] - '0');
	}
	{
		char hex[65];

		memcpy(hex, sha.p, 64);
		hex[64] = '\0';
		if (!kb_sha256_valid(hex))
			return kb_apt_bad(c, st, name, "missing or bad SHA256");
		p = kb_pkglist_add(c->fresh);
		memcpy(p->sha256, hex, sizeof(hex));
	}
	p->name = kb_xstrndup(name.p, name.n);
	p->version = kb_xstrndup(ver.p, ver.n);
	p->arch = kb_xstrndup(arch.p, arch.n);
	p->kind = m.kind;
	p->release = kb_xstrndup(m.release.p, m.release.n);
	p->path = kb_xstrndup(file.p, file.n);
	p->size = bytes;
	p->depends = kb_kernel_depends(kb_apt_stanza_get(st, "Depends"), c->recog);
	p->present = true;
	return 0;
}

kb_deb_recogniser kb_crawl_apt_recogniser(const struct kb_upstream *u)
{
	const struct kb_distro *d = kb_distro_find(u->distro);

	return d && d->family == KB_FAMILY_APT ? kb_deb_recogniser_for(d->rules) : NULL;
}

int kb_crawl_apt_parse_index(const struct kb_upstream *u, const char *path, const char *url,
			     const struct kb_limits *lim, struct kb_pkglist *fresh)
{
	const struct kb_apt_limits alim = { .max_line = kb_limits_or_default(lim)->max_line };
	struct kb_apt_ctx c = { .u = u, .fresh = fresh, .url = url };
	struct kb_stream *s = NULL;
	int err;

	c.recog = kb_crawl_apt_recogniser(u);
	if (!c.recog) {
		char *known = kb_distro_names(KB_FAMILY_APT);

		kb_error("%s: no kernel package rules for apt distro '%s' (known: %s)", u->path,
			 u->distro, known);
		free(known);
		return -KB_EUSAGE;
	}
	err = kb_stream_open(path, 0, lim, &s);	/* 0: --max-unpacked-size */
	if (err) {
		kb_error("%s: cannot read the index (%s)", url, kb_strerror(err));
		goto out;
	}
	kb_stream_set_name(s, url);
	err = kb_apt_packages_parse(s, url, &alim, kb_apt_stanza_cb, &c);
out:
	kb_stream_close(s);
	return err;
}

/* Order for dedupe: key, then position in the crawl (suite order). */
static int kb_pkgp_cmp(const void *pa, const void *pb)
{
	const struct kb_pkg *a = *(const struct kb_pkg *const *)pa, *b = *(const struct kb_pkg *const *)pb;
	int c = strcmp(a->name, b->name);

	if (!c)
		c = strcmp(a->arch, b->arch);
	if (!c)
		c = strcmp(a->version, b->version);
	if (!c)
		c = (a > b) - (a < b);
	return c;
}

/* The same package in several suites (or, for Architecture: all, several
 * indexes) is kept once: the first seen, i.e. from the earliest suite. */
void kb_crawl_apt_dedupe(struct kb_pkglist *l)
{
	struct kb_pkg **v, *out;
	size_t n = 0;

	if (l->n < 2)
		return;
	v = kb_xmalloc(sizeof(*v) * l->n);
	for (size_t i = 0; i < l->n; i++)
		v[i] = &l->v[i];
	qsort(v, l->n, sizeof(*v), kb_pkgp_cmp);
	out = kb_xmalloc(sizeof(*out) * l->n);
	for (size_t i = 0; i < l->n; i++) {
		if (n && !strcmp(v[i]->name, out[n - 1].name) && !strcmp(v[i]->arch, out[n - 1].arch) &&
		    !strcmp(v[i]->version, out[n - 1].version)) {
			if (strcmp(v[i]->sha256, out[n - 1].sha256))
				kb_warn("%s %s %s: differs between suites; keeping the first suite's",
					v[i]->name, v[i]->version, v[i]->arch);
			free(v[i]->name);
			free(v[i]->version);
			free(v[i]->arch);
			free(v[i]->release);
			free(v[i]->path);
			free(v[i]->depends);
			continue;
		}
		out[n++] = *v[i];
	}
	free(v);
	free(l->v);
	l->v = out;
	l->n = l->cap = n;
}
