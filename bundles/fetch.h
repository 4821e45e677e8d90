/* fetch.h — `kbundle fetch`: the bundle for one kernel from a published
 * index (an http(s) URL or a directory), verified, and optionally extracted
 * so a product can build against it. */
#ifndef KB_FETCH_H
#define KB_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "bundles/index.h"
#include "bundles/trust.h"
#include "lib/limits.h"

struct kb_fetch_opts {
	const char *uname;	/* uname -r of the kernel; NULL: any (with id) */
	const char *id;		/* NULL, or the bundle's id (a prefix will do) */
	const char *distro;	/* NULL: any */
	const char *arch;	/* NULL: the host's */
	const char *from;	/* base URL (http/https) or directory holding index.json */
	const char *outdir;	/* where <id>.tgz and its .sha256 go */
	const char *extract;	/* NULL, or a directory to extract into (bundles/extract.h) */
	bool extract_cache;	/* extract into kb_extract_default_dir (when no extract) */
	bool btf;		/* also the kernel's BTF: outdir/<id>.btf, verified */
	const struct kb_limits *limits;	/* on index.json and the bundle; NULL: defaults */
	struct kb_trust *trust;	/* the keys and the version record (bundles/trust.h) */
};

struct kb_fetch_result {
	struct kb_index_entry e;	/* the chosen index entry */
	char *path;			/* outdir/<id>.tgz */
	char *build_dir;		/* absolute; with extract only */
	char *btf_path;			/* outdir/<id>.btf; with btf only */
	bool downloaded;		/* false: a verified copy was already there */
};

/* 0; -KB_ENOTFOUND when no bundle fits (logged with the uname and the
 * index); -KB_EUSAGE when several do (each listed), except when they are
 * one kernel (uname, distro, arch) packed several times and no id was
 * given: then the newest packing (kb_index_entry_newer_cmp) is taken, and
 * the choice logged; -KB_ECHECKSUM,
 * -KB_EUNSAFE, -KB_EPARSE, -KB_EHTTP… when the server's files are bad or
 * unreachable. Nothing half-written or unverified is left in outdir or
 * extract. */
int kb_fetch_run(const struct kb_fetch_opts *o, struct kb_fetch_result *r);
/* The result as JSON text (malloc'd; NULL with *err on failure): the index
 * entry's members, then path, downloaded, btf (with btf) and build_dir
 * (with extract). */
char *kb_fetch_result_json(const struct kb_fetch_result *r, size_t *len, int *err);
void kb_fetch_result_free(struct kb_fetch_result *r);

#endif
