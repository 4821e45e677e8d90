/* rpmmd_repomd.c — find the primary index in repomd.xml with xmlTextReader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/rpmmd_repomd.h"
#include "crawler/rpmmd_xml.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"

/* Which child of <data type="primary"> holds text we want. */
enum kb_repomd_field { KB_RF_NONE, KB_RF_CHECKSUM, KB_RF_SIZE, KB_RF_OPEN_SIZE };

static int kb_repomd_text(xmlTextReaderPtr rd, enum kb_repomd_field f,
			  struct kb_repomd_primary *out, const char **problem)
{
	const char *v = (const char *)xmlTextReaderConstValue(rd);
	unsigned long long n;

	if (!v)
		return 0;
	switch (f) {
	case KB_RF_CHECKSUM:
		if (strlen(v) != KB_SHA256_HEX_LEN || !kb_sha256_valid(v)) {
			*problem = "primary checksum is not 64 lowercase hex digits";
			return -KB_EPARSE;
		}
		memcpy(out->sha256, v, KB_SHA256_HEX_LEN + 1);
		return 0;
	case KB_RF_SIZE:
	case KB_RF_OPEN_SIZE:
		if (kb_xml_u64(v, &n)) {
			*problem = "primary size is not a number";
			return -KB_EPARSE;
		}
		if (f == KB_RF_SIZE)
			out->size = n;
		else
			out->open_size = n;
		return 0;
	default:
		return 0;
	}
}

/* Handle an element start inside <data type="primary">. */
static int kb_repomd_elem(xmlTextReaderPtr rd, const char *el, enum kb_repomd_field *f,
			  struct kb_repomd_primary *out, const char **problem)
{
	char type[32];
	int err;

	*f = KB_RF_NONE;
	if (!strcmp(el, "checksum")) {
		if (kb_xml_attr(rd, "type", type, sizeof(type)) || strcmp(type, "sha256")) {
			*problem = "primary checksum type is not sha256";
			return -KB_EPARSE;
		}
		*f = KB_RF_CHECKSUM;
	} else if (!strcmp(el, "size")) {
		*f = KB_RF_SIZE;
	} else if (!strcmp(el, "open-size")) {
		*f = KB_RF_OPEN_SIZE;
	} else if (!strcmp(el, "location")) {
		err = kb_xml_attr(rd, "href", out->href, sizeof(out->href));
		if (err || !kb_rpmmd_href_safe(out->href)) {
			*problem = "primary location href is missing, too long or unsafe";
			return -KB_EPARSE;
		}
	}
	return 0;
}

int kb_repomd_parse(const char *buf, size_t len, const char *name,
		    struct kb_repomd_primary *out)
{
	xmlTextReaderPtr rd = NULL;
	struct kb_xml_err xerr;
	enum kb_repomd_field f = KB_RF_NONE;
	const char *problem = NULL;
	int in_primary = 0, seen_primary = 0, seen_root = 0, r, err = 0;
	char type[64];

	memset(out, 0, sizeof(*out));
	if (len > KB_REPOMD_MAX_BYTES) {
		kb_error("%s: larger than %u bytes, not a repomd.xml", name, KB_REPOMD_MAX_BYTES);
		return -KB_ELIMIT;
	}
	rd = xmlReaderForMemory(buf, (int)len, name, NULL, KB_RPMMD_XML_OPTIONS);
	if (!rd)
		return -ENOMEM;
	kb_xml_capture_errors(rd, &xerr);
	while ((r = xmlTextReaderRead(rd)) == 1) {
		int t = xmlTextReaderNodeType(rd), depth = xmlTextReaderDepth(rd);
		const char *el = (const char *)xmlTextReaderConstLocalName(rd);

		if (t == XML_READER_TYPE_ELEMENT && depth == 0) {
			if (strcmp(el, "repomd")) {
				problem = "root element is not <repomd>";
				err = -KB_EPARSE;
				goto out;
			}
			seen_root = 1;
		} else if (t == XML_READER_TYPE_ELEMENT && depth == 1 && !strcmp(el, "data")) {
			in_primary = !kb_xml_attr(rd, "type", type, sizeof(type)) &&
				     !strcmp(type, "primary");
			if (in_primary && seen_primary++) {
				problem = "more than one primary data entry";
				err = -KB_EPARSE;
				goto out;
			}
		} else if (t == XML_READER_TYPE_END_ELEMENT && depth == 1) {
			in_primary = 0;
		} else if (in_primary && t == XML_READER_TYPE_ELEMENT && depth == 2 &&
			   (!xmlTextReaderIsEmptyElement(rd) || !strcmp(el, "location"))) {
			err = kb_repomd_elem(rd, el, &f, out, &problem);
			if (err)
				goto out;
		} else if (in_primary && t == XML_READER_TYPE_TEXT && depth == 3) {
			err = kb_repomd_text(rd, f, out, &problem);
			if (err)
				goto out;
		} else if (t == XML_READER_TYPE_END_ELEMENT && depth == 2) {
			f = KB_RF_NONE;
		}
	}
	if (r < 0 || xerr.line) {
		err = -KB_EPARSE;
		goto out;
	}
	if (!seen_root)
		problem = "no <repomd> element";
	else if (!seen_primary)
		problem = "no primary data entry";
	else if (!out->href[0] || !out->sha256[0])
		problem = "primary entry lacks a location or sha256 checksum";
	if (problem)
		err = -KB_EPARSE;
out:
	if (err == -KB_EPARSE && (xerr.line || r < 0))
		kb_error("%s:%d: malformed XML: %s", name, xerr.line ? xerr.line : 1,
			 xerr.line ? xerr.msg : "parse error");
	else if (err == -KB_EPARSE)
		kb_error("%s:%d: %s", name, rd ? xmlTextReaderGetParserLineNumber(rd) : 0, problem);
	xmlFreeTextReader(rd);
	return err;
}

int kb_repomd_load(const char *path, struct kb_repomd_primary *out)
{
	char *buf = NULL;
	size_t len = 0;
	int err = kb_file_read(path, KB_REPOMD_MAX_BYTES, &buf, &len);

	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		goto out;
	}
	err = kb_repomd_parse(buf, len, path, out);
out:
	free(buf);
	return err;
}
