/* upstream.h — upstream files (upstreams/<name>.yml): which repositories of
 * which distro release to crawl, from which mirrors, checked with which key.
 *
 *   distro: debian            # debian, ubuntu, centos, almalinux, fedora, …
 *   family: apt               # apt | rpm-md
 *   release: "12"
 *   enabled: true
 *   architectures: [amd64]
 *   mirrors: [apt-sources]    # tried in order; apt-sources = this machine's apt mirror
 *   suites: [bookworm, bookworm-updates]        # apt
 *   components: [main]                          # apt
 *   repos: ["9-stream/BaseOS/$arch/os"]         # rpm-md, relative to each mirror
 *   keyring: /usr/share/keyrings/debian-archive-keyring.gpg
 */
#ifndef KB_UPSTREAM_H
#define KB_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>

enum kb_family { KB_FAMILY_APT, KB_FAMILY_RPMMD };

struct kb_strv {
	char **v;
	size_t n;
};

struct kb_upstream {
	char *name;		/* the file's stem */
	char *distro;
	enum kb_family family;
	char *release;
	bool enabled;
	struct kb_strv archs;
	struct kb_strv mirrors;	/* URLs; "apt-sources" already resolved */
	struct kb_strv suites;	/* apt */
	struct kb_strv components; /* apt */
	struct kb_strv repos;	/* rpm-md; "$arch" is replaced per architecture */
	char *keyring;		/* gpgv keyring path, NULL when unsigned */
};

/* Load one upstream file; errors name the file and line. */
int kb_upstream_load(const char *path, struct kb_upstream *u);
/* Load every *.yml in dir, sorted by name. */
int kb_upstream_load_dir(const char *dir, struct kb_upstream **v, size_t *n);
void kb_upstream_free(struct kb_upstream *u);
void kb_upstreams_free(struct kb_upstream *v, size_t n);

#endif
