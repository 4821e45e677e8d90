/* layout.c — the family fix-ups that make a header tree self-contained
 * (see layout.h for the why). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/archive_safe.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/strview.h"
#include "packer/layout.h"

#define KB_LAYOUT_MAX_DEPTH 8
#define KB_LAYOUT_MAX_MAPS 16
/* Directory links copy subtrees, so hostile links could multiply a tree;
 * real header trees have ~15,000 entries and ~100 MB. */
#define KB_LAYOUT_MAX_NODES 1000000
#define KB_LAYOUT_MAX_BYTES (4ull << 30)

/* A source directory copied to a place in the bundle. Links that resolve
 * into a mapped directory stay links (relative); others are materialized. */
struct kb_map {
	const char *src, *dst;
};

struct kb_layout {
	const struct kb_tree *src;
	const struct kb_layout_opts *o;
	struct kb_tree *out;
	uint64_t bytes;		/* file bytes in out */
	struct kb_map maps[KB_LAYOUT_MAX_MAPS];
	size_t nmaps;
};

static bool kb_under(const char *path, const char *dir, const char **rest)
{
	size_t n = strlen(dir);

	if (!n) {
		*rest = path;
		return true;
	}
	if (strncmp(path, dir, n) != 0 || (path[n] && path[n] != '/'))
		return false;
	*rest = path[n] ? path + n + 1 : path + n;
	return true;
}

static char *kb_join(const char *a, const char *b)
{
	if (!*a)
		return kb_xstrdup(b);
	if (!*b)
		return kb_xstrdup(a);
	return kb_xasprintf("%s/%s", a, b);
}

/* Dropped: another architecture's arch/<x> below the build root. */
static bool kb_layout_dropped(const struct kb_layout *l, const char *dst)
{
	const char *rest, *e;

	if (!l->o->karch || !kb_under(dst, l->o->dst_root, &rest) || strncmp(rest, "arch/", 5) != 0)
		return false;
	rest += 5;
	e = strchrnul(rest, '/');
	return (size_t)(e - rest) != strlen(l->o->karch) || strncmp(rest, l->o->karch, (size_t)(e - rest));
}

/* May dst be created? Not when it exists (first writer wins: the flavour
 * tree before what it overlays) or an ancestor is not a directory. */
static bool kb_layout_free(const struct kb_layout *l, const char *dst)
{
	char *p;
	bool ok = true;

	if (kb_tree_get(l->out, dst))
		return false;
	p = kb_xstrdup(dst);
	for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
		const struct kb_node *nd;

		*s = '\0';
		nd = kb_tree_get(l->out, p);
		if (nd) {
			ok = nd->type == KB_NODE_DIR;
			break;
		}
	}
	free(p);
	return ok;
}

static int kb_layout_subtree(struct kb_layout *l, const char *src, const char *dst, int depth);

static int kb_layout_link(struct kb_layout *l, const struct kb_node *nd, const char *dst, int depth)
{
	char *target = NULL, *mapped = NULL;
	const struct kb_node *tn;
	int err;

	err = kb_tree_resolve(l->src, nd->path, &target);
	if (err) {
		kb_error("%s: symlink '%s' -> '%s' %s", l->o->name, nd->path, nd->link,
			 err == -ELOOP ? "loops" : "leaves the packages");
		return err == -ELOOP ? -KB_EUNSAFE : err;
	}
	for (size_t i = l->nmaps; i-- > 0;) {
		const char *rest;

		if (kb_under(target, l->maps[i].src, &rest)) {
			mapped = kb_join(l->maps[i].dst, rest);
			break;
		}
	}
	if (mapped) {
		char *rel = kb_link_relative(dst, mapped);

		kb_tree_put(l->out, dst, KB_NODE_SYMLINK, 0777, rel, NULL, 0, false);
		free(rel);
		goto out;
	}
	tn = kb_tree_get(l->src, target);
	if (tn && tn->type == KB_NODE_FILE) {
		l->bytes += tn->size;
		kb_tree_put(l->out, dst, KB_NODE_FILE, tn->mode, NULL, tn->data, tn->size, false);
	} else if (kb_tree_is_dir(l->src, target)) {
		if (depth >= KB_LAYOUT_MAX_DEPTH) {
			kb_error("%s: symlink '%s': directories nest too deep", l->o->name, nd->path);
			err = -KB_ELIMIT;
			goto out;
		}
		err = kb_layout_subtree(l, target, dst, depth + 1);
	} else if (nd->link[0] == '/') {
		/* what an absolute link names is not in the packages: on a host
		 * it would reach outside them */
		kb_error("%s: absolute symlink '%s' -> '%s' points outside the packages", l->o->name,
			 nd->path, nd->link);
		err = -KB_EUNSAFE;
	} else {
		kb_warn("%s: dropping dangling symlink '%s' -> '%s'", l->o->name, nd->path, nd->link);
	}
out:
	free(mapped);
	free(target);
	return err;
}

static int kb_layout_node(struct kb_layout *l, const struct kb_node *nd, const char *dst, int depth)
{
	if (kb_layout_dropped(l, dst) || !kb_layout_free(l, dst))
		return 0;
	l->bytes += nd->size;
	if (l->out->n >= KB_LAYOUT_MAX_NODES || l->bytes > KB_LAYOUT_MAX_BYTES) {
		kb_error("%s: '%s': the tree grows past %u entries or %llu bytes (links copying "
			 "directories into themselves?)", l->o->name, nd->path, KB_LAYOUT_MAX_NODES,
			 KB_LAYOUT_MAX_BYTES);
		return -KB_ELIMIT;
	}
	switch (nd->type) {
	case KB_NODE_DIR:
		kb_tree_put(l->out, dst, KB_NODE_DIR, 0755, NULL, NULL, 0, false);
		return 0;
	case KB_NODE_FILE:
		kb_tree_put(l->out, dst, KB_NODE_FILE, nd->mode, NULL, nd->data, nd->size, false);
		return 0;
	case KB_NODE_SYMLINK:
		return kb_layout_link(l, nd, dst, depth);
	}
	return 0;
}

/* Copy the source directory src to dst, with src mapped to dst meanwhile
 * so its internal links stay links. */
static int kb_layout_subtree(struct kb_layout *l, const char *src, const char *dst, int depth)
{
	size_t lo, hi, slen = strlen(src);
	int err = 0;

	if (l->nmaps == KB_LAYOUT_MAX_MAPS) {
		kb_error("%s: '%s': too many nested directory links", l->o->name, src);
		return -KB_ELIMIT;
	}
	l->maps[l->nmaps++] = (struct kb_map){ src, dst };
	if (kb_layout_free(l, dst) && !kb_tree_get(l->out, dst))
		kb_tree_put(l->out, dst, KB_NODE_DIR, 0755, NULL, NULL, 0, false);
	kb_tree_subtree(l->src, src, &lo, &hi);
	for (size_t i = lo; i < hi && !err; i++) {
		const struct kb_node *nd = &l->src->v[i];
		char *to = kb_join(dst, nd->path + slen + (slen ? 1 : 0));

		err = kb_layout_node(l, nd, to, depth);
		free(to);
	}
	l->nmaps--;
	return err;
}

/* The directory a Makefile line "include X" names, if X is another tree's
 * Makefile (absolute, or relative to the build root). */
static char *kb_layout_included_dir(const struct kb_layout *l, const char *p, const char *end)
{
	char *inc, *full, *canon = NULL, *slash;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < 9 || memcmp(p, "include", 7) != 0 || (p[7] != ' ' && p[7] != '\t'))
		return NULL;
	p += 8;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	inc = kb_xstrndup(p, (size_t)(end - p));
	if (strpbrk(inc, " \t$") || strcmp(strrchr(inc, '/') ? strrchr(inc, '/') + 1 : inc, "Makefile")) {
		free(inc);
		return NULL;
	}
	full = inc[0] == '/' ? kb_xstrdup(inc) : kb_xasprintf("%s/%s", l->o->src_root, inc);
	if (kb_tree_resolve(l->src, full, &canon) == 0 && (slash = strrchr(canon, '/'))) {
		*slash = '\0';
		if (!strcmp(canon, l->o->src_root) || !kb_tree_is_dir(l->src, canon)) {
			free(canon);
			canon = NULL;
		}
	} else {
		free(canon);
		canon = NULL;
	}
	free(inc);
	free(full);
	return canon;
}

/* Debian 13's 7.x Makefile starts "KBUILD_OUTPUT=/usr/src/linux-headers-R",
 * naming its own directory as the output tree of the -common tree it
 * includes. Once that tree is overlaid here, source and output are one
 * tree, the extracted one, so the line goes: make's own default (the
 * current directory, -C's) is right wherever the bundle lands. True for a
 * line setting KBUILD_OUTPUT to the build root, absolutely. */
static bool kb_layout_own_output(const struct kb_layout *l, struct kb_str line)
{
	struct kb_str v = kb_str_trim(line);
	size_t n = strlen(l->o->src_root);

	if (!kb_str_startswith(v, "KBUILD_OUTPUT"))
		return false;
	v = kb_str_trim(kb_str(v.p + 13, v.n - 13));
	if (v.n && (v.p[0] == ':' || v.p[0] == '?'))
		v = kb_str(v.p + 1, v.n - 1);
	if (!v.n || v.p[0] != '=')
		return false;
	v = kb_str_trim(kb_str(v.p + 1, v.n - 1));
	while (v.n > 1 && v.p[v.n - 1] == '/')
		v.n--;
	return v.n == n + 1 && v.p[0] == '/' && !memcmp(v.p + 1, l->o->src_root, n);
}

/* Debian: overlay the trees the build root's Makefile includes, and inline
 * their Makefile text where the include was. */
static int kb_layout_overlays(struct kb_layout *l)
{
	char *mk_path = kb_join(l->o->src_root, "Makefile");
	const struct kb_node *mk = kb_tree_get(l->src, mk_path);
	struct kb_str text = KB_STR_NULL;
	char *outbuf = NULL, *out_mk = NULL;
	size_t outlen = 0, outcap = 0;
	int err = 0, rewritten = 0;

	if (!mk || mk->type != KB_NODE_FILE)
		goto out;
	text = kb_str((const char *)mk->data, mk->size);
	while (text.n) {
		struct kb_str line;
		char *dir;
		const struct kb_node *inc = NULL;
		char *inc_path;

		kb_str_split(&text, '\n', &line);
		if (kb_layout_own_output(l, line)) {
			kb_debug("%s: dropping \"" KB_STR_FMT "\" from the Makefile", l->o->name,
				 KB_STR_ARG(kb_str_trim(line)));
			rewritten++;
			continue;
		}
		dir = kb_layout_included_dir(l, line.p, line.p + line.n);
		if (dir) {
			inc_path = kb_join(dir, "Makefile");
			inc = kb_tree_get(l->src, inc_path);
			free(inc_path);
		}
		if (inc && inc->type == KB_NODE_FILE) {
			kb_debug("%s: overlaying %s on %s", l->o->name, dir, l->o->src_root);
			if (l->nmaps == KB_LAYOUT_MAX_MAPS) {
				free(dir);
				err = -KB_ELIMIT;
				goto out;
			}
			/* kept in maps for the whole build: links into it stay links */
			l->maps[l->nmaps++] = (struct kb_map){ dir, l->o->dst_root };
			line = kb_str((const char *)inc->data, inc->size);
			rewritten++;
		} else {
			free(dir);
		}
		if (outlen + line.n + 2 > outcap) {
			outcap = (outlen + line.n + 2) * 2;
			outbuf = kb_xrealloc(outbuf, outcap);
		}
		memcpy(outbuf + outlen, line.p, line.n);
		outlen += line.n;
		if (!line.n || line.p[line.n - 1] != '\n')
			outbuf[outlen++] = '\n';
	}
	if (!rewritten)
		goto out;
	out_mk = kb_join(l->o->dst_root, "Makefile");
	kb_tree_put(l->out, out_mk, KB_NODE_FILE, 0644, NULL, outbuf, outlen, true);
	outbuf = NULL;
out:
	free(outbuf);
	free(out_mk);
	free(mk_path);
	return err;
}

int kb_layout_build(const struct kb_tree *src, const struct kb_layout_opts *o, struct kb_tree *out)
{
	struct kb_layout l = { .src = src, .o = o, .out = out };
	size_t first_overlay;
	int err;

	if (!kb_tree_is_dir(src, o->src_root)) {
		kb_error("%s: the packages hold no %s/", o->name, o->src_root);
		return -KB_ENOTFOUND;
	}
	/* the bundle root's parents, so the tarball lists every directory */
	for (const char *s = strchr(o->dst_root, '/'); s; s = strchr(s + 1, '/')) {
		char *p = kb_xstrndup(o->dst_root, (size_t)(s - o->dst_root));

		kb_tree_put(out, p, KB_NODE_DIR, 0755, NULL, NULL, 0, false);
		free(p);
	}
	kb_tree_put(out, o->dst_root, KB_NODE_DIR, 0755, NULL, NULL, 0, false);
	l.maps[l.nmaps++] = (struct kb_map){ o->src_root, o->dst_root };
	first_overlay = l.nmaps;
	err = kb_layout_overlays(&l);
	if (err)
		return err;
	err = kb_layout_subtree(&l, o->src_root, o->dst_root, 0);
	for (size_t i = first_overlay; !err && i < l.nmaps; i++)
		err = kb_layout_subtree(&l, l.maps[i].src, o->dst_root, 0);
	for (size_t i = first_overlay; i < l.nmaps; i++)
		free((char *)l.maps[i].src);
	/* packages need not list every directory; the tarball must */
	for (size_t i = 0, n = out->n; i < n; i++) {
		char *p = kb_xstrdup(out->v[i].path);

		for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
			*s = '\0';
			if (kb_tree_get(out, p))
				break;
			kb_tree_put(out, p, KB_NODE_DIR, 0755, NULL, NULL, 0, false);
		}
		free(p);
	}
	kb_tree_sort(out);
	return err;
}
