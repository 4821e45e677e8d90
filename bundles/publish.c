/* publish.c — work directory bundles → a store (a static-hosting
 * directory, or a WebDAV URL: publish_store.h). The order of writes is the
 * point: bundle, sidecar, aliases, SHA256SUMS, and only then index.json,
 * each atomic on its own, so a client reading the store at any moment finds
 * every bundle its index names; then index.html, the same for a person. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundles/bundle_path.h"
#include "bundles/index.h"
#include "bundles/publish.h"
#include "bundles/publish_store.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/sign.h"

int kb_pub_store_in_index(const struct kb_pub_store *s, const struct kb_index_entry *e)
{
	/* entries moved into the new index are zeroed (kb_publish_take) */
	for (size_t i = 0; i < s->old.n; i++)
		if (s->old.v[i].id && !strcmp(s->old.v[i].id, e->id) &&
		    !strcmp(s->old.v[i].sha256, e->sha256))
			return 1;
	return 0;
}

int kb_pub_store_local(const struct kb_pub_store *s, const struct kb_index_entry *e, char **src)
{
	char got[KB_SHA256_HEX_LEN + 1] = "";
	uint64_t size = 0;
	int err;

	*src = kb_bundle_path(s->from, e->id);
	err = kb_sha256_file(*src, got, &size);
	if (err)
		kb_error("%s: %s", *src, kb_strerror(err));
	else if (size != e->size || strcmp(got, e->sha256)) {
		kb_error("%s: does not match the index (want sha256 %s, %llu bytes; got %s): not published",
			 *src, e->sha256, (unsigned long long)e->size, got);
		err = -KB_ECHECKSUM;
	}
	return err;
}

static int kb_publish_cmp(const void *a, const void *b)
{
	const struct kb_index_entry *x = a, *y = b;
	int c;

	if ((c = strcmp(x->distro, y->distro)) || (c = strcmp(x->uname, y->uname)) ||
	    (c = strcmp(x->arch, y->arch)))
		return c;
	return strcmp(x->id, y->id);
}

/* e's BTF (WORKDIR/bundles/<id>.btf, checked against e) and its sidecar,
 * unless the store's index has it already; a store that cannot serve it
 * gets an entry without it. */
static int kb_publish_btf(struct kb_pub_store *s, struct kb_index_entry *e,
			  struct kb_publish_stats *st)
{
	char *src = kb_btf_path(s->from, e->id), *name = kb_btf_path(NULL, e->id);
	char *side = kb_btf_sidecar_path(NULL, e->id), *line = NULL, *buf = NULL;
	char got[KB_SHA256_HEX_LEN + 1];
	size_t len = 0;
	int err = 0;

	if (!e->btf_sha256[0])
		goto out;
	if (!s->ops->serves_files) {
		kb_warn("%s: BTF is not published to a registry store (yet): %s's index entry "
			"goes without it", s->to, e->uname);
		e->btf_sha256[0] = '\0';
		e->btf_size = 0;
		goto out;
	}
	for (size_t i = 0; i < s->old.n; i++)
		if (s->old.v[i].id && !strcmp(s->old.v[i].id, e->id) &&
		    !strcmp(s->old.v[i].btf_sha256, e->btf_sha256))
			goto out;	/* the store believes its index, as for bundles */
	err = kb_file_read(src, KB_BTF_MAX_BYTES, &buf, &len);
	if (err) {
		kb_error("%s: %s", src, kb_strerror(err));
		goto out;
	}
	kb_sha256_buf(buf, len, got);
	if (len != e->btf_size || strcmp(got, e->btf_sha256)) {
		kb_error("%s: does not match the index (want sha256 %s, %llu bytes; got %s): not "
			 "published", src, e->btf_sha256, (unsigned long long)e->btf_size, got);
		err = -KB_ECHECKSUM;
		goto out;
	}
	line = kb_btf_sidecar_line(e->btf_sha256, e->id);
	err = s->ops->put_buf(s, name, buf, len);
	if (!err)
		err = s->ops->put_buf(s, side, line, strlen(line));
	if (!err)
		st->btf++;
out:
	free(src);
	free(name);
	free(side);
	free(line);
	free(buf);
	return err;
}

static void kb_publish_take(struct kb_index *dst, struct kb_index_entry *e)
{
	dst->v = kb_xrealloc(dst->v, (dst->n + 1) * sizeof(*dst->v));
	dst->v[dst->n++] = *e;
	memset(e, 0, sizeof(*e));
}

/* index.json, then (with key) index.json.sig: a reader that reads the two
 * across this moment sees a signature of the other index. So the signature
 * also goes, before the index, to signatures/<sha256 of the index>.sig,
 * which never changes: a reader whose index.json.sig does not fit fetches
 * that one (fetch.c). Unsigned, a stale signature is removed first. */
static int kb_publish_index(struct kb_pub_store *s, const struct kb_publish_opts *o,
			    const struct kb_key *key, struct kb_index *out)
{
	unsigned char sig[KB_SIGN_SIG_LEN];
	int64_t now = (int64_t)time(NULL);
	char *text = NULL;
	size_t len;
	int err = 0;

	if (key) {
		out->version = s->old.version + 1;
		kb_index_time_fmt(now, out->generated);
		kb_index_time_fmt(now + (int64_t)o->expires_days * 86400, out->expires);
		snprintf(out->key_id, sizeof(out->key_id), "%s", kb_key_id(key));
	} else if ((err = s->ops->remove(s, "index.json.sig")) != 0) {
		return err;
	}
	text = kb_index_text(out, &len, &err);
	if (err)
		kb_error("%s/index.json: %s", o->to, kb_strerror(err));
	if (!err && key)
		err = kb_key_sign(key, text, len, sig);
	if (!err && key) {
		char hex[KB_SHA256_HEX_LEN + 1], *name;

		kb_sha256_buf(text, len, hex);
		name = kb_xasprintf("signatures/%s.sig", hex);
		err = s->ops->put_buf(s, name, sig, sizeof(sig));
		free(name);
	}
	if (!err)
		err = s->ops->put_buf(s, "index.json", text, len);
	if (!err && key)
		err = s->ops->put_buf(s, "index.json.sig", sig, sizeof(sig));
	if (!err && key)
		kb_info("%s/index.json: version %llu signed by key %s, valid until %s", o->to,
			(unsigned long long)out->version, out->key_id, out->expires);
	else if (!err)
		kb_warn("%s/index.json: not signed (no --sign-key): readers need "
			"--insecure-no-signature", o->to);
	free(text);
	return err;
}

/* index.html, from the index just written (its version and signer). */
static int kb_publish_page(struct kb_pub_store *s, const struct kb_index *out)
{
	size_t len = 0;
	int err = 0;
	char *text = kb_index_html(out, &len, &err);

	if (err)
		kb_error("%s/index.html: %s", s->to, kb_strerror(err));
	else
		err = s->ops->put_buf(s, "index.html", text, len);
	free(text);
	return err;
}

int kb_publish_run(const struct kb_publish_opts *o, struct kb_publish_stats *st)
{
	struct kb_index work = { 0 }, out = { 0 };
	char *from = kb_path_join(o->workdir, "bundles");
	char *src_index = kb_path_join(from, "index.json");
	struct kb_pub_store s = { .to = o->to, .from = from, .workdir = o->workdir,
				  .dry_run = o->dry_run, .lock = { .fd = -1 } };
	struct kb_key *key = NULL;
	bool opened = false;
	int err;

	memset(st, 0, sizeof(*st));
	s.ops = !strncmp(o->to, "http://", 7) || !strncmp(o->to, "https://", 8) ? &kb_pub_dav_ops
		: !strncmp(o->to, "oci://", 6)					     ? &kb_pub_oci_ops
										     : &kb_pub_dir_ops;
	kb_http_opts_limits(&s.http, o->limits);
	if (o->sign_key && (err = kb_key_load(o->sign_key, 1, &key)) != 0)
		goto out;
	err = kb_index_load(src_index, &work);
	if (err == -KB_ENOTFOUND)
		kb_error("%s: no index to publish (run `kbundle pack` first)", src_index);
	if (err)
		goto out;
	opened = true;
	err = s.ops->open(&s);
	/* read the old index first: one we cannot read is not silently dropped */
	if (!err)
		err = s.ops->read_index(&s);
	for (size_t i = 0; i < work.n && !err; i++) {
		struct kb_index_entry *e = &work.v[i];

		if (s.ops->present(&s, e)) {
			kb_debug("%s (%s): already published", e->uname, e->id);
			st->present++;
		} else if (o->dry_run) {
			kb_info("would publish %s (%s %s)", e->uname, e->distro, e->id);
			st->copied++;
		} else if (!(err = s.ops->put_bundle(&s, e))) {
			kb_info("published %s (%s %s)", e->uname, e->distro, e->id);
			st->copied++;
		}
		if (!err)
			err = kb_publish_btf(&s, e, st);
	}
	if (err)
		goto out;
	out.packer_format = work.packer_format;
	for (size_t i = 0; i < s.old.n; i++) {
		bool dup = false;

		for (size_t k = 0; k < work.n && !dup; k++)
			dup = !strcmp(work.v[k].id, s.old.v[i].id);
		if (dup)
			continue;
		if (!s.ops->present(&s, &s.old.v[i])) {
			kb_warn("%s/index.json: bundle %s (%s) is listed but its files are gone or "
				"differ: dropped from the index", o->to, s.old.v[i].id, s.old.v[i].uname);
			continue;
		}
		kb_publish_take(&out, &s.old.v[i]);
		st->kept++;
	}
	if (o->dry_run)
		goto out;
	for (size_t i = 0; i < work.n; i++)
		kb_publish_take(&out, &work.v[i]);
	if (out.n)
		qsort(out.v, out.n, sizeof(*out.v), kb_publish_cmp);
	/* the aliases and SHA256SUMS name only bundles already in place; the
	 * index, which names the aliases, goes last */
	if (s.ops->put_alias) {
		kb_publish_alias_pick(&out);
		err = kb_publish_alias_write(&s, &out);
	}
	if (!err)
		err = kb_publish_sums_write(&s, &out, key);
	if (!err)
		err = kb_publish_index(&s, o, key, &out);
	if (!err && s.ops->pages)
		err = kb_publish_page(&s, &out);
	if (!err && s.ops->commit)
		err = s.ops->commit(&s);
out:
	if (opened)
		s.ops->close(&s);
	kb_key_free(key);
	kb_index_free(&work);
	kb_index_free(&s.old);
	kb_index_free(&out);
	free(from);
	free(src_index);
	return err;
}
