/* fetch.c — one kernel's bundle from a published index: read index.json
 * (http(s) or a directory), pick the entry for the uname, download the
 * bundle and its .sha256 into a private temp directory inside outdir, and
 * move them into place only when the size, the index's sha256 and the
 * sidecar's agree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundles/bundle_path.h"
#include "bundles/extract.h"
#include "bundles/fetch.h"
#include "bundles/oci.h"
#include "bundles/trust.h"
#include "lib/arch.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/suggest.h"

struct kb_fetch_src {
	char *base;	/* URL or directory, without trailing '/' */
	int http;
	struct kb_http_opts http_opts;	/* the deadline and speed limit */
	char *tmp;	/* private temp directory inside outdir */
	/* oci://HOST/REPO (bundles/oci.h): the registry, and the index
	 * artefact's layers (index.json, index.json.sig…) by name */
	struct kb_oci *oci;
	struct kb_oci_layer layers[KB_OCI_MAX_LAYERS];
	size_t nlayers;
};

/* name from a registry: a layer of the index artefact, or the bundle blob
 * whose digest is sha256 (NULL: not a bundle). */
static int kb_fetch_get_oci(const struct kb_fetch_src *s, const char *name, const char *sha256,
			    uint64_t max, const char *dst, int missing_ok)
{
	for (size_t i = 0; !sha256 && i < s->nlayers; i++)
		if (!strcmp(s->layers[i].name, name))
			sha256 = s->layers[i].sha256;
	if (!sha256) {
		if (!missing_ok)
			kb_error("%s:%s: no %s in the index artefact", s->base, KB_OCI_INDEX_TAG, name);
		return -KB_ENOTFOUND;
	}
	return kb_oci_blob_get(s->oci, sha256, dst, max);
}

/* name's file in tmp: its last component (signatures/<sha256>.sig). */
static const char *kb_fetch_local(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

/* base/name into tmp/name (at most max bytes); *where names it for messages.
 * missing_ok: -KB_ENOTFOUND is not logged (the caller says what it means). */
static int kb_fetch_get(const struct kb_fetch_src *s, const char *name, uint64_t max, char **where,
			int missing_ok)
{
	char *dst = kb_path_join(s->tmp, kb_fetch_local(name));
	long status = 0;
	int err;

	*where = kb_path_join(s->base, name);
	if (s->oci) {
		err = kb_fetch_get_oci(s, name, NULL, max, dst, missing_ok);
	} else if (s->http) {
		struct kb_http_opts ho = s->http_opts;
		char *why = NULL;

		ho.max_bytes = max;
		ho.retries = 2;
		err = kb_http_get_file(*where, dst, &ho, &status, &why);
		if (err == -KB_ENOTFOUND && missing_ok)
			;
		else if (err == -KB_ENOTFOUND)
			kb_error("%s: not found (HTTP %ld)", *where, status);
		else if (err == -KB_ELIMIT)
			kb_error("%s: larger than %llu bytes", *where, (unsigned long long)max);
		else if (err == -KB_EHTTP && why)	/* names the URL, the status or the cause */
			kb_error("%s", kb_log_esc(why));
		else if (err)
			kb_error("%s -> %s: %s", *where, dst, kb_strerror(err));
		free(why);
	} else {
		err = kb_file_copy(*where, dst, NULL, max, NULL);
		if (err == -ENOENT && missing_ok)
			;
		else if (err == -ENOENT)
			kb_error("%s: not found", *where);
		else if (err == -KB_ELIMIT)
			kb_error("%s: larger than %llu bytes", *where, (unsigned long long)max);
		else if (err)
			kb_error("%s: %s", *where, kb_strerror(err));
		if (err == -ENOENT)
			err = -KB_ENOTFOUND;
	}
	free(dst);
	return err;
}

/* base/name's bytes (at most max) into *buf; *where names it. */
static int kb_fetch_read(const struct kb_fetch_src *s, const char *name, size_t max, char **buf,
			 size_t *len, char **where, int missing_ok)
{
	char *path = kb_path_join(s->tmp, kb_fetch_local(name));
	int err;

	free(*where);
	*where = NULL;
	err = kb_fetch_get(s, name, max, where, missing_ok);
	if (!err && (err = kb_file_read(path, max, buf, len)) != 0)
		kb_error("%s: %s", *where, kb_strerror(err));
	free(path);
	return err;
}

/* index.json and index.json.sig; parsed into idx. NULL *sig: none there. */
static int kb_fetch_index_once(const struct kb_fetch_src *s, const struct kb_trust *t,
			       struct kb_index *idx, char **where, char **text, size_t *len,
			       char **sig, size_t *siglen)
{
	char *sig_where = NULL;
	int err;

	err = kb_fetch_read(s, "index.json", KB_INDEX_MAX_BYTES, text, len, where, 0);
	if (!err && !t->insecure) {
		err = kb_fetch_read(s, "index.json.sig", KB_SIDECAR_MAX_BYTES, sig, siglen,
				    &sig_where, 1);
		if (err == -KB_ENOTFOUND)
			err = 0;
	}
	if (!err)
		err = kb_index_parse(*text, *len, *where, idx);
	free(sig_where);
	return err;
}

/* The store's index, believed only as trust.h says. An index.json.sig that
 * does not fit may be of the index a publisher is replacing right now:
 * then the signature the publisher put, before the index, under the sha256
 * of these very bytes is tried (publish.c). */
static int kb_fetch_index(const struct kb_fetch_src *s, struct kb_trust *t, struct kb_index *idx,
			  char **where)
{
	char *text = NULL, *sig = NULL, *sig2 = NULL, *name = NULL, *where2 = NULL;
	char hex[KB_SHA256_HEX_LEN + 1];
	size_t len = 0, siglen = 0, sig2len = 0;
	int err;

	err = kb_fetch_index_once(s, t, idx, where, &text, &len, &sig, &siglen);
	if (!err && sig && !t->insecure &&
	    !kb_trust_sig_ok(t, text, len, (unsigned char *)sig, siglen, idx)) {
		kb_sha256_buf(text, len, hex);
		name = kb_xasprintf("signatures/%s.sig", hex);
		if (kb_fetch_read(s, name, KB_SIDECAR_MAX_BYTES, &sig2, &sig2len, &where2, 1) == 0 &&
		    kb_trust_sig_ok(t, text, len, (unsigned char *)sig2, sig2len, idx)) {
			kb_debug("%s: index.json.sig is another index's (a publish is under way): "
				 "%s fits", *where, where2);
			free(sig);
			sig = sig2;
			siglen = sig2len;
			sig2 = NULL;
		}
	}
	if (!err)
		err = kb_trust_check(t, s->base, text, len, (unsigned char *)sig, siglen, idx,
				     (int64_t)time(NULL));
	if (err)
		kb_index_free(idx);
	free(text);
	free(sig);
	free(sig2);
	free(name);
	free(where2);
	return err;
}

/* e is one of the bundles o asks for: its id starts with --id, it is for
 * --uname, on --arch (the host's unless --id names the bundle), of --distro. */
static int kb_fetch_fits(const struct kb_fetch_opts *o, const struct kb_index_entry *e,
			 const char *arch)
{
	return (!o->id || !strncmp(e->id, o->id, strlen(o->id))) &&
	       (!o->uname || !strcmp(e->uname, o->uname)) && (!arch || kb_arch_same(e->arch, arch)) &&
	       (!o->distro || !strcmp(e->distro, o->distro));
}

static const char *kb_fetch_when(const struct kb_index_entry *e)
{
	return e->packed_at[0] ? e->packed_at : "at an unknown time";
}

/* The index's names of one field (distro or arch), for "did you mean". */
static bool kb_fetch_known(const struct kb_index *idx, const char *where, const char *opt,
			   const char *want, bool arch)
{
	struct kb_strv names = { 0 };
	char *hint;

	if (!want)
		return true;
	for (size_t i = 0; i < idx->n; i++) {
		const char *v = arch ? idx->v[i].arch : idx->v[i].distro;

		if (arch ? kb_arch_same(v, want) : !strcmp(v, want)) {
			kb_strv_free(&names);
			return true;
		}
		kb_strv_push(&names, v);
	}
	/* a real architecture the store lacks is "no bundle", not a typo */
	if (arch && kb_arch_find(want)) {
		kb_strv_free(&names);
		return true;
	}
	hint = kb_suggest_text(want, &names);
	kb_error("%s: %s '%s': no bundle in the index has it; %s", where, opt, want, hint);
	free(hint);
	kb_strv_free(&names);
	return false;
}

static size_t kb_fetch_common(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/* "; nearest in the index: R1, R2, …": up to 5 releases on arch (and
 * distro) sharing the longest start with want. malloc'd, "" for none. */
static char *kb_fetch_nearest(const struct kb_fetch_opts *o, const struct kb_index *idx,
			      const char *arch)
{
	struct kb_strv near = { 0 };
	char *text = kb_xstrdup("");

	for (size_t i = 0; i < idx->n; i++) {
		const struct kb_index_entry *e = &idx->v[i];

		if ((!arch || kb_arch_same(e->arch, arch)) && (!o->distro || !strcmp(e->distro, o->distro)))
			kb_strv_push(&near, e->uname);
	}
	kb_strv_sort_unique(&near);
	for (size_t k = 0; k < 5 && near.n; k++) {
		size_t best = 0, best_len = 0;
		char *next;

		for (size_t i = 0; i < near.n; i++) {
			size_t l = kb_fetch_common(near.v[i], o->uname);

			if (near.v[i][0] && (l > best_len || !near.v[best][0])) {
				best = i;
				best_len = l;
			}
		}
		if (!near.v[best][0])
			break;
		next = kb_xasprintf("%s%s%s", text, k ? ", " : "; nearest in the index: ",
				    near.v[best]);
		free(text);
		text = next;
		near.v[best][0] = '\0';	/* taken */
	}
	kb_strv_free(&near);
	return text;
}

static int kb_fetch_pick(const struct kb_fetch_opts *o, const struct kb_index *idx,
			 const char *where, const struct kb_index_entry **pick)
{
	const char *arch = o->arch ? o->arch : o->id ? NULL : kb_arch_host();
	const struct kb_index_entry *first = NULL, *best = NULL;
	size_t n = 0, any = 0;
	int same = 1;

	*pick = NULL;
	if (!kb_fetch_known(idx, where, "--distro", o->distro, false) ||
	    !kb_fetch_known(idx, where, "--arch", o->arch, true))
		return -KB_EUSAGE;
	for (size_t i = 0; i < idx->n; i++) {
		const struct kb_index_entry *e = &idx->v[i];

		if (o->uname && !strcmp(e->uname, o->uname))
			any++;
		if (!kb_fetch_fits(o, e, arch))
			continue;
		n++;
		if (!first)
			first = e;
		/* one kernel packed more than once (a new kbuild, a newer
		 * packer): the same uname, distro and architecture */
		same = same && !strcmp(e->uname, first->uname) &&
		       !strcmp(e->distro, first->distro) && kb_arch_same(e->arch, first->arch);
		if (!best || kb_index_entry_newer_cmp(e, best) > 0)
			best = e;
	}
	if (n == 0) {
		char *near = o->uname && !any ? kb_fetch_nearest(o, idx, arch) : kb_xstrdup("");

		kb_error("%s: no bundle for uname '%s' (arch %s%s%s%s%s)%s%s", where,
			 o->uname ? o->uname : "any", arch ? arch : "any",
			 o->distro ? ", distro " : "", o->distro ? o->distro : "",
			 o->id ? ", id " : "", o->id ? o->id : "",
			 any ? "; other architectures, distros or ids have one" : "", near);
		free(near);
		return -KB_ENOTFOUND;
	}
	if (n == 1 || (same && !o->id)) {
		*pick = best;
		if (n > 1)
			kb_info("%s: %zu bundles for %s (%s %s); chose %s, the newest packing (packer "
				"format %lld, packed %s); choose another with --id", where, n,
				best->uname, best->distro, best->arch, best->id,
				(long long)best->packer_format, kb_fetch_when(best));
		return 0;
	}
	kb_error("%s: %zu bundles fit%s%s (arch %s): choose with --id, --distro or --arch:", where,
		 n, o->uname ? " uname " : "", o->uname ? o->uname : "", arch ? arch : "any");
	for (size_t i = 0; i < idx->n; i++) {
		const struct kb_index_entry *e = &idx->v[i];

		if (kb_fetch_fits(o, e, arch))
			kb_error("  %s  distro %s  arch %s  %llu bytes  uname %s  packer format %lld, "
				 "packed %s", e->id, e->distro, e->arch, (unsigned long long)e->size,
				 e->uname, (long long)e->packer_format, kb_fetch_when(e));
	}
	return -KB_EUSAGE;
}

/* path holds exactly e's bytes. */
static int kb_fetch_verified(const char *path, const struct kb_index_entry *e, char got[65],
			     uint64_t *size)
{
	*size = 0;
	got[0] = '\0';
	if (kb_sha256_file(path, got, size) != 0)
		return 0;
	return *size == e->size && !strcmp(got, e->sha256);
}

/* Download (or copy) the bundle and its sidecar into tmp, check both. */
static int kb_fetch_bundle(const struct kb_fetch_src *s, const struct kb_index_entry *e)
{
	char *name = kb_bundle_path(NULL, e->id), *side = kb_bundle_sidecar_path(NULL, e->id);
	char *url = NULL, *surl = NULL, *spath = kb_path_join(s->tmp, side);
	char *tpath = kb_path_join(s->tmp, name), *text = NULL;
	char got[KB_SHA256_HEX_LEN + 1];
	uint64_t size;
	size_t len;
	int err;

	kb_info("downloading %s (%llu bytes)", name, (unsigned long long)e->size);
	if (s->oci) {
		/* the blob named by the signed sha256; the sidecar is written
		 * here from it, for people without kbundle */
		url = kb_path_join(s->base, name);
		free(text);
		text = kb_bundle_sidecar_line(e->sha256, e->id);
		err = kb_fetch_get_oci(s, name, e->sha256, e->size, tpath, 0);
		if (!err && (err = kb_file_write_atomic(spath, text, strlen(text))) != 0)
			kb_error("%s: %s", spath, kb_strerror(err));
		goto out;
	}
	err = kb_fetch_get(s, name, e->size, &url, 0);
	if (err)
		goto out;
	err = kb_fetch_get(s, side, KB_SIDECAR_MAX_BYTES, &surl, 0);
	if (err)
		goto out;
	err = kb_file_read(spath, KB_SIDECAR_MAX_BYTES, &text, &len);
	if (err) {
		kb_error("%s: %s", surl, kb_strerror(err));
		goto out;
	}
	err = kb_index_sidecar_check(text, len, surl, e);
	if (err)
		goto out;
	if (!kb_fetch_verified(tpath, e, got, &size)) {
		kb_error("%s: does not match the index (want sha256 %s, %llu bytes; got %s, %llu bytes): refused",
			 url, e->sha256, (unsigned long long)e->size, got, (unsigned long long)size);
		err = -KB_ECHECKSUM;
	}
out:
	free(name);
	free(side);
	free(url);
	free(surl);
	free(spath);
	free(tpath);
	free(text);
	return err;
}

/* The kernel's BTF of entry e into outdir/<id>.btf, verified against the
 * index's sha256 and size (the index is what was signed), with a sidecar
 * written from them. */
static int kb_fetch_btf(const struct kb_fetch_src *s, const struct kb_index_entry *e,
			const char *outdir, char **path)
{
	char *name = kb_btf_path(NULL, e->id), *tpath = kb_path_join(s->tmp, name);
	char *dst = kb_btf_path(outdir, e->id), *side = kb_btf_sidecar_path(outdir, e->id);
	char *line = NULL, *url = NULL, got[KB_SHA256_HEX_LEN + 1] = "";
	uint64_t size = 0;
	int err = 0;

	if (!e->btf_sha256[0]) {
		kb_error("%s (%s): the index lists no BTF for this kernel (%s)", e->uname, e->id,
			 e->btf_missing ? e->btf_missing : "not made: pack --btf makes it");
		err = -KB_ENOTFOUND;
		goto out;
	}
	if (kb_sha256_file(dst, got, &size) == 0 && size == e->btf_size &&
	    !strcmp(got, e->btf_sha256)) {
		kb_info("%s: already here, sha256 verified", dst);
		goto done;
	}
	kb_info("downloading %s (%llu bytes)", name, (unsigned long long)e->btf_size);
	err = kb_fetch_get(s, name, e->btf_size, &url, 0);
	if (err)
		goto out;
	if (kb_sha256_file(tpath, got, &size) != 0 || size != e->btf_size ||
	    strcmp(got, e->btf_sha256)) {
		kb_error("%s: does not match the index (want sha256 %s, %llu bytes; got %s, %llu "
			 "bytes): refused", url, e->btf_sha256, (unsigned long long)e->btf_size, got,
			 (unsigned long long)size);
		err = -KB_ECHECKSUM;
		goto out;
	}
	if (rename(tpath, dst) != 0) {
		err = -errno;
		kb_error("%s: %s", dst, kb_strerror(err));
		goto out;
	}
done:
	line = kb_btf_sidecar_line(e->btf_sha256, e->id);
	err = kb_file_write_atomic(side, line, strlen(line));
	if (err)
		kb_error("%s: %s", side, kb_strerror(err));
out:
	if (!err)
		*path = dst;
	else
		free(dst);
	free(name);
	free(tpath);
	free(side);
	free(line);
	free(url);
	return err;
}

static void kb_fetch_entry_copy(struct kb_index_entry *dst, const struct kb_index_entry *src)
{
	*dst = *src;
	dst->id = kb_xstrdup(src->id);
	dst->distro = kb_xstrdup(src->distro);
	dst->uname = kb_xstrdup(src->uname);
	dst->arch = kb_xstrdup(src->arch);
	dst->manifest_id = src->manifest_id ? kb_xstrdup(src->manifest_id) : NULL;
	dst->alias = src->alias ? kb_xstrdup(src->alias) : NULL;
	dst->btf_missing = src->btf_missing ? kb_xstrdup(src->btf_missing) : NULL;
}

/* --extract DIR, as make will see it (absolute), must be usable by Kbuild:
 * say so before downloading anything. */
static int kb_fetch_extract_usable(const char *dir)
{
	char *abs = NULL, cwd[4096];
	const char *why;
	int err = 0;

	if (!dir)
		return 0;
	if (dir[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		abs = kb_xstrdup(dir);
	else
		abs = kb_path_join(cwd, dir);
	why = kb_bundle_path_kbuild_why(abs);
	if (why) {
		kb_error("--extract %s: Kbuild cannot build in a path with %s (make -C would "
			 "refuse it): choose another directory", kb_log_esc(abs), why);
		err = -KB_EUSAGE;
	}
	free(abs);
	return err;
}

int kb_fetch_run(const struct kb_fetch_opts *o, struct kb_fetch_result *r)
{
	struct kb_fetch_src s = { 0 };
	struct kb_oci oci = { 0 };
	struct kb_index idx = { 0 };
	const struct kb_index_entry *e;
	char *where = NULL, *url = NULL, *tmp_tgz = NULL, *tmp_side = NULL, *side = NULL;
	char *extract = NULL;
	char got[KB_SHA256_HEX_LEN + 1];
	uint64_t size;
	size_t bl;
	int err, tmp_slot = -1;

	memset(r, 0, sizeof(*r));
	kb_http_opts_limits(&s.http_opts, o->limits);
	s.http = !strncmp(o->from, "http://", 7) || !strncmp(o->from, "https://", 8);
	s.base = kb_xstrdup(!strncmp(o->from, "file://", 7) ? o->from + 7 : o->from);
	bl = strlen(s.base);
	while (bl > 1 && s.base[bl - 1] == '/')
		s.base[--bl] = '\0';
	/* the index's own URL names the same place */
	if (bl > 11 && !strcmp(s.base + bl - 11, "/index.json"))
		s.base[bl - 11] = '\0';
	err = kb_fetch_extract_usable(o->extract);
	if (err)
		goto out;
	err = kb_mkdir_p(o->outdir, 0755);
	if (err) {
		kb_error("%s: %s", o->outdir, kb_strerror(err));
		goto out;
	}
	/* Named for this process: a later fetch sweeps it if this one dies. */
	kb_cleanup_install();
	kb_cleanup_sweep(o->outdir, ".kbundle-fetch.");
	s.tmp = kb_cleanup_mkdtemp(o->outdir, ".kbundle-fetch.");
	if (!s.tmp) {
		err = -errno;
		kb_error("%s/.kbundle-fetch.%d.XXXXXX: %s", o->outdir, (int)getpid(),
			 kb_strerror(err));
		goto out;
	}
	tmp_slot = kb_cleanup_tree_add(s.tmp);
	if (!strncmp(o->from, "oci://", 6)) {
		s.oci = &oci;
		err = kb_oci_open(&oci, o->from, o->limits);
		if (!err)
			err = kb_oci_artifact_get(&oci, KB_OCI_INDEX_TAG, s.layers, &s.nlayers);
		if (err == -KB_ENOTFOUND)
			kb_error("%s: no artefact tagged '%s' (not a kbundle store?)", o->from,
				 KB_OCI_INDEX_TAG);
		if (err)
			goto out;
	}
	err = kb_fetch_index(&s, o->trust, &idx, &where);
	if (err)
		goto out;
	err = kb_fetch_pick(o, &idx, where, &e);
	if (err)
		goto out;
	kb_fetch_entry_copy(&r->e, e);
	if (o->extract)
		extract = kb_xstrdup(o->extract);
	else if (o->extract_cache && !(extract = kb_extract_default_dir(e->id))) {
		err = -KB_EUSAGE;
		goto out;
	}
	r->path = kb_bundle_path(o->outdir, e->id);
	side = kb_bundle_sidecar_path(o->outdir, e->id);
	if (kb_fetch_verified(r->path, e, got, &size) && access(side, F_OK) == 0) {
		kb_info("%s: already here, sha256 verified", r->path);
		if (extract)
			err = kb_bundle_extract(r->path, r->path, e->id, e->sha256, extract,
						o->limits, &r->build_dir);
	} else {
		err = kb_fetch_bundle(&s, e);
		if (err)
			goto out;
		tmp_tgz = kb_bundle_path(s.tmp, e->id);
		tmp_side = kb_bundle_sidecar_path(s.tmp, e->id);
		/* extracted before it is kept: a bundle the archive checks
		 * refuse is not left in outdir either */
		if (extract) {
			url = kb_bundle_path(s.base, e->id);
			err = kb_bundle_extract(tmp_tgz, url, e->id, e->sha256, extract, o->limits,
						&r->build_dir);
			if (err)
				goto out;
		}
		/* the bundle first: a sidecar never names a missing file */
		if (rename(tmp_tgz, r->path) != 0 || rename(tmp_side, side) != 0) {
			err = -errno;
			kb_error("%s: %s", r->path, kb_strerror(err));
			goto out;
		}
		r->downloaded = true;
	}
	if (!err && o->btf)
		err = kb_fetch_btf(&s, e, o->outdir, &r->btf_path);
out:
	if (s.tmp)
		kb_rm_rf(s.tmp);
	kb_cleanup_tree_del(tmp_slot);
	kb_index_free(&idx);
	kb_oci_close(&oci);
	free(s.base);
	free(s.tmp);
	free(where);
	free(url);
	free(tmp_tgz);
	free(tmp_side);
	free(side);
	free(extract);
	return err;
}

char *kb_fetch_result_json(const struct kb_fetch_result *r, size_t *len, int *err)
{
	struct kb_json j;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", "kbundle-fetch-1");
	kb_index_entry_json(&j, &r->e);	/* its "path" is the store's */
	kb_json_str(&j, "file", r->path);
	kb_json_bool(&j, "downloaded", r->downloaded);
	if (r->btf_path)
		kb_json_str(&j, "btf", r->btf_path);
	if (r->build_dir)
		kb_json_str(&j, "build_dir", r->build_dir);
	kb_json_obj_end(&j);
	return kb_json_finish(&j, len, err);
}

void kb_fetch_result_free(struct kb_fetch_result *r)
{
	free(r->e.id);
	free(r->e.distro);
	free(r->e.uname);
	free(r->e.arch);
	free(r->e.manifest_id);
	free(r->e.alias);
	free(r->e.btf_missing);
	free(r->btf_path);
	free(r->path);
	free(r->build_dir);
	memset(r, 0, sizeof(*r));
}
