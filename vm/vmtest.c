/* vmtest.c — the run: per kernel (on up to -j threads) extract the bundle
 * to tmpfs, build the units, boot, parse the console; then the reports. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundles/bundle_path.h"
#include "bundles/vmtest_verdict.h"
#include "cache/cache.h"
#include "lib/arch.h"
#include "lib/cleanup.h"
#include "lib/datadir.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/meter.h"
#include "lib/pool.h"
#include "lib/yaml_doc.h"
#include "vm/bpfunit.h"
#include "vm/hosttools.h"
#include "vm/initramfs.h"
#include "vm/kernel.h"
#include "vm/kernel_btf.h"
#include "vm/modbuild.h"
#include "vm/modcache.h"
#include "vm/moddep.h"
#include "vm/modsrc.h"
#include "vm/qemu.h"
#include "vm/report.h"
#include "vm/target.h"
#include "vm/testmod.h"
#include "vm/vmtest.h"

struct kb_vm_ctx {
	const struct kb_vmtest_opts *o;
	struct kb_vm_targets ts;
	struct kb_vm_kernel *kernels;
	char *tmp;		/* tmpfs work tree of this run */
	char *logs;		/* WORKDIR/reports/vmtest-…/ */
	char *kcache;		/* WORKDIR/cache/kernels */
	char *mcache;		/* WORKDIR/cache/modules */
	char *bcache;		/* WORKDIR/cache/bpf: built BPF objects */
	char **host_tools;	/* per target: this machine's kbuild package (foreign ones) */
	pthread_mutex_t lock;	/* the accelerator decision, fatal */
	const char *accel;	/* the host architecture's, decided once, by the first
				 * kernel of it that boots */
	int fatal;		/* host-side trouble (no make, no qemu) */
	struct kb_meter meter;	/* kernels done: N/M, elapsed, ETA (on a TTY) */
	double t0;
};

void kb_vmtest_opts_init(struct kb_vmtest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->manifest = "manifest.yml";
	o->upstreams = kb_datadir_upstreams();
	o->workdir = ".kbundle";
	o->accel = "auto";
	o->jobs = 1;
	o->timeout_s = 0;	/* the architecture's (vm/arch_vm.c) */
	o->build_timeout_s = 600;
	for (int c = 0; c < KB_CHK_N; c++)
		o->critical[c] = true;
}

static double kb_vm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Unit names: the directory's base name, [A-Za-z0-9_-], unique. */
static char *kb_vm_unit_name(const char *dir, const struct kb_vm_kernel *k, size_t n)
{
	const char *b;
	char *name, *t;
	size_t len;

	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	b = memrchr(dir, '/', len);
	b = b ? b + 1 : dir;
	name = kb_xstrndup(b, len - (size_t)(b - dir));
	for (char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			*p = '_';
	for (int dup = 2;; dup++) {
		bool taken = !name[0];

		for (size_t i = 0; i < n && !taken; i++)
			taken = !strcmp(k->units[i].name, name);
		if (!taken)
			return name;
		t = kb_xasprintf("%.*s-%d", (int)strcspn(name, "-") ?: 1, name[0] ? name : "m", dup);
		free(name);
		name = t;
	}
}

static void kb_vm_units_init(const struct kb_vmtest_opts *o, struct kb_vm_kernel *k)
{
	k->units = kb_xcalloc(o->nmodules + 1, sizeof(*k->units));
	k->units[0].name = kb_xstrdup(KB_VM_TESTMOD_NAME);
	k->nunits = 1;
	for (size_t i = 0; i < o->nmodules; i++, k->nunits++) {
		k->units[k->nunits].name = kb_vm_unit_name(o->modules[i], k, k->nunits);
		k->units[k->nunits].src = kb_xstrdup(o->modules[i]);
	}
	kb_vm_bpf_units_add(k, o->bpf_dirs, o->nbpf_dirs);
	k->no_btf = o->no_btf;
}

/* Host-side trouble (no make, no qemu) fails the run whatever the checks say. */
static void kb_vm_fatal(struct kb_vm_ctx *c, int err)
{
	pthread_mutex_lock(&c->lock);
	if (!c->fatal)
		c->fatal = err;
	pthread_mutex_unlock(&c->lock);
}

static const char *kb_vm_accel(struct kb_vm_ctx *c, const struct kb_vm_target *t,
			       const char *kernel, const char *tmp)
{
	char *state = kb_path_join(c->o->workdir, "state");
	const char *accel = "tcg";

	pthread_mutex_lock(&c->lock);
	if (kb_vm_arch_foreign(t->arch->debian)) {
		kb_vm_accel_decide(c->o->accel, t->arch, state, kernel, t->busybox, tmp, &accel);
	} else {
		if (!c->accel && kb_vm_accel_decide(c->o->accel, t->arch, state, kernel, t->busybox,
						    tmp, &c->accel) != 0)
			c->accel = "tcg";
		accel = c->accel;
	}
	pthread_mutex_unlock(&c->lock);
	free(state);
	return accel;
}

/* Units whose modules the cache holds for this bundle's bytes. Returns 1
 * when some must be built (the bundle is needed), 0 when none, with *uname
 * the release they were built for. */
static int kb_vm_units_from_cache(struct kb_vm_ctx *c, const struct kb_vm_target *t,
				  struct kb_vm_kernel *k, char **keys, char **uname)
{
	char hex[KB_SHA256_HEX_LEN + 1];
	size_t misses = 0;

	if (kb_sha256_file(t->bundle, hex, NULL) != 0)
		return 1;	/* the extraction names the problem */
	for (size_t i = 0; i < k->nunits; i++) {
		char *un = NULL;

		if (k->units[i].bpf) {
			keys[i] = kb_vm_bpf_cache_get(&k->units[i], c->bcache, hex, t->image_key);
			misses += k->units[i].chk[KB_CHK_BPF_BUILD].st != KB_ST_PASS;
			continue;
		}
		keys[i] = kb_vm_modcache_key(&k->units[i], hex);
		if (keys[i] && kb_vm_modcache_get(c->mcache, keys[i], &k->units[i], &un)) {
			free(*uname);
			*uname = un;
		} else {
			misses++;
		}
	}
	if (!misses)
		return 0;
	free(*uname);
	*uname = NULL;
	return 1;
}

/* The kernel's own modules the units depend on, from its packages: its
 * image packages, and its modules packages, fetched only now that a module
 * is known to depend on something. Trouble here is reported and left to
 * the guest's insmod to show. */
static void kb_vm_test_moddeps(struct kb_vm_ctx *c, struct kb_vm_target *t,
			       struct kb_vm_kernel *k, const char *krel)
{
	char *dir = kb_path_join(c->kcache, t->image_key);
	const char **pkgs;
	size_t n = 0;

	/* the modules packages are fetched only when a module needs them */
	if (kb_vm_kernel_needs_kmods(k)) {
		kb_vm_target_modpkgs(&c->ts, t);
		pkgs = kb_xcalloc(t->nimages + t->nmodpkgs + 1, sizeof(*pkgs));
		for (size_t i = 0; i < t->nimages; i++)
			pkgs[n++] = t->images[i];
		for (size_t i = 0; i < t->nmodpkgs; i++)
			pkgs[n++] = t->modpkgs[i];
		if (kb_vm_kernel_moddeps(k, dir, t->family, pkgs, n, krel) != 0)
			kb_warn("%s: the kernel's own modules could not be read; dependencies "
				"are not loaded", k->release);
		free(pkgs);
	}
	if (krel && kb_vm_kernel_portmods(k, dir, t->family, (const char *const *)t->images,
					  t->nimages, krel) != 0)
		kb_warn("%s: the kernel's virtio_console could not be read; the results go on "
			"the console", k->release);
	kb_debug("%s: dependencies ready (%.2f s)", k->release, kb_vm_now() - c->t0);
	free(dir);
}

struct kb_vm_bpf_jobs {
	struct kb_vm_kernel *k;
	const struct kb_vm_bpf_env *be;
	size_t *todo;
};

static void kb_vm_bpf_job(void *ctx, size_t i)
{
	struct kb_vm_bpf_jobs *j = ctx;

	kb_vm_bpf_unit_build(&j->k->units[j->todo[i]], j->be);
}

/* The BPF units of k not in the cache (keys: theirs), built into work on
 * every core against the extracted bundle and the kernel's vmlinux.h
 * (without a kernel, CO-RE builds fail saying so) and cached; then the
 * guest's loader found. */
static void kb_vm_test_bpf(struct kb_vm_ctx *c, const struct kb_vm_target *t,
			   struct kb_vm_kernel *k, const struct kb_vm_buildenv *env, const char *work,
			   bool have_kernel, char **keys)
{
	size_t *todo = kb_xcalloc(k->nunits + 1, sizeof(*todo)), n = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct kb_vm_bpf_env be = {
		.build_dir = env->build_dir, .arch = t->arch ? t->arch->debian : k->arch,
		.work = work, .timeout_ms = c->o->build_timeout_s * 1000,
	};
	char *h = NULL, *why = NULL;

	if (!c->o->nbpf_dirs) {
		free(todo);
		return;
	}
	if (have_kernel && kb_vm_kernel_vmlinux_h(c->kcache, t->image_key, &h, &why) == 0)
		be.vmlinux_h = h;
	be.no_btf = why ? why : "the kernel image could not be had";
	for (size_t i = 0; i < k->nunits; i++)
		if (k->units[i].bpf && k->units[i].chk[KB_CHK_BPF_BUILD].st == KB_ST_NOTRUN) {
			kb_info("%s: building %s", k->release, k->units[i].name);
			todo[n++] = i;
		}
	{
		struct kb_vm_bpf_jobs j = { .k = k, .be = &be, .todo = todo };

		kb_pool_run(n, cores > 1 ? (int)cores : 1, kb_vm_bpf_job, &j);
	}
	for (size_t i = 0; i < n; i++)
		kb_vm_bpf_cache_put(&k->units[todo[i]], c->bcache, keys[todo[i]]);
	free(todo);
	if (c->o->min_core && have_kernel)
		kb_vm_bpf_min_core(k, c->kcache, t->image_key, work);
	kb_vm_bpf_loader(k, be.arch);
	free(h);
	free(why);
}

/* Build and boot; every outcome lands in k's checks. */
static void kb_vm_test_kernel(struct kb_vm_ctx *c, struct kb_vm_target *t, struct kb_vm_kernel *k,
			      const char *host_tools, const char *tmp)
{
	char *root = kb_path_join(tmp, "bundle"), *mods = kb_path_join(tmp, "mod");
	char *initrd = kb_path_join(tmp, "initrd.cpio");
	/* The private port's bytes, kept beside the console log. */
	char *port = kb_xasprintf("%.*s.result", (int)(strlen(k->log_path) - 4), k->log_path);
	char nonce[KB_VM_NONCE_LEN + 1];
	char *uname = NULL, *kernel = NULL, *init = NULL, *why, *krel = NULL, *compiler = NULL;
	struct kb_vm_buildenv env = { 0 };
	const char *want;
	char **keys = kb_xcalloc(k->nunits, sizeof(*keys));
	struct kb_vm_boot_result br = { 0 };
	struct kb_vm_parsed p = { 0 };
	size_t built = 0;
	int err, kerr, timeout_s = c->o->timeout_s ? c->o->timeout_s : t->arch->timeout_s;

	/* The kernel first: the modules' vermagic must name the kernel that
	 * boots, which in direct mode need not be the bundle's. */
	kerr = kb_vm_kernel_get(c->kcache, t->image_key, t->family, (const char *const *)t->images,
				t->nimages, c->o->bundle ? NULL : t->release, t->arch->pvh, &kernel,
				&krel);
	err = 0;
	if (kb_vm_units_from_cache(c, t, k, keys, &uname)) {
		err = kb_vm_buildenv_open(t->bundle, root, c->o->limits, &env);
		if (!err) {
			free(uname);
			uname = kb_xstrdup(env.uname);
			kb_vm_buildenv_hosttools(&env, host_tools);
			kb_vm_buildenv_toolchain(&env, c->o->workdir, t->os_release);
		}
	}
	compiler = env.compiler ? kb_xstrdup(env.compiler) : kb_vm_bundle_compiler(t->bundle);
	if (err) {
		why = kb_xasprintf("build failed: bundle %s could not be read: %s", t->bundle,
				   kb_strerror(err));
		kb_vm_kernel_fail_all(k, KB_CHK_BUILD, why);
		free(why);
		goto out;
	}
	kb_debug("%s: bundle ready (%.2f s)", t->id, kb_vm_now() - c->t0);
	if (!k->release)
		k->release = kb_xstrdup(uname);
	if (!k->distro && env.distro)
		k->distro = kb_xstrdup(env.distro);
	want = krel ? krel : uname;
	kb_mkdir_p(mods, 0755);
	kb_vm_test_bpf(c, t, k, &env, mods, !kerr, keys);
	for (size_t i = 0; i < k->nunits; i++) {
		struct kb_vm_unit *u = &k->units[i];

		if (u->bpf)
			continue;
		if (u->chk[KB_CHK_BUILD].st == KB_ST_PASS) {	/* from the cache */
			kb_vm_unit_vermagic(u, want, t->arch ? t->arch->debian : NULL, compiler);
			built++;
			continue;
		}
		kb_info("%s: building %s", k->release, u->name);
		err = kb_vm_unit_build(u, &env, want, mods, c->o->build_timeout_s * 1000);
		if (err)
			kb_vm_fatal(c, err);
		if (u->chk[KB_CHK_BUILD].st != KB_ST_PASS)
			continue;
		built++;
		if (keys[i])
			kb_vm_modcache_put(c->mcache, keys[i], u, uname);
	}
	kb_debug("%s: modules built (%.2f s)", k->release, kb_vm_now() - c->t0);
	if (kerr) {
		why = kb_xasprintf("no kernel to boot: %s holds no usable kernel image for %s (%s)",
				   t->images[0], t->release ? t->release : "this bundle",
				   kb_strerror(kerr));
		kb_vm_kernel_fail_all(k, KB_CHK_BOOT, why);
		free(why);
		goto out;
	}
	if (!built) {
		kb_vm_kernel_fail_all(k, KB_CHK_BOOT, "not booted: no module built");
		goto out;
	}
	kb_debug("%s: kernel ready (%.2f s)", k->release, kb_vm_now() - c->t0);
	kb_vm_test_moddeps(c, t, k, krel);
	k->accel = kb_xstrdup(kb_vm_accel(c, t, kernel, tmp));
	init = kb_vm_init_script(k);
	err = kb_vm_nonce_make(nonce);
	if (!err)
		err = kb_vm_initramfs_write(initrd, t->busybox, init, nonce, k, false);
	if (err) {
		why = kb_xasprintf("not booted: the initramfs could not be written (with %s: is "
				   "busybox-static installed?)", t->busybox);
		kb_vm_kernel_fail_all(k, KB_CHK_BOOT, why);
		free(why);
		goto out;
	}
	kb_info("%s: booting (%s, %s)", k->release, k->arch, k->accel);
	{
		struct kb_vm_boot b = {
			.arch = t->arch, .kernel = kernel, .initrd = initrd, .accel = k->accel,
			.log_path = k->log_path, .result_path = port,
			.timeout_ms = timeout_s * 1000,
		};

		err = kb_vm_qemu_boot(&b, &br);
	}
	if (err && err != -ETIMEDOUT) {
		why = kb_xasprintf("not booted: %s could not run (%s; is %s installed?)",
				   t->arch->qemu, kb_strerror(err), t->arch->qemu_pkg);
		kb_vm_kernel_fail_all(k, KB_CHK_BOOT, why);
		free(why);
		kb_vm_fatal(c, err);
		goto out;
	}
	kb_debug("%s: VM done in %.2f s (%.2f s)", k->release, br.seconds, kb_vm_now() - c->t0);
	k->console = br.console;
	br.console = NULL;
	{
		struct kb_vm_channel ch = {
			.nonce = nonce, .result = br.result, .result_len = br.result_len,
			.console = k->console, .console_len = br.console_len,
		};

		kb_vm_result_parse(&ch, &p);
	}
	kb_debug("%s: results on the %s", k->release, p.port ? "private port" : "console");
	kb_vm_kernel_apply(k, &p, br.timed_out, timeout_s);
out:
	kb_vm_parsed_free(&p);
	free(br.console);
	free(br.result);
	free(port);
	free(root);
	free(mods);
	free(initrd);
	kb_vm_buildenv_free(&env);
	free(compiler);
	free(uname);
	free(kernel);
	free(krel);
	free(init);
	for (size_t i = 0; i < k->nunits; i++)
		free(keys[i]);
	free(keys);
}

static void kb_vm_worker_one(struct kb_vm_ctx *c, size_t i)
{
	struct kb_vm_target *t = &c->ts.v[i];
	struct kb_vm_kernel *k = &c->kernels[i];
	char *tmp = kb_xasprintf("%s/k%zu", c->tmp, i);
	double t0 = kb_vm_now();

	k->id = kb_xstrdup(t->id);
	k->distro = t->distro ? kb_xstrdup(t->distro) : NULL;
	k->arch = kb_xstrdup(t->arch ? t->arch->debian : "unknown");
	k->release = t->release ? kb_xstrdup(t->release) : NULL;
	k->log_path = kb_xasprintf("%s/%s.log", c->logs, t->id);
	kb_vm_units_init(c->o, k);
	if (t->error) {
		kb_error("%s", t->error);
		kb_vm_kernel_fail_all(k, KB_CHK_BOOT, t->error);
	} else if (kb_mkdir_p(tmp, 0700) != 0) {
		kb_vm_kernel_fail_all(k, KB_CHK_BUILD, "the tmpfs work directory could not be made");
	} else {
		kb_vm_test_kernel(c, t, k, c->host_tools ? c->host_tools[i] : NULL, tmp);
	}
	if (!k->release)
		k->release = kb_xstrdup("unknown");
	if (access(k->log_path, F_OK) != 0) {	/* never booted: no console log */
		free(k->log_path);
		k->log_path = NULL;
	}
	k->seconds = kb_vm_now() - t0;
	if (!c->o->keep)
		kb_rm_rf(tmp);
	free(tmp);
}

static void kb_vm_worker(void *ctx, size_t i)
{
	struct kb_vm_ctx *c = ctx;

	kb_vm_worker_one(c, i);
	kb_meter_add(&c->meter, 1, 0);
}

static int kb_vm_config_checks(const struct kb_ynode *seq, const char *path, bool *critical,
			       bool value)
{
	if (!seq || seq->type != KB_Y_SEQ) {
		kb_error("%s:%d: want a list of checks", path, seq ? seq->line : 0);
		return -KB_EUSAGE;
	}
	for (size_t i = 0; i < seq->n; i++) {
		int c = seq->items[i]->type == KB_Y_SCALAR ? kb_vm_check_parse(seq->items[i]->scalar) : -1;

		if (c < 0) {
			kb_error("%s:%d: not a check (want one of build, vermagic, bpf-build, "
				 "bpf-validate, boot, insmod, loaded, selftest, rmmod, bpf-load, "
				 "bpf-attach, bpf-run, oops, warning, taint)", path, seq->items[i]->line);
			return -KB_EUSAGE;
		}
		critical[c] = value;
	}
	return 0;
}

static int kb_vm_config_int(const struct kb_ynode *v, const char *path, int *out)
{
	char *end;
	long n = v && v->type == KB_Y_SCALAR ? strtol(v->scalar, &end, 10) : 0;

	if (!v || v->type != KB_Y_SCALAR || *end || n < 1 || n > 86400) {
		kb_error("%s:%d: want a number of seconds (1-86400)", path, v ? v->line : 0);
		return -KB_EUSAGE;
	}
	*out = (int)n;
	return 0;
}

int kb_vmtest_config_load(const char *path, struct kb_vmtest_opts *o)
{
	struct kb_ynode *root = NULL;
	const struct kb_yaml_limits lim = { .base = o->limits };
	int err = kb_yaml_load(path, &lim, &root);

	if (err) {
		err = -KB_EUSAGE;
		goto out;
	}
	if (root->type != KB_Y_MAP) {
		kb_error("%s:%d: want a mapping (critical, non_critical, timeout, build_timeout)",
			 path, root->line);
		err = -KB_EUSAGE;
		goto out;
	}
	for (size_t i = 0; i + 1 < root->n && !err; i += 2) {
		const char *key = root->items[i]->scalar ? root->items[i]->scalar : "";
		const struct kb_ynode *v = root->items[i + 1];

		if (!strcmp(key, "critical")) {
			for (int c = 0; c < KB_CHK_N; c++)
				o->critical[c] = false;
			err = kb_vm_config_checks(v, path, o->critical, true);
		} else if (!strcmp(key, "non_critical")) {
			err = kb_vm_config_checks(v, path, o->critical, false);
		} else if (!strcmp(key, "timeout")) {
			err = kb_vm_config_int(v, path, &o->timeout_s);
		} else if (!strcmp(key, "build_timeout")) {
			err = kb_vm_config_int(v, path, &o->build_timeout_s);
		} else {
			kb_error("%s:%d: unknown key '%s'", path, root->items[i]->line, key);
			err = -KB_EUSAGE;
		}
	}
out:
	kb_yaml_free(root);
	return err;
}

/* The run's tmpfs tree: module builds create thousands of small files.
 * Named for this process, so a later run removes it if this one is killed
 * beyond its handlers' reach (SIGKILL); on TERM, INT or HUP they remove it.
 * A --keep tree has its own name, which no sweep touches. */
char *kb_vm_tmp_root(bool keep, int *slot)
{
	const char *prefix = keep ? "kbundle-vm-keep." : "kbundle-vm.";
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	char *t;

	base = base ? base : "/tmp";
	kb_cleanup_install();
	kb_cleanup_sweep(base, "kbundle-vm.");
	t = kb_cleanup_mkdtemp(base, prefix);
	if (!t) {
		kb_error("%s/%s%d.XXXXXX: %s", base, prefix, (int)getpid(), strerror(errno));
		return NULL;
	}
	if (!keep)
		*slot = kb_cleanup_tree_add(t);
	return t;
}

/* Each tested bundle's verdict beside it, and in the work index: every
 * critical check of every unit passed, or not. A run stopped by host-side
 * trouble (c->fatal) records nothing: it is no verdict on the bundles. */
static void kb_vm_record_verdicts(struct kb_vm_ctx *c)
{
	char *dir = kb_path_join(c->o->workdir, "bundles");

	for (size_t i = 0; i < c->ts.n && !c->fatal; i++) {
		const struct kb_vm_kernel *k = &c->kernels[i];
		char *id = c->ts.v[i].bundle ? kb_bundle_id_of(c->ts.v[i].bundle) : NULL;
		bool ok = k->nunits > 0;

		for (size_t u = 0; u < k->nunits; u++)
			ok &= kb_vm_unit_passed(&k->units[u], c->o->critical);
		if (id && access(c->ts.v[i].bundle, F_OK) == 0)
			kb_vmtest_verdict_put(dir, id, ok);
		free(id);
	}
	if (!c->fatal)
		kb_vmtest_verdict_refresh(dir);
	free(dir);
}

int kb_vmtest_run(const struct kb_vmtest_opts *o, bool *passed)
{
	struct kb_vm_ctx c = { .o = o, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct kb_vm_run run = { 0 };
	double t0 = kb_vm_now();
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int err = 0, tmp_slot = -1;

	*passed = false;
	c.t0 = t0;
	/* A --module that cannot be built is a configuration error, before
	 * anything is packed or booted. */
	for (size_t i = 0; i < o->nmodules && !err; i++)
		err = kb_vm_modsrc_check(o->modules[i]);
	for (size_t i = 0; i < o->nbpf_dirs && !err; i++)
		err = kb_vm_bpf_dir_check(o->bpf_dirs[i]);
	if (!err && o->preview && o->bundle) {	/* one bundle, one boot */
		memset(o->preview, 0, sizeof(*o->preview));
		o->preview->entries = 1;
		goto out;
	}
	if (!err)
		err = kb_vm_targets_select(o, &c.ts);
	if (err || o->preview)
		goto out;
	gmtime_r(&now, &tm);
	strftime(run.started, sizeof(run.started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	c.logs = kb_xasprintf("%s/reports/vmtest-%s-%d", o->workdir, stamp, (int)getpid());
	c.kcache = kb_cache_dir(o->workdir, "kernels");
	c.mcache = kb_cache_dir(o->workdir, "modules");
	c.bcache = kb_cache_dir(o->workdir, "bpf");
	c.tmp = kb_vm_tmp_root(o->keep, &tmp_slot);
	if (!c.tmp || kb_mkdir_p(c.logs, 0755) != 0) {
		kb_error("%s: cannot create the report directory", c.logs);
		err = -EIO;
		goto out;
	}
	if (o->keep)
		kb_info("keeping the work tree %s", c.tmp);
	c.kernels = kb_xcalloc(c.ts.n, sizeof(*c.kernels));
	c.host_tools = kb_vm_hosttools_fetch(&c.ts);
	kb_meter_start(&c.meter, "testing", c.ts.n);
	kb_pool_run(c.ts.n, o->jobs, kb_vm_worker, &c);
	kb_meter_end(&c.meter);
	run.kernels = c.kernels;
	run.nkernels = c.ts.n;
	run.seconds = kb_vm_now() - t0;
	memcpy(run.critical, o->critical, sizeof(run.critical));
	/* stdout is the JSON report's when it goes there */
	kb_vm_report_table(o->json && !strcmp(o->json, "-") ? stderr : stdout, &run);
	fflush(stdout);
	if (o->json && kb_vm_report_write(o->json, kb_vm_report_json, &run) != 0)
		err = -EIO;
	if (o->junit && kb_vm_report_write(o->junit, kb_vm_report_junit, &run) != 0)
		err = -EIO;
	if (o->html && kb_vm_report_html_write(o->html, &run) != 0)
		err = -EIO;
	*passed = kb_vm_run_passed(&run);
	if (!o->bundle)
		kb_vm_record_verdicts(&c);
	if (!err && c.fatal)
		err = c.fatal;
out:
	if (c.tmp && !o->keep)
		kb_rm_rf(c.tmp);
	kb_cleanup_tree_del(tmp_slot);
	for (size_t i = 0; c.kernels && i < c.ts.n; i++)
		kb_vm_kernel_free(&c.kernels[i]);
	free(c.kernels);
	if (c.host_tools)
		kb_vm_hosttools_free(c.host_tools, c.ts.n);
	kb_vm_targets_free(&c.ts);
	free(c.tmp);
	free(c.logs);
	free(c.kcache);
	free(c.mcache);
	free(c.bcache);
	return err;
}
