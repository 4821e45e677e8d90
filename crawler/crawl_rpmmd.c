/* crawl_rpmmd.c — what the rpm-md crawl makes of its downloads (the
 * downloads themselves are phased in crawl_rpmmd_fetch.c): the repository
 * path for an architecture, Amazon Linux's mirror.list resolved to the
 * repository it names (on the same mirror), and a verified primary index
 * parsed as a stream into kernel package entries. Nothing here writes a
 * list: the caller merges. */
#include <stdlib.h>
#include <string.h>

#include "crawler/crawl.h"
#include "crawler/recognise_rpm.h"
#include "crawler/rpmmd_primary.h"
#include "crawler/rpmmd_xml.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/stream.h"

struct kb_rpmmd_ctx {
	const struct kb_upstream *u;
	const char *arch;
	const char *repo;	/* repository path relative to the mirror root */
	const char *url;	/* of the primary index, for messages */
	struct kb_pkglist *fresh;
	struct kb_rpm_recognise_opts opts;
};

char *kb_crawl_rpmmd_repo_path(const char *repo, const char *arch)
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

bool kb_crawl_rpmmd_is_mirrorlist(const char *repo)
{
	size_t n = strlen(repo);

	return n > 11 && !strcmp(repo + n - 11, "mirror.list");
}

int kb_crawl_rpmmd_mirrorlist(const char *path, const char *mirror, char **repo_out, char **why)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, mlen = strlen(mirror);
	int err = kb_file_read(path, KB_MIRRORLIST_MAX, &buf, &len);

	*repo_out = NULL;
	if (err) {
		*why = kb_xasprintf("%s", kb_strerror(err));
		goto out;
	}
	err = -KB_EPARSE;
	/* the first URL in it names the repository; it must lie under mirror */
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
		*why = kb_xasprintf("does not name a repository under %s", mirror);
out:
	free(buf);
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

int kb_crawl_rpmmd_parse_primary(const struct kb_upstream *u, const char *arch, const char *repo,
				 const char *path, uint64_t open_size, const char *url,
				 const struct kb_limits *lim, struct kb_pkglist *fresh)
{
	struct kb_rpmmd_ctx c = { .u = u, .arch = arch, .repo = repo, .url = url, .fresh = fresh };
	struct kb_stream *s = NULL;
	uint64_t npkgs = 0;
	size_t before = fresh->n;
	/* open_size, when given, tightens --max-unpacked-size but never lifts it */
	int err = kb_stream_open(path, open_size, lim, &s);

	if (err) {
		kb_error("%s: %s", url, kb_strerror(err));
		return err;
	}
	kb_stream_set_name(s, url);
	err = kb_primary_parse(s, url, NULL, kb_rpmmd_want, kb_rpmmd_pkg, &c, &npkgs);
	if (!err)
		kb_info("%s: %llu packages, %zu kernel packages", url, (unsigned long long)npkgs,
			fresh->n - before);
	kb_stream_close(s);
	return err;
}
