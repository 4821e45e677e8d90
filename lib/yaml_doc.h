/* yaml_doc.h — load a YAML document (upstream files, manifest.yml) into a
 * small tree through libyaml, with limits on depth and node count so hostile
 * input cannot exhaust the stack or memory. Anchors and aliases are refused:
 * kbundle's files never need them and they are the classic YAML bomb. */
#ifndef KB_YAML_DOC_H
#define KB_YAML_DOC_H

#include <stddef.h>

enum kb_ynode_type { KB_Y_SCALAR, KB_Y_SEQ, KB_Y_MAP };

struct kb_ynode {
	enum kb_ynode_type type;
	int line;			/* 1-based line of the node in its file */
	char *scalar;			/* KB_Y_SCALAR */
	struct kb_ynode **items;	/* KB_Y_SEQ: values; KB_Y_MAP: key, value, key, value… */
	size_t n;			/* number of items (a map holds n/2 pairs) */
};

struct kb_limits;

struct kb_yaml_limits {
	const struct kb_limits *base;	/* the command's limits; NULL: the defaults */
	size_t max_depth;	/* 0: base->max_yaml_depth (64) */
	size_t max_nodes;	/* 0: base->max_yaml_nodes (4,000,000) */
};

/* Parse a buffer; name is used in messages ("name:line: problem"), which are
 * logged once here. Returns 0, -KB_EPARSE or -KB_ELIMIT. */
int kb_yaml_parse(const char *buf, size_t len, const char *name,
		  const struct kb_yaml_limits *lim, struct kb_ynode **root);
/* A file of at most base->max_index_size bytes. */
int kb_yaml_load(const char *path, const struct kb_yaml_limits *lim, struct kb_ynode **root);
/* Frees a whole tree: only a root that kb_yaml_parse or kb_yaml_load gave. */
void kb_yaml_free(struct kb_ynode *root);

/* Lookups; NULL when absent or of another type. */
const struct kb_ynode *kb_ymap_get(const struct kb_ynode *map, const char *key);
const char *kb_ymap_str(const struct kb_ynode *map, const char *key);

#endif
