/* rpmmd_repomd.h — repodata/repomd.xml, the root of an rpm-md repository:
 * it names the primary package index (location, size, sha256) that the
 * crawler downloads next and checks before parsing. */
#ifndef KB_RPMMD_REPOMD_H
#define KB_RPMMD_REPOMD_H

#include <stddef.h>
#include <stdint.h>

/* repomd.xml files are a few KB; anything this large is not one. */
#define KB_REPOMD_MAX_BYTES (4u << 20)

struct kb_repomd_primary {
	char href[1024];	/* relative to the repository root */
	char sha256[65];	/* of the file as stored (compressed) */
	uint64_t size;		/* stored size, 0 when not given */
	uint64_t open_size;	/* uncompressed size, 0 when not given */
};

/* Parse repomd.xml from memory; name is used in messages ("name:line: …"),
 * logged once here. Returns 0, -KB_EPARSE (malformed, no primary, checksum
 * type other than sha256, unsafe href) or -KB_ELIMIT. */
int kb_repomd_parse(const char *buf, size_t len, const char *name,
		    struct kb_repomd_primary *out);
/* Read and parse a repomd.xml file. */
int kb_repomd_load(const char *path, struct kb_repomd_primary *out);

#endif
