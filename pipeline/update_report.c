/* update_report.c — the nightly summary: what the crawl changed (from the
 * lists before and after), what failed and why, bytes and time per stage;
 * written as JSON for machines and as a short text for the cron mail. */
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "pipeline/update.h"

static bool kb_is_kernel(const struct kb_pkg *p)
{
	/* One flavour headers package (or rpm kernel-devel) is one kernel. */
	return p->kind == KB_KIND_HEADERS || p->kind == KB_KIND_DEVEL;
}

static const struct kb_pkg *kb_find(const struct kb_pkglist *l, const struct kb_pkg *p)
{
	/* Lists are a few thousand lines at most: a linear scan per changed
	 * candidate keeps this independent of the list's sort order. */
	for (size_t i = 0; i < l->n; i++) {
		const struct kb_pkg *q = &l->v[i];

		if (!strcmp(q->name, p->name) && !strcmp(q->arch, p->arch) &&
		    !strcmp(q->version, p->version))
			return q;
	}
	return NULL;
}

static void kb_kernel_add(struct kb_update_kernel **v, size_t *n, const char *up,
			  const struct kb_pkg *p)
{
	struct kb_update_kernel *k;

	*v = kb_xrealloc(*v, sizeof(**v) * (*n + 1));
	k = &(*v)[(*n)++];
	k->upstream = kb_xstrdup(up);
	k->name = kb_xstrdup(p->name);
	k->version = kb_xstrdup(p->version);
	k->arch = kb_xstrdup(p->arch);
	k->release = kb_xstrdup(p->release);
}

void kb_update_diff_list(struct kb_update_summary *s, struct kb_update_upstream *u,
			 const struct kb_pkglist *before, const struct kb_pkglist *after)
{
	u->pkgs_total = 0;
	for (size_t i = 0; i < after->n; i++) {
		const struct kb_pkg *p = &after->v[i];
		const struct kb_pkg *old = kb_find(before, p);

		u->pkgs_total += p->present;
		if (p->present && (!old || !old->present)) {
			u->pkgs_new++;
			if (kb_is_kernel(p))
				kb_kernel_add(&s->new_k, &s->nnew_k, u->name, p);
		} else if (!p->present && old && old->present) {
			u->pkgs_gone++;
			if (kb_is_kernel(p))
				kb_kernel_add(&s->gone_k, &s->ngone_k, u->name, p);
		}
	}
}

void kb_update_fail(struct kb_update_summary *s, const char *stage, const char *what,
		    const char *reason)
{
	struct kb_update_failure *f;

	s->fail = kb_xrealloc(s->fail, sizeof(*s->fail) * (s->nfail + 1));
	f = &s->fail[s->nfail++];
	f->stage = kb_xstrdup(stage);
	f->what = kb_xstrdup(what);
	f->reason = kb_xstrdup(reason ? reason : "unknown");
}

static const char *kb_ustatus_name(enum kb_update_ustatus st)
{
	return st == KB_UPD_UPDATED ? "updated" : st == KB_UPD_UNCHANGED ? "unchanged" : "failed";
}

static const char *kb_outcome(int exit_status)
{
	return exit_status == 0 ? "ok" : exit_status == 3 ? "partial" : "failed";
}

static void kb_json_kernels(struct kb_json *j, const char *key, const struct kb_update_kernel *v,
			    size_t n)
{
	kb_json_arr_begin(j, key);
	for (size_t i = 0; i < n; i++) {
		kb_json_obj_begin(j, NULL);
		kb_json_str(j, "upstream", v[i].upstream);
		kb_json_str(j, "release", v[i].release);
		kb_json_str(j, "arch", v[i].arch);
		kb_json_str(j, "package", v[i].name);
		kb_json_str(j, "version", v[i].version);
		kb_json_obj_end(j);
	}
	kb_json_arr_end(j);
}

static void kb_json_ids(struct kb_json *j, const char *key, char *const *v, size_t n)
{
	kb_json_arr_begin(j, key);
	for (size_t i = 0; i < n; i++)
		kb_json_str(j, NULL, v[i]);
	kb_json_arr_end(j);
}

int kb_update_write_json(const struct kb_update_summary *s, const char *path)
{
	struct kb_json j;
	char *text = NULL;
	size_t len = 0;
	int err = 0;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", "kbundle-update-1");
	kb_json_str(&j, "date", s->date);
	kb_json_str(&j, "started", s->started);
	kb_json_bool(&j, "dry_run", s->dry_run);
	kb_json_str(&j, "outcome", kb_outcome(s->exit_status));
	kb_json_int(&j, "exit_status", s->exit_status);
	kb_json_uint(&j, "bytes_downloaded", s->bytes);
	kb_json_arr_begin(&j, "stages");
	for (size_t i = 0; i < sizeof(s->stages) / sizeof(s->stages[0]); i++) {
		if (!s->stages[i].name)
			continue;
		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "name", s->stages[i].name);
		kb_json_bool(&j, "ran", s->stages[i].ran);
		kb_json_int(&j, "ms", s->stages[i].ms);
		kb_json_str(&j, "error", s->stages[i].err ? kb_strerror(s->stages[i].err) : NULL);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_arr_begin(&j, "upstreams");
	for (size_t i = 0; i < s->nup; i++) {
		const struct kb_update_upstream *u = &s->up[i];

		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "name", u->name);
		kb_json_str(&j, "status", kb_ustatus_name(u->status));
		kb_json_str(&j, "reason", u->reason);
		kb_json_uint(&j, "bytes", u->bytes);
		kb_json_uint(&j, "packages", u->pkgs_total);
		kb_json_uint(&j, "packages_new", u->pkgs_new);
		kb_json_uint(&j, "packages_gone", u->pkgs_gone);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_kernels(&j, "new_kernels", s->new_k, s->nnew_k);
	kb_json_kernels(&j, "gone_kernels", s->gone_k, s->ngone_k);
	kb_json_ids(&j, "new_bundles", s->new_bundles, s->nnew_bundles);
	kb_json_uint(&j, "packed", s->npacked);
	kb_json_uint(&j, "pack_failed", s->npack_failed);
	kb_json_uint(&j, "packages_downloaded", s->pkgs_downloaded);
	kb_json_arr_begin(&j, "failures");
	for (size_t i = 0; i < s->nfail; i++) {
		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "stage", s->fail[i].stage);
		kb_json_str(&j, "what", s->fail[i].what);
		kb_json_str(&j, "reason", s->fail[i].reason);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	text = kb_json_finish(&j, &len, &err);
	if (!text)
		goto out;
	err = kb_file_write_output(path, text, len);
out:
	if (err)
		kb_error("%s: cannot write the update summary: %s", path, kb_strerror(err));
	free(text);
	return err;
}

static void kb_print_kernels(FILE *f, const char *title, const struct kb_update_kernel *v,
			     size_t n)
{
	if (!n)
		return;
	fprintf(f, "%s (%zu):\n", title, n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-16s %s  (%s %s)\n", v[i].upstream, v[i].release, v[i].name,
			v[i].version);
}

void kb_update_print(const struct kb_update_summary *s, FILE *f)
{
	fprintf(f, "kbundle update %s%s: %s\n", s->date, s->dry_run ? " (dry run)" : "",
		kb_outcome(s->exit_status));
	for (size_t i = 0; i < s->nup; i++) {
		const struct kb_update_upstream *u = &s->up[i];

		fprintf(f, "  %-16s %-9s %zu packages, +%zu -%zu, %.1f KiB", u->name,
			kb_ustatus_name(u->status), u->pkgs_total, u->pkgs_new, u->pkgs_gone,
			(double)u->bytes / 1024);
		if (u->status == KB_UPD_FAILED)
			fprintf(f, " (list kept as it was)");
		fputc('\n', f);
	}
	kb_print_kernels(f, "new kernels", s->new_k, s->nnew_k);
	kb_print_kernels(f, "kernels that left upstream indexes", s->gone_k, s->ngone_k);
	if (s->stages[KB_STAGE_PACK].ran)
		fprintf(f, "new bundles: %zu; packed: %zu, failed: %zu (%zu packages downloaded)\n",
			s->nnew_bundles, s->npacked, s->npack_failed, s->pkgs_downloaded);
	else if (s->nnew_bundles)
		fprintf(f, "new bundles: %zu (not packed by this run)\n", s->nnew_bundles);
	if (s->nfail) {
		fprintf(f, "failures (%zu):\n", s->nfail);
		for (size_t i = 0; i < s->nfail; i++)
			fprintf(f, "  %s %s: %s\n", s->fail[i].stage, s->fail[i].what,
				s->fail[i].reason);
	}
	fprintf(f, "downloaded %.1f KiB;", (double)s->bytes / 1024);
	for (size_t i = 0; i < sizeof(s->stages) / sizeof(s->stages[0]); i++)
		if (s->stages[i].name && s->stages[i].ran)
			fprintf(f, " %s %.2fs", s->stages[i].name, (double)s->stages[i].ms / 1000);
	fputc('\n', f);
}

static void kb_kernels_free(struct kb_update_kernel *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].upstream);
		free(v[i].name);
		free(v[i].version);
		free(v[i].arch);
		free(v[i].release);
	}
	free(v);
}

void kb_update_summary_free(struct kb_update_summary *s)
{
	for (size_t i = 0; i < s->nup; i++) {
		free(s->up[i].name);
		free(s->up[i].reason);
	}
	free(s->up);
	kb_kernels_free(s->new_k, s->nnew_k);
	kb_kernels_free(s->gone_k, s->ngone_k);
	for (size_t i = 0; i < s->nnew_bundles; i++)
		free(s->new_bundles[i]);
	free(s->new_bundles);
	for (size_t i = 0; i < s->nfail; i++) {
		free(s->fail[i].stage);
		free(s->fail[i].what);
		free(s->fail[i].reason);
	}
	free(s->fail);
	memset(s, 0, sizeof(*s));
}
