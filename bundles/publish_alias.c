/* publish_alias.c — the names a product without kbundle can guess: for the
 * newest packing of each kernel, <distro>/<arch>/bundle-<uname>.tgz (a
 * symlink to <id>.tgz, which a static server serves as the file) and its
 * sha256sum sidecar; and
 * SHA256SUMS, every bundle and alias with its sha256, signed like the index
 * (SHA256SUMS.sig), so `openssl pkeyutl -verify` then `sha256sum -c` is the
 * whole check with stock tools (README). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundles/bundle_path.h"
#include "bundles/publish.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/sign.h"

static int kb_alias_same_kernel(const struct kb_index_entry *a, const struct kb_index_entry *b)
{
	return !strcmp(a->distro, b->distro) && !strcmp(a->uname, b->uname) &&
	       !strcmp(a->arch, b->arch);
}

void kb_publish_alias_pick(struct kb_index *out)
{
	for (size_t i = 0; i < out->n; i++) {
		free(out->v[i].alias);
		out->v[i].alias = NULL;
	}
	/* out is sorted by distro, uname, arch: one kernel's packings are
	 * neighbours */
	for (size_t i = 0, j; i < out->n; i = j) {
		struct kb_index_entry *best = &out->v[i];

		for (j = i + 1; j < out->n && kb_alias_same_kernel(&out->v[i], &out->v[j]); j++)
			if (kb_index_entry_newer_cmp(&out->v[j], best) > 0)
				best = &out->v[j];
		best->alias = kb_bundle_alias_path(best->distro, best->arch, best->uname);
		if (!best->alias)
			kb_warn("bundle %s (%s %s %s): no alias, a part is not a safe file name",
				best->id, best->distro, best->arch, best->uname);
	}
}

/* dst as a relative symlink to the bundle <id>.tgz at the store's top
 * (alias is "<distro>/<arch>/…", two levels down), atomically replacing an
 * older one: a static server serves it as the file, no redirect. A link
 * leaves the bundle's inode alone (publish_memo keys on its ctime). */
static int kb_alias_link(const char *dst, const struct kb_index_entry *e)
{
	char *name = kb_bundle_path(NULL, e->id), *target = kb_path_join("../..", name);
	char *tmp = kb_xasprintf("%s.kbundle-link.%d", dst, (int)getpid()), cur[512];
	ssize_t n = readlink(dst, cur, sizeof(cur) - 1);
	int err = 0;

	if (n < 0 || (size_t)n != strlen(target) || memcmp(cur, target, (size_t)n) != 0) {
		unlink(tmp);
		if (symlink(target, tmp) != 0 || rename(tmp, dst) != 0) {
			err = -errno;
			unlink(tmp);
		}
	}
	free(name);
	free(target);
	free(tmp);
	return err;
}

int kb_publish_alias_write(const char *to, const struct kb_index *out)
{
	int err = 0;

	for (size_t i = 0; i < out->n && !err; i++) {
		const struct kb_index_entry *e = &out->v[i];
		char *dst, *dir, *slash, *base, *side, *line;

		if (!e->alias)
			continue;
		dst = kb_path_join(to, e->alias);
		dir = kb_xstrdup(dst);
		slash = strrchr(dir, '/');
		*slash = '\0';
		base = kb_bundle_id_of(dst);	/* bundle-<uname> */
		side = kb_bundle_sidecar_path(dir, base);
		line = kb_bundle_sidecar_line(e->sha256, base);
		err = kb_mkdir_p(dir, 0755);
		if (!err)
			err = kb_alias_link(dst, e);
		if (!err)
			err = kb_file_write_atomic(side, line, strlen(line));
		if (err)
			kb_error("%s: %s", dst, kb_strerror(err));
		else
			kb_debug("%s -> %s", e->alias, e->id);
		free(dst);
		free(dir);
		free(base);
		free(side);
		free(line);
	}
	return err;
}

int kb_publish_sums_write(const char *to, const struct kb_index *out, const struct kb_key *key)
{
	char *path = kb_path_join(to, "SHA256SUMS"), *sigp = kb_path_join(to, "SHA256SUMS.sig");
	unsigned char sig[KB_SIGN_SIG_LEN];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err = 0;

	if (!f)
		abort();	/* out of memory, as the x-allocators */
	for (size_t i = 0; i < out->n; i++) {
		const struct kb_index_entry *e = &out->v[i];
		char *p = kb_bundle_path(NULL, e->id);

		fprintf(f, "%s  %s\n", e->sha256, p);
		if (e->alias)
			fprintf(f, "%s  %s\n", e->sha256, e->alias);
		free(p);
	}
	if (fclose(f) != 0)
		abort();
	if (!key && unlink(sigp) != 0 && errno != ENOENT)
		err = -errno;
	if (!err && key)
		err = kb_key_sign(key, text, len, sig);
	if (!err)
		err = kb_file_write_atomic(path, text, len);
	if (!err && key)
		err = kb_file_write_atomic(sigp, sig, sizeof(sig));
	if (err)
		kb_error("%s: %s", key ? sigp : path, kb_strerror(err));
	free(text);
	free(path);
	free(sigp);
	return err;
}
