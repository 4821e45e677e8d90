/* crawl.c — run the crawl over the selected upstreams: lock the work
 * directory, give each upstream a private temp directory, dispatch by family,
 * and merge + write its list only when everything about it succeeded. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "crawler/crawl.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/http.h"
#include "lib/limits.h"
#include "lib/log.h"

int kb_crawl_fetch(const char *url, const char *dest, uint64_t max_bytes, long *status)
{
	uint64_t lim = kb_limits()->max_index_size;
	struct kb_http_opts o = { .max_bytes = max_bytes && max_bytes < lim ? max_bytes : lim,
				  .retries = 2 };
	int err = kb_http_get_file(url, dest, &o, status);

	if (err == -KB_ELIMIT && o.max_bytes == lim)
		kb_error("%s: larger than %llu bytes (--max-index-size)", url,
			 (unsigned long long)lim);
	return err;
}

int kb_crawl_verify_file(const char *path, const char *url, uint64_t size, const char *sha256)
{
	char got[KB_SHA256_HEX_LEN + 1];
	uint64_t got_size = 0;
	int err = kb_sha256_file(path, got, &got_size);

	if (err) {
		kb_error("%s: %s", url, kb_strerror(err));
		return err;
	}
	if (got_size != size) {
		kb_error("%s: size mismatch (want %llu, got %llu)", url, (unsigned long long)size,
			 (unsigned long long)got_size);
		return -KB_ECHECKSUM;
	}
	if (strcmp(got, sha256)) {
		kb_error("%s: sha256 mismatch (want %s, got %s)", url, sha256, got);
		return -KB_ECHECKSUM;
	}
	return 0;
}

/* One upstream, all or nothing for its list. */
static int kb_crawl_one(const struct kb_crawl_opts *o, const struct kb_upstream *u,
			struct kb_crawl_result *r)
{
	char *tmproot = kb_path_join(o->workdir, "tmp");
	char *tmpl = NULL, *list = NULL;
	struct kb_pkglist prev = { 0 }, fresh = { 0 };
	size_t before = 0;
	int err;

	err = kb_mkdir_p(tmproot, 0755);
	if (err) {
		kb_error("%s: %s", tmproot, kb_strerror(err));
		goto out;
	}
	tmpl = kb_xasprintf("%s/crawl-%s.XXXXXX", tmproot, u->name);
	if (!mkdtemp(tmpl)) {
		err = -errno;
		kb_error("%s: %s", tmpl, strerror(errno));
		free(tmpl);
		tmpl = NULL;
		goto out;
	}
	list = kb_xasprintf("%s/%s.list", o->lists_dir, u->name);
	/* read the old list first: a broken one fails before any download */
	err = kb_pkglist_read(list, &prev);
	if (err)
		goto out;
	switch (u->family) {
	case KB_FAMILY_APT:
		err = kb_crawl_apt(u, tmpl, &fresh);
		break;
	case KB_FAMILY_RPMMD:
		err = kb_crawl_rpmmd(u, tmpl, &fresh);
		break;
	}
	if (err)
		goto out;
	if (fresh.n == 0) {
		kb_error("%s: no kernel packages found in any index: refusing to mark every "
			 "package of %s as gone", u->path, list);
		err = -KB_ENOTFOUND;
		goto out;
	}
	before = prev.n;
	r->present = fresh.n;
	r->vanished = kb_pkglist_merge(&prev, &fresh, o->date);
	err = kb_mkdir_p(o->lists_dir, 0755);
	if (!err)
		err = kb_pkglist_write(list, &prev);
	else
		kb_error("%s: %s", o->lists_dir, kb_strerror(err));
	if (err)
		goto out;
	r->packages = prev.n;
	r->added = prev.n - before;
	kb_info("%s: %zu packages (%zu in the index, %zu new, %zu newly gone) -> %s", u->name,
		r->packages, r->present, r->added, r->vanished, list);
out:
	if (tmpl)
		kb_rm_rf(tmpl);
	kb_pkglist_free(&prev);
	kb_pkglist_free(&fresh);
	free(tmpl);
	free(tmproot);
	free(list);
	return err;
}

/* One writer per work directory at a time. */
static int kb_crawl_lock(const char *workdir, int *fd)
{
	char *path = kb_path_join(workdir, "lock");
	int err = kb_mkdir_p(workdir, 0755);

	*fd = -1;
	if (!err) {
		*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (*fd < 0)
			err = -errno;
	}
	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
	} else if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		err = errno == EWOULDBLOCK ? -KB_ELOCKED : -errno;
		kb_error("%s: %s", path, kb_strerror(err));
		close(*fd);
		*fd = -1;
	}
	free(path);
	return err;
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
	int err, first = 0, lock = -1;

	*res = NULL;
	*nres = 0;
	err = kb_upstream_load_dir(o->upstreams_dir, &ups, &nups);
	if (err) {
		err = -KB_EUSAGE;
		goto out;
	}
	for (size_t i = 0; i < o->nnames; i++) {
		bool found = false;

		for (size_t j = 0; j < nups && !found; j++)
			found = !strcmp(o->names[i], ups[j].name);
		if (!found) {
			kb_error("%s: no upstream '%s' (no %s/%s.yml)", o->upstreams_dir, o->names[i],
				 o->upstreams_dir, o->names[i]);
			err = -KB_EUSAGE;
			goto out;
		}
	}
	err = kb_crawl_lock(o->workdir, &lock);
	if (err)
		goto out;
	r = kb_xcalloc(nups ? nups : 1, sizeof(*r));
	for (size_t i = 0; i < nups; i++) {
		if (!kb_crawl_selected(o, &ups[i]))
			continue;
		r[n].upstream = kb_xstrdup(ups[i].name);
		r[n].err = kb_crawl_one(o, &ups[i], &r[n]);
		if (r[n].err) {
			kb_warn("%s: crawl failed (%s); its list is unchanged", ups[i].name,
				kb_strerror(r[n].err));
			first = first ? first : r[n].err;
		}
		n++;
	}
	if (!n)
		kb_warn("%s: no enabled upstream to crawl", o->upstreams_dir);
	err = first;
out:
	if (lock >= 0)
		close(lock);
	kb_upstreams_free(ups, nups);
	*res = r;
	*nres = n;
	return err;
}

void kb_crawl_results_free(struct kb_crawl_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(res[i].upstream);
	free(res);
}
