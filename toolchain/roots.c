/* roots.c — the cached build roots: listing them and removing the ones
 * nothing uses. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arch.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "toolchain/toolchain_int.h"

static uint64_t kb_tc_du_total;

static int kb_tc_du_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)type;
	(void)ftw;
	kb_tc_du_total += (uint64_t)st->st_blocks * 512;
	return 0;
}

/* Bytes on disk under path (not thread-safe: one walk at a time). */
static uint64_t kb_tc_du(const char *path)
{
	kb_tc_du_total = 0;
	nftw(path, kb_tc_du_one, 32, FTW_PHYS | FTW_MOUNT);
	return kb_tc_du_total;
}

/* "<release>-<kind>-<major>[-<arch>]-<hash>" back into its parts; false
 * otherwise. */
static bool kb_tc_name_parse(const char *name, struct kb_toolchain_root *r)
{
	const char *a = strchr(name, '-'), *z = strrchr(name, '-'), *x;
	const struct kb_arch *cross;
	enum kb_cc_kind kind;
	unsigned major;

	if (!a || z <= a + 1 || strlen(z + 1) != 12)
		return false;
	r->release = kb_xstrndup(name, (size_t)(a - name));
	r->spec = kb_xstrndup(a + 1, (size_t)(z - a - 1));
	x = strrchr(r->spec, '-');
	if (x && (cross = kb_arch_find(x + 1))) {
		r->arch = kb_xstrdup(cross->debian);
		r->spec[x - r->spec] = '\0';
	}
	if (kb_compiler_spec_parse(r->spec, &kind, &major) != 0 || !kb_toolchain_release(r->release)) {
		free(r->release);
		free(r->spec);
		free(r->arch);
		r->release = r->spec = r->arch = NULL;
		return false;
	}
	return true;
}

static void kb_tc_root_clear(struct kb_toolchain_root *r)
{
	free(r->name);
	free(r->path);
	free(r->release);
	free(r->spec);
	free(r->arch);
}

static int kb_tc_root_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kb_toolchain_root *)a)->name,
		      ((const struct kb_toolchain_root *)b)->name);
}

int kb_toolchain_list(const char *workdir, struct kb_toolchain_root **v, size_t *n)
{
	char *dir = kb_path_join(workdir, "toolchains");
	DIR *d = opendir(dir);
	struct dirent *de;

	*v = NULL;
	*n = 0;
	if (!d) {
		free(dir);
		return errno == ENOENT ? 0 : -errno;
	}
	while ((de = readdir(d))) {
		struct kb_toolchain_root r = { 0 };
		struct stat st;
		char *cur, *stamp;

		if (de->d_name[0] == '.' || !kb_tc_name_parse(de->d_name, &r))
			continue;
		r.name = kb_xstrdup(de->d_name);
		r.path = kb_path_join(dir, de->d_name);
		if (stat(r.path, &st) != 0 || !S_ISDIR(st.st_mode)) {
			kb_tc_root_clear(&r);
			continue;
		}
		r.created = st.st_mtime;
		stamp = kb_xasprintf("%s.used", r.path);
		r.used = stat(stamp, &st) == 0 ? st.st_mtime : r.created;
		free(stamp);
		r.size = kb_tc_du(r.path);
		cur = kb_tc_root_name(r.release, r.spec, kb_arch_find(r.arch));
		r.current = !strcmp(cur, r.name);
		free(cur);
		*v = kb_xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = r;
	}
	closedir(d);
	free(dir);
	if (*n)
		qsort(*v, *n, sizeof(**v), kb_tc_root_cmp);
	return 0;
}

void kb_toolchain_list_free(struct kb_toolchain_root *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kb_tc_root_clear(&v[i]);
	free(v);
}

/* Remove dir/<entry> under the exclusive lock of root name; a root in use
 * (its lock held) is kept. Renamed away first, so it vanishes at once. */
static int kb_tc_remove(const char *dir, const char *entry, const char *name, bool dry_run,
			size_t *removed, uint64_t *freed)
{
	char *path = kb_path_join(dir, entry), *gone = kb_xasprintf("%s/.gc-%s", dir, entry);
	char *used = kb_xasprintf("%s/%s.used", dir, name);
	uint64_t size;
	int fd = -1, err;

	err = kb_tc_lock(dir, name, LOCK_EX | LOCK_NB, &fd);
	if (err == -KB_ELOCKED) {
		kb_info("%s: in use; kept", path);
		err = 0;
		goto out;
	}
	if (err)
		goto out;
	size = kb_tc_du(path);
	kb_info("%s %s (%.1f MB)", dry_run ? "would remove" : "removing", path, (double)size / 1e6);
	if (!dry_run) {
		if (rename(path, gone) != 0) {
			err = -errno;
			kb_error("%s: %s", path, strerror(errno));
			goto out;
		}
		err = kb_rm_rf(gone);
		if (err) {
			kb_error("%s: %s", gone, kb_strerror(err));
			goto out;
		}
		if (entry[0] != '.')
			unlink(used);
	}
	(*removed)++;
	*freed += size;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(gone);
	free(used);
	return err;
}

int kb_toolchain_gc(const char *workdir, time_t unused_secs, bool dry_run, size_t *removed,
		    uint64_t *freed)
{
	char *dir = kb_path_join(workdir, "toolchains");
	struct kb_toolchain_root *v = NULL;
	time_t now = time(NULL);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	int err = 0;

	*removed = 0;
	*freed = 0;
	if (!d)
		goto out;
	/* what a killed creation or gc left behind */
	while ((de = readdir(d))) {
		char *name = NULL, *dot;

		if (!strncmp(de->d_name, ".tmp-", 5))
			name = kb_xstrdup(de->d_name + 5);
		else if (!strncmp(de->d_name, ".gc-", 4))
			name = kb_xstrdup(de->d_name + 4);
		/* .tmp-<root>.<pid>: the lock is the root's */
		dot = name ? strrchr(name, '.') : NULL;
		if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1))
			*dot = '\0';
		if (name && *name && !err)
			err = kb_tc_remove(dir, de->d_name, name, dry_run, removed, freed);
		free(name);
	}
	closedir(d);
	if (err)
		goto out;
	err = kb_toolchain_list(workdir, &v, &n);
	for (size_t i = 0; i < n && !err; i++) {
		if (v[i].current && now - v[i].used < unused_secs)
			continue;
		err = kb_tc_remove(dir, v[i].name, v[i].name, dry_run, removed, freed);
	}
out:
	kb_toolchain_list_free(v, n);
	free(dir);
	return err;
}
