/* bundle_meta.h — the one reader of a bundle's meta files (DESIGN.md
 * "Bundle"): BUNDLE_BUILD_DIR, BUNDLE_CHECKSUM, BUNDLE_DISTRO, BUNDLE_UNAME,
 * BUNDLE_VERSION, BUNDLE_MAJOR, BUNDLE_MINOR, BUNDLE_ARCH, the optional
 * BUNDLE_COMPILER, and bundle.json. One set of rules wherever they are read
 * from, an extracted tree or the .tgz itself:
 *   - each BUNDLE_* file is a regular file holding one value: 1 to 4096
 *     bytes, no newline, no NUL, no other control character;
 *   - BUNDLE_BUILD_DIR is relative, without "..", and (in a tree) resolves,
 *     links and all, to a directory inside the tree;
 *   - bundle.json, when there, is a JSON object whose facts agree with the
 *     BUNDLE_* files.
 * A file that breaks a rule is an error naming the bundle and the file; a
 * file that is absent leaves its field NULL (the caller says what it needs). */
#ifndef KB_BUNDLE_META_H
#define KB_BUNDLE_META_H

#include <stdint.h>

struct kb_bundle_meta {
	char *build_dir;	/* BUNDLE_BUILD_DIR, normalized ("usr/src/linux-headers-R") */
	char *checksum;		/* BUNDLE_CHECKSUM: the bundle id */
	char *distro;		/* BUNDLE_DISTRO */
	char *uname;		/* BUNDLE_UNAME: uname -r of the kernel */
	char *version;		/* BUNDLE_VERSION, BUNDLE_MAJOR, BUNDLE_MINOR: the */
	char *major;		/* kernel Makefile's VERSION, PATCHLEVEL, SUBLEVEL */
	char *minor;
	char *arch;		/* BUNDLE_ARCH */
	char *compiler;		/* BUNDLE_COMPILER, else bundle.json's "compiler"; optional */
	int64_t packer_format;	/* bundle.json's "packer_format"; 0 when unknown */
};

/* From an extracted bundle at root; name (the bundle's file or URL)
 * prefixes messages. 0, or -KB_EPARSE / -KB_EUNSAFE (logged). */
int kb_bundle_meta_load(const char *root, const char *name, struct kb_bundle_meta *m);
/* From the bundle file itself, without extracting it: the meta files lead
 * the sorted tarball, so only its first entries are read. */
int kb_bundle_meta_peek(const char *tgz, struct kb_bundle_meta *m);
/* The absolute, real path of root/BUNDLE_BUILD_DIR, checked to be a
 * directory inside root (after every symlink). malloc'd into *out. */
int kb_bundle_meta_build_dir(const char *root, const char *name, const struct kb_bundle_meta *m,
			     char **out);
void kb_bundle_meta_free(struct kb_bundle_meta *m);

#endif
