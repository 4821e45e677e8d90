/* bpfunit.c — BPF units: found in --bpf directories, compiled both ways
 * with clang, checked before boot. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arch.h"
#include "lib/datadir.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/strv.h"
#include "lib/yaml_doc.h"
#include "btf/btf.h"
#include "vm/bpfobj.h"
#include "vm/bpfunit.h"
#include "vm/kernel_btf.h"
#include "vm/modcache.h"

#define KB_BPF_SUFFIX ".bpf.c"
#define KB_BPF_OBJ_SUFFIX ".bpf.o"
#define KB_BPF_OUT_MAX (64u << 10)

/* libbpf's headers (bpf/bpf_helpers.h…) and clang's own (stddef.h…). */
#define KB_BPF_LIBBPF_INC "/usr/include/bpf"

enum kb_bpf_ways { KB_BPF_CORE = 1, KB_BPF_NONCORE = 2, KB_BPF_BOTH = 3 };

/* The files of dir ending in suffix, sorted: base names without it. */
static int kb_bpf_sources(const char *dir, const char *suffix, struct kb_strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t sl = strlen(suffix);

	if (!d)
		return -KB_ENOTFOUND;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > sl && !strcmp(de->d_name + n - sl, suffix)) {
			char *b = kb_xstrndup(de->d_name, n - sl);

			kb_strv_push(out, b);
			free(b);
		}
	}
	closedir(d);
	kb_strv_sort_unique(out);
	return 0;
}

/* bpf.yml's word for each source; 0 when fine, -KB_EUSAGE logged. */
static int kb_bpf_ways(const char *dir, const struct kb_strv *srcs, int *ways)
{
	char *path = kb_path_join(dir, "bpf.yml");
	struct kb_ynode *root = NULL;
	int err = 0;

	for (size_t i = 0; i < srcs->n; i++)
		ways[i] = KB_BPF_BOTH;
	if (access(path, F_OK) != 0)
		goto out;
	if (kb_yaml_load(path, NULL, &root) != 0) {
		err = -KB_EUSAGE;
		goto out;
	}
	if (root->type != KB_Y_MAP) {
		kb_error("%s:%d: want a mapping of program names to core, non-core or both",
			 path, root->line);
		err = -KB_EUSAGE;
		goto out;
	}
	for (size_t i = 0; i + 1 < root->n && !err; i += 2) {
		const struct kb_ynode *k = root->items[i], *v = root->items[i + 1];
		const char *w = v->type == KB_Y_SCALAR ? v->scalar : "";
		size_t s;

		for (s = 0; s < srcs->n && strcmp(srcs->v[s], k->scalar ? k->scalar : ""); s++)
			;
		if (s == srcs->n) {
			kb_error("%s:%d: '%s' names no %s%s in %s", path, k->line,
				 k->scalar ? k->scalar : "", k->scalar ? k->scalar : "", KB_BPF_SUFFIX, dir);
			err = -KB_EUSAGE;
		} else if (!strcmp(w, "core") || !strcmp(w, "non-core") || !strcmp(w, "both")) {
			ways[s] = w[0] == 'c' ? KB_BPF_CORE : w[0] == 'n' ? KB_BPF_NONCORE : KB_BPF_BOTH;
		} else {
			kb_error("%s:%d: want core, non-core or both for '%s'", path, v->line,
				 k->scalar);
			err = -KB_EUSAGE;
		}
	}
out:
	kb_yaml_free(root);
	free(path);
	return err;
}

int kb_vm_bpf_dir_check(const char *dir)
{
	struct kb_strv srcs = { 0 }, objs = { 0 };
	int *ways, err = 0;

	if (kb_bpf_sources(dir, KB_BPF_SUFFIX, &srcs) != 0 ||
	    kb_bpf_sources(dir, KB_BPF_OBJ_SUFFIX, &objs) != 0 || !(srcs.n + objs.n)) {
		kb_error("--bpf %s: %s", dir, access(dir, F_OK) != 0 ? "no such directory" :
			 "holds no *.bpf.c program and no *.bpf.o object");
		err = -KB_EUSAGE;
		goto out;
	}
	/* A prebuilt object is outside data: refused before anything boots. */
	for (size_t i = 0; i < objs.n && !err; i++) {
		char *path = kb_xasprintf("%s/%s%s", dir, objs.v[i], KB_BPF_OBJ_SUFFIX), *why = NULL;
		struct kb_vm_bpfobj o;

		if (kb_vm_bpfobj_check_file(path, &o, &why) != 0) {
			kb_error("--bpf %s: %s; it is not a BPF object vmtest can load", dir, why);
			err = -KB_EUSAGE;
		}
		kb_vm_bpfobj_free(&o);
		free(why);
		free(path);
	}
	ways = kb_xcalloc(srcs.n + 1, sizeof(*ways));
	if (!err)
		err = kb_bpf_ways(dir, &srcs, ways);
	free(ways);
out:
	kb_strv_free(&srcs);
	kb_strv_free(&objs);
	return err;
}

static void kb_bpf_unit_add(struct kb_vm_kernel *k, const char *dir, const char *base, bool core,
			    bool prebuilt)
{
	struct kb_vm_unit *u;
	char *name = kb_xasprintf("%s-%s", base, prebuilt ? "object" : core ? "core" : "noncore");

	for (char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			*p = '_';
	for (size_t i = 0; i < k->nunits; i++)
		if (!strcmp(k->units[i].name, name)) {	/* the same name in two dirs */
			char *t = kb_xasprintf("%s-%zu", name, k->nunits);

			free(name);
			name = t;
		}
	k->units = kb_xrealloc(k->units, (k->nunits + 1) * sizeof(*k->units));
	u = &k->units[k->nunits++];
	memset(u, 0, sizeof(*u));
	u->name = name;
	u->src = kb_xasprintf("%s/%s%s", dir, base, prebuilt ? KB_BPF_OBJ_SUFFIX : KB_BPF_SUFFIX);
	u->bpf = true;
	u->bpf_core = core;
	u->bpf_prebuilt = prebuilt;
	u->insns = u->verified_insns = -1;
}

void kb_vm_bpf_units_add(struct kb_vm_kernel *k, const char *const *dirs, size_t ndirs)
{
	for (size_t d = 0; d < ndirs; d++) {
		struct kb_strv srcs = { 0 }, objs = { 0 };
		int *ways;

		kb_bpf_sources(dirs[d], KB_BPF_SUFFIX, &srcs);
		kb_bpf_sources(dirs[d], KB_BPF_OBJ_SUFFIX, &objs);
		ways = kb_xcalloc(srcs.n + 1, sizeof(*ways));
		kb_bpf_ways(dirs[d], &srcs, ways);	/* checked before: no errors */
		for (size_t i = 0; i < srcs.n; i++) {
			if (ways[i] & KB_BPF_CORE)
				kb_bpf_unit_add(k, dirs[d], srcs.v[i], true, false);
			if (ways[i] & KB_BPF_NONCORE)
				kb_bpf_unit_add(k, dirs[d], srcs.v[i], false, false);
		}
		for (size_t i = 0; i < objs.n; i++)
			kb_bpf_unit_add(k, dirs[d], objs.v[i], true, true);
		free(ways);
		kb_strv_free(&srcs);
		kb_strv_free(&objs);
	}
}

static void kb_bpf_set(struct kb_vm_check_result *r, enum kb_vm_status st, char *why)
{
	r->st = st;
	free(r->detail);
	r->detail = why;
}

/* A directory holding only bpf/ (libbpf's headers): -isystem it, and
 * nothing else of /usr/include is on the path. */
static char *kb_bpf_libbpf_dir(const char *work)
{
	char *dir = kb_path_join(work, "libbpf-include"), *link = kb_path_join(dir, "bpf");

	kb_mkdir_p(dir, 0755);
	if (access(link, F_OK) != 0 && symlink(KB_BPF_LIBBPF_INC, link) != 0)
		kb_warn("%s: %s", link, strerror(errno));
	free(link);
	return dir;
}

static char *kb_bpf_clang_dir;
static pthread_once_t kb_bpf_clang_once = PTHREAD_ONCE_INIT;

static void kb_bpf_clang_find(void)
{
	static const char *const argv[] = { "clang", "-print-resource-dir", NULL };
	struct kb_proc_opts o = { .timeout_ms = 30000 };
	struct kb_proc_result r = { 0 };

	if (kb_proc_run(argv, &o, &r) == 0 && r.output) {
		r.output[strcspn(r.output, "\n")] = '\0';
		kb_bpf_clang_dir = kb_xasprintf("%s/include", r.output);
	}
	free(r.output);
}

/* clang's own headers (stddef.h, stdint.h…): `clang -print-resource-dir`,
 * asked once; its path names clang's version. NULL: no clang. */
static const char *kb_bpf_clang_inc(void)
{
	pthread_once(&kb_bpf_clang_once, kb_bpf_clang_find);
	return kb_bpf_clang_dir;
}

/* The compile command, NULL-terminated, into v (at most 48 entries). */
static void kb_bpf_argv(const struct kb_vm_unit *u, const struct kb_vm_bpf_env *e,
			const char *karch, const char *clang_inc, const char *libbpf,
			const char *out, struct kb_strv *v)
{
	/* LINUXINCLUDE's order; "A" is arch/<karch>. */
	static const char *const incs[] = {
		"A/include", "A/include/generated", "include", "A/include/uapi",
		"A/include/generated/uapi", "include/uapi", "include/generated/uapi",
	};
	char *t, *src_dir = kb_xstrndup(u->src, (size_t)(strrchr(u->src, '/') - u->src));

	kb_strv_push(v, "clang");
	kb_strv_push(v, "-target");
	kb_strv_push(v, "bpf");
	kb_strv_push(v, "-O2");
	kb_strv_push(v, "-g");
	kb_strv_push(v, "-nostdinc");
	t = kb_xasprintf("-D__TARGET_ARCH_%s", karch);
	kb_strv_push(v, t);
	free(t);
	kb_strv_push(v, u->bpf_core ? "-DKBUNDLE_BPF_CORE=1" : "-DKBUNDLE_BPF_CORE=0");
	t = kb_xasprintf("-I%s", src_dir);
	kb_strv_push(v, t);
	free(t);
	if (u->bpf_core) {
		char *h = kb_xstrndup(e->vmlinux_h, (size_t)(strrchr(e->vmlinux_h, '/') - e->vmlinux_h));

		t = kb_xasprintf("-I%s", h);
		kb_strv_push(v, t);
		free(t);
		free(h);
	} else {
		kb_strv_push(v, "-D__KERNEL__");
		kb_strv_push(v, "-D__BPF_TRACING__");
		for (size_t i = 0; i < sizeof(incs) / sizeof(incs[0]); i++) {
			if (incs[i][0] == 'A')
				t = kb_xasprintf("-I%s/arch/%s%s", e->build_dir, karch, incs[i] + 1);
			else
				t = kb_xasprintf("-I%s/%s", e->build_dir, incs[i]);
			kb_strv_push(v, t);
			free(t);
		}
		kb_strv_push(v, "-include");
		t = kb_xasprintf("%s/include/linux/kconfig.h", e->build_dir);
		kb_strv_push(v, t);
		free(t);
	}
	kb_strv_push(v, "-isystem");
	kb_strv_push(v, libbpf);
	kb_strv_push(v, "-isystem");
	kb_strv_push(v, clang_inc);
	kb_strv_push(v, "-c");
	kb_strv_push(v, u->src);
	kb_strv_push(v, "-o");
	kb_strv_push(v, out);
	free(src_dir);
}

/* The lines of clang's output that say why (its "error:" lines), at most
 * 20; else the last of them. */
static char *kb_bpf_errors(const char *out)
{
	char *s = kb_xstrdup(""), *t;
	const char *p = out ? out : "";
	int n = 0;

	while (*p && n < 20) {
		size_t l = strcspn(p, "\n");

		if (memmem(p, l, "error:", 6)) {
			t = kb_xasprintf("%s%.*s\n", s, (int)l, p);
			free(s);
			s = t;
			n++;
		}
		p += l + (p[l] == '\n');
	}
	if (!n) {
		free(s);
		s = kb_xstrdup(out && strlen(out) > 2000 ? out + strlen(out) - 2000 : out ? out : "");
	}
	return s;
}

/* bpf-validate of the object at path, which becomes u's. */
static void kb_bpf_validate(struct kb_vm_unit *u, const char *path)
{
	struct kb_vm_bpfobj obj;
	char *why = NULL;

	if (kb_vm_bpfobj_check_file(path, &obj, &why) != 0) {
		kb_bpf_set(&u->chk[KB_CHK_BPF_VALIDATE], KB_ST_FAIL, why);
		return;
	}
	kb_bpf_set(&u->chk[KB_CHK_BPF_VALIDATE], KB_ST_PASS, kb_xstrdup(obj.summary));
	u->insns = obj.insns;
	u->bpf_tc = obj.tc;
	u->bpf_obj = kb_xstrdup(path);
	kb_vm_bpfobj_free(&obj);
}

void kb_vm_bpf_unit_build(struct kb_vm_unit *u, const struct kb_vm_bpf_env *e)
{
	const struct kb_arch *a = kb_arch_find(e->arch);
	struct kb_proc_opts o = { .timeout_ms = e->timeout_ms, .output_max = KB_BPF_OUT_MAX };
	struct kb_proc_result r = { 0 };
	struct kb_strv argv = { 0 };
	const char **av;
	const char *clang_inc = kb_bpf_clang_inc();
	char *out, *libbpf;
	int err;

	if (u->bpf_prebuilt) {
		kb_bpf_set(&u->chk[KB_CHK_BPF_BUILD], KB_ST_PASS, kb_xstrdup("prebuilt: not compiled"));
		kb_bpf_validate(u, u->src);
		return;
	}
	if (u->bpf_core && !e->vmlinux_h) {
		kb_bpf_set(&u->chk[KB_CHK_BPF_BUILD], KB_ST_FAIL,
			   kb_xasprintf("no BTF: a CO-RE build needs the kernel's vmlinux.h (%s)",
					e->no_btf ? e->no_btf : "the kernel has no BTF"));
		return;
	}
	if (!a || !clang_inc) {
		kb_bpf_set(&u->chk[KB_CHK_BPF_BUILD], KB_ST_FAIL,
			   !a ? kb_xasprintf("no BPF build for architecture %s", e->arch)
			      : kb_xstrdup("clang could not run (is clang installed?)"));
		return;
	}
	out = kb_xasprintf("%s/%s.bpf.o", e->work, u->name);
	libbpf = kb_bpf_libbpf_dir(e->work);
	kb_bpf_argv(u, e, a->karch, clang_inc, libbpf, out, &argv);
	av = kb_xcalloc(argv.n + 1, sizeof(*av));	/* NULL-terminated, as exec wants */
	memcpy(av, argv.v, argv.n * sizeof(*av));
	err = kb_proc_run(av, &o, &r);
	free(av);
	if (err == -ETIMEDOUT) {
		kb_bpf_set(&u->chk[KB_CHK_BPF_BUILD], KB_ST_FAIL,
			   kb_xasprintf("clang did not finish within %d s", e->timeout_ms / 1000));
	} else if (err) {
		char *lines = kb_bpf_errors(r.output);

		kb_bpf_set(&u->chk[KB_CHK_BPF_BUILD], KB_ST_FAIL,
			   kb_xasprintf("clang -target bpf (%s) failed (exit %d):\n%s",
					u->bpf_core ? "CO-RE, vmlinux.h" : "non-CO-RE, the bundle's headers",
					r.exit_code, lines));
		free(lines);
	} else {
		kb_bpf_set(&u->chk[KB_CHK_BPF_BUILD], KB_ST_PASS, NULL);
		kb_bpf_validate(u, out);
	}
	free(r.output);
	free(out);
	free(libbpf);
	kb_strv_free(&argv);
}

bool kb_vm_kernel_has_bpf(const struct kb_vm_kernel *k, bool tc)
{
	for (size_t i = 0; i < k->nunits; i++)
		if (k->units[i].bpf && kb_vm_unit_ready(&k->units[i]) && (!tc || k->units[i].bpf_tc))
			return true;
	return false;
}

void kb_vm_bpf_loader(struct kb_vm_kernel *k, const char *arch)
{
	char *why = NULL;

	if (!kb_vm_kernel_has_bpf(k, false))
		return;
	if (!kb_arch_same(arch, kb_arch_host()))
		why = kb_xasprintf("no BPF loader for %s: kbundle-bpfload is built for this "
				   "machine's architecture (%s) only", arch, kb_arch_host());
	else if (!(k->bpfload = kb_datadir_helper("kbundle-bpfload")))
		why = kb_xstrdup("kbundle-bpfload, the guest's BPF loader, is not beside kbundle "
				 "nor in <prefix>/libexec/kbundle (rebuild with make, or make install)");
	for (size_t i = 0; why && i < k->nunits; i++) {
		struct kb_vm_unit *u = &k->units[i];

		if (!u->bpf || !kb_vm_unit_ready(u))
			continue;
		kb_bpf_set(&u->chk[KB_CHK_BPF_LOAD], KB_ST_FAIL, kb_xstrdup(why));
		free(u->bpf_obj);
		u->bpf_obj = NULL;	/* kept out of the guest */
	}
	if (why)
		kb_warn("%s: %s", k->release, why);
	free(why);
}

void kb_vm_bpf_min_core(struct kb_vm_kernel *k, const char *kcache, const char *key,
			const char *work)
{
	char *btf = NULL, *why = NULL;
	int err = kb_vm_kernel_btf(kcache, key, &btf, &why);

	for (size_t i = 0; i < k->nunits; i++) {
		struct kb_vm_unit *u = &k->units[i];
		struct kb_vm_check_result *r = &u->chk[KB_CHK_BPF_VALIDATE];
		const char *obj;
		char *out, *d;

		if (!u->bpf || !kb_vm_unit_ready(u))
			continue;
		obj = u->bpf_obj;
		out = kb_xasprintf("%s/%s.btf", work, u->name);
		if (!err && kb_btf_min_core(btf, &obj, 1, out) == 0) {
			u->bpf_btf = out;
			continue;
		}
		d = kb_xasprintf("%s\nno min-core BTF: %s", r->detail ? r->detail : "",
				 err ? why : "bpftool gen min_core_btf failed (see the log)");
		free(r->detail);
		r->detail = d;
		free(out);
	}
	free(btf);
	free(why);
}

/* The key: the module cache's (the bundle's bytes, a name, every file of
 * a directory) over the unit's directory, with the unit's name, the kernel
 * image (its vmlinux.h) and clang's version in the name. */
static char *kb_bpf_cache_key(const struct kb_vm_unit *u, const char *bundle_sha,
			      const char *image_key)
{
	const char *clang = kb_bpf_clang_inc();
	char *dir = kb_xstrndup(u->src, (size_t)(strrchr(u->src, '/') - u->src));
	char *name = kb_xasprintf("bpf-1\n%s\n%s\n%s", u->name, image_key ? image_key : "-",
				  clang ? clang : "-");
	struct kb_vm_unit k = { .name = name, .src = dir };
	char *key = clang ? kb_vm_modcache_key(&k, bundle_sha) : NULL;

	free(name);
	free(dir);
	return key;
}

char *kb_vm_bpf_cache_get(struct kb_vm_unit *u, const char *cache_dir, const char *bundle_sha,
			  const char *image_key)
{
	char *key = kb_bpf_cache_key(u, bundle_sha, image_key), *path;

	if (!key)
		return NULL;
	path = kb_xasprintf("%s/%s.bpf.o", cache_dir, key);
	if (access(path, R_OK) == 0) {
		kb_bpf_set(&u->chk[KB_CHK_BPF_BUILD], KB_ST_PASS, kb_xstrdup("built before: cached"));
		kb_bpf_validate(u, path);
	}
	free(path);
	return key;
}

void kb_vm_bpf_cache_put(const struct kb_vm_unit *u, const char *cache_dir, const char *key)
{
	char *buf = NULL, *path;
	size_t len = 0;

	if (!key || u->chk[KB_CHK_BPF_VALIDATE].st != KB_ST_PASS || u->bpf_prebuilt ||
	    kb_file_read(u->bpf_obj, KB_VM_BPFOBJ_MAX, &buf, &len) != 0)
		return;
	path = kb_xasprintf("%s/%s.bpf.o", cache_dir, key);
	kb_mkdir_p(cache_dir, 0755);
	if (kb_file_write_atomic(path, buf, len) != 0)
		kb_warn("%s: the built object could not be cached", path);
	free(path);
	free(buf);
}
