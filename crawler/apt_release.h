/* apt_release.h — the signed Release file of an apt suite: what it says
 * about itself and the sha256 and size of every index it lists. */
#ifndef KB_APT_RELEASE_H
#define KB_APT_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kb_release_file {
	char *path;		/* relative to dists/<suite>/, e.g. main/binary-amd64/Packages.xz */
	uint64_t size;
	char sha256[65];
};

struct kb_apt_release {
	char *suite, *codename;	/* NULL when absent */
	char *date, *valid_until; /* as written (RFC 2822), NULL when absent */
	char *architectures;	/* space-separated, NULL when absent */
	long long valid_until_ts; /* seconds since the epoch, 0 when absent */
	struct kb_release_file *files;	/* the SHA256 section */
	size_t nfiles;
};

/* Parse the (already verified) text; name is the URL for messages, which
 * are logged here with their line. A Release without a SHA256 section is an
 * error: kbundle checks nothing by MD5 or SHA1. */
int kb_apt_release_parse(const char *buf, size_t len, const char *name, struct kb_apt_release *r);
void kb_apt_release_free(struct kb_apt_release *r);

/* The Packages index for component/arch the Release lists, preferring
 * Packages.xz, then .gz, then the plain file; NULL when none is listed. */
const struct kb_release_file *kb_apt_release_packages(const struct kb_apt_release *r,
						      const char *component, const char *arch);

/* Does the suite build for arch? Its Architectures field says so; a Release
 * without the field (hand-made repositories) serves every arch. Debian's
 * suites differ: bookworm-security has no armel, mips*el or s390x. */
bool kb_apt_release_has_arch(const struct kb_apt_release *r, const char *arch);

#endif
