/* modbuild.c — bundle extraction to tmpfs and out-of-tree module builds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/archive_safe.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/strview.h"
#include "vm/modbuild.h"
#include "vm/modinfo.h"
#include "vm/testmod.h"

#define KB_VM_COPY_MAX_FILES 4096
#define KB_VM_COPY_MAX_DEPTH 16
#define KB_VM_COPY_FILE_MAX (64u << 20)
#define KB_VM_BUILD_OUT_MAX (256u << 10)

/* Write one checked entry under dest; data streams from the archive. */
static int kb_vm_put_entry(struct archive *a, struct kb_archive_guard *g,
			   const struct kb_safe_entry *se, const char *dest)
{
	char *p = kb_path_join(dest, se->path), *t = NULL, buf[1 << 16];
	la_ssize_t n = 0;
	int fd = -1, err = 0;

	switch (se->type) {
	case KB_ENTRY_DIR:
		err = kb_mkdir_p(p, 0755);
		break;
	case KB_ENTRY_SYMLINK:
		if (symlink(se->link, p) != 0)
			err = -errno;
		break;
	case KB_ENTRY_HARDLINK:
		t = kb_path_join(dest, se->link);
		if (link(t, p) != 0)
			err = -errno;
		break;
	case KB_ENTRY_FILE:
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (se->mode & 0111) ? 0755 : 0644);
		if (fd < 0) {
			err = -errno;
			break;
		}
		while (!err && (n = archive_read_data(a, buf, sizeof(buf))) > 0) {
			err = kb_archive_account(g, se->path, (uint64_t)n);
			if (!err && write(fd, buf, (size_t)n) != n)
				err = -EIO;
		}
		if (!err && n < 0) {
			kb_error("%s: entry '%s': %s", g->name, se->path, archive_error_string(a));
			err = -KB_EPARSE;
		}
		break;
	}
	if (err && err != -KB_EPARSE && err != -KB_ELIMIT)
		kb_error("%s: %s", p, kb_strerror(err));
	if (fd >= 0 && close(fd) != 0 && !err)
		err = -EIO;
	free(p);
	free(t);
	return err;
}

int kb_vm_bundle_extract(const char *tgz, const char *dest, const struct kb_limits *limits)
{
	struct archive *a = archive_read_new();
	struct kb_archive_limits lim = { .base = limits };
	struct kb_archive_guard g;
	struct stat st;
	int rc, err = 0;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (stat(tgz, &st) != 0 || archive_read_open_filename(a, tgz, 1 << 16) != ARCHIVE_OK) {
		kb_error("%s: %s", tgz, archive_error_string(a) ?: strerror(errno));
		err = -KB_ENOTFOUND;
		goto out;
	}
	kb_archive_guard_init(&g, tgz, (uint64_t)st.st_size, &lim);
	err = kb_mkdir_p(dest, 0755);
	while (!err) {
		struct archive_entry *e;
		struct kb_safe_entry se;

		rc = archive_read_next_header(a, &e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
			kb_error("%s: %s", tgz, archive_error_string(a));
			err = -KB_EPARSE;
			break;
		}
		err = kb_archive_check_entry(&g, e, &se);
		if (err)
			break;
		if (*se.path)
			err = kb_vm_put_entry(a, &g, &se, dest);
		kb_safe_entry_free(&se);
	}
out:
	archive_read_free(a);
	return err;
}

void kb_vm_bundle_peek(const char *tgz, char **uname, char **distro)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int seen = 0;

	*uname = *distro = NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, tgz, 1 << 16) != ARCHIVE_OK)
		goto out;
	/* The meta files come first; give up after a few other entries. */
	for (int n = 0; n < 64 && seen < 2 && archive_read_next_header(a, &e) == ARCHIVE_OK; n++) {
		const char *p = archive_entry_pathname(e);
		char **dst, buf[256];
		la_ssize_t len;

		while (p && p[0] == '.' && p[1] == '/')
			p += 2;
		dst = !p ? NULL : !strcmp(p, "BUNDLE_UNAME") ? uname :
		      !strcmp(p, "BUNDLE_DISTRO") ? distro : NULL;
		if (!dst || *dst || archive_entry_filetype(e) != AE_IFREG)
			continue;
		len = archive_read_data(a, buf, sizeof(buf) - 1);
		if (len <= 0 || memchr(buf, '\n', (size_t)len) || memchr(buf, '\0', (size_t)len))
			continue;
		*dst = kb_xstrndup(buf, (size_t)len);
		seen++;
	}
out:
	archive_read_free(a);
}

static int kb_vm_read_value(const char *root, const char *name, char **val)
{
	char *p = kb_path_join(root, name), *buf = NULL;
	size_t len = 0;
	int err = kb_file_read(p, 4096, &buf, &len);

	if (err) {
		kb_error("%s: %s (is this an extracted kbundle bundle?)", p, kb_strerror(err));
		goto out;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (!len || memchr(buf, '\n', len) || memchr(buf, '\0', len)) {
		kb_error("%s: want a single value", p);
		err = -KB_EPARSE;
		goto out;
	}
	*val = buf;
	buf = NULL;
out:
	free(buf);
	free(p);
	return err;
}

int kb_vm_bundle_read(const char *root, char **build_dir, char **uname)
{
	char *bd = NULL;
	char *norm = NULL;
	int err = kb_vm_read_value(root, "BUNDLE_BUILD_DIR", &bd);

	if (!err && !(norm = kb_path_normalize(bd))) {
		kb_error("%s/BUNDLE_BUILD_DIR: '%s' leaves the bundle", root, bd);
		err = -KB_EUNSAFE;
	}
	if (!err)
		err = kb_vm_read_value(root, "BUNDLE_UNAME", uname);
	if (!err)
		*build_dir = kb_path_join(root, norm);
	free(norm);
	free(bd);
	return err;
}

/* Copy a module directory (regular files and directories only). */
static int kb_vm_copy_tree(const char *src, const char *dst, int depth, int *files)
{
	DIR *d = NULL;
	struct dirent *de;
	int err = kb_mkdir_p(dst, 0755);

	if (err || depth > KB_VM_COPY_MAX_DEPTH) {
		err = err ? err : -KB_ELIMIT;
		kb_error("%s: %s", dst, kb_strerror(err));
		return err;
	}
	d = opendir(src);
	if (!d) {
		err = -errno;
		kb_error("%s: %s", src, strerror(errno));
		return err;
	}
	while (!err && (de = readdir(d))) {
		char *s, *t, *buf = NULL;
		struct stat st;
		size_t len;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		s = kb_path_join(src, de->d_name);
		t = kb_path_join(dst, de->d_name);
		if (stat(s, &st) != 0) {
			err = -errno;
			kb_error("%s: %s", s, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			err = kb_vm_copy_tree(s, t, depth + 1, files);
		} else if (S_ISREG(st.st_mode)) {
			if (++*files > KB_VM_COPY_MAX_FILES) {
				kb_error("%s: more than %d files in a module directory", src,
					 KB_VM_COPY_MAX_FILES);
				err = -KB_ELIMIT;
			} else if (!(err = kb_file_read(s, KB_VM_COPY_FILE_MAX, &buf, &len))) {
				err = kb_file_write_atomic(t, buf, len);
				if (!err && (st.st_mode & 0111))
					chmod(t, 0755);
			}
			if (err)
				kb_error("%s: %s", s, kb_strerror(err));
		}
		free(buf);
		free(s);
		free(t);
	}
	closedir(d);
	return err;
}

char *kb_vm_build_errors(const char *out, int max)
{
	struct kb_str s = kb_str_c(out ? out : ""), l;
	char *r = kb_xstrdup("");
	int n = 0, total = 0;

	while (s.n && n < max) {
		kb_str_split(&s, '\n', &l);
		if (!memmem(l.p, l.n, "error", 5) && !memmem(l.p, l.n, "ERROR", 5) &&
		    !memmem(l.p, l.n, "Error", 5) && !memmem(l.p, l.n, "undefined!", 10))
			continue;
		char *t = kb_xasprintf("%s%s" KB_STR_FMT, r, n ? "\n" : "", KB_STR_ARG(l));
		free(r);
		r = t;
		n++;
	}
	if (n)
		return r;
	/* No recognisable error line: the tail of the output. */
	for (const char *p = out ? out + strlen(out) : ""; out && p > out; p--)
		if (*p == '\n' && ++total > max) {
			free(r);
			return kb_xstrdup(p + 1);
		}
	free(r);
	return kb_xstrdup(out ? out : "");
}

/* modules.order names each module as dir/x.o (6.3+) or dir/x.ko. */
static void kb_vm_collect_kos(struct kb_vm_unit *u, const char *dir)
{
	char *order = kb_path_join(dir, "modules.order"), *buf = NULL;
	struct kb_str s, l;
	size_t len;

	if (kb_file_read(order, 1 << 20, &buf, &len) == 0) {
		s = kb_str(buf, len);
		while (s.n) {
			kb_str_split(&s, '\n', &l);
			l = kb_str_trim(l);
			if (kb_str_endswith(l, ".ko"))
				l.n -= 3;
			else if (kb_str_endswith(l, ".o"))
				l.n -= 2;
			else
				continue;
			char *rel = kb_xasprintf(KB_STR_FMT ".ko", KB_STR_ARG(l));
			char *ko = rel[0] == '/' ? kb_xstrdup(rel) : kb_path_join(dir, rel);

			free(rel);
			if (access(ko, R_OK) != 0) {
				free(ko);
				continue;
			}
			u->kos = kb_xrealloc(u->kos, (u->nkos + 1) * sizeof(*u->kos));
			u->kos[u->nkos++] = ko;
		}
	}
	free(buf);
	free(order);
}

static void kb_vm_set(struct kb_vm_check_result *r, enum kb_vm_status st, char *detail)
{
	r->st = st;
	free(r->detail);
	r->detail = detail;
}

void kb_vm_unit_vermagic(struct kb_vm_unit *u, const char *uname)
{
	char *bad = kb_xstrdup("");

	for (size_t i = 0; i < u->nkos; i++) {
		char *vm = NULL, *t;
		size_t n;
		int err = kb_vm_modinfo_file(u->kos[i], "vermagic", &vm);

		n = vm ? strcspn(vm, " ") : 0;
		if (!err && n == strlen(uname) && !strncmp(vm, uname, n)) {
			free(vm);
			continue;
		}
		t = kb_xasprintf("%s%s%s: vermagic mismatch (want '%s', got '%s')", bad,
				 bad[0] ? "\n" : "", strrchr(u->kos[i], '/') + 1, uname,
				 err ? kb_strerror(err) : vm);
		free(bad);
		bad = t;
		free(vm);
	}
	if (bad[0])
		kb_vm_set(&u->chk[KB_CHK_VERMAGIC], KB_ST_FAIL, bad);
	else
		kb_vm_set(&u->chk[KB_CHK_VERMAGIC], KB_ST_PASS, (free(bad), NULL));
}

int kb_vm_unit_build(struct kb_vm_unit *u, const char *build_dir, const char *uname,
		     const char *work, int timeout_ms)
{
	char *dir = kb_path_join(work, u->name), *m = NULL;
	struct kb_proc_opts o = { .timeout_ms = timeout_ms, .output_max = KB_VM_BUILD_OUT_MAX };
	struct kb_proc_result r = { 0 };
	int files = 0, err;

	free(u->build_dir);
	u->build_dir = kb_xstrdup(dir);
	err = u->src ? kb_vm_copy_tree(u->src, dir, 0, &files) : kb_mkdir_p(dir, 0755);
	if (!err && !u->src)
		err = kb_vm_testmod_write(dir);
	if (err)
		goto out;
	m = kb_xasprintf("M=%s", dir);
	{
		const char *argv[] = { "make", "-s", "-C", build_dir, m, "modules", NULL };

		err = kb_proc_run(argv, &o, &r);
	}
	if (err == -KB_ESUBPROC && r.exit_code == 127 && !r.output_len)
		err = -ENOENT;	/* exec failed: kb_proc_run's child exits 127 silently */
	if (err == -ENOENT) {
		kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_FAIL,
			  kb_xstrdup("build failed: make could not run (is make installed?)"));
	} else if (err == -ETIMEDOUT) {
		kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_FAIL,
			  kb_xasprintf("build failed: make did not finish within %d s",
				       timeout_ms / 1000));
	} else if (err) {
		char *lines = kb_vm_build_errors(r.output, 20);

		kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_FAIL,
			  kb_xasprintf("build failed (make exit %d):\n%s", r.exit_code, lines));
		free(lines);
	} else {
		kb_vm_collect_kos(u, dir);
		if (!u->nkos)
			kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_FAIL,
				  kb_xasprintf("build failed: make succeeded but produced no "
					       "module (does %s have a Kbuild with obj-m?)",
					       u->src ? u->src : "the directory"));
		else
			kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_PASS, NULL);
	}
	if (u->chk[KB_CHK_BUILD].st == KB_ST_PASS)
		kb_vm_unit_vermagic(u, uname);
	else
		u->chk[KB_CHK_VERMAGIC].st = KB_ST_SKIP;
	err = err == -ENOENT || (err < 0 && err != -ETIMEDOUT && err != -KB_ESUBPROC) ? err : 0;
	if (err)
		kb_error("make: could not run: %s", kb_strerror(err));
out:
	free(r.output);
	free(m);
	free(dir);
	return err;
}
