/* crawl.c — run the crawl over the selected upstreams: lock the work
 * directory, give each upstream a job with a private temp directory, run
 * every job's downloads at once on one HTTP engine (struct kb_crawl_job),
 * and merge + write each list only when everything about it succeeded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawler/crawl.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/http.h"
#include "lib/limits.h"
#include "lib/lock.h"
#include "lib/log.h"

/* The validator key of the list on disk: a 304 vouches only for the list
 * that the same kbundle made from the same upstream file last time. */
static char *kb_crawl_tag(const struct kb_upstream *u, const char *list)
{
	char list_sha[KB_SHA256_HEX_LEN + 1] = "-", hex[KB_SHA256_HEX_LEN + 1];
	char *conf = NULL, *text;
	size_t len = 0;

	if (kb_file_read(u->path, 1u << 20, &conf, &len))
		conf = kb_xstrdup("?");
	if (kb_sha256_file(list, list_sha, NULL))
		strcpy(list_sha, "-");
	text = kb_xasprintf("kbundle-crawl-state 1\n%s\n%s\n%s", KB_VERSION, list_sha, conf);
	kb_sha256_buf(text, strlen(text), hex);
	free(text);
	free(conf);
	return kb_xstrdup(hex);
}

/* Each family's phased crawler (crawl_<id>_fetch.c), by lib/family.h's rows. */
static const struct kb_crawl_family *const kb_crawl_families[KB_FAMILY_COUNT] = {
#define KB_CRAWL_FAMILY_ROW(e, id, name, vercmp) [KB_FAMILY_##e] = &kb_crawl_family_##id,
	KB_FAMILIES(KB_CRAWL_FAMILY_ROW)
#undef KB_CRAWL_FAMILY_ROW
};

static char *kb_crawl_list_path(const struct kb_crawl_opts *o, const struct kb_upstream *u)
{
	return kb_xasprintf("%s/%s.list", o->lists_dir, u->name);
}

static void kb_crawl_job_init(const struct kb_crawl_opts *o, const struct kb_upstream *u,
			      struct kb_http *http, struct kb_crawl_job *j)
{
	char *tmproot = kb_path_join(o->workdir, "tmp"), *list = kb_crawl_list_path(o, u);
	int err;

	j->u = u;
	j->o = o;
	j->http = http;
	j->state_dir = kb_path_join(o->workdir, "state");
	j->tag = kb_crawl_tag(u, list);
	err = kb_mkdir_p(tmproot, 0755);
	if (err) {
		kb_crawl_job_fail(j, err, "%s: %s", tmproot, kb_strerror(err));
		goto out;
	}
	j->tmpdir = kb_xasprintf("%s/crawl-%s.XXXXXX", tmproot, u->name);
	if (!mkdtemp(j->tmpdir)) {
		kb_crawl_job_fail(j, -errno, "%s: %s", j->tmpdir, strerror(errno));
		free(j->tmpdir);
		j->tmpdir = NULL;
		goto out;
	}
	kb_crawl_families[u->family]->start(j);
out:
	free(list);
	free(tmproot);
}

/* Let every live job look at its finished downloads; true when one queued more. */
static bool kb_crawl_jobs_step(struct kb_crawl_job *jobs, size_t n)
{
	bool more = false;

	for (size_t i = 0; i < n; i++) {
		if (jobs[i].err)
			continue;
		more |= kb_crawl_families[jobs[i].u->family]->step(&jobs[i]) == 1;
	}
	return more;
}

/* An unchanged upstream: move last_seen of what is present to today. */
static int kb_crawl_touch(const struct kb_crawl_opts *o, struct kb_crawl_job *j,
			  struct kb_pkglist *l, const char *list)
{
	bool moved = false;
	char *tag = NULL;
	int err = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].present && strcmp(l->v[i].last_seen, o->date)) {
			snprintf(l->v[i].last_seen, sizeof(l->v[i].last_seen), "%s", o->date);
			moved = true;
		}
	if (!moved)
		return 0;	/* same day: not one byte changes */
	err = kb_pkglist_write(list, l);
	if (err) {
		kb_crawl_job_fail(j, err, "%s: %s", list, kb_strerror(err));
		return err;
	}
	tag = kb_crawl_tag(j->u, list);
	kb_crawl_families[j->u->family]->commit(j, tag);
	free(tag);
	return 0;
}

/* Merge and write one upstream's list: all or nothing. */
static int kb_crawl_finish(const struct kb_crawl_opts *o, struct kb_crawl_job *j,
			   struct kb_crawl_result *r)
{
	char *list = kb_crawl_list_path(o, j->u), *tag = NULL;
	struct kb_pkglist prev = { 0 };
	size_t before_present = 0, before = 0;
	int err;

	/* read the old list first: a broken one fails before anything is written */
	err = kb_pkglist_read(list, &prev);
	if (err) {
		kb_crawl_job_fail(j, err, "%s: unreadable (%s); fix or remove it", list,
				  kb_strerror(err));
		goto out;
	}
	err = j->err;
	if (err)
		goto out;
	before = prev.n;
	for (size_t i = 0; i < prev.n; i++)
		before_present += prev.v[i].present;
	if (j->unchanged) {
		/* The signed indexes did not change, and the tag proves the list on
		 * disk is what they gave last time: the packages are the same, only
		 * last_seen moves to today (last_seen: the last day a crawl confirmed
		 * the package in the upstream index, by reading it, by a 304 or by the
		 * same signed index). */
		r->unchanged = true;
		r->packages = prev.n;
		r->present = before_present;
		err = kb_crawl_touch(o, j, &prev, list);
		if (!err)
			kb_info("%s: unchanged upstream (signed indexes as before): %s", j->u->name,
				list);
		goto out;
	}
	if (j->fresh.n == 0) {
		kb_crawl_job_fail(j, -KB_ENOTFOUND,
				  "no kernel packages found in any index: refusing to mark every "
				  "package of %s as gone", list);
		err = j->err;
		goto out;
	}
	r->present = j->fresh.n;
	r->vanished = kb_pkglist_merge(&prev, &j->fresh, o->date);
	err = kb_mkdir_p(o->lists_dir, 0755);
	if (!err)
		err = kb_pkglist_write(list, &prev);
	if (err) {
		kb_crawl_job_fail(j, err, "%s: %s", list, kb_strerror(err));
		goto out;
	}
	r->packages = prev.n;
	r->added = prev.n - before;
	tag = kb_crawl_tag(j->u, list);
	kb_crawl_families[j->u->family]->commit(j, tag);
	kb_info("%s: %zu packages (%zu in the index, %zu new, %zu newly gone) -> %s", j->u->name,
		r->packages, r->present, r->added, r->vanished, list);
out:
	kb_pkglist_free(&prev);
	free(tag);
	free(list);
	return err;
}

static void kb_crawl_job_free(struct kb_crawl_job *j)
{
	if (j->u)
		kb_crawl_families[j->u->family]->free(j);
	if (j->tmpdir)
		kb_rm_rf(j->tmpdir);
	free(j->tmpdir);
	free(j->state_dir);
	free(j->tag);
	free(j->reason);
	kb_pkglist_free(&j->fresh);
	kb_crawl_state_free(j);
}

static bool kb_crawl_selected(const struct kb_crawl_opts *o, const struct kb_upstream *u)
{
	if (!o->nnames)
		return u->enabled;
	for (size_t i = 0; i < o->nnames; i++)
		if (!strcmp(o->names[i], u->name))
			return true;
	return false;
}

int kb_crawl(const struct kb_crawl_opts *o, struct kb_crawl_result **res, size_t *nres)
{
	struct kb_upstream *ups = NULL;
	struct kb_crawl_result *r = NULL;
	size_t nups = 0, n = 0;
	struct kb_lock lock = { .fd = -1 };
	struct kb_http_opts hopts = { .retries = 2 };
	struct kb_crawl_job *jobs = NULL;
	struct kb_http *http = NULL;
	char *state = NULL;
	int err, first = 0;

	*res = NULL;
	*nres = 0;
	err = kb_upstream_load_dir(o->upstreams_dir, o->limits, &ups, &nups);
	if (err) {
		err = -KB_EUSAGE;
		goto out;
	}
	for (size_t i = 0; i < o->nnames; i++) {
		bool found = false;

		for (size_t j = 0; j < nups && !found; j++)
			found = !strcmp(o->names[i], ups[j].name);
		if (!found) {
			kb_upstream_unknown(o->upstreams_dir, o->names[i], ups, nups);
			err = -KB_EUSAGE;
			goto out;
		}
	}
	if (!o->lock_held) {
		err = kb_lock_take(&lock, o->workdir, "crawl");
		if (err)
			goto out;
	}
	r = kb_xcalloc(nups ? nups : 1, sizeof(*r));
	jobs = kb_xcalloc(nups ? nups : 1, sizeof(*jobs));
	state = kb_path_join(o->workdir, "state");
	kb_http_opts_limits(&hopts, o->limits);
	err = kb_http_new(&http, &hopts, state);
	if (err)
		goto out;
	/* Every upstream's downloads share the engine: start them all, then
	 * let each take its next step until none wants more. */
	for (size_t i = 0; i < nups; i++) {
		if (!kb_crawl_selected(o, &ups[i]))
			continue;
		r[n].upstream = kb_xstrdup(ups[i].name);
		kb_crawl_job_init(o, &ups[i], http, &jobs[n]);
		n++;
	}
	do {
		err = kb_http_run(http);
		if (err)
			goto out;
	} while (kb_crawl_jobs_step(jobs, n));
	for (size_t i = 0; i < n; i++) {
		r[i].err = kb_crawl_finish(o, &jobs[i], &r[i]);
		r[i].bytes = jobs[i].bytes;
		if (r[i].err) {
			r[i].reason = kb_xstrdup(jobs[i].reason ? jobs[i].reason
								: kb_strerror(r[i].err));
			if (!jobs[i].logged)
				kb_error("%s: %s", r[i].upstream, r[i].reason);
			kb_warn("%s: crawl failed (%s); its list is unchanged", r[i].upstream,
				kb_strerror(r[i].err));
			first = first ? first : r[i].err;
		}
	}
	if (!n)
		kb_warn("%s: no enabled upstream to crawl", o->upstreams_dir);
	err = first;
out:
	for (size_t i = 0; jobs && i < n; i++)
		kb_crawl_job_free(&jobs[i]);
	free(jobs);
	kb_http_free(http);
	free(state);
	kb_lock_release(&lock);
	kb_upstreams_free(ups, nups);
	*res = r;
	*nres = n;
	return err;
}

void kb_crawl_results_free(struct kb_crawl_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(res[i].upstream);
		free(res[i].reason);
	}
	free(res);
}
