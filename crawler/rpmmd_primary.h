/* rpmmd_primary.h — stream primary.xml (the rpm-md package index) through
 * libxml2's xmlTextReader fed from a kb_stream, so a Fedora-sized index
 * (hundreds of MB uncompressed, any of gzip/xz/zstd/bzip2) is parsed in flat
 * memory. Only packages the caller wants (decided on <name>, which comes
 * first) have their details collected; the rest are skipped node by node. */
#ifndef KB_RPMMD_PRIMARY_H
#define KB_RPMMD_PRIMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kb_stream;

struct kb_rpm_pkginfo {
	char name[256];
	char arch[32];
	char epoch[16];		/* "0" when the index says none */
	char ver[128];
	char rel[128];
	char sha256[65];	/* of the .rpm file */
	uint64_t size;		/* of the .rpm file */
	char href[1024];	/* relative to the repository root */
	/* The kernel release from the package's own kernel*-uname-r provide
	 * (kernel-uname-r, kernel-devel-uname-r, …): exact, no guessing. "" when
	 * the package provides none. */
	char uname[256];
	/* Its requirements on kernel* capabilities, "name (= evr), …" in the
	 * package list's depends style; truncated at a requirement boundary. */
	char requires[2048];
	int line;		/* line of </package>, for messages */
};

/* Called on each package's name: true to collect its details. */
typedef bool (*kb_primary_want_fn)(const char *name, void *ctx);
/* Called with each wanted package; a non-zero (negative) return stops the
 * parse and is returned. */
typedef int (*kb_primary_pkg_fn)(const struct kb_rpm_pkginfo *p, void *ctx);

struct kb_primary_limits {
	uint64_t max_packages;	/* 0: 4,000,000 */
};

/* Parse primary.xml from s; name is used in messages ("name:line: …"),
 * logged once here. Returns 0, -KB_EPARSE (malformed XML, a wanted package
 * with missing or unsafe fields, a non-sha256 package checksum), -KB_ELIMIT,
 * or the stream's or callback's error. *npkgs (optional) gets the number of
 * packages seen. */
int kb_primary_parse(struct kb_stream *s, const char *name, const struct kb_primary_limits *lim,
		     kb_primary_want_fn want, kb_primary_pkg_fn fn, void *ctx, uint64_t *npkgs);

/* "[epoch:]ver-rel" of p (epoch only when not 0) into buf. */
void kb_rpm_pkginfo_evr(const struct kb_rpm_pkginfo *p, char *buf, size_t size);

#endif
