/* crawl.h — `kbundle crawl`: for each upstream, fetch and verify its signed
 * indexes, keep the kernel packages, and fold them into lists/<name>.list.
 *
 * An upstream either succeeds completely or leaves its list byte-for-byte
 * as it was; the others go on. Results are kept per upstream so a caller can
 * tell "all failed" from "partial". */
#ifndef KB_CRAWL_H
#define KB_CRAWL_H

#include <stddef.h>
#include <stdint.h>

#include "crawler/pkglist.h"
#include "crawler/upstream.h"

struct kb_crawl_opts {
	const char *upstreams_dir;	/* upstreams/ */
	const char *lists_dir;		/* lists/ */
	const char *workdir;		/* .kbundle/: downloads go to workdir/tmp/ */
	const char *date;		/* YYYY-MM-DD for first/last seen */
	char *const *names;		/* upstream stems; none: every enabled one */
	size_t nnames;
};

struct kb_crawl_result {
	char *upstream;
	int err;			/* 0 or the error that stopped this upstream */
	size_t packages;		/* entries in the written list */
	size_t present, added, vanished;
};

/* Crawl. Returns 0 when every selected upstream succeeded, -KB_EUSAGE for a
 * bad upstream file or an unknown name (nothing crawled), -KB_ELOCKED, or
 * the first upstream's error; *res has one result per upstream tried. */
int kb_crawl(const struct kb_crawl_opts *o, struct kb_crawl_result **res, size_t *nres);
void kb_crawl_results_free(struct kb_crawl_result *res, size_t n);

/* For the family crawlers (crawl_apt.c, …). */

/* Every download of the crawler goes through here, so the HTTP layer can be
 * swapped in one place. max_bytes 0: no limit. Logs nothing. */
int kb_crawl_fetch(const char *url, const char *dest, uint64_t max_bytes, long *status);
/* Check a downloaded file against signed metadata; logs the mismatch with
 * the URL. */
int kb_crawl_verify_file(const char *path, const char *url, uint64_t size, const char *sha256);
/* Crawl one apt upstream into fresh (unmerged, deduplicated); tmpdir is
 * private to this call. Errors are logged with their URL. */
int kb_crawl_apt(const struct kb_upstream *u, const char *tmpdir, struct kb_pkglist *fresh);
/* The same for one rpm-md upstream (crawl_rpmmd.c). */
int kb_crawl_rpmmd(const struct kb_upstream *u, const char *tmpdir, struct kb_pkglist *fresh);

#endif
