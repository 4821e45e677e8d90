/* pack.c — have a bundle's header packages read (in parallel: xz
 * decompression is the slow part; each package once per run, pack_inputs.c)
 * and lay out its tree, the entry's family's way. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arch.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "packer/layout.h"
#include "packer/pack.h"
#include "packer/pack_inputs.h"

/* Each family's packer (pack_<id>.c), by lib/family.h's rows. */
static const struct kb_pack_family *const kb_pack_families[KB_FAMILY_COUNT] = {
#define KB_PACK_FAMILY_ROW(e, id, name, vercmp) [KB_FAMILY_##e] = &kb_pack_family_##id,
	KB_FAMILIES(KB_PACK_FAMILY_ROW)
#undef KB_PACK_FAMILY_ROW
};

struct kb_pack_job {
	struct kb_pack_inputs *in;
	const struct kb_pack_family *fam;
	const char *path, *name, *key;
	const struct kb_limits *lim;
	const struct kb_tree *tree;	/* the package's, shared: read-only */
	int err;
	pthread_t th;
	bool started;
};

static void *kb_pack_load(void *arg)
{
	struct kb_pack_job *j = arg;

	j->err = kb_pack_inputs_get(j->in, j->fam, j->path, j->name, j->key, j->lim, &j->tree);
	return NULL;
}

/* Fold b into a, later packages winning like in a real install. The bytes
 * are borrowed: b (another bundle may share it) outlives a. */
static void kb_tree_absorb(struct kb_tree *a, const struct kb_tree *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kb_node *nd = &b->v[i];

		kb_tree_put(a, nd->path, nd->type, nd->mode, nd->link, nd->data, nd->size, false);
	}
}

int kb_pack_tree(const struct kb_bundle_entry *e, const char *const *paths,
		 const char *package_key, const struct kb_limits *lim, struct kb_pack_inputs *in,
		 struct kb_packed *p)
{
	const struct kb_pack_family *fam = kb_pack_families[e->family];
	struct kb_pack_job *jobs = kb_xcalloc(e->nheaders, sizeof(*jobs));
	struct kb_layout_opts o = { .name = e->release };
	const struct kb_arch *arch;
	char *src_root = NULL;
	int err = 0;

	memset(p, 0, sizeof(*p));
	kb_tree_init(&p->src);
	kb_tree_init(&p->out);
	if (!in) {	/* this bundle alone: its own reads */
		p->own_inputs = kb_xmalloc(sizeof(*p->own_inputs));
		kb_pack_inputs_init(p->own_inputs);
		for (size_t i = 0; i < e->nheaders; i++)
			kb_pack_inputs_plan(p->own_inputs, paths[i], package_key);
		in = p->own_inputs;
	}
	p->inputs = in;
	p->held = kb_xcalloc(e->nheaders, sizeof(*p->held));
	p->key = package_key ? kb_xstrdup(package_key) : NULL;
	for (size_t i = 0; i < e->nheaders; i++) {
		p->held[p->nheld++] = kb_xstrdup(paths[i]);
		jobs[i].in = in;
		jobs[i].fam = fam;
		jobs[i].path = paths[i];
		jobs[i].name = e->headers[i].name;
		jobs[i].key = package_key;
		jobs[i].lim = lim;
		jobs[i].started = pthread_create(&jobs[i].th, NULL, kb_pack_load, &jobs[i]) == 0;
		if (!jobs[i].started)
			kb_pack_load(&jobs[i]);
	}
	for (size_t i = 0; i < e->nheaders; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].th, NULL);
		if (jobs[i].err && !err)
			err = jobs[i].err;
	}
	if (err)
		goto out;
	/* Manifest order is the install order; kinds never overlap in real
	 * packages, so this only decides between hostile duplicates. */
	for (size_t i = 0; i < e->nheaders; i++)
		kb_tree_absorb(&p->src, jobs[i].tree);
	kb_tree_sort(&p->src);
	err = fam->roots(&p->src, e, &src_root, &p->build_dir);
	if (err)
		goto out;
	o.src_root = src_root;
	o.dst_root = p->build_dir;
	arch = kb_arch_find(e->arch);
	o.karch = arch ? arch->karch : NULL;
	err = kb_layout_build(&p->src, &o, &p->out);
	if (!err)
		err = kb_tree_check_contained(&p->out, p->build_dir, e->release);
out:
	free(jobs);
	free(src_root);
	return err;
}

void kb_packed_free(struct kb_packed *p)
{
	kb_tree_free(&p->out);
	kb_tree_free(&p->src);
	/* the packages' trees last: src and out borrowed their bytes */
	for (size_t i = 0; i < p->nheld; i++) {
		kb_pack_inputs_release(p->inputs, p->held[i], p->key);
		free(p->held[i]);
	}
	free(p->held);
	free(p->key);
	if (p->own_inputs) {
		kb_pack_inputs_free(p->own_inputs);
		free(p->own_inputs);
	}
	free(p->build_dir);
	memset(p, 0, sizeof(*p));
}
