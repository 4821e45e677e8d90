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
#include "lib/family.h"

/* The value of the top-level `format:` key; bump on incompatible change.
 * Written: 2 (entries say their family). Read: 2, and 1, whose entries'
 * family comes from their distro's row (crawler/distro.c). */
#define KB_MANIFEST_FORMAT "kbundle-manifest 2"
#define KB_MANIFEST_FORMAT_1 "kbundle-manifest 1"

/* Longest string field; names, versions and paths are far shorter. */
#define KB_MANIFEST_MAX_STR 4096

/* What a string field may hold: 1 to KB_MANIFEST_MAX_STR printable ASCII
 * characters without blanks (they end up in URLs and file names). NULL when
 * s is fine, else why not. */
const char *kb_manifest_str_check(const char *s);
/* A package path: such a string, relative, never leaving the mirror. */
const char *kb_manifest_path_check(const char *s);

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
	enum kb_family family;	/* how its packages are read, laid out, booted */
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

/* Strict: unknown or missing keys, wrong types, bad sha256s, an id that is
 * not the content id of its headers, duplicate ids: -KB_EPARSE, logged
 * once as "file:line: problem". lim: the command's limits (YAML depth and
 * nodes, file size); NULL: the defaults. */
struct kb_limits;
int kb_manifest_load(const char *path, const struct kb_limits *lim, struct kb_manifest *m);
/* Deterministic (entries sorted by distro, release, arch, version, id;
 * packages by name, version, arch, sha256) and atomic: on any error the
 * previous file stays untouched. */
int kb_manifest_write(const char *path, const struct kb_manifest *m);
void kb_manifest_free(struct kb_manifest *m);
/* Free what one entry holds (not the entry itself). */
void kb_bundle_entry_free(struct kb_bundle_entry *e);
/* Compute e->id from e->headers. */
void kb_bundle_id(struct kb_bundle_entry *e);

/* The package (header or image) of any entry with this sha256, or NULL;
 * m may be NULL (manifest_find.c). */
const struct kb_mpkg *kb_manifest_find_pkg(const struct kb_manifest *m, const char *sha256);
struct kb_strv;	/* lib/strv.h */
/* Add the sha256 of every package any entry needs, headers and images, to
 * out and make it a set (kb_strv_sort_unique). */
void kb_manifest_digests(const struct kb_manifest *m, struct kb_strv *out);

struct kb_group_skips;	/* manifest/group.h */
/* Build the manifest from every lists_dir/<stem>.list, grouped by the rules
 * for the distro that upstreams_dir/<stem>.yml names (group.h). Incomplete
 * groups land in skips (warnings), never fail the build; an unreadable list
 * or upstream file, or a list without an upstream file, does. The same
 * bundle found in two lists is kept once (from the first upstream by name).
 * Entries come out sorted by id. */
int kb_manifest_build(const char *upstreams_dir, const char *lists_dir,
		      const struct kb_limits *lim, struct kb_manifest *m,
		      struct kb_group_skips *skips);

#endif
