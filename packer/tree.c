/* tree.c — the in-memory file tree (see tree.h): a growable array of nodes
 * with a hash index on the path, sorted once loading is done. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/archive_safe.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "packer/tree.h"

void kb_tree_init(struct kb_tree *t)
{
	memset(t, 0, sizeof(*t));
}

void kb_tree_free(struct kb_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].link);
		if (t->v[i].owns_data)
			free((void *)t->v[i].data);
	}
	free(t->v);
	free(t->index);
	kb_tree_init(t);
}

static uint64_t kb_tree_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void kb_tree_reindex(struct kb_tree *t)
{
	size_t cap = 1024;

	while (cap < t->n * 2 + 2)
		cap *= 2;
	free(t->index);
	t->index = kb_xmalloc(cap * sizeof(*t->index));
	memset(t->index, 0xff, cap * sizeof(*t->index));
	t->index_cap = cap;
	for (size_t i = 0; i < t->n; i++) {
		size_t h = (size_t)kb_tree_hash(t->v[i].path) & (cap - 1);

		while (t->index[h] != SIZE_MAX)
			h = (h + 1) & (cap - 1);
		t->index[h] = i;
	}
}

/* The index slot holding path, or the empty slot where it would go. */
static size_t *kb_tree_slot(const struct kb_tree *t, const char *path)
{
	size_t h = (size_t)kb_tree_hash(path) & (t->index_cap - 1);

	while (t->index[h] != SIZE_MAX && strcmp(t->v[t->index[h]].path, path) != 0)
		h = (h + 1) & (t->index_cap - 1);
	return &t->index[h];
}

struct kb_node *kb_tree_get(const struct kb_tree *t, const char *path)
{
	size_t *slot;

	if (!t->index_cap)
		return NULL;
	slot = kb_tree_slot(t, path);
	return *slot == SIZE_MAX ? NULL : &t->v[*slot];
}

struct kb_node *kb_tree_put(struct kb_tree *t, const char *path, enum kb_node_type type,
			    unsigned mode, const char *link, const void *data, size_t size, bool owns)
{
	struct kb_node *nd;
	size_t *slot;

	if ((t->n + 1) * 2 >= t->index_cap)
		kb_tree_reindex(t);
	slot = kb_tree_slot(t, path);
	if (*slot != SIZE_MAX) {
		nd = &t->v[*slot];
		free(nd->link);
		if (nd->owns_data)
			free((void *)nd->data);
	} else {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 4096;
			t->v = kb_xrealloc(t->v, t->cap * sizeof(*t->v));
		}
		*slot = t->n;
		nd = &t->v[t->n++];
		nd->path = kb_xstrdup(path);
		t->sorted = false;
	}
	nd->type = type;
	nd->mode = mode;
	nd->link = link ? kb_xstrdup(link) : NULL;
	nd->data = data;
	nd->size = size;
	nd->owns_data = owns;
	return nd;
}

static int kb_node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kb_node *)a)->path, ((const struct kb_node *)b)->path);
}

void kb_tree_sort(struct kb_tree *t)
{
	if (t->sorted)
		return;
	if (t->n)	/* an empty package: t->v is NULL, and qsort(NULL, …) is UB */
		qsort(t->v, t->n, sizeof(*t->v), kb_node_cmp);
	kb_tree_reindex(t);
	t->sorted = true;
}

/* First index whose path is >= key. */
static size_t kb_tree_lower(const struct kb_tree *t, const char *key)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->v[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void kb_tree_subtree(const struct kb_tree *t, const char *dir, size_t *lo, size_t *hi)
{
	char *prefix;
	size_t plen, i;

	if (!*dir) {
		*lo = 0;
		*hi = t->n;
		while (*lo < *hi && !*t->v[*lo].path)
			(*lo)++;
		return;
	}
	prefix = kb_xasprintf("%s/", dir);
	plen = strlen(prefix);
	*lo = i = kb_tree_lower(t, prefix);
	/* "dir/" ... "dir0" is one contiguous run in byte order */
	prefix[plen - 1] = '/' + 1;
	*hi = kb_tree_lower(t, prefix);
	(void)i;
	free(prefix);
}

bool kb_tree_is_dir(const struct kb_tree *t, const char *path)
{
	const struct kb_node *nd = kb_tree_get(t, path);
	size_t lo, hi;

	if (nd)
		return nd->type == KB_NODE_DIR;
	if (!*path)
		return true;
	kb_tree_subtree(t, path, &lo, &hi);
	return lo < hi;
}

int kb_tree_resolve(const struct kb_tree *t, const char *path, char **out)
{
	size_t cap = strlen(path) + 1, len = 0;
	char *cur = kb_xmalloc(cap), *todo = kb_xstrdup(path);
	const char *p = todo;
	int hops = 0, err = 0;

	cur[0] = '\0';
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		const struct kb_node *nd;

		if (n == 0 || (n == 1 && *p == '.')) {
			p = *e ? e + 1 : e;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!len) {
				err = -KB_EUNSAFE;
				goto out;
			}
			while (len && cur[len - 1] != '/')
				len--;
			if (len)
				len--;
			cur[len] = '\0';
			p = *e ? e + 1 : e;
			continue;
		}
		if (len + n + 2 > cap) {
			cap = (len + n + 2) * 2;
			cur = kb_xrealloc(cur, cap);
		}
		size_t parent = len;

		if (len)
			cur[len++] = '/';
		memcpy(cur + len, p, n);
		cur[len + n] = '\0';
		nd = kb_tree_get(t, cur);
		if (nd && nd->type == KB_NODE_SYMLINK) {
			/* continue with the link's target, then the rest */
			char *next = kb_xasprintf("%s%s", nd->link, e);

			if (++hops > 40) {
				free(next);
				err = -ELOOP;
				goto out;
			}
			len = nd->link[0] == '/' ? 0 : parent;
			cur[len] = '\0';
			free(todo);
			p = todo = next;
			continue;
		}
		len += n;
		p = *e ? e + 1 : e;
	}
	*out = cur;
	cur = NULL;
out:
	free(cur);
	free(todo);
	return err;
}

/* Included files in a Makefile line: "include /abs/x" (also -include and
 * sinclude). Returns whether the line includes an absolute path. */
static bool kb_line_abs_include(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && (*p == '-' || *p == 's'))
		p++;
	if ((size_t)(end - p) < 8 || memcmp(p, "include", 7) != 0 || (p[7] != ' ' && p[7] != '\t'))
		return false;
	for (p += 7; p < end; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		if (*p == '/')
			return true;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
	}
	return false;
}

/* Does the line (up to a '#' comment) name an absolute path under /usr/src?
 * Such a path is the host's tree, not the bundle's: Debian 13's 7.x
 * Makefile says "KBUILD_OUTPUT=/usr/src/linux-headers-R". Kbuild's own
 * Makefile.package mentions /usr/src/packages in comments only. */
static bool kb_line_abs_usr_src(const char *p, const char *end)
{
	static const char needle[] = "/usr/src";
	const size_t n = sizeof(needle) - 1;
	const char *hash = memchr(p, '#', (size_t)(end - p));

	if (hash)
		end = hash;
	for (const char *q = p; (size_t)(end - q) >= n; q++) {
		if (memcmp(q, needle, n) != 0)
			continue;
		if (q > p && !strchr(" \t=:\"'(,;", q[-1]))
			continue;	/* part of a longer path: $(srctree)/usr/src */
		if (q + n == end || strchr("/ \t\"')", q[n]))
			return true;
	}
	return false;
}

static bool kb_is_makefile(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "Makefile", 8) || !strncmp(base, "Kbuild", 6) ||
	       strstr(base, ".include") || strstr(base, ".mk");
}

int kb_tree_check_contained(const struct kb_tree *t, const char *root, const char *name)
{
	size_t rlen = strlen(root);
	int bad = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct kb_node *nd = &t->v[i];
		char *to;

		if (nd->type == KB_NODE_SYMLINK) {
			if (nd->link[0] == '/') {
				kb_error("%s: '%s' is an absolute symlink to '%s'", name, nd->path, nd->link);
				bad++;
				continue;
			}
			to = kb_link_resolve(nd->path, nd->link);
			if (!to || strncmp(to, root, rlen) != 0 || (to[rlen] && to[rlen] != '/')) {
				kb_error("%s: symlink '%s' -> '%s' leaves %s", name, nd->path, nd->link, root);
				bad++;
			}
			free(to);
		} else if (nd->type == KB_NODE_FILE && kb_is_makefile(nd->path)) {
			const char *p = (const char *)nd->data, *end = p + nd->size;

			while (p < end) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				const char *le = nl ? nl : end;

				if (kb_line_abs_include(p, le)) {
					kb_error("%s: %s: includes an absolute path: %.*s", name, nd->path,
						 (int)(le - p), p);
					bad++;
				} else if (kb_line_abs_usr_src(p, le)) {
					kb_error("%s: %s: names an absolute path under /usr/src: %.*s",
						 name, nd->path, (int)(le - p), p);
					bad++;
				}
				p = le + 1;
			}
		}
	}
	return bad ? -KB_EUNSAFE : 0;
}
