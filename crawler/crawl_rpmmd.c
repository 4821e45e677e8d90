/* crawl_rpmmd.c — crawl one rpm-md upstream: per architecture and repository,
 * repodata/repomd.xml from the first mirror that gives one (its detached
 * repomd.xml.asc checked with gpgv when the upstream names a keyring), then
 * the primary index it names, checked against repomd's size and sha256
 * before it is parsed as a stream; kernel packages are kept. A repository
 * path ending in "mirror.list" (Amazon Linux) is first resolved to the
 * repository it names, which must be on the same mirror. Nothing here writes
 * a list: the caller merges. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawler/crawl.h"
#include "crawler/recognise_rpm.h"
#include "crawler/rpmmd_primary.h"
#include "crawler/rpmmd_repomd.h"
#include "crawler/rpmmd_xml.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/gpgv.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/stream.h"

#define KB_MIRRORLIST_MAX (64u << 10)

struct kb_rpmmd_ctx {
	const struct kb_upstream *u;
	const char *arch;
	const char *repo;	/* repository path relative to the mirror root */
	const char *url;	/* of the primary index, for messages */
	struct kb_pkglist *fresh;
	struct kb_rpm_recognise_opts opts;
};

static int kb_rpmmd_fail_fetch(const char *url, int err, long status, bool last)
{
	if (status >= 400)
		kb_log(last ? KB_LOG_ERROR : KB_LOG_WARN, "%s: HTTP %ld", url, status);
	else
		kb_log(last ? KB_LOG_ERROR : KB_LOG_WARN, "%s: %s", url, kb_strerror(err));
	return err;
}

/* "$arch" → arch, everywhere in repo; no trailing '/'. */
static char *kb_rpmmd_subst_arch(const char *repo, const char *arch)
{
	char *out = kb_xstrdup(repo), *hit;
	size_t n;

	while ((hit = strstr(out, "$arch"))) {
		char *next = kb_xasprintf("%.*s%s%s", (int)(hit - out), out, arch, hit + 5);

		free(out);
		out = next;
	}
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	return out;
}

/* mirror.list (Amazon Linux): the first URL in it names the repository;
 * it must lie under mirror, and the path below mirror is returned. */
static int kb_rpmmd_mirrorlist(const char *mirror, const char *repo, const char *tmpdir,
			       bool last, char **repo_out)
{
	char *url = kb_xasprintf("%s/%s", mirror, repo), *dest = kb_path_join(tmpdir, "mirror.list");
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, mlen = strlen(mirror);
	long status = 0;
	int err = kb_crawl_fetch(url, dest, KB_MIRRORLIST_MAX, &status);

	*repo_out = NULL;
	if (err) {
		kb_rpmmd_fail_fetch(url, err, status, last);
		goto out;
	}
	err = kb_file_read(dest, KB_MIRRORLIST_MAX, &buf, &len);
	if (err) {
		kb_error("%s: %s", url, kb_strerror(err));
		goto out;
	}
	err = -KB_EPARSE;
	for (line = strtok_r(buf, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		size_t n = strlen(line);

		if (!n || line[0] == '#')
			continue;
		while (n && line[n - 1] == '/')
			line[--n] = '\0';
		if (n > mlen + 1 && !strncmp(line, mirror, mlen) && line[mlen] == '/' &&
		    kb_rpmmd_href_safe(line + mlen + 1)) {
			*repo_out = kb_rpmmd_path_join("", line + mlen + 1);
			err = *repo_out ? 0 : -KB_EPARSE;
		}
		break;
	}
	if (err)
		kb_log(last ? KB_LOG_ERROR : KB_LOG_WARN,
		       "%s: does not name a repository under %s", url, mirror);
out:
	unlink(dest);
	free(dest);
	free(buf);
	free(url);
	return err;
}

/* Fetch repomd.xml (and check its signature) from base into dest. */
static int kb_rpmmd_fetch_repomd(const struct kb_upstream *u, const char *base, const char *dest,
				 const char *tmpdir, bool last)
{
	char *url = kb_xasprintf("%s/repodata/repomd.xml", base), *sig_url = NULL, *why = NULL;
	char *sig = kb_path_join(tmpdir, "repomd.xml.asc");
	long status = 0;
	int err = kb_crawl_fetch(url, dest, KB_REPOMD_MAX_BYTES, &status);

	if (err) {
		kb_rpmmd_fail_fetch(url, err, status, last);
		goto out;
	}
	if (!u->keyring) {
		kb_warn("%s: not checking a signature (the upstream says keyring: none)", url);
		goto out;
	}
	sig_url = kb_xasprintf("%s.asc", url);
	err = kb_crawl_fetch(sig_url, sig, KB_REPOMD_MAX_BYTES, &status);
	if (err) {
		if (err == -KB_ENOTFOUND)
			kb_log(last ? KB_LOG_ERROR : KB_LOG_WARN,
			       "%s: no repomd.xml.asc: refusing unsigned metadata (the upstream "
			       "names a keyring)", url);
		else
			kb_rpmmd_fail_fetch(sig_url, err, status, last);
		err = err == -KB_ENOTFOUND ? -KB_EBADSIG : err;
		goto out;
	}
	err = kb_gpgv_verify(u->keyring, dest, sig, NULL, &why);
	if (err)
		kb_log(last ? KB_LOG_ERROR : KB_LOG_WARN, "%s: signature check failed: %s",
		       sig_url, why ? why : kb_strerror(err));
out:
	if (err)
		unlink(dest);
	unlink(sig);
	free(sig);
	free(sig_url);
	free(why);
	free(url);
	return err;
}

static bool kb_rpmmd_want(const char *name, void *ctx)
{
	const struct kb_rpmmd_ctx *c = ctx;
	enum kb_kind k;

	return kb_rpm_kernel_name(name, &c->opts, &k);
}

static int kb_rpmmd_pkg(const struct kb_rpm_pkginfo *pi, void *ctx)
{
	struct kb_rpmmd_ctx *c = ctx;
	char release[256], evr[300];
	enum kb_kind kind;
	struct kb_pkg *p;
	char *path;
	int r = kb_rpm_recognise(pi, c->arch, &c->opts, &kind, release, sizeof(release));

	if (r <= 0) {
		if (r < 0)
			kb_error("%s:%d: %s: cannot tell its kernel release", c->url, pi->line,
				 pi->name);
		return r;
	}
	path = kb_rpmmd_path_join(c->repo, pi->href);
	if (!path) {
		kb_error("%s:%d: %s: location '%s' leaves the mirror", c->url, pi->line, pi->name,
			 pi->href);
		return -KB_EPARSE;
	}
	kb_rpm_pkginfo_evr(pi, evr, sizeof(evr));
	p = kb_pkglist_add(c->fresh);
	p->name = kb_xstrdup(pi->name);
	p->version = kb_xstrdup(evr);
	p->arch = kb_xstrdup(pi->arch);
	p->kind = kind;
	p->release = kb_xstrdup(release);
	p->path = path;
	p->size = pi->size;
	memcpy(p->sha256, pi->sha256, sizeof(p->sha256));
	p->depends = kb_xstrdup(pi->requires);
	p->present = true;
	return 0;
}

/* repomd → primary → packages, for one repository on one mirror. */
static int kb_rpmmd_repo_on(struct kb_rpmmd_ctx *c, const char *mirror, const char *tmpdir,
			    bool last)
{
	char *base = kb_xasprintf("%s/%s", mirror, c->repo);
	char *repomd = kb_path_join(tmpdir, "repomd.xml"), *prim = kb_path_join(tmpdir, "primary");
	char *ppath = NULL, *url = NULL;
	struct kb_repomd_primary rp;
	struct kb_stream *s = NULL;
	uint64_t npkgs = 0;
	size_t before = c->fresh->n;
	long status = 0;
	int err = kb_rpmmd_fetch_repomd(c->u, base, repomd, tmpdir, last);

	if (err)
		goto out;
	err = kb_repomd_load(repomd, &rp);
	if (err)
		goto out;
	ppath = kb_rpmmd_path_join(c->repo, rp.href);
	if (!ppath) {
		kb_error("%s/repodata/repomd.xml: primary location '%s' leaves the mirror", base,
			 rp.href);
		err = -KB_EPARSE;
		goto out;
	}
	url = kb_xasprintf("%s/%s", mirror, ppath);
	kb_info("%s", url);
	if (rp.size > kb_limits()->max_index_size) {
		kb_error("%s: repomd.xml says %llu bytes, more than %llu (--max-index-size)", url,
			 (unsigned long long)rp.size,
			 (unsigned long long)kb_limits()->max_index_size);
		err = -KB_ELIMIT;
		goto out;
	}
	/* no size in repomd: --max-index-size caps the download */
	err = kb_crawl_fetch(url, prim, rp.size, &status);
	if (err == -KB_ELIMIT && rp.size) {
		kb_error("%s: size mismatch (repomd.xml says %llu bytes, the server sends more)",
			 url, (unsigned long long)rp.size);
		err = -KB_ECHECKSUM;
		goto out;
	}
	if (err) {
		kb_rpmmd_fail_fetch(url, err, status, last);
		goto out;
	}
	if (!rp.size) {	/* <size> is optional in repomd; the sha256 is not */
		struct stat st;

		rp.size = stat(prim, &st) == 0 ? (uint64_t)st.st_size : 0;
	}
	err = kb_crawl_verify_file(prim, url, rp.size, rp.sha256);
	if (err)
		goto out;
	/* open_size, when given, tightens --max-unpacked-size but never lifts it */
	err = kb_stream_open(prim, rp.open_size, &s);
	if (err) {
		kb_error("%s: %s", url, kb_strerror(err));
		goto out;
	}
	kb_stream_set_name(s, url);
	c->url = url;
	err = kb_primary_parse(s, url, NULL, kb_rpmmd_want, kb_rpmmd_pkg, c, &npkgs);
	if (!err)
		kb_info("%s: %llu packages, %zu kernel packages", url, (unsigned long long)npkgs,
			c->fresh->n - before);
out:
	kb_stream_close(s);
	unlink(repomd);
	unlink(prim);
	free(repomd);
	free(prim);
	free(ppath);
	free(url);
	free(base);
	return err;
}

/* Drop what one failed mirror added, so the next one starts clean. */
static void kb_rpmmd_truncate(struct kb_pkglist *l, size_t n)
{
	while (l->n > n)
		kb_pkg_free(&l->v[--l->n]);
}

static int kb_rpmmd_repo(struct kb_rpmmd_ctx *c, const char *repo_tmpl, const char *tmpdir)
{
	char *repo = kb_rpmmd_subst_arch(repo_tmpl, c->arch);
	size_t rl = strlen(repo), before = c->fresh->n;
	int err = -KB_ENOTFOUND;

	for (size_t i = 0; i < c->u->mirrors.n; i++) {
		bool last = i + 1 == c->u->mirrors.n;
		char *mirror = kb_upstream_mirror(c->u, i, NULL), *resolved = NULL;

		if (!mirror) {
			err = -KB_EUSAGE;
			continue;
		}
		if (rl > 11 && !strcmp(repo + rl - 11, "mirror.list")) {
			err = kb_rpmmd_mirrorlist(mirror, repo, tmpdir, last, &resolved);
			c->repo = resolved;
		} else {
			err = 0;
			c->repo = repo;
		}
		if (!err)
			err = kb_rpmmd_repo_on(c, mirror, tmpdir, last);
		free(resolved);
		free(mirror);
		c->repo = NULL;
		if (!err)
			break;
		kb_rpmmd_truncate(c->fresh, before);
	}
	free(repo);
	return err;
}

int kb_crawl_rpmmd(const struct kb_upstream *u, const char *tmpdir, struct kb_pkglist *fresh)
{
	struct kb_rpmmd_ctx c = { .u = u, .fresh = fresh };
	int err = 0;

	for (size_t a = 0; a < u->archs.n && !err; a++) {
		c.arch = u->archs.v[a];
		for (size_t r = 0; r < u->repos.n && !err; r++)
			err = kb_rpmmd_repo(&c, u->repos.v[r], tmpdir);
	}
	return err;
}
