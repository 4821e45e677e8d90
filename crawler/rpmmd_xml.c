/* rpmmd_xml.c — shared xmlTextReader helpers for the rpm-md parsers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/rpmmd_xml.h"
#include "lib/error.h"
#include "lib/file.h"

static void kb_xml_on_error(void *arg, xmlErrorPtr e)
{
	struct kb_xml_err *err = arg;
	size_t n;

	if (!e || err->line || e->level < XML_ERR_ERROR)
		return;
	err->line = e->line > 0 ? e->line : 1;
	snprintf(err->msg, sizeof(err->msg), "%s", e->message ? e->message : "XML error");
	n = strlen(err->msg);
	while (n && (err->msg[n - 1] == '\n' || err->msg[n - 1] == ' '))
		err->msg[--n] = '\0';
}

void kb_xml_capture_errors(xmlTextReaderPtr rd, struct kb_xml_err *err)
{
	memset(err, 0, sizeof(*err));
	xmlTextReaderSetStructuredErrorHandler(rd, kb_xml_on_error, err);
}

int kb_xml_attr(xmlTextReaderPtr rd, const char *name, char *buf, size_t size)
{
	xmlChar *v = xmlTextReaderGetAttribute(rd, (const xmlChar *)name);
	size_t n;
	int err = 0;

	if (!v)
		return -ENOENT;
	n = strlen((const char *)v);
	if (n >= size) {
		err = -KB_ELIMIT;
		goto out;
	}
	memcpy(buf, v, n + 1);
out:
	xmlFree(v);
	return err;
}

int kb_xml_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -KB_EPARSE;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end)
		return -KB_EPARSE;
	return 0;
}

int kb_rpmmd_text_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int kb_rpmmd_href_safe(const char *h)
{
	return *h && h[0] != '/' && !strstr(h, "://") && !strchr(h, '\\') && !strchr(h, '?') &&
	       !strchr(h, '#') && kb_rpmmd_text_clean(h);
}

char *kb_rpmmd_path_join(const char *repo, const char *href)
{
	char *in = kb_xasprintf("%s/%s", repo, href), *out = kb_xmalloc(strlen(in) + 1);
	char *save = NULL, *tok;
	size_t n = 0;

	for (tok = strtok_r(in, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (!n)
				goto bad;	/* above the mirror root */
			while (n && out[n - 1] != '/')
				n--;
			if (n)
				n--;
			continue;
		}
		if (n)
			out[n++] = '/';
		memcpy(out + n, tok, strlen(tok));
		n += strlen(tok);
	}
	if (!n)
		goto bad;
	out[n] = '\0';
	free(in);
	return out;
bad:
	free(in);
	free(out);
	return NULL;
}
