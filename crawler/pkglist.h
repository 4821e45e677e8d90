/* pkglist.h — package lists (lists/<upstream>.list), the crawl's output.
 *
 * Tab-separated, one package a line, sorted, after a header line that names
 * the format version and the columns:
 *
 *   #kbundle-list 1	name	version	arch	kind	release	path	size	sha256	depends	first_seen	last_seen	present
 *
 * A package that left the upstream index stays, with present=0 and its last
 * seen date: bundles outlive their mirrors. Lists are written atomically. */
#ifndef KB_PKGLIST_H
#define KB_PKGLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kb_kind {
	KB_KIND_HEADERS,	/* arch/flavour headers: linux-headers-6.1.0-47-amd64 */
	KB_KIND_HEADERS_COMMON,	/* shared headers: linux-headers-6.1.0-47-common, linux-headers-5.15.0-91 */
	KB_KIND_KBUILD,		/* linux-kbuild-6.1 */
	KB_KIND_DEVEL,		/* rpm kernel-devel */
	KB_KIND_IMAGE,		/* linux-image-*, kernel-core */
	KB_KIND_MODULES,	/* linux-modules-*, kernel-modules-core */
	KB_KIND_COUNT
};

const char *kb_kind_name(enum kb_kind k);	/* "headers", "headers-common", … */
int kb_kind_parse(const char *s, enum kb_kind *k);

struct kb_pkg {
	char *name;
	char *version;
	char *arch;
	enum kb_kind kind;
	char *release;		/* kernel release this package belongs to (uname -r for
				 * flavour packages; the ABI, e.g. 6.1.0-47, for shared ones;
				 * the series, e.g. 6.1, for kbuild) */
	char *path;		/* relative to the mirror root */
	uint64_t size;
	char sha256[65];
	char *depends;		/* Depends/Requires on kernel packages, "" when none */
	char first_seen[11];	/* YYYY-MM-DD */
	char last_seen[11];
	bool present;		/* still in the upstream index */
};

struct kb_pkglist {
	struct kb_pkg *v;
	size_t n, cap;
};

/* A missing file reads as an empty list; a malformed one is an error naming
 * the file and line. */
int kb_pkglist_read(const char *path, struct kb_pkglist *l);
/* Sort and write atomically. */
int kb_pkglist_write(const char *path, struct kb_pkglist *l);
/* Fold a fresh crawl into the previous list: new packages get first_seen =
 * today, present ones last_seen = today, vanished ones present = false (their
 * last_seen kept). A package is (name, arch, version); duplicates in fresh are
 * kept once. The entries of fresh move into prev; fresh is left empty.
 * Returns how many packages were present before and are gone now. */
size_t kb_pkglist_merge(struct kb_pkglist *prev, struct kb_pkglist *fresh, const char *today);
struct kb_pkg *kb_pkglist_add(struct kb_pkglist *l);
/* Move src's entries to the end of dst, in order; src is left empty. */
void kb_pkglist_take(struct kb_pkglist *dst, struct kb_pkglist *src);
/* Free one package's fields (and zero it). */
void kb_pkg_free(struct kb_pkg *p);
void kb_pkglist_free(struct kb_pkglist *l);

#endif
