/* crawl.h — `kbundle crawl`: for each upstream, fetch and verify its signed
 * indexes, keep the kernel packages, and fold them into lists/<name>.list.
 *
 * An upstream either succeeds completely or leaves its list byte-for-byte
 * as it was; the others go on. Results are kept per upstream so a caller can
 * tell "all failed" from "partial". */
#ifndef KB_CRAWL_H
#define KB_CRAWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crawler/pkglist.h"
#include "crawler/recognise_deb.h"
#include "crawler/upstream.h"
#include "lib/hash.h"
#include "lib/limits.h"

struct kb_http;

struct kb_crawl_opts {
	const char *upstreams_dir;	/* upstreams/ */
	const char *lists_dir;		/* lists/ */
	const char *workdir;		/* .kbundle/: downloads go to workdir/tmp/ */
	const char *date;		/* YYYY-MM-DD for first/last seen */
	char *const *names;		/* upstream stems; none: every enabled one */
	size_t nnames;
	bool lock_held;			/* the caller holds WORKDIR/lock (kbundle update) */
	const struct kb_limits *limits;	/* on indexes and upstream files; NULL: defaults */
};

struct kb_crawl_result {
	char *upstream;
	int err;			/* 0 or the error that stopped this upstream */
	char *reason;			/* on failure: what went wrong, with URLs */
	bool unchanged;			/* every signed index answered 304 or came back
					 * byte-identical: list untouched */
	uint64_t bytes;			/* body bytes downloaded for this upstream */
	size_t packages;		/* entries in the written list */
	size_t present, added, vanished;
};

/* Crawl. Returns 0 when every selected upstream succeeded, -KB_EUSAGE for a
 * bad upstream file or an unknown name (nothing crawled), -KB_ELOCKED, or
 * the first upstream's error; *res has one result per upstream tried. */
int kb_crawl(const struct kb_crawl_opts *o, struct kb_crawl_result **res, size_t *nres);
void kb_crawl_results_free(struct kb_crawl_result *res, size_t n);

/* For the family crawlers (crawl_apt*.c, …). */

/* One upstream's crawl, in phases, so that every upstream's downloads run
 * at once on one HTTP engine: crawl.c starts every job, runs the engine,
 * lets each job look at its results and queue its next downloads, and
 * repeats until no job wants more; then it merges and writes the lists.
 *
 * Incremental crawls: the signed index (InRelease, repomd.xml) is asked for
 * conditionally, under a validator key (tag) that covers the kbundle
 * version, the upstream file and the list as it is on disk. When every
 * signed index of an upstream answers 304 the upstream is "unchanged" and
 * its list is not touched at all; a list edited or reverted behind
 * kbundle's back changes the tag, so the next crawl fetches everything.
 *
 * By content, for servers without validators (crawl_state.c): a signed
 * index that comes back byte-identical to the one the list was made from
 * counts as a 304, and an index whose signed sha256 was parsed before is
 * taken from WORKDIR/state instead of being fetched and parsed again. */
struct kb_crawl_job {
	const struct kb_upstream *u;
	const struct kb_crawl_opts *o;
	struct kb_http *http;
	char *tmpdir;			/* private; removed at the end */
	char *state_dir;		/* WORKDIR/state */
	char *tag;			/* validator key of the list on disk */
	struct kb_pkglist fresh;	/* what the indexes list (unmerged) */
	int err;			/* first error: the upstream failed */
	char *reason;
	bool logged;			/* the reason was already logged where it arose */
	bool unchanged;
	uint64_t bytes;
	void *family;			/* the family crawler's own state */
	/* crawl_state.c's */
	char *state_crawl;		/* WORKDIR/state/crawl/<upstream> */
	char conf_sha[KB_SHA256_HEX_LEN + 1];	/* kbundle version + upstream file */
	char (*head)[KB_SHA256_HEX_LEN + 1];	/* sha256 of each signed head now, "" unknown */
	char (*prev_head)[KB_SHA256_HEX_LEN + 1];	/* … the list on disk was made from */
	size_t nheads;
	char **keys;			/* the index keys this crawl used */
	size_t nkeys;
};

/* Shared by the families (crawl_job.c). Record the job's first failure
 * (err, and a reason naming the URL). */
void kb_crawl_job_fail(struct kb_crawl_job *j, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* leaf on each of the n mirror bases, the one at first first (files that go
 * together come from one mirror); NULL-terminated, malloc'd. */
char **kb_crawl_urls(char *const *bases, size_t n, size_t first, const char *leaf);
void kb_crawl_urls_free(char **v);

/* What the answers to an upstream's n signed-metadata requests (InRelease,
 * repomd.xml) mean: n304 of them 304, same of them byte-identical to what
 * the list was made from (kb_crawl_head_same). again: this was the second,
 * unconditional round. */
enum kb_crawl_heads {
	KB_HEADS_CHANGED,	/* a new one and no 304: fetch the indexes */
	KB_HEADS_UNCHANGED,	/* all 304 or the same: the upstream is unchanged (j->unchanged set) */
	KB_HEADS_REFETCH,	/* some 304, some new: ask the 304s again without validators */
	KB_HEADS_FAILED,	/* a 304 to an unconditional request (j failed) */
};
enum kb_crawl_heads kb_crawl_heads_judge(struct kb_crawl_job *j, size_t n, size_t n304,
					 size_t same, bool again);

/* Content state (crawl_state.c). init: the job has nheads signed heads;
 * loads what the list on disk was made from (j->tag must be set). */
void kb_crawl_state_init(struct kb_crawl_job *j, size_t nheads);
void kb_crawl_state_free(struct kb_crawl_job *j);
/* Head i arrived at path: record its sha256; true when it is the one the
 * list on disk was made from. */
bool kb_crawl_head_same(struct kb_crawl_job *j, size_t i, const char *path);
/* Head i answered 304: it is still the one the list was made from. */
void kb_crawl_head_keep(struct kb_crawl_job *j, size_t i);
/* The key of what an index with this signed sha256 gives, extra naming
 * anything else its parse depends on (beyond kbundle and the upstream file). */
void kb_crawl_index_key(const struct kb_crawl_job *j, const char *sha256, const char *extra,
			char key[KB_SHA256_HEX_LEN + 1]);
/* true, and l filled, when an index of that key was parsed before. */
bool kb_crawl_index_get(struct kb_crawl_job *j, const char *key, struct kb_pkglist *l);
/* Keep what the index of that key gave (l is sorted); a failure is a warning. */
void kb_crawl_index_put(struct kb_crawl_job *j, const char *key, struct kb_pkglist *l);
/* The list was written under new_tag: keep the heads, drop unused indexes. */
int kb_crawl_state_commit(struct kb_crawl_job *j, const char *new_tag);

/* A family's crawler: its row of lib/family.h's KB_FAMILIES, defined as
 * kb_crawl_family_<id> in the family's crawl_<id>_fetch.c. The job fetches
 * and verifies the family's signed indexes and keeps the kernel packages
 * its recognisers know, by the distro row's rules (crawler/distro.h). */
struct kb_crawl_family {
	/* Queue the first downloads; a failure is recorded in j. */
	int (*start)(struct kb_crawl_job *j);
	/* After an engine run: 1 when more downloads were queued, 0 when done
	 * (j->fresh filled, or j->unchanged), or an error (recorded in j). */
	int (*step)(struct kb_crawl_job *j);
	/* The list was written: keep validators (under new_tag). */
	int (*commit)(struct kb_crawl_job *j, const char *new_tag);
	void (*free)(struct kb_crawl_job *j);
};

#define KB_CRAWL_FAMILY_DECL(e, id, name, vercmp) \
	extern const struct kb_crawl_family kb_crawl_family_##id;
KB_FAMILIES(KB_CRAWL_FAMILY_DECL)
#undef KB_CRAWL_FAMILY_DECL

/* apt (crawl_apt_fetch.c): queue the signed Release of every suite. */
int kb_crawl_apt_start(struct kb_crawl_job *j);
/* After an engine run: 1 when more downloads were queued, 0 when done
 * (j->fresh filled, or j->unchanged), or an error (recorded in j). */
int kb_crawl_apt_step(struct kb_crawl_job *j);
/* The list was written: keep validators (under new_tag) and Release dates. */
int kb_crawl_apt_commit(struct kb_crawl_job *j, const char *new_tag);
void kb_crawl_apt_free(struct kb_crawl_job *j);
/* The recogniser of u's apt distro (by its rules in crawler/distro.c), or
 * NULL when kbundle has none for it. */
kb_deb_recogniser kb_crawl_apt_recogniser(const struct kb_upstream *u);
/* Parse one verified Packages file (crawl_apt.c) into fresh; url names it. */
int kb_crawl_apt_parse_index(const struct kb_upstream *u, const char *path, const char *url,
			     const struct kb_limits *lim, struct kb_pkglist *fresh);
/* Keep each (name, arch, version) once, the first (earliest suite) seen. */
void kb_crawl_apt_dedupe(struct kb_pkglist *l);

/* rpm-md (crawl_rpmmd_fetch.c): the same phases — mirror.list resolution,
 * every repo's repomd.xml conditionally (+ .asc), then the primary indexes. */
int kb_crawl_rpmmd_start(struct kb_crawl_job *j);
int kb_crawl_rpmmd_step(struct kb_crawl_job *j);
int kb_crawl_rpmmd_commit(struct kb_crawl_job *j, const char *new_tag);
void kb_crawl_rpmmd_free(struct kb_crawl_job *j);

/* rpm-md helpers (crawl_rpmmd.c). mirror.list files are small. */
#define KB_MIRRORLIST_MAX (64u << 10)
/* The repository path: "$arch" replaced, no trailing '/'. */
char *kb_crawl_rpmmd_repo_path(const char *repo, const char *arch);
/* An Amazon Linux style repository: a mirror.list naming the real one. */
bool kb_crawl_rpmmd_is_mirrorlist(const char *repo);
/* The repository (below mirror) named by the mirror.list at path; on
 * failure *why (malloc'd) says what was wrong. */
int kb_crawl_rpmmd_mirrorlist(const char *path, const char *mirror, char **repo_out, char **why);
/* Parse a verified primary index (repo's, for arch) into fresh; url names
 * it in messages, which are logged here. */
int kb_crawl_rpmmd_parse_primary(const struct kb_upstream *u, const char *arch, const char *repo,
				 const char *path, uint64_t open_size, const char *url,
				 const struct kb_limits *lim, struct kb_pkglist *fresh);

#endif
