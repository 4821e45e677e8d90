/* report_html.c — vmtest's report as one self-contained static page: the
 * kernel x test-case matrix grouped by distro and architecture, coloured by
 * result, each cell's checks on expand and its reason on hover, links to
 * the console logs, filters, and the run's figures. Rendered from the same
 * struct kb_vm_run as the JSON report (report.c), so a run and a merge of
 * shards (report_read.c) give the same page. */
#include <stdlib.h>
#include <string.h>

#include "lib/file.h"
#include "lib/html.h"
#include "lib/strv.h"
#include "vm/report.h"

static const char kb_vm_html_css[] = "td.cell{min-width:7em}\ntd.cell ul{margin:.2em 0;padding-left:1.1em}\n";

/* The columns: every test case (module, BPF program, …) of the run, in
 * the order first met. */
static void kb_vm_html_units(const struct kb_vm_run *run, struct kb_strv *units)
{
	for (size_t i = 0; i < run->nkernels; i++)
		for (size_t m = 0; m < run->kernels[i].nunits; m++) {
			const char *name = run->kernels[i].units[m].name;
			size_t j = 0;

			while (j < units->n && strcmp(units->v[j], name))
				j++;
			if (j == units->n)
				kb_strv_push(units, name);
		}
}

static const char *kb_vm_html_s(const char *s, const char *none)
{
	return s && *s ? s : none;
}

static int kb_vm_html_cmp(const void *a, const void *b)
{
	const struct kb_vm_kernel *x = *(const struct kb_vm_kernel *const *)a;
	const struct kb_vm_kernel *y = *(const struct kb_vm_kernel *const *)b;
	int c;

	if ((c = strcmp(kb_vm_html_s(x->distro, ""), kb_vm_html_s(y->distro, ""))) ||
	    (c = strcmp(kb_vm_html_s(x->arch, ""), kb_vm_html_s(y->arch, ""))) ||
	    (c = strverscmp(x->release, y->release)))
		return c;
	return strcmp(x->id, y->id);
}

/* A unit's verdict: fail (a critical check failed), warn (only
 * non-critical ones did), pass. */
static const char *kb_vm_html_verdict(const struct kb_vm_unit *u, const bool critical[KB_CHK_N])
{
	bool other = false;

	if (!kb_vm_unit_passed(u, critical))
		return "fail";
	for (int c = 0; c < KB_CHK_N; c++)
		other |= u->chk[c].st == KB_ST_FAIL;
	return other ? "warn" : "pass";
}

static void kb_vm_html_cell(struct kb_html *h, const struct kb_vm_run *run,
			    const struct kb_vm_unit *u)
{
	const char *v;
	char *why;

	if (!u) {
		kb_html_printf(h, "<td class=\"cell none\" data-status=\"none\">–</td>");
		return;
	}
	v = kb_vm_html_verdict(u, run->critical);
	why = kb_vm_unit_why(u, run->critical);
	kb_html_printf(h, "<td class=\"cell %s\" data-status=\"%s\" title=\"", v, v);
	kb_html_text(h, why ? why : v);
	kb_html_printf(h, "\"><details><summary>%s", !strcmp(v, "fail") ? "FAIL" : v);
	if (why) {
		kb_html_printf(h, ": <span class=\"why\">");
		kb_html_text(h, why);
		kb_html_printf(h, "</span>");
	}
	kb_html_printf(h, "</summary><ul>");
	for (int c = 0; c < KB_CHK_N; c++) {
		const struct kb_vm_check_result *r = &u->chk[c];

		if (r->st == KB_ST_NOTRUN && !r->detail)
			continue;
		kb_html_printf(h, "<li data-check=\"%s\" data-status=\"%s\"><b>%s</b> %s%s",
			       kb_vm_check_name(c), kb_vm_status_name(r->st), kb_vm_check_name(c),
			       kb_vm_status_name(r->st), run->critical[c] ? "" : " (non-critical)");
		if (r->detail) {
			kb_html_printf(h, "<pre>");
			kb_html_text(h, r->detail);
			kb_html_printf(h, "</pre>");
		}
		kb_html_printf(h, "</li>");
	}
	kb_html_printf(h, "</ul></details></td>");
	free(why);
}

static void kb_vm_html_row(struct kb_html *h, const struct kb_vm_run *run, const char *page,
			   const struct kb_vm_kernel *k, const struct kb_strv *units)
{
	bool failed = false;

	for (size_t m = 0; m < k->nunits; m++)
		failed |= !kb_vm_unit_passed(&k->units[m], run->critical);
	kb_html_printf(h, "<tr class=\"k\" data-distro=\"");
	kb_html_text(h, kb_vm_html_s(k->distro, "bundle"));
	kb_html_printf(h, "\" data-arch=\"");
	kb_html_text(h, kb_vm_html_s(k->arch, "unknown"));
	kb_html_printf(h, "\" data-failed=\"%d\" data-id=\"", failed);
	kb_html_text(h, k->id);
	kb_html_printf(h, "\"><th scope=\"row\"><code>");
	kb_html_text(h, k->release);
	kb_html_printf(h, "</code>");
	if (k->guest_release && strcmp(k->guest_release, k->release)) {
		kb_html_printf(h, "<br>booted <code>");
		kb_html_text(h, k->guest_release);
		kb_html_printf(h, "</code>");
	}
	kb_html_printf(h, "</th><td>");
	kb_html_text(h, kb_vm_html_s(k->accel, "–"));
	kb_html_printf(h, "</td><td class=\"num\">%.1f s</td><td>", k->seconds);
	if (k->log_path) {
		kb_html_printf(h, "<a class=\"log\" href=\"");
		kb_html_url_from(h, page, k->log_path);
		kb_html_printf(h, "\">console</a>");
	} else {
		kb_html_printf(h, "–");
	}
	kb_html_printf(h, "</td>");
	for (size_t j = 0; j < units->n; j++) {
		const struct kb_vm_unit *u = NULL;

		for (size_t m = 0; m < k->nunits && !u; m++)
			if (!strcmp(k->units[m].name, units->v[j]))
				u = &k->units[m];
		kb_vm_html_cell(h, run, u);
	}
	kb_html_printf(h, "</tr>\n");
}

/* The filter of the distinct values of a kernel field. */
static void kb_vm_html_select(struct kb_html *h, const char *label, const char *name,
			      const struct kb_vm_kernel *const *ks, size_t n, bool arch)
{
	struct kb_strv vals = { 0 };

	for (size_t i = 0; i < n; i++)
		kb_strv_push(&vals, arch ? kb_vm_html_s(ks[i]->arch, "unknown")
					 : kb_vm_html_s(ks[i]->distro, "bundle"));
	kb_html_select(h, label, name, &vals);
	kb_strv_free(&vals);
}

/* The run's figures: kernels, test cases, verdicts, time, accelerators. */
static void kb_vm_html_figures(struct kb_html *h, const struct kb_vm_run *run, size_t nunits)
{
	size_t pass = 0, fail = 0;
	struct kb_strv accels = { 0 };

	for (size_t i = 0; i < run->nkernels; i++) {
		kb_strv_push(&accels, kb_vm_html_s(run->kernels[i].accel, "none"));
		for (size_t m = 0; m < run->kernels[i].nunits; m++)
			kb_vm_unit_passed(&run->kernels[i].units[m], run->critical) ? pass++ : fail++;
	}
	kb_strv_sort_unique(&accels);
	kb_html_printf(h, "<div class=\"figs\" id=\"figures\">"
		       "<div>result<b id=\"verdict\" class=\"%s\">%s</b></div>"
		       "<div>kernels<b id=\"nkernels\">%zu</b></div>"
		       "<div>test cases<b id=\"nunits\">%zu</b></div>"
		       "<div>passed<b id=\"npass\">%zu</b></div><div>failed<b id=\"nfail\">%zu</b></div>"
		       "<div>time<b id=\"seconds\">%.1f s</b></div><div>accelerator<b id=\"accel\">",
		       kb_vm_run_passed(run) ? "pass" : "fail", kb_vm_run_passed(run) ? "passed" : "FAILED",
		       run->nkernels, nunits, pass, fail, run->seconds);
	for (size_t i = 0; i < accels.n; i++) {
		size_t n = 0;

		for (size_t k = 0; k < run->nkernels; k++)
			n += !strcmp(kb_vm_html_s(run->kernels[k].accel, "none"), accels.v[i]);
		kb_html_printf(h, "%s", i ? ", " : "");
		kb_html_text(h, accels.v[i]);
		if (accels.n > 1)
			kb_html_printf(h, " ×%zu", n);
	}
	kb_html_printf(h, "</b></div><div>started<b>");
	kb_html_text(h, kb_vm_html_s(run->started, "–"));
	kb_html_printf(h, "</b></div></div>\n<p>Critical checks:");
	for (int c = 0; c < KB_CHK_N; c++)
		if (run->critical[c])
			kb_html_printf(h, " <code>%s</code>", kb_vm_check_name(c));
	kb_html_printf(h, ". Hover a cell for the first failing check, click it for every check.</p>\n");
	kb_strv_free(&accels);
}

char *kb_vm_report_html(const struct kb_vm_run *run, const char *page, size_t *len, int *err)
{
	const struct kb_vm_kernel **ks = kb_xcalloc(run->nkernels + 1, sizeof(*ks));
	struct kb_strv units = { 0 };
	struct kb_html h;
	char *title;

	for (size_t i = 0; i < run->nkernels; i++)
		ks[i] = &run->kernels[i];
	if (run->nkernels)
		qsort(ks, run->nkernels, sizeof(*ks), kb_vm_html_cmp);
	kb_vm_html_units(run, &units);
	title = kb_xasprintf("kbundle vmtest %s", kb_vm_html_s(run->started, ""));
	kb_html_begin(&h, title, kb_vm_html_css, kb_html_filter_js);
	kb_html_printf(&h, "<h1>");
	kb_html_text(&h, title);
	kb_html_printf(&h, "</h1>\n");
	kb_vm_html_figures(&h, run, units.n);
	kb_html_printf(&h, "<form class=\"filters\" id=\"filters\">\n");
	kb_vm_html_select(&h, "distro", "distro", ks, run->nkernels, false);
	kb_vm_html_select(&h, "architecture", "arch", ks, run->nkernels, true);
	kb_html_printf(&h, "<label><input type=\"checkbox\" name=\"failing\"> failing only</label>"
		       "<span><span id=\"shown\">%zu</span> of %zu kernels shown</span></form>\n",
		       run->nkernels, run->nkernels);
	kb_html_printf(&h, "<table id=\"matrix\"><thead><tr><th>kernel</th><th>accel</th>"
		       "<th>time</th><th>log</th>");
	for (size_t j = 0; j < units.n; j++) {
		kb_html_printf(&h, "<th class=\"unit\">");
		kb_html_text(&h, units.v[j]);
		kb_html_printf(&h, "</th>");
	}
	kb_html_printf(&h, "</tr></thead>\n");
	for (size_t i = 0, e; i < run->nkernels; i = e) {
		const char *distro = kb_vm_html_s(ks[i]->distro, "bundle");
		const char *arch = kb_vm_html_s(ks[i]->arch, "unknown");

		for (e = i + 1; e < run->nkernels && !strcmp(kb_vm_html_s(ks[e]->distro, "bundle"), distro) &&
				!strcmp(kb_vm_html_s(ks[e]->arch, "unknown"), arch);
		     e++)
			;
		kb_html_printf(&h, "<tbody class=\"g\"><tr class=\"group\"><th colspan=\"%zu\">",
			       units.n + 4);
		kb_html_text(&h, distro);
		kb_html_printf(&h, " · ");
		kb_html_text(&h, arch);
		kb_html_printf(&h, " · %zu kernel%s</th></tr>\n", e - i, e - i == 1 ? "" : "s");
		for (size_t k = i; k < e; k++)
			kb_vm_html_row(&h, run, page, ks[k], &units);
		kb_html_printf(&h, "</tbody>\n");
	}
	kb_html_printf(&h, "</table>\n<p><small>kbundle %s</small></p>\n", KB_VERSION);
	free(title);
	free(ks);
	kb_strv_free(&units);
	return kb_html_finish(&h, len, err);
}

int kb_vm_report_html_write(const char *path, const struct kb_vm_run *run)
{
	size_t len = 0;
	int err = 0;
	char *text = kb_vm_report_html(run, path, &len, &err);

	return kb_vm_report_put(path, text, len, err);
}
