/* publish_dir.c — a directory as a store (publish_store.h): every write
 * a temp file and rename(), publishers queued on a lock on the directory
 * itself (a lock file would be served), the sha256 of each published file
 * remembered while it is unchanged (publish_memo.h), aliases as relative
 * symlinks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundles/bundle_path.h"
#include "bundles/publish_store.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

static int kb_pub_dir_open(struct kb_pub_store *s)
{
	char *memo_path = kb_path_join(s->workdir, "state/publish-sha256.tsv");
	int err;

	kb_publish_memo_load(&s->memo, memo_path);
	free(memo_path);
	if (s->dry_run)
		return 0;
	err = kb_mkdir_p(s->to, 0755);
	if (err) {
		kb_error("%s: %s", s->to, kb_strerror(err));
		return err;
	}
	/* two publishers would each merge without the other's bundles */
	err = kb_lock_wait_dir(&s->lock, s->to, "publish");
	if (!err)
		kb_atomic_sweep(s->to);	/* temp files of a killed publish */
	return err;
}

static int kb_pub_dir_read_index(struct kb_pub_store *s)
{
	char *path = kb_path_join(s->to, "index.json");
	int err = kb_index_load(path, &s->old);

	free(path);
	return err == -KB_ENOTFOUND ? 0 : err;
}

/* dir/<id>.tgz holds e's bytes (its sha256 remembered in memo while the
 * file is unchanged), with its sidecar naming e's sha256. */
static int kb_pub_dir_present(struct kb_pub_store *s, const struct kb_index_entry *e)
{
	struct kb_publish_memo *memo = &s->memo;
	const char *dir = s->to;
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
static int kb_pub_dir_put_bundle(struct kb_pub_store *s, const struct kb_index_entry *e)
{
	struct kb_publish_memo *memo = &s->memo;
	const char *from = s->from, *to = s->to;
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

/* dst as a relative symlink to the bundle <id>.tgz at the store's top
 * (alias is "<distro>/<arch>/…", two levels down), atomically replacing an
 * older one: a static server serves it as the file, no redirect. A link
 * leaves the bundle's inode alone (publish_memo keys on its ctime). */
static int kb_pub_dir_put_alias(struct kb_pub_store *s, const struct kb_index_entry *e)
{
	char *dst = kb_path_join(s->to, e->alias), *dir = kb_xstrdup(dst);
	char *name = kb_bundle_path(NULL, e->id), *target = kb_path_join("../..", name);
	char *tmp = kb_xasprintf("%s.kbundle-link.%d", dst, (int)getpid()), cur[512];
	ssize_t n = readlink(dst, cur, sizeof(cur) - 1);
	int err;

	*strrchr(dir, '/') = '\0';
	err = kb_mkdir_p(dir, 0755);
	if (!err && (n < 0 || (size_t)n != strlen(target) || memcmp(cur, target, (size_t)n) != 0)) {
		unlink(tmp);
		if (symlink(target, tmp) != 0 || rename(tmp, dst) != 0) {
			err = -errno;
			unlink(tmp);
		}
	}
	if (err)
		kb_error("%s: %s", dst, kb_strerror(err));
	free(dst);
	free(dir);
	free(name);
	free(target);
	free(tmp);
	return err;
}

static int kb_pub_dir_put_buf(struct kb_pub_store *s, const char *name, const void *buf,
			      size_t len)
{
	char *path = kb_path_join(s->to, name), *dir = kb_xstrdup(path);
	int err;

	*strrchr(dir, '/') = '\0';
	err = kb_mkdir_p(dir, 0755);	/* signatures/ */
	if (!err)
		err = kb_file_write_atomic(path, buf, len);
	free(dir);
	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	free(path);
	return err;
}

static int kb_pub_dir_remove(struct kb_pub_store *s, const char *name)
{
	char *path = kb_path_join(s->to, name);
	int err = unlink(path) != 0 && errno != ENOENT ? -errno : 0;

	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	free(path);
	return err;
}

static void kb_pub_dir_close(struct kb_pub_store *s)
{
	kb_debug("%s: %zu published bundles read to check their bytes", s->to, s->memo.hashed);
	if (!s->dry_run)
		kb_publish_memo_save(&s->memo);
	kb_publish_memo_free(&s->memo);
	kb_lock_release(&s->lock);
}

const struct kb_pub_ops kb_pub_dir_ops = {
	.pages = true,
	.open = kb_pub_dir_open,
	.read_index = kb_pub_dir_read_index,
	.present = kb_pub_dir_present,
	.put_bundle = kb_pub_dir_put_bundle,
	.put_alias = kb_pub_dir_put_alias,
	.put_buf = kb_pub_dir_put_buf,
	.remove = kb_pub_dir_remove,
	.close = kb_pub_dir_close,
	.serves_files = true,
};
