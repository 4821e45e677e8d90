/* update.c — `kbundle update`: lock, crawl, manifest, pack, summary.
 *
 * Each stage runs only on what the previous one left in place: the crawl
 * never empties or half-writes a list (a failed upstream keeps its list
 * byte-for-byte), the manifest is rebuilt from the lists as they now are,
 * and only bundles the previous manifest did not have are packed. The
 * summary compares the lists and the manifest before and after.
 *
 * --dry-run crawls into a scratch copy of the lists under WORKDIR/tmp/, with
 * no validators (so it sees the upstreams as they are), builds the manifest
 * there, and reports; it writes no list, no manifest, no state and packs
 * nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crawler/crawl.h"
#include "crawler/upstream.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "manifest/group.h"
#include "manifest/manifest.h"
#include "pipeline/pack_run.h"
#include "pipeline/update.h"

static int64_t kb_ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The upstreams this run covers: the named ones, or every enabled one. */
static int kb_update_select(const struct kb_update_opts *o, struct kb_update_summary *s)
{
	struct kb_upstream *v = NULL;
	size_t n = 0;
	int err = kb_upstream_load_dir(o->upstreams_dir, o->limits, &v, &n);

	if (err)
		goto out;
	for (size_t k = 0; k < o->nnames; k++) {
		size_t i = 0;

		while (i < n && strcmp(o->names[k], v[i].name))
			i++;
		if (i == n) {
			kb_upstream_unknown(o->upstreams_dir, o->names[k], v, n);
			err = -KB_EUSAGE;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		bool want = o->nnames == 0 && v[i].enabled;

		for (size_t k = 0; k < o->nnames; k++)
			want = want || !strcmp(o->names[k], v[i].name);
		if (!want)
			continue;
		s->up = kb_xrealloc(s->up, sizeof(*s->up) * (s->nup + 1));
		memset(&s->up[s->nup], 0, sizeof(s->up[0]));
		s->up[s->nup++].name = kb_xstrdup(v[i].name);
	}
out:
	kb_upstreams_free(v, n);
	return err;
}

static char *kb_list_path(const char *dir, const char *name)
{
	char *f = kb_xasprintf("%s.list", name);
	char *p = kb_path_join(dir, f);

	free(f);
	return p;
}

/* Copy the selected lists into the dry run's scratch directory. */
static int kb_update_copy_lists(const struct kb_update_summary *s, const char *from,
				const char *to)
{
	int err = kb_mkdir_p(to, 0755);

	for (size_t i = 0; !err && i < s->nup; i++) {
		char *a = kb_list_path(from, s->up[i].name), *b = kb_list_path(to, s->up[i].name);
		char *buf = NULL;
		size_t len;

		err = kb_file_read(a, (size_t)1 << 30, &buf, &len);
		if (err == -ENOENT)
			err = 0;
		else if (!err)
			err = kb_file_write_atomic(b, buf, len);
		free(buf);
		free(a);
		free(b);
	}
	return err;
}

static int kb_update_crawl(const struct kb_update_opts *o, struct kb_update_summary *s,
			   const char *lists_dir, const char *workdir)
{
	struct kb_crawl_opts co = {
		.upstreams_dir = o->upstreams_dir,
		.lists_dir = lists_dir,
		.workdir = workdir,
		.date = s->date,
		.lock_held = !o->dry_run,	/* a dry run crawls in its own scratch workdir */
		.limits = o->limits,
	};
	struct kb_crawl_result *res = NULL;
	size_t nres = 0, ok = 0;
	char **names = kb_xcalloc(s->nup + 1, sizeof(*names));
	int err;

	for (size_t i = 0; i < s->nup; i++)
		names[i] = s->up[i].name;
	co.names = names;
	co.nnames = s->nup;
	err = kb_crawl(&co, &res, &nres);
	if (err == -KB_EUSAGE || err == -KB_ELOCKED)
		goto out;
	for (size_t i = 0; i < s->nup; i++) {
		struct kb_update_upstream *u = &s->up[i];
		const struct kb_crawl_result *r = NULL;

		for (size_t k = 0; k < nres; k++)
			if (!strcmp(res[k].upstream, u->name))
				r = &res[k];
		if (!r) {
			u->status = KB_UPD_FAILED;
			u->reason = kb_xstrdup("not crawled");
		} else if (r->err) {
			u->status = KB_UPD_FAILED;
			u->reason = kb_xstrdup(r->reason ? r->reason : kb_strerror(r->err));
		} else {
			u->status = r->unchanged ? KB_UPD_UNCHANGED : KB_UPD_UPDATED;
			ok++;
		}
		if (r)
			u->bytes = r->bytes;
		if (u->status == KB_UPD_FAILED)
			kb_update_fail(s, "crawl", u->name, u->reason);
	}
	err = ok == s->nup ? 0 : ok ? 1 : -KB_EHTTP;	/* 1: partial */
out:
	kb_crawl_results_free(res, nres);
	free(names);
	return err;
}

/* The lists as they are, for the summary. One that does not read (logged
 * with its line) counts as empty here: the crawl refuses to touch it and
 * fails that upstream alone. */
static void kb_update_lists_read(const struct kb_update_summary *s, const char *dir,
				 struct kb_pkglist *v)
{
	for (size_t i = 0; i < s->nup; i++) {
		char *p = kb_list_path(dir, s->up[i].name);

		if (kb_pkglist_read(p, &v[i]))
			kb_pkglist_free(&v[i]);
		free(p);
	}
}

/* Rebuild the manifest; record the bundles the previous one did not have. */
static int kb_update_manifest(const struct kb_update_opts *o, struct kb_update_summary *s,
			      const char *lists_dir, const char *out_path)
{
	struct kb_manifest before = { 0 }, after = { 0 };
	struct kb_group_skips skips = { 0 };
	int err;

	if (access(o->manifest_path, F_OK) == 0) {
		err = kb_manifest_load(o->manifest_path, o->limits, &before);
		if (err) {
			/* A broken manifest is regenerated; every bundle counts as new. */
			kb_warn("%s: unreadable, regenerating it", o->manifest_path);
			kb_manifest_free(&before);
		}
	}
	err = kb_manifest_build(o->upstreams_dir, lists_dir, o->limits, &after, &skips);
	if (err)
		goto out;
	err = kb_manifest_write(out_path, &after);
	if (err)
		goto out;
	for (size_t i = 0; i < after.n; i++) {
		bool known = false;

		for (size_t k = 0; k < before.n && !known; k++)
			known = !strcmp(before.v[k].id, after.v[i].id);
		if (known)
			continue;
		s->new_bundles = kb_xrealloc(s->new_bundles, sizeof(char *) * (s->nnew_bundles + 1));
		s->new_bundles[s->nnew_bundles++] = kb_xstrdup(after.v[i].id);
	}
out:
	kb_manifest_free(&before);
	kb_manifest_free(&after);
	kb_group_skips_free(&skips);
	return err;
}

/* Pack every manifest bundle the work directory does not have yet: the new
 * ones, and any an earlier night failed to pack. Already packed bundles are
 * skipped by their stamps, so a night without news packs nothing. */
static int kb_update_pack(const struct kb_update_opts *o, struct kb_update_summary *s)
{
	struct kb_pack_opts po = {
		.manifest = o->manifest_path,
		.upstreams = o->upstreams_dir,
		.workdir = o->workdir,
		.sel = { .shard = o->shard },
		.jobs = o->jobs ? o->jobs : 2,
		.limits = o->limits,
	};
	struct kb_pack_stats st;
	int err = kb_pack_run(&po, &st);

	s->npacked = st.packed;
	s->npack_failed = st.failed;
	s->pkgs_downloaded = st.downloaded;
	if (st.failed) {
		char *what = kb_xasprintf("%zu of %zu bundles", st.failed, st.selected);

		kb_update_fail(s, "pack", what, "see the log for each bundle's error");
		free(what);
	} else if (err) {
		kb_update_fail(s, "pack", o->manifest_path, kb_strerror(err));
	}
	return err;
}

static int kb_update_report(const struct kb_update_opts *o, struct kb_update_summary *s)
{
	char *path = o->json_path ? kb_xstrdup(o->json_path) : NULL;
	int err;

	if (!path) {
		char *dir = kb_path_join(o->workdir, "reports");

		err = kb_mkdir_p(dir, 0755);
		path = kb_xasprintf("%s/update-%s%s.json", dir, s->date, s->dry_run ? ".dry-run" : "");
		free(dir);
		if (err) {
			kb_error("%s: %s", path, kb_strerror(err));
			goto out;
		}
	}
	err = kb_update_write_json(s, path);
out:
	free(path);
	return err;
}

static void kb_update_stamp(struct kb_update_summary *s, const char *date)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(s->started, sizeof(s->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (date)
		snprintf(s->date, sizeof(s->date), "%s", date);
	else
		strftime(s->date, sizeof(s->date), "%Y-%m-%d", &tm);
}

int kb_update_run(const struct kb_update_opts *o, struct kb_update_summary *s)
{
	struct kb_lock lock = { .fd = -1 };
	struct kb_pkglist *before = NULL, *after = NULL;
	char *scratch = NULL, *lists_dir = NULL, *workdir = NULL, *manifest_out = NULL;
	int64_t t0;
	int err, crawl;

	memset(s, 0, sizeof(*s));
	kb_update_stamp(s, o->date);
	s->dry_run = o->dry_run;
	s->stages[KB_STAGE_CRAWL].name = "crawl";
	s->stages[KB_STAGE_MANIFEST].name = "manifest";
	s->stages[KB_STAGE_PACK].name = "pack";
	s->exit_status = 1;
	/* which upstreams, before the lock: a mistyped name leaves nothing behind */
	err = kb_update_select(o, s);
	if (err)
		goto out;
	if (!s->nup) {
		kb_error("%s: no enabled upstream to update", o->upstreams_dir);
		err = -KB_EUSAGE;
		goto out;
	}
	err = kb_lock_take(&lock, o->workdir, o->dry_run ? "update --dry-run" : "update");
	if (err)
		goto out;
	before = kb_xcalloc(s->nup, sizeof(*before));
	after = kb_xcalloc(s->nup, sizeof(*after));
	kb_update_lists_read(s, o->lists_dir, before);
	lists_dir = kb_xstrdup(o->lists_dir);
	workdir = kb_xstrdup(o->workdir);
	manifest_out = kb_xstrdup(o->manifest_path);
	if (o->dry_run) {
		char *tmp = kb_path_join(o->workdir, "tmp");

		scratch = kb_xasprintf("%s/dry-run.%ld", tmp, (long)getpid());
		free(tmp);
		kb_rm_rf(scratch);
		free(lists_dir);
		free(workdir);
		free(manifest_out);
		lists_dir = kb_path_join(scratch, "lists");
		workdir = kb_path_join(scratch, "work");
		manifest_out = kb_path_join(scratch, "manifest.yml");
		err = kb_update_copy_lists(s, o->lists_dir, lists_dir);
		if (err) {
			kb_error("%s: cannot prepare the dry run: %s", scratch, kb_strerror(err));
			goto out;
		}
	}

	kb_progress("crawling %zu upstreams", s->nup);
	t0 = kb_ms_now();
	crawl = kb_update_crawl(o, s, lists_dir, workdir);
	s->stages[KB_STAGE_CRAWL].ms = kb_ms_now() - t0;
	s->stages[KB_STAGE_CRAWL].ran = true;
	s->stages[KB_STAGE_CRAWL].err = crawl < 0 ? crawl : 0;
	if (crawl == -KB_EUSAGE || crawl == -KB_ELOCKED) {
		err = crawl;
		goto out;
	}
	for (size_t i = 0; i < s->nup; i++)
		s->bytes += s->up[i].bytes;
	kb_update_lists_read(s, lists_dir, after);
	for (size_t i = 0; i < s->nup; i++)
		kb_update_diff_list(s, &s->up[i], &before[i], &after[i]);

	/* Even when every upstream failed the lists are as they were, so the
	 * manifest is still rebuilt: it costs little and repairs a lost one. */
	kb_progress("writing the manifest");
	t0 = kb_ms_now();
	err = kb_update_manifest(o, s, lists_dir, manifest_out);
	s->stages[KB_STAGE_MANIFEST].ms = kb_ms_now() - t0;
	s->stages[KB_STAGE_MANIFEST].ran = true;
	s->stages[KB_STAGE_MANIFEST].err = err;
	if (err) {
		kb_update_fail(s, "manifest", manifest_out, kb_strerror(err));
		err = 0;
		s->exit_status = 1;
		goto out;
	}
	if (!o->dry_run && !o->no_pack) {
		kb_progress("packing %zu new bundles", s->nnew_bundles);
		t0 = kb_ms_now();
		err = kb_update_pack(o, s);
		s->stages[KB_STAGE_PACK].ms = kb_ms_now() - t0;
		s->stages[KB_STAGE_PACK].ran = true;
		s->stages[KB_STAGE_PACK].err = err;
		err = 0;
	}
	/* 0: all done; 1: no upstream could be crawled; 3: some upstream or
	 * bundle failed while the rest was updated. */
	s->exit_status = crawl < 0 ? 1 : crawl == 0 && !s->nfail ? 0 : 3;
out:
	if (s->stages[KB_STAGE_CRAWL].ran && kb_update_report(o, s) && !err && s->exit_status == 0)
		s->exit_status = 1;
	if (scratch) {
		kb_rm_rf(scratch);
		free(scratch);
	}
	if (before)
		for (size_t i = 0; i < s->nup; i++)
			kb_pkglist_free(&before[i]);
	if (after)
		for (size_t i = 0; i < s->nup; i++)
			kb_pkglist_free(&after[i]);
	free(before);
	free(after);
	free(lists_dir);
	free(workdir);
	free(manifest_out);
	kb_progress_done();
	kb_lock_release(&lock);
	return err;
}
