/* tree.h — an in-memory file tree: path -> directory, file bytes or symlink
 * target. The packer reads packages into one (never onto the disk), builds
 * the bundle's tree from it, and streams that into the tarball. Paths are
 * normalized and relative ("usr/src/x"); the root is "". */
#ifndef KB_TREE_H
#define KB_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kb_node_type { KB_NODE_DIR, KB_NODE_FILE, KB_NODE_SYMLINK };

struct kb_node {
	char *path;
	enum kb_node_type type;
	unsigned mode;		/* permission bits only */
	char *link;		/* symlink target as stored */
	const unsigned char *data;	/* file bytes (owned when owns_data) */
	size_t size;
	bool owns_data;
};

struct kb_tree {
	struct kb_node *v;
	size_t n, cap;
	size_t *index;		/* open-addressing hash of v, SIZE_MAX = empty */
	size_t index_cap;
	bool sorted;
};

void kb_tree_init(struct kb_tree *t);
void kb_tree_free(struct kb_tree *t);
/* Add or replace (a later entry for the same path wins, as in tar). The
 * path is copied; data is taken over when owns is set, else borrowed. */
struct kb_node *kb_tree_put(struct kb_tree *t, const char *path, enum kb_node_type type,
			    unsigned mode, const char *link, const void *data, size_t size, bool owns);
struct kb_node *kb_tree_get(const struct kb_tree *t, const char *path);
/* A directory: an explicit entry, or the parent of some entry. Needs sort. */
bool kb_tree_is_dir(const struct kb_tree *t, const char *path);
/* Sort by path (byte order), so a directory's subtree is one range. */
void kb_tree_sort(struct kb_tree *t);
/* The range [*lo, *hi) of entries strictly below dir ("" = everything). */
void kb_tree_subtree(const struct kb_tree *t, const char *dir, size_t *lo, size_t *hi);
/* Resolve every symlink on the way to path, inside the tree only (an
 * absolute target restarts from the tree's root; nothing on the host is
 * consulted). *out gets the canonical path, which may not exist. Returns
 * -KB_EUNSAFE when ".." climbs above the root, -ELOOP past 40 links. */
int kb_tree_resolve(const struct kb_tree *t, const char *path, char **out);

struct archive;
struct kb_archive_guard;

/* Read every entry of an open archive into t, each checked by g first
 * (lib/archive_safe); errors name the package (name) and the entry. */
int kb_tree_load_archive(struct kb_tree *t, struct archive *a, struct kb_archive_guard *g,
			 const char *name);
/* Load a .deb's data.tar into t, checking every entry (lib/archive_safe)
 * under lim (the command's limits; NULL: defaults): errors name the package
 * and the entry. */
struct kb_limits;
int kb_tree_load_deb(struct kb_tree *t, const char *deb_path, const char *name,
		     const struct kb_limits *lim);

/* After packing: nothing in the tree may refer outside root (a directory of
 * t): no absolute symlinks, no symlink whose target leaves root, no
 * absolute include in a Makefile, no absolute /usr/src path in one (outside
 * comments). Logs each offence; -KB_EUNSAFE if any. */
int kb_tree_check_contained(const struct kb_tree *t, const char *root, const char *name);

#endif
