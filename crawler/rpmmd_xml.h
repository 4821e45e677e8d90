/* rpmmd_xml.h — what the rpm-md parsers (repomd.xml, primary.xml) share
 * around libxml2's xmlTextReader: hardened reader options and capture of the
 * parser's first error, so it is reported once, with file and line, by the
 * caller instead of being printed by libxml2. */
#ifndef KB_RPMMD_XML_H
#define KB_RPMMD_XML_H

#include <libxml/xmlreader.h>

/* No network, no entity expansion, no DTD loading: the metadata is hostile
 * until its checksum and signature say otherwise, and even then it is not
 * trusted to be small. */
#define KB_RPMMD_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

struct kb_xml_err {
	int line;		/* line of the first error, 0 when none */
	char msg[256];		/* its text, without the trailing newline */
};

/* Route rd's errors into err (the first one wins). */
void kb_xml_capture_errors(xmlTextReaderPtr rd, struct kb_xml_err *err);
/* Copy an attribute's value into buf (NUL-terminated). Returns 0, -ENOENT
 * when absent, -KB_ELIMIT when it does not fit. */
int kb_xml_attr(xmlTextReaderPtr rd, const char *name, char *buf, size_t size);
/* An href from the metadata: true only for a relative path (no scheme, no
 * leading '/', no query, no backslash, no control characters). It may
 * hold ".." (Amazon Linux's point from the repository into a shared
 * blobstore); kb_rpmmd_path_join() decides whether it stays on the mirror. */
int kb_rpmmd_href_safe(const char *href);
/* repo + "/" + href, with "." and ".." resolved lexically, as a malloc'd
 * path relative to the mirror root; NULL when it would climb above it. */
char *kb_rpmmd_path_join(const char *repo, const char *href);
/* True when s holds no control characters (tabs and newlines would break
 * the package list's lines). */
int kb_rpmmd_text_clean(const char *s);
/* Parse a decimal unsigned value; -KB_EPARSE when it is not one. */
int kb_xml_u64(const char *s, unsigned long long *out);

#endif
