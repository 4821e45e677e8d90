/* pack_inputs.c — each header package of a pack run read once, shared by
 * every bundle that uses it, freed after its last use (pack_inputs.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "packer/pack.h"
#include "packer/pack_inputs.h"

enum { KB_INPUT_UNREAD, KB_INPUT_READING, KB_INPUT_READ };

void kb_pack_inputs_init(struct kb_pack_inputs *in)
{
	memset(in, 0, sizeof(*in));
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->cond, NULL);
}

void kb_pack_inputs_free(struct kb_pack_inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		kb_tree_free(&in->v[i].tree);
		free(in->v[i].path);
		free(in->v[i].key);
	}
	free(in->v);
	pthread_cond_destroy(&in->cond);
	pthread_mutex_destroy(&in->lock);
}

static bool kb_key_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Under the lock. A run plans tens of packages: a scan is enough. */
static struct kb_pack_input *kb_pack_input_find(struct kb_pack_inputs *in, const char *path,
						const char *key)
{
	for (size_t i = 0; i < in->n; i++)
		if (!strcmp(in->v[i].path, path) && kb_key_eq(in->v[i].key, key))
			return &in->v[i];
	return NULL;
}

void kb_pack_inputs_plan(struct kb_pack_inputs *in, const char *path, const char *key)
{
	struct kb_pack_input *x = kb_pack_input_find(in, path, key);

	if (!x) {
		if (in->n == in->cap) {
			in->cap = in->cap ? 2 * in->cap : 16;
			in->v = kb_xrealloc(in->v, in->cap * sizeof(*in->v));
		}
		x = &in->v[in->n++];
		memset(x, 0, sizeof(*x));
		x->path = kb_xstrdup(path);
		x->key = key ? kb_xstrdup(key) : NULL;
		kb_tree_init(&x->tree);
	}
	x->uses++;
}

int kb_pack_inputs_get(struct kb_pack_inputs *in, const struct kb_pack_family *fam,
		       const char *path, const char *name, const char *key,
		       const struct kb_limits *lim, const struct kb_tree **t)
{
	struct kb_pack_input *x;
	struct kb_tree tree;
	int err;

	pthread_mutex_lock(&in->lock);
	x = kb_pack_input_find(in, path, key);
	if (!x)
		abort();	/* a use that was not planned: a bug in the caller */
	in->gets++;
	while (x->state == KB_INPUT_READING)
		pthread_cond_wait(&in->cond, &in->lock);
	if (x->state == KB_INPUT_UNREAD) {
		/* read outside the lock: other packages are read meanwhile */
		x->state = KB_INPUT_READING;
		pthread_mutex_unlock(&in->lock);
		kb_tree_init(&tree);
		err = fam->load(&tree, path, name, key, lim);
		pthread_mutex_lock(&in->lock);
		x = kb_pack_input_find(in, path, key);	/* v does not move after planning */
		x->tree = tree;
		x->err = err;
		x->state = KB_INPUT_READ;
		in->reads++;
		if (++in->live > in->peak)
			in->peak = in->live;
		pthread_cond_broadcast(&in->cond);
	}
	*t = &x->tree;
	err = x->err;
	pthread_mutex_unlock(&in->lock);
	return err;
}

void kb_pack_inputs_release(struct kb_pack_inputs *in, const char *path, const char *key)
{
	struct kb_pack_input *x;

	pthread_mutex_lock(&in->lock);
	x = kb_pack_input_find(in, path, key);
	if (x && x->uses && !--x->uses && x->state == KB_INPUT_READ) {
		kb_tree_free(&x->tree);
		kb_tree_init(&x->tree);
		in->live--;
	}
	pthread_mutex_unlock(&in->lock);
}
