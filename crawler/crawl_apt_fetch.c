/* crawl_apt_fetch.c — the downloads of one apt upstream, in phases on the
 * shared HTTP engine (see struct kb_crawl_job in crawl.h):
 *
 *   1. every suite's InRelease, conditionally, from its mirrors in order.
 *      A body is accepted only when gpgv verifies it, it is for the suite
 *      asked, and it is not older than the Release accepted last time (a
 *      stale mirror): otherwise the engine retries and moves to the next
 *      mirror. No InRelease anywhere: Release, then Release.gpg.
 *   2. every suite answered 304 or sent the InRelease the list was made
 *      from (same sha256, crawl_state.c): the upstream is unchanged, done.
 *      Some answered 304 and others changed: the 304s are asked again
 *      unconditionally (a list is made from all suites, and a 304 carries
 *      no text).
 *   3. every component/architecture Packages index, checked by size and
 *      sha256 from the verified Release (a truncated or corrupt body is
 *      retried, then taken from the next mirror, never parsed), first from
 *      the mirror that served the Release — except an index whose signed
 *      sha256 was parsed before: its packages come from WORKDIR/state.
 *   4. parse, in suite order, into the job's fresh list.
 *
 * Accepted Release dates live in WORKDIR/state/apt/<upstream>/<suite>.date. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "crawler/apt_release.h"
#include "crawler/crawl.h"
#include "crawler/recognise_deb.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/gpgv.h"
#include "lib/http.h"
#include "lib/limits.h"
#include "lib/log.h"

#define KB_RELEASE_MAX (64u << 20)

enum kb_apt_phase { KB_APT_RELEASES, KB_APT_RELEASES_AGAIN, KB_APT_INDEXES, KB_APT_DONE };

struct kb_apt_index {
	struct kb_http_req req;
	char **urls;
	char *dest;
	char sha256[65];
	char key[KB_SHA256_HEX_LEN + 1];	/* in crawl_state.c's index store */
	bool kept;			/* parsed before: list is from the store */
	struct kb_pkglist list;		/* what this index gives */
};

struct kb_apt_suite {
	struct kb_crawl_job *j;
	const char *name;
	char **bases;		/* <mirror>/dists/<suite>, per mirror */
	size_t nbases;
	char **urls;		/* of the signed-file request in flight */
	char **sig_urls;
	char *stem, *inrel, *rel_path, *sig_path, *date_path;
	struct kb_http_req req;		/* InRelease, or Release (conditional) */
	struct kb_http_req sig;		/* Release.gpg when there is no InRelease */
	bool plain;			/* req is for Release, not InRelease */
	struct kb_apt_release rel;
	bool have_rel;
	char *prev_date;		/* accepted last time, NULL: none */
	struct kb_apt_index *idx;
	size_t nidx;
};

struct kb_apt_job {
	enum kb_apt_phase phase;
	struct kb_apt_suite *s;
	size_t n;
};

static char *kb_flat(const char *dir, const char *a, const char *b, const char *c)
{
	char *name = kb_xasprintf("%s_%s_%s", a, b, c), *path;

	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '_';
	path = kb_path_join(dir, name);
	free(name);
	return path;
}

/* Parse the verified text at path and check it is what we asked for. */
static int kb_apt_check_release(struct kb_apt_suite *s, const char *path, const char *url,
				char **why)
{
	struct kb_apt_release rel;
	char *buf = NULL;
	size_t len = 0;
	int err = kb_file_read(path, KB_RELEASE_MAX, &buf, &len);

	if (err) {
		*why = kb_xasprintf("reading the Release: %s", kb_strerror(err));
		goto out;
	}
	err = kb_apt_release_parse(buf, len, url, &rel);
	if (err) {
		*why = kb_xasprintf("malformed Release: %s", kb_strerror(err));
		goto out;
	}
	if ((rel.suite || rel.codename) && !(rel.suite && !strcmp(rel.suite, s->name)) &&
	    !(rel.codename && !strcmp(rel.codename, s->name))) {
		*why = kb_xasprintf("is for suite '%s' (codename '%s'), not '%s'",
				    rel.suite ? rel.suite : "", rel.codename ? rel.codename : "",
				    s->name);
		err = -KB_EPARSE;
	} else if (s->prev_date && rel.date &&
		   curl_getdate(rel.date, NULL) < curl_getdate(s->prev_date, NULL)) {
		/* A mirror that went back in time (half-synced, or serving an old
		 * copy): never let it roll the list back. */
		*why = kb_xasprintf("stale: dated %s, older than %s accepted before", rel.date,
				    s->prev_date);
		err = -KB_ESTALE;
	}
	if (err) {
		kb_apt_release_free(&rel);
		goto out;
	}
	if (rel.valid_until_ts && rel.valid_until_ts < (long long)time(NULL))
		kb_warn("%s: expired on %s (accepted: snapshot mirrors keep old Release files)", url,
			rel.valid_until);
	if (s->have_rel)
		kb_apt_release_free(&s->rel);
	s->rel = rel;
	s->have_rel = true;
out:
	free(buf);
	return err;
}

static int kb_apt_verify_inrelease(struct kb_http_req *r, const char *path, void *ctx, char **why)
{
	struct kb_apt_suite *s = ctx;
	char *gwhy = NULL;
	int err = kb_gpgv_verify(s->j->u->keyring, path, NULL, s->rel_path, &gwhy);

	if (err) {
		*why = kb_xasprintf("signature check failed: %s", gwhy ? gwhy : kb_strerror(err));
		free(gwhy);
		return err;
	}
	return kb_apt_check_release(s, s->rel_path, r->urls[r->mirror], why);
}

static int kb_apt_verify_plain(struct kb_http_req *r, const char *path, void *ctx, char **why)
{
	return kb_apt_check_release(ctx, path, r->urls[r->mirror], why);
}

static int kb_apt_verify_detached(struct kb_http_req *r, const char *path, void *ctx, char **why)
{
	struct kb_apt_suite *s = ctx;
	char *gwhy = NULL;
	int err = kb_gpgv_verify(s->j->u->keyring, s->rel_path, path, NULL, &gwhy);

	if (err) {
		*why = kb_xasprintf("signature check failed: %s", gwhy ? gwhy : kb_strerror(err));
		free(gwhy);
		return err;
	}
	return kb_apt_check_release(s, s->rel_path, r->urls[r->mirror], why);
}

static void kb_apt_on_done(struct kb_http_req *r, void *ctx);

/* Queue the suite's signed Release: InRelease, or (plain) Release. */
static void kb_apt_queue_release(struct kb_apt_suite *s, bool plain, bool conditional)
{
	struct kb_crawl_job *j = s->j;
	uint64_t max_index = kb_limits_or_default(j->o->limits)->max_index_size;

	kb_crawl_urls_free(s->urls);
	kb_http_req_clear(&s->req);
	s->plain = plain;
	s->urls = kb_crawl_urls(s->bases, s->nbases, 0, plain ? "Release" : "InRelease");
	memset(&s->req, 0, sizeof(s->req));
	s->req.urls = (const char *const *)s->urls;
	s->req.nurls = s->nbases;
	s->req.dest = plain ? s->rel_path : s->inrel;
	s->req.max_bytes = KB_RELEASE_MAX < max_index ? KB_RELEASE_MAX : max_index;
	s->req.conditional = conditional;
	s->req.state_tag = j->tag;
	/* A plain Release is verified with its Release.gpg once both are here. */
	s->req.verify = !plain ? kb_apt_verify_inrelease : !j->u->keyring ? kb_apt_verify_plain : NULL;
	s->req.done = kb_apt_on_done;
	s->req.ctx = s;
	kb_http_add(j->http, &s->req);
}

static void kb_apt_on_sig_done(struct kb_http_req *r, void *ctx)
{
	struct kb_apt_suite *s = ctx;

	s->j->bytes += r->bytes;
}

static void kb_apt_on_done(struct kb_http_req *r, void *ctx)
{
	struct kb_apt_suite *s = ctx;
	struct kb_crawl_job *j = s->j;

	j->bytes += r->bytes;
	if (r->err == -KB_ENOTFOUND && !s->plain) {
		/* No InRelease on any mirror: the older Release + Release.gpg. */
		kb_apt_queue_release(s, true, r->conditional);
		return;
	}
	if (r->err || r->unchanged || !s->plain || !j->u->keyring)
		return;
	kb_crawl_urls_free(s->sig_urls);
	kb_http_req_clear(&s->sig);
	s->sig_urls = kb_crawl_urls(s->bases, s->nbases, r->mirror, "Release.gpg");
	memset(&s->sig, 0, sizeof(s->sig));
	s->sig.urls = (const char *const *)s->sig_urls;
	s->sig.nurls = s->nbases;
	s->sig.dest = s->sig_path;
	s->sig.max_bytes = 1u << 20;
	s->sig.verify = kb_apt_verify_detached;
	s->sig.done = kb_apt_on_sig_done;
	s->sig.ctx = s;
	kb_http_add(j->http, &s->sig);
}

int kb_crawl_apt_start(struct kb_crawl_job *j)
{
	const struct kb_upstream *u = j->u;
	struct kb_apt_job *a = kb_xcalloc(1, sizeof(*a));

	j->family = a;
	if (!kb_crawl_apt_recogniser(u)) {
		kb_crawl_job_fail(j, -KB_EUSAGE, "%s: no kernel package rules for apt distro '%s'",
				  u->path, u->distro);
		return j->err;
	}
	if (!u->keyring && !u->unsigned_ok) {
		kb_crawl_job_fail(j, -KB_EBADSIG, "%s: no keyring: refusing to crawl unsigned",
				  u->path);
		return j->err;
	}
	if (!u->keyring)
		kb_warn("%s: not checking signatures (the upstream says keyring: none)", u->path);
	if (!u->mirrors.n || !u->suites.n) {
		kb_crawl_job_fail(j, -KB_EUSAGE, "%s: no mirrors or no suites", u->path);
		return j->err;
	}
	a->s = kb_xcalloc(u->suites.n, sizeof(*a->s));
	a->n = u->suites.n;
	kb_crawl_state_init(j, a->n);
	for (size_t i = 0; i < a->n; i++) {
		struct kb_apt_suite *s = &a->s[i];
		char *dir = kb_xasprintf("%s/apt/%s", j->state_dir, u->name);
		char *buf = NULL;
		size_t len;

		s->j = j;
		s->name = u->suites.v[i];
		s->stem = kb_flat(j->tmpdir, "dists", s->name, "x");
		s->inrel = kb_xasprintf("%s.InRelease", s->stem);
		s->rel_path = kb_xasprintf("%s.Release", s->stem);
		s->sig_path = kb_xasprintf("%s.Release.gpg", s->stem);
		s->date_path = kb_flat(dir, s->name, "Release", "date");
		free(dir);
		if (!kb_file_read(s->date_path, 256, &buf, &len) && len > 1 && buf[len - 1] == '\n') {
			buf[len - 1] = '\0';
			s->prev_date = buf;
		} else {
			free(buf);
		}
		s->bases = kb_xcalloc(u->mirrors.n, sizeof(*s->bases));
		for (size_t m = 0; m < u->mirrors.n; m++) {
			char *mirror = kb_upstream_mirror(u, m, s->name);

			if (!mirror) {
				kb_crawl_job_fail(j, -KB_EUSAGE, "%s: mirror %zu has no URL for %s",
						  u->path, m + 1, s->name);
				return j->err;
			}
			s->bases[s->nbases++] = kb_xasprintf("%s/dists/%s", mirror, s->name);
			free(mirror);
		}
	}
	for (size_t i = 0; i < a->n; i++)
		kb_apt_queue_release(&a->s[i], !u->keyring, true);
	a->phase = KB_APT_RELEASES;
	return 0;
}

/* Every suite has its verified Release (or the job failed); n304 of them
 * answered 304, same of them are what the list was made from. */
static int kb_apt_releases_ok(struct kb_crawl_job *j, size_t *n304, size_t *same)
{
	struct kb_apt_job *a = j->family;

	*n304 = *same = 0;
	for (size_t i = 0; i < a->n; i++) {
		struct kb_apt_suite *s = &a->s[i];
		const struct kb_http_req *bad = s->req.err ? &s->req : s->sig.err ? &s->sig : NULL;

		if (bad) {
			kb_crawl_job_fail(j, bad->err, "%s: %s", s->name,
					  bad->why ? bad->why : kb_strerror(bad->err));
			return j->err;
		}
		if (s->req.unchanged) {
			(*n304)++;
			kb_crawl_head_keep(j, i);
		} else if (!s->have_rel) {	/* cannot happen: verified before accepted */
			kb_crawl_job_fail(j, -KB_EPARSE, "%s: no Release", s->name);
		} else if (kb_crawl_head_same(j, i, s->plain ? s->rel_path : s->inrel)) {
			(*same)++;
		}
	}
	return j->err;
}

static void kb_apt_queue_indexes(struct kb_crawl_job *j)
{
	struct kb_apt_job *a = j->family;
	const struct kb_upstream *u = j->u;
	uint64_t max_index = kb_limits_or_default(j->o->limits)->max_index_size;

	for (size_t i = 0; i < a->n && !j->err; i++) {
		struct kb_apt_suite *s = &a->s[i];

		s->idx = kb_xcalloc(u->components.n * u->archs.n, sizeof(*s->idx));
		for (size_t c = 0; c < u->components.n && !j->err; c++)
			for (size_t k = 0; k < u->archs.n && !j->err; k++) {
				const struct kb_release_file *f =
					kb_apt_release_packages(&s->rel, u->components.v[c], u->archs.v[k]);
				struct kb_apt_index *x = &s->idx[s->nidx];

				if (!f && !kb_apt_release_has_arch(&s->rel, u->archs.v[k])) {
					kb_debug("%s: %s does not build for %s; skipped", u->name, s->name,
						u->archs.v[k]);
					continue;
				}
				if (!f) {
					kb_crawl_job_fail(j, -KB_ENOTFOUND,
							  "%s/Release: lists no %s/binary-%s/Packages index",
							  s->urls[s->req.mirror], u->components.v[c],
							  u->archs.v[k]);
					break;
				}
				if (f->size > max_index) {
					kb_crawl_job_fail(j, -KB_ELIMIT,
							  "%s/%s: the Release says %llu bytes, more than %llu (--max-index-size)",
							  s->bases[s->req.mirror], f->path,
							  (unsigned long long)f->size,
							  (unsigned long long)max_index);
					break;
				}
				s->nidx++;
				x->urls = kb_crawl_urls(s->bases, s->nbases, s->req.mirror, f->path);
				kb_crawl_index_key(j, f->sha256, "", x->key);
				x->kept = kb_crawl_index_get(j, x->key, &x->list);
				if (x->kept)
					continue;
				x->dest = kb_flat(j->tmpdir, s->name, u->components.v[c], u->archs.v[k]);
				memcpy(x->sha256, f->sha256, sizeof(x->sha256));
				x->req.urls = (const char *const *)x->urls;
				x->req.nurls = s->nbases;
				x->req.dest = x->dest;
				x->req.size = f->size;
				x->req.max_bytes = f->size;
				x->req.sha256 = x->sha256;
				kb_http_add(j->http, &x->req);
			}
	}
}

static int kb_apt_parse_all(struct kb_crawl_job *j)
{
	struct kb_apt_job *a = j->family;

	for (size_t i = 0; i < a->n && !j->err; i++)
		for (size_t k = 0; k < a->s[i].nidx && !j->err; k++) {
			struct kb_apt_index *x = &a->s[i].idx[k];
			const char *url = x->urls[x->req.mirror];
			int err;

			if (x->kept) {
				kb_info("%s: %s: as parsed before (same sha256), not fetched", j->u->name,
					url);
				kb_pkglist_take(&j->fresh, &x->list);
				continue;
			}
			j->bytes += x->req.bytes;
			if (x->req.err) {
				kb_crawl_job_fail(j, x->req.err, "%s", x->req.why ? x->req.why : url);
				break;
			}
			kb_info("%s: %s", j->u->name, url);
			err = kb_crawl_apt_parse_index(j->u, x->dest, url, j->o->limits, &x->list);
			unlink(x->dest);
			if (err) {
				kb_crawl_job_fail(j, err, "%s: %s", url, kb_strerror(err));
				j->logged = true;	/* the parser named the line */
				break;
			}
			/* once per index, so what is kept is what this index gives */
			kb_crawl_apt_dedupe(&x->list);
			kb_crawl_index_put(j, x->key, &x->list);
			kb_pkglist_take(&j->fresh, &x->list);
		}
	if (!j->err)
		kb_crawl_apt_dedupe(&j->fresh);
	return j->err;
}

int kb_crawl_apt_step(struct kb_crawl_job *j)
{
	struct kb_apt_job *a = j->family;
	size_t n304 = 0, same = 0;

	if (j->err)
		return j->err;
	switch (a->phase) {
	case KB_APT_RELEASES:
	case KB_APT_RELEASES_AGAIN:
		if (kb_apt_releases_ok(j, &n304, &same))
			return j->err;
		switch (kb_crawl_heads_judge(j, a->n, n304, same,
					     a->phase == KB_APT_RELEASES_AGAIN)) {
		case KB_HEADS_UNCHANGED:
			a->phase = KB_APT_DONE;
			return 0;
		case KB_HEADS_FAILED:
			return j->err;
		case KB_HEADS_REFETCH:
			for (size_t i = 0; i < a->n; i++)
				if (a->s[i].req.unchanged)
					kb_apt_queue_release(&a->s[i], a->s[i].plain, false);
			a->phase = KB_APT_RELEASES_AGAIN;
			return 1;
		case KB_HEADS_CHANGED:
			break;
		}
		kb_apt_queue_indexes(j);
		a->phase = KB_APT_INDEXES;
		return j->err ? j->err : 1;
	case KB_APT_INDEXES:
		a->phase = KB_APT_DONE;
		return kb_apt_parse_all(j);
	case KB_APT_DONE:
		break;
	}
	return 0;
}

int kb_crawl_apt_commit(struct kb_crawl_job *j, const char *new_tag)
{
	struct kb_apt_job *a = j->family;
	int err = 0;

	for (size_t i = 0; a && i < a->n && !err; i++) {
		struct kb_apt_suite *s = &a->s[i];
		char *dir;

		err = kb_http_state_commit(j->http, &s->req, new_tag);
		if (err || !s->have_rel || !s->rel.date)
			continue;
		dir = kb_xstrdup(s->date_path);
		*strrchr(dir, '/') = '\0';
		err = kb_mkdir_p(dir, 0755);
		if (!err) {
			char *line = kb_xasprintf("%s\n", s->rel.date);

			err = kb_file_write_atomic(s->date_path, line, strlen(line));
			free(line);
		}
		free(dir);
	}
	if (!err)
		err = kb_crawl_state_commit(j, new_tag);
	if (err)
		kb_warn("%s: could not save the HTTP state (%s): the next crawl fetches everything",
			j->u->name, kb_strerror(err));
	return err;
}

void kb_crawl_apt_free(struct kb_crawl_job *j)
{
	struct kb_apt_job *a = j->family;

	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		struct kb_apt_suite *s = &a->s[i];

		for (size_t k = 0; k < s->nidx; k++) {
			kb_http_req_clear(&s->idx[k].req);
			kb_crawl_urls_free(s->idx[k].urls);
			free(s->idx[k].dest);
			kb_pkglist_free(&s->idx[k].list);
		}
		free(s->idx);
		kb_http_req_clear(&s->req);
		kb_http_req_clear(&s->sig);
		for (size_t m = 0; m < s->nbases; m++)
			free(s->bases[m]);
		free(s->bases);
		kb_crawl_urls_free(s->urls);
		kb_crawl_urls_free(s->sig_urls);
		if (s->have_rel)
			kb_apt_release_free(&s->rel);
		free(s->prev_date);
		free(s->stem);
		free(s->inrel);
		free(s->rel_path);
		free(s->sig_path);
		free(s->date_path);
	}
	free(a->s);
	free(a);
	j->family = NULL;
}

const struct kb_crawl_family kb_crawl_family_apt = {
	.start = kb_crawl_apt_start,
	.step = kb_crawl_apt_step,
	.commit = kb_crawl_apt_commit,
	.free = kb_crawl_apt_free,
};
