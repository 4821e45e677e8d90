/* modbuild.c — out-of-tree module builds against an extracted bundle (the
 * extraction itself is bundles/extract.c's) with the compiler that built
 * the kernel, and the checks of what they made (vermagic, .comment). */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundles/bundle_meta.h"
#include "bundles/extract.h"
#include "lib/arch.h"
#include "lib/compiler.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/strview.h"
#include "vm/hosttools.h"
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

/* NULL when every compiler string of ko's .comment has spec's kind and
 * major version, else why not (malloc'd). */
static char *kb_vm_comment_check(const char *ko, const char *spec)
{
	const char *base = strrchr(ko, '/') ? strrchr(ko, '/') + 1 : ko;
	enum kb_cc_kind kind;
	unsigned major;
	char *txt = NULL, *bad = NULL;
	struct kb_str s, l;
	int n = 0, err;

	if (kb_compiler_spec_parse(spec, &kind, &major) != 0)
		return NULL;
	err = kb_vm_comment_file(ko, &txt);
	if (err)
		return kb_xasprintf("%s: no compiler named in its .comment (%s); want %s "
				    "(BUNDLE_COMPILER)", base, kb_strerror(err), spec);
	s = kb_str_c(txt);
	while (s.n && !bad) {
		struct kb_compiler c = { 0 };
		char *line;

		kb_str_split(&s, '\n', &l);
		if (kb_str_startswith(l, "GCC: "))
			line = kb_xasprintf("gcc %.*s", (int)l.n - 5, l.p + 5);
		else if (memmem(l.p, l.n, "clang version", 13))
			line = kb_xstrndup(l.p, l.n);
		else
			continue;	/* "Linker: LLD …" and the like */
		n++;
		if (kb_compiler_from_text(line, strlen(line), &c) != 0 || c.kind != kind ||
		    c.major != major)
			bad = kb_xasprintf("%s: built by another compiler: its .comment says '"
					   KB_STR_FMT "', the kernel was built by %s (BUNDLE_COMPILER)",
					   base, KB_STR_ARG(l), spec);
		kb_compiler_free(&c);
		free(line);
	}
	if (!bad && !n)
		bad = kb_xasprintf("%s: no compiler named in its .comment; want %s (BUNDLE_COMPILER)",
				   base, spec);
	free(txt);
	return bad;
}

/* NULL when ko is for arch (its ELF identity, its vermagic's arch word),
 * else why not (malloc'd). */
static char *kb_vm_arch_check(const char *ko, const char *vermagic, const struct kb_arch *want)
{
	const char *base = strrchr(ko, '/') ? strrchr(ko, '/') + 1 : ko;
	const struct kb_arch *got, *word = kb_arch_by_vermagic(vermagic);
	struct kb_vm_elf_ident id = { 0 };

	if (kb_vm_elf_ident_file(ko, &id) != 0)
		return kb_xasprintf("%s: not an ELF file", base);
	if (id.machine != want->elf_machine || id.elf_class != want->elf_class ||
	    id.elf_data != want->elf_data) {
		got = kb_arch_by_elf(id.machine, id.elf_class, id.elf_data);
		return kb_xasprintf("%s: built for another architecture: it is an ELF file for %s "
				    "(e_machine %u, %d-bit %s), the kernel is %s (%s): refused "
				    "before boot", base, got ? got->uname : "an unknown machine",
				    id.machine, id.elf_class == 2 ? 64 : 32,
				    id.elf_data == 2 ? "big-endian" : "little-endian", want->uname,
				    want->debian);
	}
	if (vermagic && ((word && word != want) || (!word && want->vermagic)))
		return kb_xasprintf("%s: vermagic '%s' is not for %s (want the word '%s'%s%s)", base,
				    vermagic, want->uname, want->vermagic ? want->vermagic : "",
				    word ? ", not " : "", word ? word->vermagic : "");
	return NULL;
}

/* Append line to *bad (one problem a line). */
static void kb_vm_bad_add(char **bad, char *line)
{
	char *t;

	if (!line)
		return;
	t = kb_xasprintf("%s%s%s", *bad, (*bad)[0] ? "\n" : "", line);
	free(*bad);
	free(line);
	*bad = t;
}

void kb_vm_unit_vermagic(struct kb_vm_unit *u, const char *uname, const char *arch,
			 const char *compiler)
{
	const struct kb_arch *want = arch ? kb_arch_find(arch) : NULL;
	char *bad = kb_xstrdup("");

	for (size_t i = 0; i < u->nkos; i++) {
		char *vm = NULL;
		size_t n;
		int err = kb_vm_modinfo_file(u->kos[i], "vermagic", &vm);

		n = vm ? strcspn(vm, " ") : 0;
		if (err || n != strlen(uname) || strncmp(vm, uname, n))
			kb_vm_bad_add(&bad, kb_xasprintf("%s: vermagic mismatch (want '%s', got '%s')",
							 strrchr(u->kos[i], '/') + 1, uname,
							 err ? kb_strerror(err) : vm));
		if (want)
			kb_vm_bad_add(&bad, kb_vm_arch_check(u->kos[i], vm, want));
		free(vm);
		if (compiler)
			kb_vm_bad_add(&bad, kb_vm_comment_check(u->kos[i], compiler));
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

int kb_vm_buildenv_open(const char *tgz, const char *root, const struct kb_limits *lim,
			struct kb_vm_buildenv *e)
{
	struct kb_bundle_meta m = { 0 };
	int err = kb_mkdir_p(root, 0755);

	if (err)
		kb_error("%s: %s", root, kb_strerror(err));
	if (!err)
		err = kb_bundle_unpack(tgz, tgz, root,
				       &(const struct kb_archive_limits){ .base = lim });
	if (!err)
		err = kb_bundle_meta_load(root, tgz, &m);
	if (!err && !m.uname) {
		kb_error("%s: no BUNDLE_UNAME (is this a kbundle bundle?)", tgz);
		err = -KB_EPARSE;
	}
	if (!err)
		err = kb_bundle_meta_build_dir(root, tgz, &m, &e->build_dir);
	if (!err) {
		e->root = kb_xstrdup(root);
		e->uname = m.uname;
		e->distro = m.distro;
		e->arch = m.arch;
		m.uname = m.distro = m.arch = NULL;
		e->compiler = kb_vm_bundle_compiler(tgz);
	}
	kb_bundle_meta_free(&m);
	return err;
}

char *kb_vm_bundle_compiler(const char *tgz)
{
	struct kb_bundle_meta m = { 0 };
	struct kb_compiler c = { 0 };
	char spec[KB_COMPILER_SPEC_MAX], *r = NULL;
	enum kb_cc_kind kind;
	unsigned major;

	if (kb_bundle_meta_peek(tgz, &m) != 0 || !m.compiler)
		goto out;
	/* BUNDLE_COMPILER is a spec; bundle.json's "compiler" is the text */
	if (kb_compiler_spec_parse(m.compiler, &kind, &major) == 0) {
		r = kb_xstrdup(m.compiler);
	} else if (kb_compiler_from_text(m.compiler, strlen(m.compiler), &c) == 0) {
		kb_compiler_spec(&c, spec);
		r = kb_xstrdup(spec);
	}
out:
	kb_compiler_free(&c);
	kb_bundle_meta_free(&m);
	return r;
}

void kb_vm_buildenv_hosttools(struct kb_vm_buildenv *e, const char *kbuild_deb)
{
	size_t n = 0;

	if (!kb_vm_arch_foreign(e->arch) || !kbuild_deb)
		return;
	if (kb_vm_hosttools_overlay(kbuild_deb, e->build_dir, e->uname, &n) == 0) {
		e->host_tools = true;
		kb_info("%s: %s bundle: %zu kbuild files taken from this machine's (%s) package %s",
			e->uname, e->arch, n, kb_arch_host(), kbuild_deb);
	}
}

void kb_vm_buildenv_toolchain(struct kb_vm_buildenv *e, const char *workdir, const char *release)
{
	const char *rel = release ? kb_toolchain_release(release) : NULL;
	const char *cross = kb_vm_arch_foreign(e->arch) ? e->arch : NULL;

	if (cross && !e->host_tools) {
		e->tc_error = kb_xasprintf("build failed: %s is a bundle for %s, whose kbuild host "
					   "programs (fixdep, modpost) are %s programs, and this "
					   "machine's (%s) linux-kbuild package of the same version "
					   "could not be had (see the log: the manifest needs the %s "
					   "packages of the release too)", e->uname, e->arch, e->arch,
					   kb_arch_host(), kb_arch_host());
		return;
	}
	if (cross && !e->compiler) {
		e->tc_error = kb_xasprintf("build failed: the %s bundle %s names no compiler (no "
					   "BUNDLE_COMPILER): no cross compiler to choose; repack it",
					   e->arch, e->uname);
		return;
	}
	if (!e->compiler) {
		kb_warn("%s: the bundle names no compiler (no BUNDLE_COMPILER: packed by an older "
			"kbundle, or a kernel before 4.18): building with the host's, unchecked; "
			"repack it to build with the kernel's own", e->uname);
		return;
	}
	if (kb_toolchain_for(workdir, e->compiler, rel, cross, 0, &e->tc) == 0) {
		e->have_tc = true;
		kb_info("%s: building with %s from %s", e->uname, e->tc.cc,
			e->tc.root ? e->tc.root : "the host");
		return;
	}
	e->tc_error = kb_xasprintf("build failed: no %s%s%s to build with (BUNDLE_COMPILER): the "
				   "host has none and no %s build root could be had (see the log); "
				   "not built with another compiler", e->compiler,
				   cross ? " cross compiler for " : "", cross ? cross : "",
				   rel ? rel : "Debian");
}

void kb_vm_buildenv_free(struct kb_vm_buildenv *e)
{
	free(e->root);
	free(e->build_dir);
	free(e->uname);
	free(e->distro);
	free(e->arch);
	free(e->compiler);
	if (e->have_tc)
		kb_toolchain_free(&e->tc);
	free(e->tc_error);
	memset(e, 0, sizeof(*e));
}

char **kb_vm_make_argv(const struct kb_vm_buildenv *e, const char *const *cmd)
{
	const struct kb_arch *a = kb_arch_find(e->arch);
	bool cross = e->have_tc && e->tc.cross_compile && a;
	const char *base = strrchr(cmd[0], '/') ? strrchr(cmd[0], '/') + 1 : cmd[0];
	bool make = !strcmp(base, "make");
	size_t n = 0, k = 0;
	char **v;

	while (cmd[n])
		n++;
	v = kb_xcalloc(n + 4, sizeof(*v));
	/* make takes them as arguments; a DKMS MAKE[] that is not make gets
	 * them in the environment, which kbuild reads too */
	if (cross && !make)
		v[k++] = kb_xstrdup("env");
	if (cross && !make) {
		v[k++] = kb_xasprintf("ARCH=%s", a->karch);
		v[k++] = kb_xasprintf("CROSS_COMPILE=%s", e->tc.cross_compile);
	}
	for (size_t i = 0; i < n; i++)
		v[k++] = kb_xstrdup(cmd[i]);
	if (cross && make) {
		v[k++] = kb_xasprintf("ARCH=%s", a->karch);
		v[k++] = kb_xasprintf("CROSS_COMPILE=%s", e->tc.cross_compile);
	}
	v[k] = NULL;
	return v;
}

/* make, on the host or inside the build root with the bundle and the
 * work tree bound (writable: kbuild writes only under M=, on tmpfs). */
static int kb_vm_make(const struct kb_vm_buildenv *e, const char *work,
		      const struct kb_vm_modsrc_plan *p, const struct kb_proc_opts *o,
		      struct kb_proc_result *r)
{
	struct kb_toolchain_bind binds[] = { { e->root, true }, { work, true } };
	char **argv = kb_vm_make_argv(e, (const char *const *)p->argv);
	int err;

	if (!e->have_tc || !e->tc.root)
		err = kb_proc_run((const char *const *)argv, o, r);
	else
		err = kb_toolchain_run(&e->tc, binds, 2, (const char *const *)argv, o, r);
	kb_toolchain_argv_free(argv);
	return err;
}

int kb_vm_unit_build(struct kb_vm_unit *u, const struct kb_vm_buildenv *e, const char *uname,
		     const char *work, int timeout_ms)
{
	struct kb_proc_opts o = { .timeout_ms = timeout_ms, .output_max = KB_VM_BUILD_OUT_MAX };
	struct kb_proc_result r = { 0 };
	struct kb_vm_modsrc_plan p = { 0 };
	int files = 0, err;

	if (e->tc_error) {
		kb_vm_set(&u->chk[KB_CHK_BUILD], KB_ST_FAIL, kb_xstrdup(e->tc_error));
		u->chk[KB_CHK_VERMAGIC].st = KB_ST_SKIP;
		return 0;
	}
	err = kb_vm_modsrc_plan(u->src, work, u->name, e->build_dir, uname, &p);
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
	err = kb_vm_make(e, work, &p, &o, &r);
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
		kb_vm_unit_vermagic(u, uname, e->arch, e->compiler);
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
