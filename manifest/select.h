/* select.h — which manifest entries a command works on. pack, vmtest and
 * update share these selectors, so they mean the same everywhere. */
#ifndef KB_SELECT_H
#define KB_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "manifest/manifest.h"
#include "manifest/shard.h"

struct kb_select {
	const char *id;		/* bundle id or a prefix of it */
	const char *release_re;	/* uname -r matches this POSIX ERE */
	const char *distro;	/* this distro */
	const char *upstream;	/* this upstream (file stem, e.g. debian-12) */
	const char *arch;	/* this architecture (amd64, x86_64, arm64…) */
	bool latest;		/* of those, only the newest of each upstream, arch, flavour */
	struct kb_shard shard;	/* of those, only this shard's (count 0: all) */
};

/* Does s narrow anything down (any selector, or a shard)? */
bool kb_select_any(const struct kb_select *s);

/* Set sel[i] for each entry of m the selection keeps and *n to their count.
 * -KB_EUSAGE (logged) for an invalid --release expression. */
int kb_select_entries(const struct kb_manifest *m, const struct kb_select *s, bool *sel,
		      size_t *n);

/* A kernel's flavour: the trailing dash-separated words of its release that
 * start with a letter ("cloud-amd64" in 6.12.117+deb12-cloud-amd64,
 * "generic" in 6.8.0-45-generic); "" when there are none (RPM releases). */
const char *kb_select_flavour(const char *release);

#endif
