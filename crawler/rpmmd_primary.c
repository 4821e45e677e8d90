/* rpmmd_primary.c — streaming primary.xml parser (xmlTextReader over
 * xmlReaderForIO, fed from kb_stream). Node depths in primary.xml:
 *   0 <metadata>  1 <package>  2 <name>/<arch>/<version>/<checksum>/<size>/
 *   <location>/<format>  3 <rpm:provides>/<rpm:requires>  4 <rpm:entry> */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crawler/rpmmd_primary.h"
#include "crawler/rpmmd_xml.h"
#include "lib/error.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/stream.h"

enum kb_pfield { KB_PF_NONE, KB_PF_NAME, KB_PF_ARCH, KB_PF_CHECKSUM };
enum kb_plist { KB_PL_NONE, KB_PL_PROVIDES, KB_PL_REQUIRES };

struct kb_primary {
	struct kb_stream *s;
	const char *name;
	int stream_err;		/* the stream's own error, so ELIMIT is not reported as XML */
	struct kb_rpm_pkginfo p;
	enum kb_pfield field;
	enum kb_plist list;
	int in_pkg, decided, wanted, checksum_ok;
	size_t req_len;
	const char *problem;
};

static int kb_primary_io_read(void *ctx, char *buf, int len)
{
	struct kb_primary *pp = ctx;
	ssize_t r = kb_stream_read(pp->s, buf, (size_t)len);

	if (r < 0) {
		pp->stream_err = (int)r;
		return -1;
	}
	return (int)r;
}

static int kb_primary_io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

void kb_rpm_pkginfo_evr(const struct kb_rpm_pkginfo *p, char *buf, size_t size)
{
	if (p->epoch[0] && strcmp(p->epoch, "0"))
		snprintf(buf, size, "%s:%s-%s", p->epoch, p->ver, p->rel);
	else
		snprintf(buf, size, "%s-%s", p->ver, p->rel);
}

static void kb_primary_pkg_reset(struct kb_primary *pp)
{
	struct kb_rpm_pkginfo *p = &pp->p;

	p->name[0] = p->arch[0] = p->ver[0] = p->rel[0] = p->sha256[0] = '\0';
	p->href[0] = p->uname[0] = p->requires[0] = '\0';
	strcpy(p->epoch, "0");
	p->size = 0;
	pp->req_len = 0;
	pp->wanted = 0;
	pp->decided = 0;
	pp->checksum_ok = 0;
	pp->field = KB_PF_NONE;
	pp->list = KB_PL_NONE;
}

/* The provide's version as rpm split it: "kernel-uname-r = 5.14.0-427.el9.x86_64"
 * arrives as ver="5.14.0" rel="427.el9.x86_64". */
static int kb_primary_entry_evr(xmlTextReaderPtr rd, char *buf, size_t size)
{
	char ver[256], rel[256];
	int n;

	if (kb_xml_attr(rd, "ver", ver, sizeof(ver)))
		return -KB_EPARSE;
	if (kb_xml_attr(rd, "rel", rel, sizeof(rel)) == 0)
		n = snprintf(buf, size, "%s-%s", ver, rel);
	else
		n = snprintf(buf, size, "%s", ver);
	return n < 0 || (size_t)n >= size ? -KB_ELIMIT : 0;
}

static int kb_is_kernel_cap(const char *cap)
{
	return !strncmp(cap, "kernel", 6);
}

static void kb_primary_entry(struct kb_primary *pp, xmlTextReaderPtr rd)
{
	struct kb_rpm_pkginfo *p = &pp->p;
	char cap[256], evr[256], item[600];
	size_t clen;
	int n;

	if (kb_xml_attr(rd, "name", cap, sizeof(cap)) || !kb_is_kernel_cap(cap) ||
	    !kb_rpmmd_text_clean(cap))
		return;
	clen = strlen(cap);
	if (pp->list == KB_PL_PROVIDES) {
		if (p->uname[0] || clen < 8 || strcmp(cap + clen - 8, "-uname-r"))
			return;
		if (kb_primary_entry_evr(rd, evr, sizeof(evr)) == 0 && kb_rpmmd_text_clean(evr))
			snprintf(p->uname, sizeof(p->uname), "%s", evr);
		return;
	}
	if (kb_primary_entry_evr(rd, evr, sizeof(evr)) == 0 && kb_rpmmd_text_clean(evr))
		n = snprintf(item, sizeof(item), "%s%s (= %s)", pp->req_len ? ", " : "", cap, evr);
	else
		n = snprintf(item, sizeof(item), "%s%s", pp->req_len ? ", " : "", cap);
	if (n < 0 || pp->req_len + (size_t)n >= sizeof(p->requires))
		return;	/* keep whole requirements only */
	memcpy(p->requires + pp->req_len, item, (size_t)n + 1);
	pp->req_len += (size_t)n;
}

/* An element start at depth 2 of a wanted package. */
static int kb_primary_elem(struct kb_primary *pp, xmlTextReaderPtr rd, const char *el)
{
	struct kb_rpm_pkginfo *p = &pp->p;
	char buf[32];
	unsigned long long n;
	int err;

	if (!strcmp(el, "arch")) {
		pp->field = KB_PF_ARCH;
	} else if (!strcmp(el, "version")) {
		if (kb_xml_attr(rd, "ver", p->ver, sizeof(p->ver)) ||
		    kb_xml_attr(rd, "rel", p->rel, sizeof(p->rel)))
			goto bad;
		err = kb_xml_attr(rd, "epoch", p->epoch, sizeof(p->epoch));
		if (err == -ENOENT || (!err && !p->epoch[0]))
			strcpy(p->epoch, "0");
		else if (err)
			goto bad;
	} else if (!strcmp(el, "checksum")) {
		if (kb_xml_attr(rd, "type", buf, sizeof(buf)) || strcmp(buf, "sha256")) {
			pp->problem = "package checksum type is not sha256";
			return -KB_EPARSE;
		}
		pp->field = KB_PF_CHECKSUM;
	} else if (!strcmp(el, "size")) {
		if (kb_xml_attr(rd, "package", buf, sizeof(buf)) || kb_xml_u64(buf, &n))
			goto bad;
		p->size = n;
	} else if (!strcmp(el, "location")) {
		if (kb_xml_attr(rd, "href", p->href, sizeof(p->href)) ||
		    !kb_rpmmd_href_safe(p->href)) {
			pp->problem = "package location href is missing, too long or unsafe";
			return -KB_EPARSE;
		}
	}
	return 0;
bad:
	pp->problem = "package <version> or <size> is missing, too long or malformed";
	return -KB_EPARSE;
}

static int kb_primary_text(struct kb_primary *pp, xmlTextReaderPtr rd)
{
	struct kb_rpm_pkginfo *p = &pp->p;
	const char *v = (const char *)xmlTextReaderConstValue(rd);
	char *dst = NULL;
	size_t size = 0, n;

	if (!v)
		return 0;
	n = strlen(v);
	switch (pp->field) {
	case KB_PF_NAME:
		dst = p->name, size = sizeof(p->name);
		break;
	case KB_PF_ARCH:
		dst = p->arch, size = sizeof(p->arch);
		break;
	case KB_PF_CHECKSUM:
		if (n != KB_SHA256_HEX_LEN || !kb_sha256_valid(v)) {
			pp->problem = "package checksum is not 64 lowercase hex digits";
			return -KB_EPARSE;
		}
		dst = p->sha256, size = sizeof(p->sha256);
		pp->checksum_ok = 1;
		break;
	default:
		return 0;
	}
	if (n >= size || !kb_rpmmd_text_clean(v)) {
		pp->problem = "package name or arch is too long or holds control characters";
		return -KB_EPARSE;
	}
	memcpy(dst, v, n + 1);
	return 0;
}

/* </package> of a wanted package: check it is complete, hand it over. */
static int kb_primary_pkg_end(struct kb_primary *pp, xmlTextReaderPtr rd, kb_primary_pkg_fn fn,
			      void *ctx)
{
	struct kb_rpm_pkginfo *p = &pp->p;

	if (!p->arch[0] || !p->ver[0] || !p->rel[0] || !pp->checksum_ok || !p->href[0] ||
	    !p->size || !kb_rpmmd_text_clean(p->ver) || !kb_rpmmd_text_clean(p->rel) ||
	    !kb_rpmmd_text_clean(p->epoch)) {
		pp->problem = "package lacks arch, version, sha256 checksum, size or location";
		return -KB_EPARSE;
	}
	p->line = xmlTextReaderGetParserLineNumber(rd);
	return fn(p, ctx);
}

/* One reader node. Returns 0 to go on, or an error. */
static int kb_primary_node(struct kb_primary *pp, xmlTextReaderPtr rd, kb_primary_want_fn want,
			   kb_primary_pkg_fn fn, void *ctx, uint64_t *count, uint64_t max)
{
	int t = xmlTextReaderNodeType(rd), depth = xmlTextReaderDepth(rd);
	const char *el;

	if (pp->in_pkg && pp->decided && !pp->wanted && depth > 1)
		return 0;	/* the fast path: the rest of a package nobody wants */
	if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
		if (depth != 3 || !pp->in_pkg || pp->field == KB_PF_NONE)
			return 0;
		return kb_primary_text(pp, rd);
	}
	el = (const char *)xmlTextReaderConstLocalName(rd);
	if (t == XML_READER_TYPE_END_ELEMENT) {
		if (depth == 2 && pp->field == KB_PF_NAME && pp->in_pkg) {
			pp->decided = 1;
			pp->wanted = pp->p.name[0] && want(pp->p.name, ctx);
		}
		if (depth == 2)
			pp->field = KB_PF_NONE;
		else if (depth == 3)
			pp->list = KB_PL_NONE;
		else if (depth == 1 && pp->in_pkg) {
			pp->in_pkg = 0;
			if (!pp->p.name[0]) {
				pp->problem = "package without a name";
				return -KB_EPARSE;
			}
			if (pp->wanted)
				return kb_primary_pkg_end(pp, rd, fn, ctx);
		}
		return 0;
	}
	if (t != XML_READER_TYPE_ELEMENT)
		return 0;
	if (depth > 1 && xmlTextReaderIsEmptyElement(rd) && strcmp(el, "version") &&
	    strcmp(el, "size") && strcmp(el, "location") && strcmp(el, "entry"))
		return 0;	/* an empty <name/>, <arch/>, … holds nothing to read */
	if (depth == 0 && strcmp(el, "metadata")) {
		pp->problem = "root element is not <metadata>";
		return -KB_EPARSE;
	}
	if (depth == 1 && !strcmp(el, "package")) {
		if (++*count > max) {
			pp->problem = "too many packages";
			return -KB_ELIMIT;
		}
		kb_primary_pkg_reset(pp);
		pp->in_pkg = !xmlTextReaderIsEmptyElement(rd);
		if (!pp->in_pkg) {
			pp->problem = "empty <package>";
			return -KB_EPARSE;
		}
	} else if (depth == 2 && pp->in_pkg && !strcmp(el, "name")) {
		pp->field = KB_PF_NAME;
	} else if (depth == 2 && pp->in_pkg && pp->wanted) {
		return kb_primary_elem(pp, rd, el);
	} else if (depth == 3 && pp->wanted) {
		pp->list = !strcmp(el, "provides") ? KB_PL_PROVIDES :
			   !strcmp(el, "requires") ? KB_PL_REQUIRES : KB_PL_NONE;
	} else if (depth == 4 && pp->wanted && pp->list != KB_PL_NONE && !strcmp(el, "entry")) {
		kb_primary_entry(pp, rd);
	}
	return 0;
}

int kb_primary_parse(struct kb_stream *s, const char *name, const struct kb_primary_limits *lim,
		     kb_primary_want_fn want, kb_primary_pkg_fn fn, void *ctx, uint64_t *npkgs)
{
	struct kb_primary pp = { .s = s, .name = name };
	struct kb_xml_err xerr;
	xmlTextReaderPtr rd;
	uint64_t count = 0, max = lim && lim->max_packages ? lim->max_packages : 4000000;
	int r, err = 0, seen_root = 0;

	rd = xmlReaderForIO(kb_primary_io_read, kb_primary_io_close, &pp, name, NULL,
			    KB_RPMMD_XML_OPTIONS);
	if (!rd)
		return pp.stream_err ? pp.stream_err : -ENOMEM;
	kb_xml_capture_errors(rd, &xerr);
	while ((r = xmlTextReaderRead(rd)) == 1) {
		seen_root = 1;
		err = kb_primary_node(&pp, rd, want, fn, ctx, &count, max);
		if (err)
			break;
	}
	if (pp.stream_err) {
		err = pp.stream_err;
		kb_error("%s: reading the decompressed stream failed near line %d: %s", name,
			 xmlTextReaderGetParserLineNumber(rd), kb_strerror(err));
	} else if (!err && (r < 0 || xerr.line)) {
		err = -KB_EPARSE;
		kb_error("%s:%d: malformed XML: %s", name, xerr.line ? xerr.line : 1,
			 xerr.line ? xerr.msg : "parse error");
	} else if (!err && !seen_root) {
		err = -KB_EPARSE;
		kb_error("%s: empty, no <metadata> element", name);
	} else if (pp.problem) {
		kb_error("%s:%d: %s%s%s", name, xmlTextReaderGetParserLineNumber(rd),
			 pp.p.name[0] ? pp.p.name : "", pp.p.name[0] ? ": " : "", pp.problem);
	}
	if (npkgs)
		*npkgs = count;
	xmlFreeTextReader(rd);
	return err;
}
