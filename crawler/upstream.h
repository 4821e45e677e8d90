/* upstream.h — upstream files (upstreams/<name>.yml): which repositories of
 * which distro release to crawl, from which mirrors, checked with which key.
 *
 *   distro: debian            # debian, ubuntu, centos, almalinux, fedora, …
 *   family: apt               # apt | rpm-md (lib/family.h); must be the
 *                             # distro's own when crawler/distro.c knows it
 *   release: "12"
 *   enabled: true             # default true; false: crawled only when named
 *   architectures: [amd64]
 *   mirrors: [apt-sources]    # tried in order; apt-sources = this machine's apt mirror
 *   suites: [bookworm, bookworm-updates]        # apt
 *   components: [main]                          # apt
 *   repos: ["9-stream/BaseOS/$arch/os"]         # rpm-md, relative to each mirror
 *   keyring: /usr/share/keyrings/debian-archive-keyring.gpg   # or "none": unsigned, explicitly
 *   package_key: RPM-GPG-KEY-centosofficial   # rpm-md, optional: armored key every
 *                                             # packed .rpm must be signed with
 *
 * Every key is checked (unknown keys are errors, to catch typos) and every
 * error names the file and line. A relative keyring path is taken relative to
 * the upstream file's directory.
 *
 * Mirrors keep the literal "apt-sources": which mirror apt uses depends on
 * the suite (bookworm-security is served by the security mirror, bookworm by
 * the main one), so it is resolved per suite with kb_upstream_mirror(). */
#ifndef KB_UPSTREAM_H
#define KB_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/family.h"
#include "lib/strv.h"

struct kb_upstream {
	char *name;		/* the file's stem */
	char *distro;
	enum kb_family family;
	char *release;
	bool enabled;
	struct kb_strv archs;
	struct kb_strv mirrors;	/* URLs without trailing '/', or "apt-sources" */
	struct kb_strv suites;	/* apt */
	struct kb_strv components; /* apt */
	struct kb_strv repos;	/* rpm-md; "$arch" is replaced per architecture */
	char *keyring;		/* gpgv keyring path, NULL when unsigned ("keyring: none") */
	bool unsigned_ok;	/* "keyring: none" was said explicitly */
	char *package_key;	/* rpm-md: armored public key the packages' signatures must
				 * verify with (lib/rpm); NULL: package signatures unchecked */
	char *path;		/* the upstream file, for messages */
};

#define KB_MIRROR_APT_SOURCES "apt-sources"

/* Mirror i of u for suite (NULL: any suite) as a malloc'd URL without
 * trailing '/': "apt-sources" becomes the mirror apt uses for that suite.
 * NULL (logged) when apt has no source. $KB_APT_ROOT, when set, is read
 * instead of / for apt's configuration (tests). */
char *kb_upstream_mirror(const struct kb_upstream *u, size_t i, const char *suite);
/* Every distinct mirror URL u can serve packages from, resolved over all its
 * suites, in the order a fetcher should try them (list paths are relative to
 * one of these; the sha256 in the list tells which one served the file). */
int kb_upstream_mirrors_all(const struct kb_upstream *u, struct kb_strv *out);

/* Load one upstream file; errors name the file and line. lim: the
 * command's limits (--max-yaml-depth, --max-index-size); NULL: defaults. */
struct kb_limits;
int kb_upstream_load(const char *path, const struct kb_limits *lim, struct kb_upstream *u);
/* Load every *.yml in dir, sorted by name; the first bad file fails the load
 * (after every file was checked, so all errors are reported at once). */
int kb_upstream_load_dir(const char *dir, const struct kb_limits *lim, struct kb_upstream **v,
			 size_t *n);
/* Every upstream of a directory with all its mirrors: what a manifest
 * package's path is relative to (pack and vmtest download through it). */
struct kb_upstream_set {
	struct kb_upstream *v;
	struct kb_strv *mirrors;	/* mirrors[i] are v[i]'s */
	size_t n;
};

int kb_upstream_set_load(const char *dir, const struct kb_limits *lim, struct kb_upstream_set *s);
/* The upstream called name, or NULL; *mirrors (optional) gets its mirrors. */
const struct kb_upstream *kb_upstream_set_find(const struct kb_upstream_set *s, const char *name,
					       const struct kb_strv **mirrors);
void kb_upstream_set_free(struct kb_upstream_set *s);

void kb_upstream_free(struct kb_upstream *u);
void kb_upstreams_free(struct kb_upstream *v, size_t n);
/* Log that dir has no upstream file for name, with the nearest of v's
 * names ("did you mean debian-12?") and the valid ones. */
void kb_upstream_unknown(const char *dir, const char *name, const struct kb_upstream *v, size_t n);

#endif
