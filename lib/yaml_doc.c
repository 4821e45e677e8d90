/* yaml_doc.c — libyaml event stream → kb_ynode tree, with limits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/yaml_doc.h"

struct kb_yaml_ctx {
	yaml_parser_t parser;
	const char *name;
	size_t depth, nodes, max_depth, max_nodes;
};

static void kb_ynode_push(struct kb_ynode *parent, struct kb_ynode *child)
{
	if ((parent->n & (parent->n - 1)) == 0)	/* grow at powers of two */
		parent->items = kb_xrealloc(parent->items,
					    sizeof(*parent->items) * (parent->n ? parent->n * 2 : 4));
	parent->items[parent->n++] = child;
}

static int kb_yaml_node(struct kb_yaml_ctx *c, yaml_event_t *ev, struct kb_ynode **out);

static int kb_yaml_children(struct kb_yaml_ctx *c, struct kb_ynode *node, yaml_event_type_t end)
{
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
			return 0;
		}
		err = kb_yaml_node(c, &ev, &child);
		yaml_event_delete(&ev);
		if (err) {
			kb_yaml_free(child);
			return err;
		}
		kb_ynode_push(node, child);
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
	n = kb_xcalloc(1, sizeof(*n));
	n->line = line;
	*out = n;
	if (ev->type == YAML_SCALAR_EVENT) {
		n->type = KB_Y_SCALAR;
		n->scalar = kb_xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
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
	if (err) {
		kb_yaml_free(doc);
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

void kb_yaml_free(struct kb_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		kb_yaml_free(n->items[i]);
	free(n->items);
	free(n->scalar);
	free(n);
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
