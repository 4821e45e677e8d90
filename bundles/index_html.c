/* index_html.c — a store's index.html: the bundles of its index.json as a
 * page a person can browse (grouped by distro and architecture, filters,
 * links to each .tgz, its sidecar and its alias), in the look of vmtest's
 * report (lib/html.h). Written by publish beside index.json; the index
 * stays the contract, the page is only for eyes. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bundles/bundle_path.h"
#include "bundles/index.h"
#include "lib/file.h"
#include "lib/html.h"
#include "lib/strv.h"

static int kb_index_html_cmp(const void *a, const void *b)
{
	const struct kb_index_entry *x = *(const struct kb_index_entry *const *)a;
	const struct kb_index_entry *y = *(const struct kb_index_entry *const *)b;
	int c;

	if ((c = strcmp(x->distro, y->distro)) || (c = strcmp(x->arch, y->arch)) ||
	    (c = strverscmp(y->uname, x->uname)))	/* newest kernel first */
		return c;
	return strcmp(x->id, y->id);
}

static void kb_index_html_size(struct kb_html *h, uint64_t n)
{
	if (n >= 1000000)
		kb_html_printf(h, "%.1f MB", (double)n / 1e6);
	else
		kb_html_printf(h, "%.1f kB", (double)n / 1e3);
}

static void kb_index_html_link(struct kb_html *h, const char *path, const char *label)
{
	kb_html_printf(h, "<a href=\"");
	kb_html_url(h, path);
	kb_html_printf(h, "\">%s</a>", label);
}

static void kb_index_html_row(struct kb_html *h, const struct kb_index_entry *e)
{
	const char *vm = e->vmtest[0] ? e->vmtest : "untested";
	const char *cls = !strcmp(vm, "passed") ? "pass" : !strcmp(vm, "failed") ? "fail" : "none";
	char *tgz = kb_bundle_path(NULL, e->id), *side = kb_bundle_sidecar_path(NULL, e->id);

	kb_html_printf(h, "<tr class=\"k\" data-distro=\"");
	kb_html_text(h, e->distro);
	kb_html_printf(h, "\" data-arch=\"");
	kb_html_text(h, e->arch);
	kb_html_printf(h, "\" data-failed=\"%d\" data-id=\"", !strcmp(cls, "fail"));
	kb_html_text(h, e->id);
	kb_html_printf(h, "\"><th scope=\"row\"><code>");
	kb_html_text(h, e->uname);
	kb_html_printf(h, "</code></th><td class=\"num\" title=\"%llu bytes\">",
		       (unsigned long long)e->size);
	kb_index_html_size(h, e->size);
	kb_html_printf(h, "</td><td class=\"%s\" data-status=\"%s\">", cls, cls);
	kb_html_text(h, vm);
	kb_html_printf(h, "</td><td>");
	kb_html_text(h, e->packed_at[0] ? e->packed_at : "–");
	kb_html_printf(h, "</td><td><code class=\"sha\">");
	kb_html_text(h, e->sha256);
	kb_html_printf(h, "</code></td><td>");
	kb_index_html_link(h, tgz, ".tgz");
	kb_html_printf(h, " ");
	kb_index_html_link(h, side, ".sha256");
	if (e->alias) {
		kb_html_printf(h, " ");
		kb_index_html_link(h, e->alias, "alias");
	}
	kb_html_printf(h, "</td></tr>\n");
	free(tgz);
	free(side);
}

static void kb_index_html_figures(struct kb_html *h, const struct kb_index *idx)
{
	uint64_t total = 0;
	size_t passed = 0;
	struct kb_strv distros = { 0 };

	for (size_t i = 0; i < idx->n; i++) {
		total += idx->v[i].size;
		passed += !strcmp(idx->v[i].vmtest, "passed");
		kb_strv_push(&distros, idx->v[i].distro);
	}
	kb_strv_sort_unique(&distros);
	kb_html_printf(h, "<div class=\"figs\" id=\"figures\"><div>bundles<b id=\"nbundles\">%zu</b></div>"
		       "<div>distros<b>%zu</b></div><div>total size<b>", idx->n, distros.n);
	kb_index_html_size(h, total);
	kb_html_printf(h, "</b></div><div>vmtest passed<b>%zu</b></div>", passed);
	if (idx->version) {
		kb_html_printf(h, "<div>index version<b>%llu</b></div><div>generated<b>",
			       (unsigned long long)idx->version);
		kb_html_text(h, idx->generated);
		kb_html_printf(h, "</b></div><div>expires<b>");
		kb_html_text(h, idx->expires);
		kb_html_printf(h, "</b></div><div>signed by key<b><code>");
		kb_html_text(h, idx->key_id);
		kb_html_printf(h, "</code></b></div>");
	} else {
		kb_html_printf(h, "<div>signature<b>none</b></div>");
	}
	kb_html_printf(h, "</div>\n<p>Machines read <a href=\"index.json\">index.json</a>%s; every "
		       "bundle is listed with its sha256 in <a href=\"SHA256SUMS\">SHA256SUMS</a>.</p>\n",
		       idx->version ? " (signed: index.json.sig)" : "");
	kb_strv_free(&distros);
}

char *kb_index_html(const struct kb_index *idx, size_t *len, int *err)
{
	const struct kb_index_entry **es = kb_xcalloc(idx->n + 1, sizeof(*es));
	struct kb_strv distros = { 0 }, arches = { 0 };
	struct kb_html h;

	for (size_t i = 0; i < idx->n; i++) {
		es[i] = &idx->v[i];
		kb_strv_push(&distros, es[i]->distro);
		kb_strv_push(&arches, es[i]->arch);
	}
	if (idx->n)
		qsort(es, idx->n, sizeof(*es), kb_index_html_cmp);
	kb_html_begin(&h, "kbundle store", "code.sha{font-size:11px}\n", kb_html_filter_js);
	kb_html_printf(&h, "<h1>kbundle store</h1>\n");
	kb_index_html_figures(&h, idx);
	kb_html_printf(&h, "<form class=\"filters\" id=\"filters\">\n");
	kb_html_select(&h, "distro", "distro", &distros);
	kb_html_select(&h, "architecture", "arch", &arches);
	kb_html_printf(&h, "<label><input type=\"checkbox\" name=\"failing\"> vmtest failed only</label>"
		       "<span><span id=\"shown\">%zu</span> of %zu bundles shown</span></form>\n",
		       idx->n, idx->n);
	kb_html_printf(&h, "<table id=\"bundles\"><thead><tr><th>kernel release</th><th>size</th>"
		       "<th>vmtest</th><th>packed</th><th>sha256</th><th>files</th></tr></thead>\n");
	for (size_t i = 0, e; i < idx->n; i = e) {
		for (e = i + 1; e < idx->n && !strcmp(es[e]->distro, es[i]->distro) &&
				!strcmp(es[e]->arch, es[i]->arch);
		     e++)
			;
		kb_html_printf(&h, "<tbody class=\"g\"><tr class=\"group\"><th colspan=\"6\">");
		kb_html_text(&h, es[i]->distro);
		kb_html_printf(&h, " · ");
		kb_html_text(&h, es[i]->arch);
		kb_html_printf(&h, " · %zu bundle%s</th></tr>\n", e - i, e - i == 1 ? "" : "s");
		for (size_t k = i; k < e; k++)
			kb_index_html_row(&h, es[k]);
		kb_html_printf(&h, "</tbody>\n");
	}
	kb_html_printf(&h, "</table>\n<p><small>kbundle %s</small></p>\n", KB_VERSION);
	free(es);
	kb_strv_free(&distros);
	kb_strv_free(&arches);
	return kb_html_finish(&h, len, err);
}
