/* html.h — the static pages kbundle writes: vmtest's report
 * (vm/report_html.c) and a store's index.html (bundles/index_html.c). One
 * look (a page skeleton with one inline style sheet) and one way to put
 * text on a page.
 *
 * Everything shown may come from outside (kernel names, console lines, a
 * store's index), so text goes through kb_html_text() and links through
 * kb_html_url(); markup is only ever kbundle's own format strings. A
 * page's script is static text that reads its data from the DOM (data-
 * attributes), and the page's Content-Security-Policy allows that one
 * script by its sha256 and nothing else: no remote resource, no inline
 * handler, so even a string that escaped escaping could not run. */
#ifndef KB_HTML_H
#define KB_HTML_H

#include <stddef.h>
#include <stdio.h>

struct kb_html {
	FILE *f;		/* open_memstream */
	char *buf;
	size_t len;
	const char *script;	/* kb_html_begin's */
};

/* The page up to <body>: title (escaped), the shared style sheet, then css
 * (the page's own rules, kbundle's text); script is the page's one script
 * (kbundle's text, NULL: none), allowed by the policy and written at the
 * end by kb_html_finish; h keeps the pointer until then. */
void kb_html_begin(struct kb_html *h, const char *title, const char *css, const char *script);
/* Text, escaped for element content and quoted attribute values alike:
 * & < > " ' become references, control characters but tab and newline
 * are dropped. NULL writes nothing. */
void kb_html_text(struct kb_html *h, const char *s);
/* kbundle's own markup (never outside strings in fmt). */
void kb_html_printf(struct kb_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A relative URL for a path, percent-encoded (everything but
 * [A-Za-z0-9._~/-]), so no part of it can read as a scheme or leave the
 * attribute. */
void kb_html_url(struct kb_html *h, const char *path);
/* The URL of target (a file path) from a page written at page (a file
 * path), both taken from the current directory: "../logs/x.log". */
void kb_html_url_from(struct kb_html *h, const char *page, const char *target);
/* The filters both pages share: a <form id="filters"> whose controls are
 * named distro, arch (selects; "" is all) and failing (a checkbox) hide
 * each <tr class="k"> whose data-distro, data-arch or data-failed="1" does
 * not fit, hide a <tbody class="g"> with no row left, and count the rows
 * shown into #shown. Give it to kb_html_begin as the script. */
extern const char kb_html_filter_js[];
/* <label>LABEL <select name=NAME> of vals (made a set here) with "all"
 * first, for the filter form. */
struct kb_strv;
void kb_html_select(struct kb_html *h, const char *label, const char *name, struct kb_strv *vals);
/* Close the page (the script, </body></html>) and hand its text over
 * (malloc'd; NULL with *err when the stream failed). */
char *kb_html_finish(struct kb_html *h, size_t *len, int *err);

#endif
