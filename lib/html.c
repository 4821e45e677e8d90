/* html.c — page skeleton, escaping and relative links for kbundle's static
 * pages (html.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/html.h"
#include "lib/strv.h"

/* The shared look: status colours are named once here (the reports' cells
 * and the store's vmtest column use the same classes). */
static const char kb_html_css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:1.2em 2em;"
	"color:#1d1d1f;background:#fff}\n"
	"h1{font-size:1.35em;margin:.2em 0 .6em}\n"
	"a{color:#0b57d0}\n"
	".figs{display:flex;flex-wrap:wrap;gap:.6em 1.8em;margin:.4em 0 1em}\n"
	".figs div{min-width:6em}.figs b{display:block;font-size:1.35em}\n"
	".filters{margin:.6em 0 1em;display:flex;gap:1.2em;align-items:center}\n"
	"table{border-collapse:collapse;margin-bottom:1em}\n"
	"th,td{border:1px solid #d0d0d7;padding:.25em .55em;text-align:left;vertical-align:top}\n"
	"thead th{background:#eef0f4;position:sticky;top:0}\n"
	"tr.group th{background:#dfe4ee;font-weight:600}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"code,pre{font:12px/1.35 ui-monospace,'DejaVu Sans Mono',monospace}\n"
	"pre{white-space:pre-wrap;max-width:60em;margin:.2em 0}\n"
	".pass{background:#c6efce}.fail{background:#ffc7ce}.warn{background:#ffeb9c}"
	".none{background:#eeeeee;color:#777}\n"
	"details summary{cursor:pointer}\n"
	"[hidden]{display:none!important}\n";

const char kb_html_filter_js[] =
	"(function(){\n"
	"var d=document,f=d.getElementById('filters'),rows=d.querySelectorAll('tr.k');\n"
	"function val(n){var e=f.querySelector('[name='+n+']');"
	"return !e?'':e.type==='checkbox'?(e.checked?'1':''):e.value;}\n"
	"function apply(){\n"
	" var di=val('distro'),ar=val('arch'),fo=val('failing');\n"
	" rows.forEach(function(r){r.hidden=(di&&r.dataset.distro!==di)||(ar&&r.dataset.arch!==ar)"
	"||(fo&&r.dataset.failed!=='1');});\n"
	" d.querySelectorAll('tbody.g').forEach(function(g){"
	"g.hidden=!g.querySelector('tr.k:not([hidden])');});\n"
	" d.getElementById('shown').textContent=d.querySelectorAll('tr.k:not([hidden])').length;\n"
	"}\n"
	"f.addEventListener('change',apply);apply();\n"
	"})();\n";

void kb_html_select(struct kb_html *h, const char *label, const char *name, struct kb_strv *vals)
{
	kb_strv_sort_unique(vals);
	kb_html_printf(h, "<label>");
	kb_html_text(h, label);
	kb_html_printf(h, " <select name=\"");
	kb_html_text(h, name);
	kb_html_printf(h, "\"><option value=\"\">all</option>");
	for (size_t i = 0; i < vals->n; i++) {
		kb_html_printf(h, "<option value=\"");
		kb_html_text(h, vals->v[i]);
		kb_html_printf(h, "\">");
		kb_html_text(h, vals->v[i]);
		kb_html_printf(h, "</option>");
	}
	kb_html_printf(h, "</select></label>\n");
}

void kb_html_printf(struct kb_html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(h->f, fmt, ap);
	va_end(ap);
}

void kb_html_text(struct kb_html *h, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", h->f); break;
		case '<': fputs("&lt;", h->f); break;
		case '>': fputs("&gt;", h->f); break;
		case '"': fputs("&quot;", h->f); break;
		case '\'': fputs("&#39;", h->f); break;
		default:
			if (c >= 0x20 || c == '\t' || c == '\n')
				if (c != 0x7f)
					fputc(c, h->f);
		}
	}
}

void kb_html_url(struct kb_html *h, const char *path)
{
	static const char keep[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~/-";

	for (const unsigned char *p = (const unsigned char *)path; p && *p; p++)
		if (strchr(keep, *p))
			fputc(*p, h->f);
		else
			fprintf(h->f, "%%%02X", *p);
}

/* path made absolute (from the current directory) and normalised without
 * touching the disk: a console log may be on another machine's path. */
static char *kb_html_abs(const char *path)
{
	char *cwd = path[0] == '/' ? NULL : getcwd(NULL, 0);
	char *full = cwd ? kb_path_join(cwd, path) : kb_xstrdup(path);
	char *out = kb_xmalloc(strlen(full) + 2), *o = out, *save = NULL;

	for (char *seg = strtok_r(full, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			while (o > out && *--o != '/')
				;
			continue;
		}
		*o++ = '/';
		o = stpcpy(o, seg);
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	free(cwd);
	free(full);
	return out;
}

void kb_html_url_from(struct kb_html *h, const char *page, const char *target)
{
	char *from = kb_html_abs(page), *to = kb_html_abs(target), *slash;
	size_t common = 0;

	*strrchr(from, '/') = '\0';	/* the page's directory ("" for /) */
	for (size_t i = 0;; i++) {
		if (from[i] == '\0' && (to[i] == '/' || to[i] == '\0')) {
			common = i;
			break;
		}
		if (from[i] != to[i])
			break;
		if (from[i] == '/')
			common = i;
	}
	for (slash = from + common; *slash; slash++)
		if (*slash == '/')
			fputs("../", h->f);
	kb_html_url(h, to + common + (to[common] == '/'));
	free(from);
	free(to);
}

void kb_html_begin(struct kb_html *h, const char *title, const char *css, const char *script)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];

	h->buf = NULL;
	h->len = 0;
	h->script = script;
	h->f = open_memstream(&h->buf, &h->len);
	if (!h->f)
		abort();	/* out of memory, like the x-allocators */
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'",
	      h->f);
	if (script) {
		SHA256((const unsigned char *)script, strlen(script), md);
		EVP_EncodeBlock(b64, md, sizeof(md));
		fprintf(h->f, "; script-src 'sha256-%s'", b64);
	}
	fputs("\">\n<title>", h->f);
	kb_html_text(h, title);
	fprintf(h->f, "</title>\n<style>\n%s%s</style>\n</head>\n<body>\n", kb_html_css, css ? css : "");
}

char *kb_html_finish(struct kb_html *h, size_t *len, int *err)
{
	char *out;

	if (h->script)
		fprintf(h->f, "<script>%s</script>\n", h->script);
	fputs("</body>\n</html>\n", h->f);
	*err = ferror(h->f) ? -EIO : 0;
	if (fclose(h->f) != 0 && !*err)
		*err = -EIO;
	out = h->buf;
	*len = h->len;
	h->f = NULL;
	h->buf = NULL;
	if (*err) {
		free(out);
		out = NULL;
	}
	return out;
}
