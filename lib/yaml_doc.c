/* yaml_doc.c — libyaml event stream → kb_ynode tree, with limits. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/yaml_doc.h"

/* The tree lives in an arena: chunks of nodes, item arrays and scalars,
 * freed together. The root is the first thing allocated in the first chunk
 * (kb_yaml_node makes a node before its children), so kb_yaml_free finds
 * the chunk list from the root alone. */
struct kb_ychunk {
	struct kb_ychunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define KB_YCHUNK_MIN ((size_t)64 << 10)

struct kb_yaml_ctx {
	yaml_parser_t parser;
	const char *name;
	size_t depth, nodes, max_depth, max_nodes;
	struct kb_ychunk *first, *last;
	struct kb_ynode **stack;	/* children of the open collections, innermost last */
	size_t nstack, capstack;
};

static void *kb_yalloc(struct kb_yaml_ctx *c, size_t size)
{
	size_t align = sizeof(max_align_t);
	void *p;

	size = (size + align - 1) / align * align;
	if (!c->last || c->last->cap - c->last->used < size) {
		size_t cap = size > KB_YCHUNK_MIN ? size : KB_YCHUNK_MIN;
		struct kb_ychunk *k = kb_xmalloc(sizeof(*k) + cap);

		k->next = NULL;
		k->used = 0;
		k->cap = cap;
		if (c->last)
			c->last->next = k;
		else
			c->first = k;
		c->last = k;
	}
	p = (char *)c->last->data + c->last->used;
	c->last->used += size;
	return p;
}

static void kb_ychunks_free(struct kb_ychunk *k)
{
	while (k) {
		struct kb_ychunk *next = k->next;

		free(k);
		k = next;
	}
}

static void kb_ystack_push(struct kb_yaml_ctx *c, struct kb_ynode *child)
{
	if (c->nstack == c->capstack) {
		c->capstack = c->capstack ? c->capstack * 2 : 64;
		c->stack = kb_xrealloc(c->stack, sizeof(*c->stack) * c->capstack);
	}
	c->stack[c->nstack++] = child;
}

static int kb_yaml_node(struct kb_yaml_ctx *c, yaml_event_t *ev, struct kb_ynode **out);

static int kb_yaml_children(struct kb_yaml_ctx *c, struct kb_ynode *node, yaml_event_type_t end)
{
	size_t base = c->nstack;

	for (;;) {
		yaml_event_t ev;
		struct kb_ynode *child = NULL;
		int err;

		if (!yaml_parser_parse(&c->parser, &ev)) {
			kb_error("%s:%zu: %s", c->name, c->parser.problem_mark.line + 1,
				 c->parser.problem ? c->parser.problem : "invalid YAML");
			return -KB_EPARSE;
		}
		if (ev.type == end) {
			yaml_event_delete(&ev);
			node->n = c->nstack - base;
			if (node->n) {
				node->items = kb_yalloc(c, sizeof(*node->items) * node->n);
				memcpy(node->items, c->stack + base, sizeof(*node->items) * node->n);
			}
			c->nstack = base;
			return 0;
		}
		err = kb_yaml_node(c, &ev, &child);
		yaml_event_delete(&ev);
		if (err)
			return err;
		kb_ystack_push(c, child);
	}
}

static int kb_yaml_node(struct kb_yaml_ctx *c, yaml_event_t *ev, struct kb_ynode **out)
{
	struct kb_ynode *n;
	int line = (int)ev->start_mark.line + 1, err = 0;

	if (++c->nodes > c->max_nodes) {
		kb_error("%s:%d: more than %zu YAML nodes (--max-yaml-nodes)", c->name, line,
			 c->max_nodes);
		return -KB_ELIMIT;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		break;
	case YAML_ALIAS_EVENT:
		kb_error("%s:%d: YAML aliases are not allowed", c->name, line);
		return -KB_EPARSE;
	default:
		kb_error("%s:%d: unexpected YAML event", c->name, line);
		return -KB_EPARSE;
	}
	if ((ev->type == YAML_SCALAR_EVENT && ev->data.scalar.anchor) ||
	    (ev->type == YAML_SEQUENCE_START_EVENT && ev->data.sequence_start.anchor) ||
	    (ev->type == YAML_MAPPING_START_EVENT && ev->data.mapping_start.anchor)) {
		kb_error("%s:%d: YAML anchors are not allowed", c->name, line);
		return -KB_EPARSE;
	}
	/* "a\0b" would silently read as "a": refuse instead of truncating */
	if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length &&
	    memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
		kb_error("%s:%d: NUL character in a string", c->name, line);
		return -KB_EPARSE;
	}
	n = kb_yalloc(c, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->line = line;
	*out = n;
	if (ev->type == YAML_SCALAR_EVENT) {
		n->type = KB_Y_SCALAR;
		n->scalar = kb_yalloc(c, ev->data.scalar.length + 1);
		memcpy(n->scalar, ev->data.scalar.value, ev->data.scalar.length);
		n->scalar[ev->data.scalar.length] = '\0';
		return 0;
	}
	if (++c->depth > c->max_depth) {
		kb_error("%s:%d: YAML nested deeper than %zu levels (--max-yaml-depth)", c->name,
			 line, c->max_depth);
		return -KB_ELIMIT;
	}
	n->type = ev->type == YAML_SEQUENCE_START_EVENT ? KB_Y_SEQ : KB_Y_MAP;
	err = kb_yaml_children(c, n, n->type == KB_Y_SEQ ? YAML_SEQUENCE_END_EVENT
							 : YAML_MAPPING_END_EVENT);
	c->depth--;
	return err;
}

int kb_yaml_parse(const char *buf, size_t len, const char *name,
		  const struct kb_yaml_limits *lim, struct kb_ynode **root)
{
	const struct kb_limits *base = kb_limits_or_default(lim ? lim->base : NULL);
	struct kb_yaml_ctx c = { .name = name, .max_depth = base->max_yaml_depth,
				 .max_nodes = base->max_yaml_nodes };
	struct kb_ynode *doc = NULL;
	int err = 0;

	if (lim && lim->max_depth)
		c.max_depth = lim->max_depth;
	if (lim && lim->max_nodes)
		c.max_nodes = lim->max_nodes;
	if (!yaml_parser_initialize(&c.parser))
		abort();
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)buf, len);
	/* stream start, document start, root node, document end, stream end */
	for (;;) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&c.parser, &ev)) {
			kb_error("%s:%zu: %s", name, c.parser.problem_mark.line + 1,
				 c.parser.problem ? c.parser.problem : "invalid YAML");
			err = -KB_EPARSE;
			goto out;
		}
		if (ev.type == YAML_STREAM_END_EVENT || ev.type == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (doc) {
			yaml_event_delete(&ev);
			kb_error("%s: more than one YAML root node", name);
			err = -KB_EPARSE;
			goto out;
		}
		err = kb_yaml_node(&c, &ev, &doc);
		yaml_event_delete(&ev);
		if (err)
			goto out;
	}
	if (!doc) {
		kb_error("%s: empty YAML document", name);
		err = -KB_EPARSE;
	}
out:
	yaml_parser_delete(&c.parser);
	free(c.stack);
	if (err) {
		kb_ychunks_free(c.first);
		doc = NULL;
	}
	*root = doc;
	return err;
}

int kb_yaml_load(const char *path, const struct kb_yaml_limits *lim, struct kb_ynode **root)
{
	char *buf = NULL;
	size_t len = 0;
	const struct kb_limits *base = kb_limits_or_default(lim ? lim->base : NULL);
	int err = kb_file_read(path, base->max_index_size, &buf, &len);

	if (err) {
		kb_error("%s: %s%s", path, kb_strerror(err),
			 err == -KB_ELIMIT ? " (--max-index-size)" : "");
		return err;
	}
	err = kb_yaml_parse(buf, len, path, lim, root);
	free(buf);
	return err;
}

void kb_yaml_free(struct kb_ynode *root)
{
	if (root)
		kb_ychunks_free((struct kb_ychunk *)((char *)root - offsetof(struct kb_ychunk, data)));
}

const struct kb_ynode *kb_ymap_get(const struct kb_ynode *map, const char *key)
{
	if (!map || map->type != KB_Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->items[i]->type == KB_Y_SCALAR && strcmp(map->items[i]->scalar, key) == 0)
			return map->items[i + 1];
	return NULL;
}

const char *kb_ymap_str(const struct kb_ynode *map, const char *key)
{
	const struct kb_ynode *v = kb_ymap_get(map, key);

	return v && v->type == KB_Y_SCALAR ? v->scalar : NULL;
}
