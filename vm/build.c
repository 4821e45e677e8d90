/* build.c — `kbundle build`: per selected bundle (on up to -j threads)
 * extract it to tmpfs, build every module with its kernel's compiler,
 * (a foreign bundle: with the cross compiler and this machine's kbuild
 * programs), check each .ko's architecture, vermagic and .comment, and move the .ko files with a build.json
 * into OUTDIR/<arch>/<uname>/ in one rename. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/datadir.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/meter.h"
#include "lib/pool.h"
#include "vm/build.h"
#include "vm/hosttools.h"
#include "vm/modbuild.h"
#include "vm/modinfo.h"
#include "vm/modsrc.h"
#include "vm/target.h"
#include "vm/vmtest.h"

#define KB_BUILD_FORMAT 1

/* One built .ko, as build.json lists it. */
struct kb_build_ko {
	char *unit, *file, *vermagic;
	char sha256[KB_SHA256_HEX_LEN + 1];
	uint64_t size;
};

/* One kernel's outcome. */
struct kb_build_kernel {
	struct kb_vm_kernel k;	/* units and their build/vermagic checks */
	char *arch, *compiler, *toolchain;
	char *cc;		/* the compiler command: gcc-14, aarch64-linux-gnu-gcc-14 */
	char *dir;		/* "<arch>/<uname>", relative to OUTDIR; NULL: not written */
	char *error;		/* why nothing was written */
	struct kb_build_ko *kos;
	size_t nkos;
};

struct kb_build_ctx {
	const struct kb_build_opts *o;
	struct kb_vm_targets ts;
	struct kb_build_kernel *res;
	char **host_tools;	/* per target: this machine's kbuild package, for a foreign bundle */
	char *tmp;
	struct kb_meter meter;	/* kernels built for: N/M, elapsed, ETA (on a TTY) */
};

void kb_build_opts_init(struct kb_build_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->manifest = "manifest.yml";
	o->upstreams = kb_datadir_upstreams();
	o->workdir = ".kbundle";
	o->jobs = 1;
	o->build_timeout_s = 600;
}

/* Each built .ko's facts, read while the files are on tmpfs. */
static void kb_build_kos(struct kb_build_kernel *r)
{
	for (size_t i = 0; i < r->k.nunits; i++) {
		const struct kb_vm_unit *u = &r->k.units[i];

		for (size_t m = 0; m < u->nkos; m++) {
			struct kb_build_ko *x;

			r->kos = kb_xrealloc(r->kos, (r->nkos + 1) * sizeof(*r->kos));
			x = &r->kos[r->nkos++];
			memset(x, 0, sizeof(*x));
			x->unit = kb_xstrdup(u->src);
			x->file = kb_xstrdup(strrchr(u->kos[m], '/') + 1);
			kb_sha256_file(u->kos[m], x->sha256, &x->size);
			kb_vm_modinfo_file(u->kos[m], "vermagic", &x->vermagic);
		}
	}
}

/* The kernel's facts and each .ko (file, vermagic, sha256, size). */
static void kb_build_json_kernel(struct kb_json *j, const struct kb_build_kernel *r)
{
	kb_json_obj_begin(j, NULL);
	kb_json_str(j, "bundle", r->k.id);
	kb_json_str(j, "distro", r->k.distro);
	kb_json_str(j, "uname", r->k.release);
	kb_json_str(j, "arch", r->arch);
	kb_json_str(j, "compiler", r->compiler);
	kb_json_str(j, "cc", r->cc);
	kb_json_str(j, "toolchain", r->toolchain);
	kb_json_str(j, "dir", r->dir);
	kb_json_bool(j, "passed", !r->error);
	kb_json_str(j, "error", r->error);
	kb_json_arr_begin(j, "modules");
	for (size_t i = 0; i < r->nkos; i++) {
		kb_json_obj_begin(j, NULL);
		kb_json_str(j, "unit", r->kos[i].unit);
		kb_json_str(j, "file", r->kos[i].file);
		kb_json_str(j, "vermagic", r->kos[i].vermagic);
		kb_json_str(j, "sha256", r->kos[i].sha256);
		kb_json_uint(j, "size", r->kos[i].size);
		kb_json_obj_end(j);
	}
	kb_json_arr_end(j);
	kb_json_obj_end(j);
}

/* Why the first unit that failed did (build, else vermagic), or NULL. */
static char *kb_build_failure(const struct kb_vm_kernel *k)
{
	for (size_t i = 0; i < k->nunits; i++)
		for (int c = KB_CHK_BUILD; c <= KB_CHK_VERMAGIC; c++)
			if (k->units[i].chk[c].st != KB_ST_PASS)
				return kb_xasprintf("%s: %s: %s", k->units[i].src,
						    kb_vm_check_name((enum kb_vm_check)c),
						    k->units[i].chk[c].detail ? k->units[i].chk[c].detail
									      : "not run");
	return NULL;
}

/* The .ko files and build.json into OUTDIR/<arch>/<uname>/: made beside it
 * as .tmp-*, then renamed over the old directory (which goes). */
static int kb_build_publish(const struct kb_build_opts *o, struct kb_build_kernel *r)
{
	char *final = kb_path_join(o->outdir, r->dir), *parent = kb_xstrdup(final);
	char *tmp = NULL, *old = NULL, *p, *text = NULL;
	struct kb_json j;
	size_t len = 0;
	int err;

	*strrchr(parent, '/') = '\0';
	tmp = kb_xasprintf("%s/.tmp-%s.%d", parent, strrchr(final, '/') + 1, (int)getpid());
	old = kb_xasprintf("%s/.old-%s.%d", parent, strrchr(final, '/') + 1, (int)getpid());
	kb_rm_rf(tmp);
	err = kb_mkdir_p(tmp, 0755);
	for (size_t i = 0; !err && i < r->k.nunits; i++) {
		for (size_t m = 0; !err && m < r->k.units[i].nkos; m++) {
			const char *ko = r->k.units[i].kos[m];
			char *dst = kb_path_join(tmp, strrchr(ko, '/') + 1), *buf = NULL;
			size_t n = 0;

			if (access(dst, F_OK) == 0) {
				kb_error("%s: two modules are called %s", r->k.release,
					 strrchr(ko, '/') + 1);
				err = -EEXIST;
			} else if (!(err = kb_file_read(ko, 256u << 20, &buf, &n))) {
				err = kb_file_write_atomic(dst, buf, n);
			}
			free(buf);
			free(dst);
		}
	}
	kb_json_init(&j);
	kb_build_json_kernel(&j, r);
	text = kb_json_finish(&j, &len, &err);
	if (!err) {
		p = kb_path_join(tmp, "build.json");
		err = kb_file_write_atomic(p, text, len);
		free(p);
	}
	if (!err && rename(final, old) != 0 && errno != ENOENT)
		err = -errno;
	if (!err && rename(tmp, final) != 0)
		err = -errno;
	if (err)
		kb_error("%s: cannot write: %s", final, kb_strerror(err));
	kb_rm_rf(err ? tmp : old);
	free(text);
	free(final);
	free(parent);
	free(tmp);
	free(old);
	return err;
}

/* One unit per --module, named u<i>-<base name> (unique in the run). */
static void kb_build_units(const struct kb_build_opts *o, struct kb_vm_kernel *k)
{

	k->units = kb_xcalloc(o->nmodules, sizeof(*k->units));
	for (size_t i = 0; i < o->nmodules; i++) {
		char *b = kb_xstrdup(o->modules[i]), *e = b + strlen(b);

		while (e > b + 1 && e[-1] == '/')
			*--e = '\0';
		k->units[i].name = kb_xasprintf("u%zu-%s", i,
						strrchr(b, '/') ? strrchr(b, '/') + 1 : b);
		for (char *q = k->units[i].name; *q; q++)
			if (*q == '/' || *q == ' ')
				*q = '_';
		k->units[i].src = kb_xstrdup(o->modules[i]);
		k->nunits++;
		free(b);
	}
}

static void kb_build_one(void *ctx, size_t i)
{
	struct kb_build_ctx *c = ctx;
	struct kb_vm_target *t = &c->ts.v[i];
	struct kb_build_kernel *r = &c->res[i];
	char *tmp = kb_xasprintf("%s/k%zu", c->tmp, i), *root = kb_path_join(tmp, "bundle");
	char *mods = kb_path_join(tmp, "mod");
	struct kb_vm_buildenv env = { 0 };
	int err;

	r->k.id = kb_xstrdup(t->id);
	r->k.release = kb_xstrdup(t->release ? t->release : "unknown");
	r->k.distro = t->distro ? kb_xstrdup(t->distro) : NULL;
	kb_build_units(c->o, &r->k);
	if (t->error) {
		r->error = kb_xstrdup(t->error);
		goto out;
	}
	err = kb_vm_buildenv_open(t->bundle, root, c->o->limits, &env);
	if (err) {
		r->error = kb_xasprintf("bundle %s could not be read: %s", t->bundle, kb_strerror(err));
		goto out;
	}
	kb_vm_buildenv_hosttools(&env, c->host_tools[i]);
	kb_vm_buildenv_toolchain(&env, c->o->workdir, t->os_release);
	r->arch = kb_xstrdup(env.arch ? env.arch : "unknown");
	r->compiler = env.compiler ? kb_xstrdup(env.compiler) : NULL;
	r->cc = env.have_tc ? kb_xstrdup(env.tc.cc) : NULL;
	r->toolchain = env.have_tc && env.tc.root ? kb_xasprintf("%s root", env.tc.release)
						  : kb_xstrdup("host");
	kb_mkdir_p(mods, 0755);
	for (size_t u = 0; u < r->k.nunits; u++) {
		kb_info("%s: building %s", env.uname, r->k.units[u].src);
		if (kb_vm_unit_build(&r->k.units[u], &env, env.uname, mods,
				     c->o->build_timeout_s * 1000) != 0)
			break;
	}
	r->error = kb_build_failure(&r->k);
	kb_build_kos(r);
	if (!r->error) {
		r->dir = kb_xasprintf("%s/%s", r->arch, env.uname);
		if (kb_build_publish(c->o, r) != 0) {
			r->error = kb_xasprintf("%s/%s could not be written", c->o->outdir, r->dir);
			free(r->dir);
			r->dir = NULL;
		}
	}
out:
	if (r->error)
		kb_error("%s: %s", r->k.release, r->error);
	else
		kb_info("%s: %s/%s written", r->k.release, c->o->outdir, r->dir);
	kb_vm_buildenv_free(&env);
	kb_rm_rf(tmp);
	free(tmp);
	free(root);
	free(mods);
	kb_meter_add(&c->meter, 1, 0);
}

/* OUTDIR/build.json: every kernel of the run, written last. */
static int kb_build_index(const struct kb_build_ctx *c, size_t n)
{
	char *path = kb_path_join(c->o->outdir, "build.json"), *text;
	struct kb_json j;
	size_t len = 0;
	int err = 0;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_int(&j, "format", KB_BUILD_FORMAT);
	kb_json_arr_begin(&j, "kernels");
	for (size_t i = 0; i < n; i++)
		kb_build_json_kernel(&j, &c->res[i]);
	kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	text = kb_json_finish(&j, &len, &err);
	if (!err)
		err = kb_file_write_atomic(path, text, len);
	if (err)
		kb_error("%s: cannot write: %s", path, kb_strerror(err));
	free(text);
	free(path);
	return err;
}

int kb_build_run(const struct kb_build_opts *o, bool *passed)
{
	struct kb_build_ctx c = { .o = o };
	struct kb_vmtest_opts vo;
	size_t n = 0;
	int err = 0, tmp_slot = -1;

	*passed = false;
	for (size_t i = 0; i < o->nmodules && !err; i++)
		err = kb_vm_modsrc_check(o->modules[i]);
	if (err)
		return err;
	kb_vmtest_opts_init(&vo);
	vo.manifest = o->manifest;
	vo.upstreams = o->upstreams;
	vo.workdir = o->workdir;
	vo.sel = o->sel;
	vo.jobs = o->jobs;
	vo.build_only = true;
	vo.limits = o->limits;
	err = kb_vm_targets_select(&vo, &c.ts);
	if (err)
		goto out;
	/* made once the selection stands: a refused one leaves nothing */
	err = kb_mkdir_p(o->outdir, 0755);
	if (err) {
		kb_error("%s: cannot create: %s", o->outdir, kb_strerror(err));
		goto out;
	}
	n = c.ts.n;
	c.tmp = kb_vm_tmp_root(false, &tmp_slot);
	if (!c.tmp) {
		err = -EIO;
		goto out;
	}
	c.res = kb_xcalloc(n, sizeof(*c.res));
	c.host_tools = kb_vm_hosttools_fetch(&c.ts);
	kb_meter_start(&c.meter, "building", n);
	kb_pool_run(n, o->jobs, kb_build_one, &c);
	kb_meter_end(&c.meter);
	err = kb_build_index(&c, n);
	*passed = true;
	for (size_t i = 0; i < n; i++) {
		printf("%-40s %-8s %-8s %s\n", c.res[i].k.release, c.res[i].compiler ? c.res[i].compiler : "-",
		       c.res[i].error ? "fail" : "ok", c.res[i].dir ? c.res[i].dir : c.res[i].error);
		*passed = *passed && !c.res[i].error;
	}
out:
	if (c.tmp)
		kb_rm_rf(c.tmp);
	kb_cleanup_tree_del(tmp_slot);
	free(c.tmp);
	for (size_t i = 0; c.res && i < n; i++) {
		kb_vm_kernel_free(&c.res[i].k);
		free(c.res[i].arch);
		free(c.res[i].compiler);
		free(c.res[i].cc);
		free(c.res[i].toolchain);
		free(c.res[i].dir);
		free(c.res[i].error);
		for (size_t m = 0; m < c.res[i].nkos; m++) {
			free(c.res[i].kos[m].unit);
			free(c.res[i].kos[m].file);
			free(c.res[i].kos[m].vermagic);
		}
		free(c.res[i].kos);
	}
	free(c.res);
	kb_vm_hosttools_free(c.host_tools, n);
	kb_vm_targets_free(&c.ts);
	return err;
}
