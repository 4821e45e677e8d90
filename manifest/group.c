/* group.c — the distro-blind half of grouping: deduplicate and index a
 * package list, run a rule per anchor package, turn groups into manifest
 * entries or warnings. The rules themselves live in group_<family>.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/distro.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "manifest/group.h"

/* Each family's rules (group_<family>.c), by lib/family.h's rows. */
static const struct kb_group_family *const kb_group_families[KB_FAMILY_COUNT] = {
#define KB_GROUP_FAMILY_ROW(e, id, name, vercmp) [KB_FAMILY_##e] = &kb_group_family_##id,
	KB_FAMILIES(KB_GROUP_FAMILY_ROW)
#undef KB_GROUP_FAMILY_ROW
};

/* What a header package picked by a dependency carries beyond itself. */
struct kb_group_alts {
	char *satisfies;		/* "<op> <version>", NULL: none */
	const struct kb_pkg **v;	/* other packages that fit, newest first */
	size_t n;
};

struct kb_group {
	const struct kb_group_rule *rule;
	const struct kb_pkg **pkgs;	/* deduplicated; name, newest first, arch, sha256 */
	size_t n;
	const struct kb_pkg **hdr, **img;	/* the bundle being built */
	struct kb_group_alts *alts;	/* nhdr: hdr[i]'s */
	size_t nhdr, nimg;
	char *reason;			/* why it cannot be built */
};

const struct kb_group_rule *kb_group_rule_find(const char *distro)
{
	const struct kb_distro *d = kb_distro_find(distro);

	for (const struct kb_group_rule *const *r = d ? kb_group_families[d->family]->rules : NULL;
	     r && *r; r++)
		if (!strcmp((*r)->name, d->rules))
			return *r;
	return NULL;
}

/* Total order over every field that reaches the manifest, so which of two
 * copies of one file survives never depends on the input order. */
static int kb_pkg_cmp_sha(const void *a, const void *b)
{
	const struct kb_pkg *x = *(const struct kb_pkg *const *)a;
	const struct kb_pkg *y = *(const struct kb_pkg *const *)b;
	int c;

	if ((c = strcmp(x->sha256, y->sha256)) || (c = strcmp(x->name, y->name)) ||
	    (c = strcmp(x->version, y->version)) || (c = strcmp(x->arch, y->arch)) ||
	    (c = strcmp(x->path, y->path)) || (c = (int)x->kind - (int)y->kind))
		return c;
	return x->size < y->size ? -1 : x->size > y->size;
}

static int kb_pkg_cmp_name(const void *a, const void *b, void *arg)
{
	const struct kb_pkg *x = *(const struct kb_pkg *const *)a;
	const struct kb_pkg *y = *(const struct kb_pkg *const *)b;
	kb_vercmp_fn vercmp = *(kb_vercmp_fn *)arg;
	int c;

	if ((c = strcmp(x->name, y->name)))
		return c;
	if ((c = vercmp(y->version, x->version)))	/* newest first */
		return c;
	if ((c = strcmp(x->version, y->version)) || (c = strcmp(x->arch, y->arch)))
		return c;
	return strcmp(x->sha256, y->sha256);
}

static void kb_group_index(struct kb_group *g, const struct kb_pkglist *l)
{
	kb_vercmp_fn vercmp = kb_family_vercmp(g->rule->family);
	size_t n = 0;

	g->pkgs = kb_xcalloc(l->n, sizeof(*g->pkgs));
	for (size_t i = 0; i < l->n; i++)
		g->pkgs[i] = &l->v[i];
	qsort(g->pkgs, l->n, sizeof(*g->pkgs), kb_pkg_cmp_sha);
	/* one file seen twice (two suites, a re-crawl) counts once */
	for (size_t i = 0; i < l->n; i++)
		if (!n || strcmp(g->pkgs[n - 1]->sha256, g->pkgs[i]->sha256))
			g->pkgs[n++] = g->pkgs[i];
	g->n = n;
	qsort_r(g->pkgs, n, sizeof(*g->pkgs), kb_pkg_cmp_name, &vercmp);
}

size_t kb_group_count(const struct kb_group *g)
{
	return g->n;
}

const struct kb_pkg *kb_group_at(const struct kb_group *g, size_t i)
{
	return i < g->n ? g->pkgs[i] : NULL;
}

static int kb_name_cmp(struct kb_str name, const char *s)
{
	size_t n = strlen(s);
	int c = memcmp(name.p, s, name.n < n ? name.n : n);

	return c ? c : (name.n > n) - (name.n < n);
}

/* The first package not sorting before name. */
static size_t kb_group_first(const struct kb_group *g, struct kb_str name)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (kb_name_cmp(name, g->pkgs[mid]->name) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does p (of the name asked for) fit how, but for prefer_version? */
static bool kb_group_fits(const struct kb_group *g, const struct kb_pkg *p,
			  const struct kb_group_pick *how)
{
	if (p->kind != how->kind)
		return false;
	if (how->arch && strcmp(p->arch, how->arch) && strcmp(p->arch, "all"))
		return false;
	return !how->rel ||
	       kb_relation_satisfied(how->rel, p->version, kb_family_vercmp(g->rule->family));
}

const struct kb_pkg *kb_group_pick(const struct kb_group *g, struct kb_str name,
				   const struct kb_group_pick *how)
{
	const struct kb_pkg *best = NULL;

	for (size_t i = kb_group_first(g, name);
	     i < g->n && kb_name_cmp(name, g->pkgs[i]->name) == 0; i++) {
		const struct kb_pkg *p = g->pkgs[i];

		if (!kb_group_fits(g, p, how))
			continue;
		if (how->prefer_version && !strcmp(p->version, how->prefer_version))
			return p;
		if (!best)
			best = p;	/* sorted newest first */
	}
	return best;
}

/* Append p unless v has it; true when appended. */
static bool kb_group_push(const struct kb_pkg ***v, size_t *n, const struct kb_pkg *p)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == p)
			return false;
	*v = kb_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = p;
	return true;
}

void kb_group_add_header(struct kb_group *g, const struct kb_pkg *p)
{
	if (!kb_group_push(&g->hdr, &g->nhdr, p))
		return;
	g->alts = kb_xrealloc(g->alts, g->nhdr * sizeof(*g->alts));
	g->alts[g->nhdr - 1] = (struct kb_group_alts){ 0 };
}

/* Only what the manifest loader would take back. */
static bool kb_group_alt_ok(const struct kb_pkg *p)
{
	return !kb_manifest_str_check(p->version) && !kb_manifest_str_check(p->arch) &&
	       !kb_manifest_path_check(p->path);
}

void kb_group_add_picked(struct kb_group *g, const struct kb_pkg *p, struct kb_str name,
			 const struct kb_group_pick *how)
{
	struct kb_group_alts *a;

	if (!kb_group_push(&g->hdr, &g->nhdr, p))
		return;
	g->alts = kb_xrealloc(g->alts, g->nhdr * sizeof(*g->alts));
	a = &g->alts[g->nhdr - 1];
	*a = (struct kb_group_alts){ 0 };
	/* an unversioned dependency says nothing about which version fits the
	 * headers (prefer_version chose): no alternates for it */
	if (!how->rel || how->rel->op == KB_REL_ANY)
		return;
	a->satisfies = kb_xasprintf("%s " KB_STR_FMT, kb_relop_str(how->rel->op),
				    KB_STR_ARG(how->rel->version));
	for (size_t i = kb_group_first(g, name);
	     i < g->n && kb_name_cmp(name, g->pkgs[i]->name) == 0; i++) {
		const struct kb_pkg *q = g->pkgs[i];

		if (q != p && kb_group_fits(g, q, how) && kb_group_alt_ok(q)) {
			a->v = kb_xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
			a->v[a->n++] = q;	/* sorted newest first */
		}
	}
}

static void kb_group_alts_clear(struct kb_group *g)
{
	for (size_t i = 0; i < g->nhdr; i++) {
		free(g->alts[i].satisfies);
		free(g->alts[i].v);
	}
	g->nhdr = 0;
}

void kb_group_add_image(struct kb_group *g, const struct kb_pkg *p)
{
	kb_group_push(&g->img, &g->nimg, p);
}

int kb_group_incomplete(struct kb_group *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->reason) {	/* the first reason is the one that matters */
		va_start(ap, fmt);
		if (vasprintf(&g->reason, fmt, ap) < 0)
			abort();
		va_end(ap);
	}
	return -KB_ENOTFOUND;
}

static void kb_malts_from(struct kb_mpkg *m, const struct kb_group_alts *a)
{
	m->satisfies = a->satisfies ? kb_xstrdup(a->satisfies) : NULL;
	m->nalternates = a->n;
	m->alternates = a->n ? kb_xcalloc(a->n, sizeof(*m->alternates)) : NULL;
	for (size_t k = 0; k < a->n; k++) {
		struct kb_malt *alt = &m->alternates[k];

		alt->version = kb_xstrdup(a->v[k]->version);
		alt->arch = kb_xstrdup(a->v[k]->arch);
		alt->path = kb_xstrdup(a->v[k]->path);
		alt->size = a->v[k]->size;
		memcpy(alt->sha256, a->v[k]->sha256, sizeof(alt->sha256));
	}
}

/* alts: NULL (images), or v[i]'s satisfies and alternates */
static struct kb_mpkg *kb_mpkgs_from(const struct kb_pkg *const *v, size_t n,
				     const struct kb_group_alts *alts)
{
	struct kb_mpkg *out = kb_xcalloc(n, sizeof(*out));

	for (size_t i = 0; i < n; i++) {
		out[i].name = kb_xstrdup(v[i]->name);
		out[i].version = kb_xstrdup(v[i]->version);
		out[i].arch = kb_xstrdup(v[i]->arch);
		out[i].kind = v[i]->kind;
		out[i].path = kb_xstrdup(v[i]->path);
		out[i].size = v[i]->size;
		memcpy(out[i].sha256, v[i]->sha256, sizeof(out[i].sha256));
		if (alts)
			kb_malts_from(&out[i], &alts[i]);
	}
	return out;
}

/* The manifest loader refuses blanks, non-ASCII and escaping paths; refuse
 * them here too, so what is written always loads back. */
static int kb_group_check(struct kb_group *g, const struct kb_pkg *anchor)
{
	const char *why;

	if ((why = kb_manifest_str_check(anchor->release)))
		return kb_group_incomplete(g, "release \"%s\" %s", anchor->release, why);
	for (size_t i = 0; i < g->nhdr + g->nimg; i++) {
		const struct kb_pkg *p = i < g->nhdr ? g->hdr[i] : g->img[i - g->nhdr];
		const char *fields[][2] = {
			{ "name", p->name }, { "version", p->version }, { "arch", p->arch },
		};

		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
			if ((why = kb_manifest_str_check(fields[f][1])))
				return kb_group_incomplete(g, "%s: %s \"%s\" %s", p->name,
							   fields[f][0], fields[f][1], why);
		if ((why = kb_manifest_path_check(p->path)))
			return kb_group_incomplete(g, "%s: path \"%s\" %s", p->name, p->path, why);
	}
	return 0;
}

static void kb_group_emit(struct kb_group *g, const struct kb_pkg *anchor, const char *distro,
			  const char *upstream, struct kb_manifest *m)
{
	struct kb_bundle_entry *e;

	m->v = kb_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	e = &m->v[m->n++];
	*e = (struct kb_bundle_entry){
		.distro = kb_xstrdup(distro),
		.family = g->rule->family,
		.upstream = kb_xstrdup(upstream),
		.release = kb_xstrdup(anchor->release),
		.arch = kb_xstrdup(anchor->arch),
		.version = kb_xstrdup(anchor->version),
		.headers = kb_mpkgs_from(g->hdr, g->nhdr, g->alts),
		.nheaders = g->nhdr,
		.images = kb_mpkgs_from(g->img, g->nimg, NULL),
		.nimages = g->nimg,
	};
	kb_bundle_id(e);
	if (!g->nimg)
		kb_warn("%s: %s %s (%s): no kernel image package; the VM stage cannot boot it",
			upstream, anchor->release, anchor->arch, anchor->version);
}

static void kb_group_skip(struct kb_group *g, const struct kb_pkg *anchor, const char *upstream,
			  struct kb_group_skips *skips)
{
	struct kb_group_skip *s;

	kb_warn("%s: %s %s (%s) left out: %s", upstream, anchor->release, anchor->arch,
		anchor->version, g->reason);
	skips->v = kb_xrealloc(skips->v, (skips->n + 1) * sizeof(*skips->v));
	s = &skips->v[skips->n++];
	*s = (struct kb_group_skip){
		.upstream = kb_xstrdup(upstream),
		.name = kb_xstrdup(anchor->name),
		.version = kb_xstrdup(anchor->version),
		.arch = kb_xstrdup(anchor->arch),
		.release = kb_xstrdup(anchor->release),
		.reason = g->reason,
	};
	g->reason = NULL;
}

void kb_group_list(const struct kb_group_rule *rule, const char *distro, const char *upstream,
		   const struct kb_pkglist *l, struct kb_manifest *m, struct kb_group_skips *skips)
{
	struct kb_group g = { .rule = rule };

	kb_group_index(&g, l);
	for (size_t i = 0; i < g.n; i++) {
		const struct kb_pkg *anchor = g.pkgs[i];
		int err;

		if (anchor->kind != rule->anchor)
			continue;
		free(g.reason);
		g.reason = NULL;
		kb_group_alts_clear(&g);
		g.nimg = 0;
		kb_group_add_header(&g, anchor);
		if (!anchor->release[0])
			err = kb_group_incomplete(&g, "%s has no kernel release", anchor->name);
		else
			err = rule->complete(&g, anchor);
		if (!err)
			err = kb_group_check(&g, anchor);
		if (err) {
			if (!g.reason)	/* a rule that failed without saying why */
				g.reason = kb_xasprintf("%s", kb_strerror(err));
			kb_group_skip(&g, anchor, upstream, skips);
		} else {
			kb_group_emit(&g, anchor, distro, upstream, m);
		}
	}
	kb_group_alts_clear(&g);
	free(g.alts);
	free(g.hdr);
	free(g.img);
	free(g.pkgs);
	free(g.reason);
}

void kb_group_skips_free(struct kb_group_skips *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].upstream);
		free(s->v[i].name);
		free(s->v[i].version);
		free(s->v[i].arch);
		free(s->v[i].release);
		free(s->v[i].reason);
	}
	free(s->v);
	*s = (struct kb_group_skips){ 0 };
}
