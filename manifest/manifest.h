/* manifest.h — manifest.yml: one entry per bundle, generated from the package
 * lists, deterministic (same lists, same bytes).
 *
 * The bundle id is a content id: sha256 over "kbundle-bundle-v1\n" followed
 * by the sorted sha256s of the bundle's header packages, one per line. */
#ifndef KB_MANIFEST_H
#define KB_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "crawler/pkglist.h"

struct kb_mpkg {
	char *name;
	char *version;
	char *arch;
	enum kb_kind kind;
	char *path;		/* relative to the upstream's mirror */
	uint64_t size;
	char sha256[65];
};

struct kb_bundle_entry {
	char id[65];
	char *distro;		/* debian, ubuntu, centos, … */
	char *upstream;		/* upstream file stem, to find mirrors */
	char *release;		/* uname -r */
	char *arch;
	char *version;		/* package version of the headers */
	struct kb_mpkg *headers;	/* what the bundle is made of */
	size_t nheaders;
	struct kb_mpkg *images;	/* what the VM stage boots (image, modules) */
	size_t nimages;
};

struct kb_manifest {
	struct kb_bundle_entry *v;
	size_t n;
};

int kb_manifest_load(const char *path, struct kb_manifest *m);
int kb_manifest_write(const char *path, const struct kb_manifest *m);
void kb_manifest_free(struct kb_manifest *m);
/* Compute e->id from e->headers. */
void kb_bundle_id(struct kb_bundle_entry *e);

#endif
