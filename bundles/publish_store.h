/* publish_store.h — what `kbundle publish` needs of a store, one backend
 * file each: a directory (publish_dir.c: atomic renames, a lock on the
 * directory, a memo of published sha256s), a WebDAV base URL
 * (publish_dav.c: PUT under a temp name, then MOVE) and an OCI registry
 * (publish_oci.c: bundles as artefacts, the index one artefact). publish.c drives them
 * in the one order that keeps readers consistent: bundles, aliases,
 * SHA256SUMS, and the index last. */
#ifndef KB_PUBLISH_STORE_H
#define KB_PUBLISH_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "bundles/index.h"
#include "bundles/oci.h"
#include "bundles/publish_memo.h"
#include "lib/http.h"
#include "lib/lock.h"

struct kb_pub_store;

struct kb_pub_ops {
	/* Served to browsers as files (a directory, WebDAV): publish puts an
	 * index.html there too. A registry is not browsed. */
	bool pages;
	/* Ready to write (made, locked, leftovers swept). */
	int (*open)(struct kb_pub_store *s);
	/* The store's index (an empty one when it has none), kept in s->old. */
	int (*read_index)(struct kb_pub_store *s);
	/* e's bundle and sidecar are there with e's bytes. */
	int (*present)(struct kb_pub_store *s, const struct kb_index_entry *e);
	/* Put e's bundle (s->from/<id>.tgz, checked against e) and sidecar. */
	int (*put_bundle)(struct kb_pub_store *s, const struct kb_index_entry *e);
	/* Make e->alias serve e's bundle; NULL: the store has no aliases (a
	 * registry's tags name bundles by uname already). */
	int (*put_alias)(struct kb_pub_store *s, const struct kb_index_entry *e);
	/* Put name (a path under the store) with these bytes, atomically. */
	int (*put_buf)(struct kb_pub_store *s, const char *name, const void *buf, size_t len);
	/* Remove name; a missing one is no error. */
	int (*remove)(struct kb_pub_store *s, const char *name);
	/* After the last put: make what was put visible at once; NULL: each
	 * put already is. */
	int (*commit)(struct kb_pub_store *s);
	void (*close)(struct kb_pub_store *s);
	/* put_buf's names are served as files at the store's top (directory,
	 * WebDAV), so the kernels' BTF can go there; a registry keeps them in
	 * its one index artefact, which has room for a few only. */
	bool serves_files;
};

struct kb_pub_store {
	const struct kb_pub_ops *ops;
	const char *to;			/* the directory, or the base URL */
	const char *from;		/* WORKDIR/bundles */
	const char *workdir;
	bool dry_run;			/* look only: no directory, lock, sweep or memo written */
	struct kb_index old;		/* read_index's */
	struct kb_publish_memo memo;	/* directory: sha256s of published files */
	struct kb_lock lock;		/* directory */
	struct kb_http_opts http;	/* WebDAV */
	struct kb_oci oci;		/* OCI: the registry, and the index's */
	struct kb_oci_layer layers[KB_OCI_MAX_LAYERS];	/* layers put so far */
	size_t nlayers;
};

/* e is in the store's own index with the same sha256: a store without
 * cheap listings believes its index (publish.c). */
int kb_pub_store_in_index(const struct kb_pub_store *s, const struct kb_index_entry *e);
/* s->from/<id>.tgz, checked to hold e's bytes before it is sent (into
 * *src, malloc'd, even on failure). 0, -KB_ECHECKSUM or -errno, logged. */
int kb_pub_store_local(const struct kb_pub_store *s, const struct kb_index_entry *e, char **src);

extern const struct kb_pub_ops kb_pub_dir_ops;
extern const struct kb_pub_ops kb_pub_dav_ops;
extern const struct kb_pub_ops kb_pub_oci_ops;

#endif
