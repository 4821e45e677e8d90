/* index.h — the published bundle index (WORKDIR/bundles/index.json, and its
 * copy on a static server after `kbundle publish`): which bundles exist, for
 * which kernel, with their sha256 and size. Read from outside (a server), so
 * every field is checked: ids are safe file names, sha256s are 64 lowercase
 * hex digits, sizes are numbers, strings carry no control characters. */
#ifndef KB_INDEX_H
#define KB_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/hash.h"

/* Caps per artefact a server hands out: index.json, a bundle (the largest
 * real ones are ~60 MB), a .sha256 sidecar (one line). */
#define KB_INDEX_MAX_BYTES (256u << 20)	/* 200,000 format 3 entries take ~130 MB */
#define KB_INDEX_MAX_ENTRIES 200000
#define KB_BUNDLE_MAX_BYTES ((uint64_t)1 << 30)
#define KB_SIDECAR_MAX_BYTES 4096
/* a kernel's BTF is 4-8 MB; btf_missing's reason */
#define KB_BTF_MAX_BYTES ((uint64_t)64 << 20)
#define KB_INDEX_WHY_MAX 256

/* index.json's "index_format": 2 added each entry's packer_format and
 * packed_at (an index without it is format 1); 3 added what a signed store
 * index carries (version, generated, expires, key_id at the top; path and
 * vmtest per bundle; btf_sha256, btf_size, btf_path and btf_missing, optional
 * fields a reader of format 3 that lacks them skips). 1 and 2 are still read: work directories and stores
 * published before signing hold them, and publish merges the old store
 * index into the new one. fetch accepts them only with
 * --insecure-no-signature. */
#define KB_INDEX_FORMAT 3
/* packed_at: "YYYY-MM-DDTHH:MM:SSZ" (UTC, so it orders as text) */
#define KB_INDEX_TIME_LEN 20
#define KB_INDEX_VMTEST_LEN 8
#define KB_INDEX_KEYID_LEN 16

struct kb_index_entry {
	char *id;		/* the bundle is <id>.tgz beside the index */
	/* NULL, or the manifest entry's id when the bundle was packed with an
	 * alternate package (manifest.h) and so has another content id */
	char *manifest_id;
	char *distro;
	char *uname;		/* uname -r of the kernel */
	char *arch;
	/* NULL, or the store's stable alias of this bundle (bundle_path.h):
	 * the newest packing of each kernel has one in a published index */
	char *alias;
	char sha256[KB_SHA256_HEX_LEN + 1];
	uint64_t size;
	/* which packing this is, to prefer the newest of several bundles for
	 * one kernel: the packer format (format 1 indexes: the index's own),
	 * and when it was packed ("" when unknown, as in format 1) */
	int64_t packer_format;
	char packed_at[KB_INDEX_TIME_LEN + 1];
	/* what `kbundle vmtest` found: "passed", "failed" or "untested" */
	char vmtest[KB_INDEX_VMTEST_LEN + 1];
	/* The kernel's BTF beside the bundle (bundle_path.h: always <id>.btf):
	 * its sha256 and size ("" and 0: none), or why it has none (NULL: not
	 * looked for; printable text, at most KB_INDEX_WHY_MAX bytes). */
	char btf_sha256[KB_SHA256_HEX_LEN + 1];
	uint64_t btf_size;
	char *btf_missing;
	int line;		/* where it was read (0: not read from a file) */
};

struct kb_index {
	int64_t format;		/* index_format as read (1 when absent) */
	int64_t packer_format;
	/* A store's signed index (format 3): its serial, which only grows from
	 * one publish to the next (0: an index that carries none, like a work
	 * directory's), when it was made and until when readers may believe
	 * it (KB_INDEX_TIME_LEN spellings), and the id of the key that signed
	 * it (lib/sign.h). */
	uint64_t version;
	char generated[KB_INDEX_TIME_LEN + 1];
	char expires[KB_INDEX_TIME_LEN + 1];
	char key_id[KB_INDEX_KEYID_LEN + 1];
	struct kb_index_entry *v;
	size_t n;
};

/* Parse index.json text (JSON is YAML flow syntax: libyaml reads it under
 * limits). name (file or URL) prefixes every message, logged once here.
 * Returns 0, -KB_EPARSE or -KB_ELIMIT; idx is empty on failure. */
int kb_index_parse(const char *buf, size_t len, const char *name, struct kb_index *idx);
/* Read and parse a file; -KB_ENOTFOUND (not logged) when it does not exist. */
int kb_index_load(const char *path, struct kb_index *idx);
void kb_index_free(struct kb_index *idx);

/* Check a .sha256 sidecar's text ("<sha256>  <id>.tgz\n", sha256sum's
 * format) against e; name is the sidecar's file or URL for the message
 * (NULL: no message).
 * 0, -KB_EPARSE (malformed) or -KB_ECHECKSUM (another sha256). */
int kb_index_sidecar_check(const char *text, size_t len, const char *name,
			   const struct kb_index_entry *e);

/* e's members (id, distro, uname, arch, sha256, size) into the open JSON
 * object j: index.json's entries, and what `fetch --json` reports. */
struct kb_json;
void kb_index_entry_json(struct kb_json *j, const struct kb_index_entry *e);
/* idx as index.json's text (malloc'd, NULL with *err on failure): its
 * canonical bytes — the same index always gives the same bytes, which is
 * what a store's signature covers. The signed fields are written when
 * idx->version is not 0. */
char *kb_index_text(const struct kb_index *idx, size_t *len, int *err);
/* idx as a page a person browses (index_html.c): the store's index.html,
 * written by publish beside index.json (malloc'd, NULL with *err). */
char *kb_index_html(const struct kb_index *idx, size_t *len, int *err);
/* Write idx as index.json to path, atomically. */
int kb_index_write(const char *path, const struct kb_index *idx);

/* One id, one file: two entries for it could disagree on its sha256. 0, or
 * -KB_EPARSE naming (name:line) the second entry of a repeated id. Sorts
 * (n log n): comparing every pair took minutes for 200,000 ids. */
int kb_index_check_unique(const struct kb_index *idx, const char *name);

/* Order of packings: <0 when a is older than b (lower packer format, then
 * earlier or unknown packed_at, then the id, so the order is total). */
int kb_index_entry_newer_cmp(const struct kb_index_entry *a, const struct kb_index_entry *b);

/* The KB_INDEX_TIME_LEN spelling of t, and back (0, or -KB_EPARSE). */
void kb_index_time_fmt(int64_t t, char out[KB_INDEX_TIME_LEN + 1]);
int kb_index_time_parse(const char *s, int64_t *t);

/* True when s may be used as a file name from outside: 1-128 bytes of
 * [A-Za-z0-9._+~-], not starting with '.', no "..". */
int kb_index_name_safe(const char *s);

#endif
