/* modbuild.c — out-of-tree module builds against an extracted bundle (the
 * extraction itself is bundles/extract.c's). */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/strview.h"
#include "vm/modbuild.h"
#include "vm/modinfo.h"
#include "vm/modsrc.h"
#include "vm/testmod.h"

#define KB_VM_COPY_MAX_FILES 4096
#define KB_VM_COPY_MAX_DEPTH 16
#define KB_VM_COPY_FILE_MAX (64u << 20)
#define KB_VM_BUILD_OUT_MAX (256u << 10)

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

/* A line that says what went wrong, not that something did: the
 * compiler's and modpost's errors, a missing program or file. */
static bool kb_vm_error_cause(struct kb_str l)
{
	static const char *const causes[] = {
		"error:", "ERROR:", "undefined!", "No such file or directory", ": not found",
		"command not found", "No rule to make target", "Permission denied",
	};

	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
		if (memmem(l.p, l.n, causes[i], strlen(causes[i])))
			return true;
	return false;
}

static bool kb_vm_error_any(struct kb_str l)
{
	return memmem(l.p, l.n, "error", 5) || memmem(l.p, l.n, "ERROR", 5) ||
	       memmem(l.p, l.n, "Error", 5) || kb_vm_error_cause(l);
}

char *kb_vm_build_errors(const char *out, int max)
{
	struct kb_str s, l;
	char *r = kb_xstrdup("");
	int n = 0, total = 0;

	/* Causes first (make's "*** … Error 127" only says a command failed),
	 * then the other error lines, each in the order make printed them. */
	for (int pass = 0; pass < 2; pass++) {
		s = kb_str_c(out ? out : "");
		while (s.n && n < max) {
			kb_str_split(&s, '\n', &l);
			if (pass == 0 ? !kb_vm_error_cause(l) : kb_vm_error_cause(l) || !kb_vm_error_any(l))
				continue;
			char *t = kb_xasprintf("%s%s" KB_STR_FMT, r, n ? "\n" : "", KB_STR_ARG(l));
			free(r);
			r = t;
			n++;
		}
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

/* The .ko files dkms.conf names: each must have been made. */
static void kb_vm_take_kos(struct kb_vm_unit *u, const struct kb_vm_modsrc_plan *p)
{
	for (size_t i = 0; i < p->nkos; i++) {
		if (access(p->kos[i], R_OK) != 0) {
			kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_FAIL,
				  kb_xasprintf("build failed: make succeeded but %s, which dkms.conf "
					       "names (BUILT_MODULE_NAME/BUILT_MODULE_LOCATION), "
					       "is not there", p->kos[i] + strlen(p->tree) + 1));
			return;
		}
		u->kos = kb_xrealloc(u->kos, (u->nkos + 1) * sizeof(*u->kos));
		u->kos[u->nkos++] = kb_xstrdup(p->kos[i]);
	}
}

int kb_vm_unit_build(struct kb_vm_unit *u, const char *build_dir, const char *uname,
		     const char *work, int timeout_ms)
{
	struct kb_proc_opts o = { .timeout_ms = timeout_ms, .output_max = KB_VM_BUILD_OUT_MAX };
	struct kb_proc_result r = { 0 };
	struct kb_vm_modsrc_plan p = { 0 };
	int files = 0, err;

	err = kb_vm_modsrc_plan(u->src, work, u->name, build_dir, uname, &p);
	if (err) {	/* checked before the run: the source changed meanwhile */
		kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_FAIL,
			  kb_xasprintf("build failed: %s cannot be built (see the log)", u->src));
		u->chk[KB_CHK_VERMAGIC].st = KB_ST_SKIP;
		err = 0;
		goto out;
	}
	free(u->build_dir);
	u->build_dir = kb_xstrdup(p.tree);
	err = u->src ? kb_vm_copy_tree(u->src, p.tree, 0, &files) : kb_mkdir_p(p.tree, 0755);
	if (!err && !u->src)
		err = kb_vm_testmod_write(p.tree);
	if (!err)
		err = kb_vm_modsrc_prepare(&p);
	if (err)
		goto out;
	o.cwd = p.cwd;
	err = kb_proc_run((const char *const *)p.argv, &o, &r);
	if (err == -KB_ESUBPROC && r.exit_code == 127 && !r.output_len)
		err = -ENOENT;	/* exec failed: kb_proc_run's child exits 127 silently */
	if (err == -ENOENT) {
		kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_FAIL,
			  kb_xasprintf("build failed: %s could not run (is it installed?)", p.argv[0]));
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
		if (p.kos)
			kb_vm_take_kos(u, &p);
		else
			kb_vm_collect_kos(u, p.tree);
		if (!u->nkos && u->chk[KB_CHK_BUILD].st != KB_ST_FAIL)
			kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_FAIL,
				  kb_xasprintf("build failed: make succeeded but produced no "
					       "module (does %s have a Kbuild with obj-m?)",
					       u->src ? u->src : "the directory"));
		else if (u->chk[KB_CHK_BUILD].st != KB_ST_FAIL)
			kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_PASS, NULL);
	}
	if (u->chk[KB_CHK_BUILD].st == KB_ST_PASS)
		kb_vm_unit_vermagic(u, uname);
	else
		u->chk[KB_CHK_VERMAGIC].st = KB_ST_SKIP;
	err = err == -ENOENT || (err < 0 && err != -ETIMEDOUT && err != -KB_ESUBPROC) ? err : 0;
	if (err)
		kb_error("%s: could not run: %s", p.argv[0], kb_strerror(err));
out:
	kb_vm_modsrc_plan_free(&p);
	free(r.output);
	return err;
}
