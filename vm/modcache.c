/* modcache.c — the built-module cache (see modcache.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/strview.h"
#include "vm/modcache.h"
#include "vm/testmod.h"

#define KB_VM_MODCACHE_FORMAT "kbundle-modcache-v1"
#define KB_VM_HASH_MAX_FILES 4096
#define KB_VM_HASH_FILE_MAX (64u << 20)

static int kb_vm_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hash a directory's files in name order: path, size, content. */
static int kb_vm_hash_tree(struct kb_sha256 *h, const char *dir, const char *rel, int depth,
			   int *files)
{
	char **names = NULL;
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	int err = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names = kb_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = kb_xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), kb_vm_cmp);
	for (size_t i = 0; i < n; i++) {
		char *p = kb_path_join(dir, names[i]);
		char *r = rel[0] ? kb_xasprintf("%s/%s", rel, names[i]) : kb_xstrdup(names[i]);
		char *buf = NULL;
		struct stat st;
		size_t len;

		if (!err && stat(p, &st) != 0)
			err = -errno;
		else if (!err && S_ISDIR(st.st_mode))
			err = depth > 16 ? -KB_ELIMIT : kb_vm_hash_tree(h, p, r, depth + 1, files);
		else if (!err && S_ISREG(st.st_mode)) {
			err = ++*files > KB_VM_HASH_MAX_FILES ? -KB_ELIMIT :
			      kb_file_read(p, KB_VM_HASH_FILE_MAX, &buf, &len);
			if (!err) {
				char head[64];

				snprintf(head, sizeof(head), "\n%zu\n", len);
				kb_sha256_update(h, r, strlen(r));
				kb_sha256_update(h, head, strlen(head));
				kb_sha256_update(h, buf, len);
			}
		}
		free(buf);
		free(p);
		free(r);
		free(names[i]);
	}
	free(names);
	return err;
}

char *kb_vm_modcache_key(const struct kb_vm_unit *u, const char *bundle_sha)
{
	char hex[KB_SHA256_HEX_LEN + 1];
	struct kb_sha256 h;
	int files = 0, err = 0;

	kb_sha256_init(&h);
	kb_sha256_update(&h, KB_VM_MODCACHE_FORMAT "\n", strlen(KB_VM_MODCACHE_FORMAT) + 1);
	kb_sha256_update(&h, bundle_sha, strlen(bundle_sha));
	kb_sha256_update(&h, "\n", 1);
	kb_sha256_update(&h, u->name, strlen(u->name));
	kb_sha256_update(&h, "\n", 1);
	if (u->src)
		err = kb_vm_hash_tree(&h, u->src, "", 0, &files);
	else
		kb_vm_testmod_digest(&h);
	kb_sha256_final(&h, hex);
	return err ? NULL : kb_xstrdup(hex);
}

bool kb_vm_modcache_get(const char *cache_dir, const char *key, struct kb_vm_unit *u,
			char **uname)
{
	char *dir = kb_path_join(cache_dir, key), *meta = kb_path_join(dir, "meta");
	char *buf = NULL;
	struct kb_str s, l;
	size_t len;
	bool hit = false;

	/* meta: the release on the first line, then one .ko name a line. */
	if (kb_file_read(meta, 1 << 16, &buf, &len) != 0)
		goto out;
	s = kb_str(buf, len);
	kb_str_split(&s, '\n', &l);
	if (!l.n)
		goto out;
	*uname = kb_xstrndup(l.p, l.n);
	while (s.n) {
		kb_str_split(&s, '\n', &l);
		if (!l.n || memchr(l.p, '/', l.n))
			continue;
		char *name = kb_xstrndup(l.p, l.n);

		u->kos = kb_xrealloc(u->kos, (u->nkos + 1) * sizeof(*u->kos));
		u->kos[u->nkos++] = kb_path_join(dir, name);
		free(name);
	}
	hit = u->nkos > 0;
	if (hit) {
		free(u->build_dir);
		u->build_dir = kb_xstrdup(dir);
		u->chk[KB_CHK_BUILD].st = KB_ST_PASS;
	} else {
		free(*uname);
		*uname = NULL;
	}
out:
	free(buf);
	free(meta);
	free(dir);
	return hit;
}

static int kb_vm_copy_file(const char *from, const char *to)
{
	char *buf = NULL;
	size_t len;
	int err = kb_file_read(from, KB_VM_HASH_FILE_MAX, &buf, &len);

	if (!err)
		err = kb_file_write_atomic(to, buf, len);
	free(buf);
	return err;
}

int kb_vm_modcache_put(const char *cache_dir, const char *key, const struct kb_vm_unit *u,
		       const char *uname)
{
	char *dir = kb_path_join(cache_dir, key);
	char *tmp = kb_xasprintf("%s.tmp%d", dir, (int)getpid());
	char *meta = kb_xasprintf("%s\n", uname), *p = NULL, *check = NULL;
	int err;

	kb_rm_rf(tmp);
	err = kb_mkdir_p(tmp, 0755);
	for (size_t i = 0; !err && i < u->nkos; i++) {
		const char *base = strrchr(u->kos[i], '/') ? strrchr(u->kos[i], '/') + 1 : u->kos[i];
		char *t = kb_xasprintf("%s%s\n", meta, base);

		free(meta);
		meta = t;
		free(p);
		p = kb_path_join(tmp, base);
		err = kb_vm_copy_file(u->kos[i], p);
	}
	check = kb_path_join(u->build_dir, "check.sh");
	if (!err && access(check, R_OK) == 0) {
		free(p);
		p = kb_path_join(tmp, "check.sh");
		err = kb_vm_copy_file(check, p);
	}
	if (!err) {
		free(p);
		p = kb_path_join(tmp, "meta");
		err = kb_file_write_atomic(p, meta, strlen(meta));
	}
	/* Another run may have put the same key meanwhile: same content. */
	if (!err && rename(tmp, dir) != 0 && errno != ENOTEMPTY && errno != EEXIST)
		err = -errno;
	if (err)
		kb_warn("%s: could not cache the built module: %s", dir, kb_strerror(err));
	kb_rm_rf(tmp);
	free(dir);
	free(tmp);
	free(meta);
	free(p);
	free(check);
	return err;
}
