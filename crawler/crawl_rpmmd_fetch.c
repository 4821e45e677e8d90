/* crawl_rpmmd_fetch.c — the downloads of one rpm-md upstream, in phases on
 * the shared HTTP engine (see struct kb_crawl_job in crawl.h). A "repo" here
 * is one (architecture, repository path) pair of the upstream file:
 *
 *   1. repos given as a mirror.list (Amazon Linux): the list from every
 *      mirror, each resolved to the repository it names on that mirror (a
 *      mirror whose list fails is skipped; none left fails the upstream).
 *   2. every repo's repodata/repomd.xml, conditionally, from its mirrors in
 *      order; a body that does not parse as repomd moves to the next mirror.
 *      With a keyring, repomd.xml.asc is fetched next (first from the mirror
 *      that served repomd.xml) and must verify with gpgv.
 *      A repomd.xml byte-identical to the one the list was made from
 *      (crawl_state.c) was verified then: its .asc is not fetched again.
 *   3. every repo answered 304 or sent that same repomd.xml: the upstream is
 *      unchanged, done. Some answered 304 and others changed: the 304s are
 *      asked again unconditionally (a list is made from all repos).
 *   4. every primary index, checked by size and sha256 from repomd.xml inside
 *      the engine (a truncated or corrupt body is retried, then taken from
 *      the next mirror, never parsed), first from repomd's mirror — except
 *      a primary whose checksum was parsed before: its packages come from
 *      WORKDIR/state.
 *   5. parse, in upstream-file order, into the job's fresh list. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawler/crawl.h"
#include "crawler/rpmmd_repomd.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/gpgv.h"
#include "lib/http.h"
#include "lib/limits.h"
#include "lib/log.h"

enum kb_rpmmd_phase {
	KB_RPMMD_MIRRORLISTS, KB_RPMMD_REPOMDS, KB_RPMMD_REPOMDS_AGAIN, KB_RPMMD_PRIMARIES,
	KB_RPMMD_DONE
};

struct kb_rpmmd_repo {
	struct kb_crawl_job *j;
	const char *arch;
	char *path;			/* as the upstream file says, $arch replaced */
	char **lists;			/* mirror.list URL per mirror, or NULL */
	struct kb_http_req *list_req;	/* one per mirror (mirror.list repos) */
	char **list_dest;
	char **rel;			/* repository path below each usable mirror */
	char **bases;			/* <mirror>/<rel>, per usable mirror */
	size_t nbases;
	char **urls, **sig_urls, **prim_urls;
	char *repomd, *sig, *prim;	/* temp files */
	struct kb_http_req req;		/* repomd.xml (conditional) */
	struct kb_http_req sigreq;	/* repomd.xml.asc */
	struct kb_http_req primreq;
	struct kb_repomd_primary rp;
	bool have_rp;
	bool same;			/* repomd.xml is the one the list was made from */
	char key[KB_SHA256_HEX_LEN + 1];	/* of the primary, in crawl_state.c's store */
	bool kept;			/* primary parsed before: list is from the store */
	struct kb_pkglist list;		/* what the primary gives */
};

struct kb_rpmmd_job {
	enum kb_rpmmd_phase phase;
	struct kb_rpmmd_repo *r;
	size_t n;
};

/* The repomd.xml body must parse (errors name the URL and line) and name a
 * primary index whose location stays inside the repository. */
static int kb_rpmmd_verify_repomd(struct kb_http_req *req, const char *path, void *ctx,
				  char **why)
{
	struct kb_rpmmd_repo *r = ctx;
	struct kb_repomd_primary rp;
	char *buf = NULL;
	size_t len = 0;
	int err = kb_file_read(path, KB_REPOMD_MAX_BYTES, &buf, &len);

	if (!err)
		err = kb_repomd_parse(buf, len, req->urls[req->mirror], &rp);
	free(buf);
	if (err) {
		*why = kb_xasprintf("not a usable repomd.xml (%s)", kb_strerror(err));
		return err;
	}
	r->rp = rp;
	r->have_rp = true;
	return 0;
}

static int kb_rpmmd_verify_sig(struct kb_http_req *req, const char *path, void *ctx, char **why)
{
	struct kb_rpmmd_repo *r = ctx;
	char *gwhy = NULL;
	int err = kb_gpgv_verify(r->j->u->keyring, r->repomd, path, NULL, &gwhy);

	(void)req;
	if (err)
		*why = kb_xasprintf("signature check failed: %s", gwhy ? gwhy : kb_strerror(err));
	free(gwhy);
	return err;
}

static void kb_rpmmd_on_sig_done(struct kb_http_req *req, void *ctx)
{
	struct kb_rpmmd_repo *r = ctx;

	r->j->bytes += req->bytes;
}

static void kb_rpmmd_on_repomd_done(struct kb_http_req *req, void *ctx)
{
	struct kb_rpmmd_repo *r = ctx;
	struct kb_crawl_job *j = r->j;
	struct kb_rpmmd_job *a = j->family;

	j->bytes += req->bytes;
	if (req->err || req->unchanged)
		return;
	r->same = kb_crawl_head_same(j, (size_t)(r - a->r), r->repomd);
	if (r->same)
		return;
	if (!j->u->keyring) {
		kb_warn("%s: not checking a signature (the upstream says keyring: none)",
			req->urls[req->mirror]);
		return;
	}
	kb_crawl_urls_free(r->sig_urls);
	kb_http_req_clear(&r->sigreq);
	r->sig_urls = kb_crawl_urls(r->bases, r->nbases, req->mirror, "repodata/repomd.xml.asc");
	memset(&r->sigreq, 0, sizeof(r->sigreq));
	r->sigreq.urls = (const char *const *)r->sig_urls;
	r->sigreq.nurls = r->nbases;
	r->sigreq.dest = r->sig;
	r->sigreq.max_bytes = 1u << 20;
	r->sigreq.verify = kb_rpmmd_verify_sig;
	r->sigreq.done = kb_rpmmd_on_sig_done;
	r->sigreq.ctx = r;
	kb_http_add(j->http, &r->sigreq);
}

static void kb_rpmmd_queue_repomd(struct kb_rpmmd_repo *r, bool conditional)
{
	struct kb_crawl_job *j = r->j;

	kb_crawl_urls_free(r->urls);
	kb_http_req_clear(&r->req);
	r->have_rp = false;
	r->same = false;
	r->urls = kb_crawl_urls(r->bases, r->nbases, 0, "repodata/repomd.xml");
	memset(&r->req, 0, sizeof(r->req));
	r->req.urls = (const char *const *)r->urls;
	r->req.nurls = r->nbases;
	r->req.dest = r->repomd;
	r->req.max_bytes = KB_REPOMD_MAX_BYTES;
	r->req.conditional = conditional;
	r->req.state_tag = j->tag;
	r->req.verify = kb_rpmmd_verify_repomd;
	r->req.done = kb_rpmmd_on_repomd_done;
	r->req.ctx = r;
	kb_http_add(j->http, &r->req);
}

/* Append a reason to *why ("; " between mirrors). */
static void kb_rpmmd_why(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void kb_rpmmd_why(char **why, const char *fmt, ...)
{
	va_list ap;
	char *part, *all;

	va_start(ap, fmt);
	if (vasprintf(&part, fmt, ap) < 0)
		abort();
	va_end(ap);
	all = *why ? kb_xasprintf("%s; %s", *why, part) : kb_xstrdup(part);
	free(part);
	free(*why);
	*why = all;
}

/* Every repo's bases, from the mirrors (and resolved mirror.lists). */
static int kb_rpmmd_set_bases(struct kb_crawl_job *j)
{
	struct kb_rpmmd_job *a = j->family;
	const struct kb_upstream *u = j->u;

	for (size_t i = 0; i < a->n; i++) {
		struct kb_rpmmd_repo *r = &a->r[i];
		char *why = NULL;

		r->bases = kb_xcalloc(u->mirrors.n, sizeof(*r->bases));
		r->rel = kb_xcalloc(u->mirrors.n + 1, sizeof(*r->rel));
		for (size_t m = 0; m < u->mirrors.n; m++) {
			char *mirror = kb_upstream_mirror(u, m, NULL), *rel = NULL, *mwhy = NULL;

			if (!mirror) {
				kb_crawl_job_fail(j, -KB_EUSAGE, "%s: mirror %zu has no URL",
						  u->path, m + 1);
				free(why);
				return j->err;
			}
			if (!r->lists) {
				rel = kb_xstrdup(r->path);
			} else if (r->list_req[m].err) {
				j->bytes += r->list_req[m].bytes;
				kb_rpmmd_why(&why, "%s",
					     r->list_req[m].why ? r->list_req[m].why : r->lists[m]);
			} else {
				j->bytes += r->list_req[m].bytes;
				if (kb_crawl_rpmmd_mirrorlist(r->list_dest[m], mirror, &rel, &mwhy))
					kb_rpmmd_why(&why, "%s: %s", r->lists[m], mwhy);
				free(mwhy);
			}
			if (rel) {
				r->bases[r->nbases] = kb_xasprintf("%s/%s", mirror, rel);
				r->rel[r->nbases++] = rel;
			}
			free(mirror);
		}
		if (!r->nbases) {
			kb_crawl_job_fail(j, -KB_ENOTFOUND, "%s", why ? why : "no mirror");
			free(why);
			return j->err;
		}
		free(why);
	}
	return 0;
}

int kb_crawl_rpmmd_start(struct kb_crawl_job *j)
{
	const struct kb_upstream *u = j->u;
	struct kb_rpmmd_job *a = kb_xcalloc(1, sizeof(*a));
	bool lists = false;

	j->family = a;
	if (!u->mirrors.n || !u->repos.n || !u->archs.n) {
		kb_crawl_job_fail(j, -KB_EUSAGE, "%s: no mirrors, repos or architectures", u->path);
		return j->err;
	}
	a->n = u->archs.n * u->repos.n;
	a->r = kb_xcalloc(a->n, sizeof(*a->r));
	kb_crawl_state_init(j, a->n);
	for (size_t i = 0; i < a->n; i++) {
		struct kb_rpmmd_repo *r = &a->r[i];
		char *path;

		r->j = j;
		r->arch = u->archs.v[i / u->repos.n];
		r->path = path = kb_crawl_rpmmd_repo_path(u->repos.v[i % u->repos.n], r->arch);
		r->repomd = kb_xasprintf("%s/%zu.repomd.xml", j->tmpdir, i);
		r->sig = kb_xasprintf("%s/%zu.repomd.xml.asc", j->tmpdir, i);
		r->prim = kb_xasprintf("%s/%zu.primary", j->tmpdir, i);
		if (!kb_crawl_rpmmd_is_mirrorlist(path))
			continue;
		/* resolved per mirror in the first phase */
		lists = true;
		r->lists = kb_xcalloc(u->mirrors.n + 1, sizeof(*r->lists));
		r->list_dest = kb_xcalloc(u->mirrors.n + 1, sizeof(*r->list_dest));
		r->list_req = kb_xcalloc(u->mirrors.n, sizeof(*r->list_req));
		for (size_t m = 0; m < u->mirrors.n; m++) {
			char *mirror = kb_upstream_mirror(u, m, NULL);
			struct kb_http_req *q = &r->list_req[m];

			r->lists[m] = kb_xasprintf("%s/%s", mirror ? mirror : "?", path);
			r->list_dest[m] = kb_xasprintf("%s/%zu.%zu.mirror.list", j->tmpdir, i, m);
			free(mirror);
			q->urls = (const char *const *)&r->lists[m];
			q->nurls = 1;
			q->dest = r->list_dest[m];
			q->max_bytes = KB_MIRRORLIST_MAX;
			kb_http_add(j->http, q);
		}
	}
	a->phase = KB_RPMMD_MIRRORLISTS;
	if (!lists) {
		if (kb_rpmmd_set_bases(j))
			return j->err;
		for (size_t i = 0; i < a->n; i++)
			kb_rpmmd_queue_repomd(&a->r[i], true);
		a->phase = KB_RPMMD_REPOMDS;
	}
	return 0;
}

/* Every repo has its accepted repomd.xml (or the job failed); n304 of them
 * answered 304, same of them are what the list was made from. */
static int kb_rpmmd_repomds_ok(struct kb_crawl_job *j, size_t *n304, size_t *same)
{
	struct kb_rpmmd_job *a = j->family;

	*n304 = *same = 0;
	for (size_t i = 0; i < a->n; i++) {
		struct kb_rpmmd_repo *r = &a->r[i];

		if (r->req.err) {
			kb_crawl_job_fail(j, r->req.err, "%s", r->req.why ? r->req.why : r->urls[0]);
			return j->err;
		}
		if (r->req.unchanged) {
			(*n304)++;
			kb_crawl_head_keep(j, i);
			continue;
		}
		*same += r->same;
		if (r->sigreq.err == -KB_ENOTFOUND) {
			kb_crawl_job_fail(j, -KB_EBADSIG,
					  "%s: no repomd.xml.asc: refusing unsigned metadata "
					  "(the upstream names a keyring)", r->urls[0]);
			return j->err;
		}
		if (r->sigreq.err) {
			kb_crawl_job_fail(j, r->sigreq.err, "%s",
					  r->sigreq.why ? r->sigreq.why : r->sig_urls[0]);
			return j->err;
		}
		if (!r->have_rp)	/* cannot happen: parsed before accepted */
			kb_crawl_job_fail(j, -KB_EPARSE, "%s: no repomd.xml", r->urls[0]);
	}
	return j->err;
}

/* The primary's key: its package hrefs are relative to the repository on
 * the mirror (base b) that serves it, and only its architecture counts. */
static void kb_rpmmd_key(struct kb_rpmmd_repo *r, size_t b)
{
	char *extra = kb_xasprintf("%s\n%s", r->arch, r->rel[b]);

	kb_crawl_index_key(r->j, r->rp.sha256, extra, r->key);
	free(extra);
}

static void kb_rpmmd_queue_primaries(struct kb_crawl_job *j)
{
	struct kb_rpmmd_job *a = j->family;
	uint64_t lim = kb_limits_or_default(j->o->limits)->max_index_size;

	for (size_t i = 0; i < a->n && !j->err; i++) {
		struct kb_rpmmd_repo *r = &a->r[i];
		const char *at = r->urls[r->req.mirror];

		if (r->rp.size > lim) {
			kb_crawl_job_fail(j, -KB_ELIMIT,
					  "%s: names a %llu-byte primary index, more than %llu (--max-index-size)",
					  at, (unsigned long long)r->rp.size,
					  (unsigned long long)lim);
			break;
		}
		r->prim_urls = kb_crawl_urls(r->bases, r->nbases, r->req.mirror, r->rp.href);
		kb_rpmmd_key(r, r->req.mirror);
		r->kept = kb_crawl_index_get(j, r->key, &r->list);
		if (r->kept)
			continue;
		r->primreq.urls = (const char *const *)r->prim_urls;
		r->primreq.nurls = r->nbases;
		r->primreq.dest = r->prim;
		/* <size> is optional in repomd; the sha256 is not */
		r->primreq.size = r->rp.size;
		r->primreq.max_bytes = r->rp.size ? r->rp.size : lim;
		r->primreq.sha256 = r->rp.sha256;
		kb_http_add(j->http, &r->primreq);
	}
}

static int kb_rpmmd_parse_all(struct kb_crawl_job *j)
{
	struct kb_rpmmd_job *a = j->family;

	for (size_t i = 0; i < a->n && !j->err; i++) {
		struct kb_rpmmd_repo *r = &a->r[i];
		const char *url = r->prim_urls[r->primreq.mirror];
		size_t k = r->primreq.mirror, first = r->req.mirror;
		/* the base that answered: prim_urls put repomd's mirror first */
		size_t b = k == 0 ? first : k - 1 < first ? k - 1 : k;
		int err;

		if (r->kept) {
			kb_info("%s: %s: as parsed before (same checksum), not fetched", j->u->name,
				url);
			kb_pkglist_take(&j->fresh, &r->list);
			continue;
		}
		j->bytes += r->primreq.bytes;
		if (r->primreq.err) {
			kb_crawl_job_fail(j, r->primreq.err, "%s", r->primreq.why ? r->primreq.why : url);
			break;
		}
		kb_info("%s: %s", j->u->name, url);
		/* package hrefs are relative to that mirror's repository */
		err = kb_crawl_rpmmd_parse_primary(j->u, r->arch, r->rel[b], r->prim,
						   r->rp.open_size, url, j->o->limits, &r->list);
		unlink(r->prim);
		if (err) {
			kb_crawl_job_fail(j, err, "%s: %s", url, kb_strerror(err));
			j->logged = true;	/* the parser named the line */
			break;
		}
		if (b != r->req.mirror)
			kb_rpmmd_key(r, b);
		kb_crawl_index_put(j, r->key, &r->list);
		kb_pkglist_take(&j->fresh, &r->list);
	}
	return j->err;
}

int kb_crawl_rpmmd_step(struct kb_crawl_job *j)
{
	struct kb_rpmmd_job *a = j->family;
	size_t n304 = 0, same = 0;

	if (j->err)
		return j->err;
	switch (a->phase) {
	case KB_RPMMD_MIRRORLISTS:
		if (kb_rpmmd_set_bases(j))
			return j->err;
		for (size_t i = 0; i < a->n; i++)
			kb_rpmmd_queue_repomd(&a->r[i], true);
		a->phase = KB_RPMMD_REPOMDS;
		return 1;
	case KB_RPMMD_REPOMDS:
	case KB_RPMMD_REPOMDS_AGAIN:
		if (kb_rpmmd_repomds_ok(j, &n304, &same))
			return j->err;
		switch (kb_crawl_heads_judge(j, a->n, n304, same,
					     a->phase == KB_RPMMD_REPOMDS_AGAIN)) {
		case KB_HEADS_UNCHANGED:
			a->phase = KB_RPMMD_DONE;
			return 0;
		case KB_HEADS_FAILED:
			return j->err;
		case KB_HEADS_REFETCH:
			for (size_t i = 0; i < a->n; i++)
				if (a->r[i].req.unchanged)
					kb_rpmmd_queue_repomd(&a->r[i], false);
			a->phase = KB_RPMMD_REPOMDS_AGAIN;
			return 1;
		case KB_HEADS_CHANGED:
			break;
		}
		kb_rpmmd_queue_primaries(j);
		a->phase = KB_RPMMD_PRIMARIES;
		return j->err ? j->err : 1;
	case KB_RPMMD_PRIMARIES:
		a->phase = KB_RPMMD_DONE;
		return kb_rpmmd_parse_all(j);
	case KB_RPMMD_DONE:
		break;
	}
	return 0;
}

int kb_crawl_rpmmd_commit(struct kb_crawl_job *j, const char *new_tag)
{
	struct kb_rpmmd_job *a = j->family;
	int err = 0;

	for (size_t i = 0; a && i < a->n && !err; i++)
		if (a->r[i].urls)
			err = kb_http_state_commit(j->http, &a->r[i].req, new_tag);
	if (!err)
		err = kb_crawl_state_commit(j, new_tag);
	if (err)
		kb_warn("%s: could not save the HTTP state (%s): the next crawl fetches everything",
			j->u->name, kb_strerror(err));
	return err;
}

void kb_crawl_rpmmd_free(struct kb_crawl_job *j)
{
	struct kb_rpmmd_job *a = j->family;

	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		struct kb_rpmmd_repo *r = &a->r[i];

		for (size_t m = 0; r->lists && r->lists[m]; m++)
			kb_http_req_clear(&r->list_req[m]);
		free(r->list_req);
		kb_crawl_urls_free(r->lists);
		kb_crawl_urls_free(r->list_dest);
		for (size_t m = 0; m < r->nbases; m++)
			free(r->bases[m]);
		free(r->bases);
		kb_crawl_urls_free(r->rel);
		kb_http_req_clear(&r->req);
		kb_http_req_clear(&r->sigreq);
		kb_http_req_clear(&r->primreq);
		kb_pkglist_free(&r->list);
		kb_crawl_urls_free(r->urls);
		kb_crawl_urls_free(r->sig_urls);
		kb_crawl_urls_free(r->prim_urls);
		free(r->path);
		free(r->repomd);
		free(r->sig);
		free(r->prim);
	}
	free(a->r);
	free(a);
	j->family = NULL;
}

const struct kb_crawl_family kb_crawl_family_rpmmd = {
	.start = kb_crawl_rpmmd_start,
	.step = kb_crawl_rpmmd_step,
	.commit = kb_crawl_rpmmd_commit,
	.free = kb_crawl_rpmmd_free,
};
