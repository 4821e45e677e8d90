/* pack_inputs.h — the header packages of one pack run, each read and
 * decompressed once however many bundles use it (a -common shared by the
 * flavours of an ABI, a kbuild, a SUSE noarch kernel-devel).
 *
 * The run first plans every (bundle, package) use; a package is read by the
 * first bundle that needs it (another one needing it meanwhile waits for
 * that read, it does not read it too), its tree is shared read-only, and it
 * is freed when its last planned use is released: peak memory is the trees
 * of the bundles in flight plus the shared ones still awaited. */
#ifndef KB_PACK_INPUTS_H
#define KB_PACK_INPUTS_H

#include <pthread.h>
#include <stddef.h>

#include "packer/tree.h"

struct kb_pack_family;
struct kb_limits;

struct kb_pack_input {
	char *path;		/* the verified package file */
	char *key;		/* the signing key it is checked against, or NULL */
	size_t uses;		/* planned uses not yet released */
	struct kb_tree tree;
	int err;		/* of the read, given to every use */
	int state;		/* 0: not read, 1: being read, 2: read (or failed) */
};

struct kb_pack_inputs {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct kb_pack_input *v;
	size_t n, cap;
	size_t reads;		/* packages read and decompressed */
	size_t gets;		/* uses served */
	size_t live, peak;	/* trees held now / at most */
};

void kb_pack_inputs_init(struct kb_pack_inputs *in);
void kb_pack_inputs_free(struct kb_pack_inputs *in);
/* One more use of the package at path (key: as for kb_pack_family.load). */
void kb_pack_inputs_plan(struct kb_pack_inputs *in, const char *path, const char *key);
/* The package's tree, read with fam->load on its first use (name and lim
 * for that read); *t stays valid until this use is released. Returns the
 * read's error, the same for every use. The package must have been planned. */
int kb_pack_inputs_get(struct kb_pack_inputs *in, const struct kb_pack_family *fam,
		       const char *path, const char *name, const char *key,
		       const struct kb_limits *lim, const struct kb_tree **t);
/* This use of the package is over: the last one frees its tree. */
void kb_pack_inputs_release(struct kb_pack_inputs *in, const char *path, const char *key);

#endif
