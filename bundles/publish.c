/* publish.c — work directory bundles → a static-hosting directory. The
 * order of writes is the point: bundle, sidecar, and only then index.json,
 * each through a temp file and rename(), so a client reading the server at
 * any moment finds every bundle its index names. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundles/bundle_path.h"
#include "bundles/index.h"
#include "bundles/publish.h"
#include "bundles/publish_memo.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/sign.h"

/* dir/<id>.tgz holds e's bytes (its sha256 remembered in memo while the
 * file is unchanged), with its sidecar naming e's sha256. */
static int kb_publish_present(struct kb_publish_memo *memo, const char *dir,
			      const struct kb_index_entry *e)
{
	char *tgz = kb_bundle_path(dir, e->id);
	char *side = kb_bundle_sidecar_path(dir, e->id);
	char *text = NULL, hex[KB_SHA256_HEX_LEN + 1];
	uint64_t size;
	size_t len;
	struct stat st;
	int ok = 0;

	/* a stale sidecar just means "copy it again": no message */
	if (stat(tgz, &st) == 0 && (uint64_t)st.st_size == e->size &&
	    kb_file_read(side, 4096, &text, &len) == 0)
		ok = kb_index_sidecar_check(text, len, NULL, e) == 0;
	if (ok && kb_publish_memo_sha256(memo, tgz, hex, &size) == 0 &&
	    (size != e->size || strcmp(hex, e->sha256) != 0)) {
		kb_warn("%s: its bytes changed since it was published (sha256 %s, want %s): "
			"copying it again", tgz, hex, e->sha256);
		ok = 0;
	}
	free(text);
	free(tgz);
	free(side);
	return ok;
}

/* Copy one bundle (checked against the index entry) and write its sidecar. */
static int kb_publish_one(struct kb_publish_memo *memo, const char *from, const char *to,
			  const struct kb_index_entry *e)
{
	char *src = kb_bundle_path(from, e->id);
	char *dst = kb_bundle_path(to, e->id);
	char *side = kb_bundle_sidecar_path(to, e->id);
	char *line = kb_bundle_sidecar_line(e->sha256, e->id);
	char got[KB_SHA256_HEX_LEN + 1];
	int err;

	err = kb_file_copy(src, dst, e->sha256, e->size, got);
	if (err == -KB_ECHECKSUM || err == -KB_ELIMIT)
		kb_error("%s: does not match the index (want sha256 %s, %llu bytes; got %s): not published",
			 src, e->sha256, (unsigned long long)e->size, got);
	else if (err)
		kb_error("%s -> %s: %s", src, dst, kb_strerror(err));
	if (err)
		goto out;
	kb_publish_memo_put(memo, dst, got);
	err = kb_file_write_atomic(side, line, strlen(line));
	if (err)
		kb_error("%s: %s", side, kb_strerror(err));
out:
	free(src);
	free(dst);
	free(side);
	free(line);
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

static void kb_publish_take(struct kb_index *dst, struct kb_index_entry *e)
{
	dst->v = kb_xrealloc(dst->v, (dst->n + 1) * sizeof(*dst->v));
	dst->v[dst->n++] = *e;
	memset(e, 0, sizeof(*e));
}

/* index.json, then (with key) index.json.sig: a reader that reads the two
 * across this moment sees a signature of the other index, and reads both
 * again (fetch.c). Unsigned, a stale signature is removed first. */
static int kb_publish_index(const struct kb_publish_opts *o, const struct kb_key *key,
			    const struct kb_index *old, struct kb_index *out)
{
	char *dst = kb_path_join(o->to, "index.json");
	char *sigp = kb_path_join(o->to, "index.json.sig"), *text = NULL;
	unsigned char sig[KB_SIGN_SIG_LEN];
	int64_t now = (int64_t)time(NULL);
	size_t len;
	int err = 0;

	if (key) {
		out->version = old->version + 1;
		kb_index_time_fmt(now, out->generated);
		kb_index_time_fmt(now + (int64_t)o->expires_days * 86400, out->expires);
		snprintf(out->key_id, sizeof(out->key_id), "%s", kb_key_id(key));
	} else if (unlink(sigp) != 0 && errno != ENOENT) {
		err = -errno;
		kb_error("%s: %s", sigp, kb_strerror(err));
		goto out;
	}
	text = kb_index_text(out, &len, &err);
	if (!err && key)
		err = kb_key_sign(key, text, len, sig);
	if (!err)
		err = kb_file_write_atomic(dst, text, len);
	if (!err && key)
		err = kb_file_write_atomic(sigp, sig, sizeof(sig));
	if (err)
		kb_error("%s: %s", key ? sigp : dst, kb_strerror(err));
	else if (key)
		kb_info("%s: version %llu signed by key %s, valid until %s", dst,
			(unsigned long long)out->version, out->key_id, out->expires);
	else
		kb_warn("%s: not signed (no --sign-key): readers need --insecure-no-signature", dst);
out:
	free(text);
	free(dst);
	free(sigp);
	return err;
}

int kb_publish_run(const struct kb_publish_opts *o, struct kb_publish_stats *st)
{
	struct kb_index work = { 0 }, old = { 0 }, out = { 0 };
	char *from = kb_path_join(o->workdir, "bundles");
	char *src_index = kb_path_join(from, "index.json");
	char *dst_index = kb_path_join(o->to, "index.json");
	char *memo_path = kb_path_join(o->workdir, "state/publish-sha256.tsv");
	struct kb_lock lock = { .fd = -1 };
	struct kb_publish_memo memo;
	struct kb_key *key = NULL;
	int err;

	memset(st, 0, sizeof(*st));
	kb_publish_memo_load(&memo, memo_path);
	if (o->sign_key && (err = kb_key_load(o->sign_key, 1, &key)) != 0)
		goto out;
	err = kb_index_load(src_index, &work);
	if (err == -KB_ENOTFOUND)
		kb_error("%s: no index to publish (run `kbundle pack` first)", src_index);
	if (err)
		goto out;
	err = kb_mkdir_p(o->to, 0755);
	if (err) {
		kb_error("%s: %s", o->to, kb_strerror(err));
		goto out;
	}
	/* two publishers would each merge without the other's bundles; the
	 * lock is the directory itself: a lock file in it would be served */
	err = kb_lock_wait_dir(&lock, o->to, "publish");
	if (err)
		goto out;
	kb_atomic_sweep(o->to);	/* temp files of a killed publish */
	/* read the old index first: one we cannot read is not silently dropped */
	err = kb_index_load(dst_index, &old);
	if (err == -KB_ENOTFOUND)
		err = 0;
	if (err)
		goto out;
	for (size_t i = 0; i < work.n; i++) {
		struct kb_index_entry *e = &work.v[i];

		if (kb_publish_present(&memo, o->to, e)) {
			kb_debug("%s (%s): already published", e->uname, e->id);
			st->present++;
		} else {
			err = kb_publish_one(&memo, from, o->to, e);
			if (err)
				goto out;
			kb_info("published %s (%s %s)", e->uname, e->distro, e->id);
			st->copied++;
		}
	}
	out.packer_format = work.packer_format;
	for (size_t i = 0; i < old.n; i++) {
		bool dup = false;

		for (size_t k = 0; k < work.n && !dup; k++)
			dup = !strcmp(work.v[k].id, old.v[i].id);
		if (dup)
			continue;
		if (!kb_publish_present(&memo, o->to, &old.v[i])) {
			kb_warn("%s: bundle %s (%s) is listed but its files are gone or differ: dropped from the index",
				dst_index, old.v[i].id, old.v[i].uname);
			continue;
		}
		kb_publish_take(&out, &old.v[i]);
		st->kept++;
	}
	for (size_t i = 0; i < work.n; i++)
		kb_publish_take(&out, &work.v[i]);
	if (out.n)
		qsort(out.v, out.n, sizeof(*out.v), kb_publish_cmp);
	/* the aliases and SHA256SUMS name only bundles already in place; the
	 * index, which names the aliases, goes last */
	kb_publish_alias_pick(&out);
	err = kb_publish_alias_write(o->to, &out);
	if (!err)
		err = kb_publish_sums_write(o->to, &out, key);
	if (!err)
		err = kb_publish_index(o, key, &old, &out);
	kb_debug("%s: %zu published bundles read to check their bytes", o->to, memo.hashed);
	kb_publish_memo_save(&memo);
out:
	kb_publish_memo_free(&memo);
	kb_key_free(key);
	free(memo_path);
	kb_index_free(&work);
	kb_index_free(&old);
	kb_index_free(&out);
	free(from);
	free(src_index);
	free(dst_index);
	kb_lock_release(&lock);
	return err;
}
