/* rpm.h — open an .rpm in process: librpm reads and checks the header
 * (signature against a given key, digests), libarchive reads the cpio
 * payload (gzip, xz, zstd, bzip2) as a stream while its bytes are hashed
 * against the header's payload digest. Like lib/deb: callers walk the
 * archive with archive_read_next_header()/archive_read_data(), check each
 * entry (lib/archive_safe.h) before it touches the disk, and call
 * kb_rpm_finish() at the end, which is when the payload digest is known. */
#ifndef KB_RPM_H
#define KB_RPM_H

#include <stdbool.h>

struct archive;
struct kb_rpm;

/* True when path starts with an rpm lead (0xedabeedb). Not for telling a
 * package's format: the manifest entry's family says that (lib/family.h). */
bool kb_rpm_file_is_rpm(const char *path);

struct kb_rpm_opts {
	/* An armored OpenPGP public key file (RPM-GPG-KEY-…). When set, the
	 * package must carry a header signature that verifies with this key
	 * (unsigned, unknown-key and bad signatures are refused with
	 * -KB_EBADSIG) and a payload digest. NULL: signatures are not checked;
	 * digests still are. */
	const char *key;
};

/* Errors are logged naming name (the package); -KB_EBADSIG, -KB_EPARSE
 * (not an rpm, truncated header, unsupported payload) or -errno. */
int kb_rpm_open(const char *path, const char *name, const struct kb_rpm_opts *o,
		struct kb_rpm **out);
struct archive *kb_rpm_payload(struct kb_rpm *r);
/* "xz", "zstd", "gzip", "bzip2": the header's payload compressor. */
const char *kb_rpm_compressor(const struct kb_rpm *r);
/* Read the payload to its end and compare its sha256 with the header's
 * payload digest: -KB_ECHECKSUM on mismatch (logged). */
int kb_rpm_finish(struct kb_rpm *r);
void kb_rpm_close(struct kb_rpm *r);

#endif
