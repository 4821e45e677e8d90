/* modsrc.c — Kbuild directories and DKMS trees as build plans. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arch.h"
#include "lib/archive_safe.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/dkms.h"
#include "vm/modsrc.h"

static bool kb_vm_has(const char *dir, const char *name)
{
	char *p = kb_path_join(dir, name);
	struct stat st;
	bool r = stat(p, &st) == 0 && S_ISREG(st.st_mode);

	free(p);
	return r;
}

/* PACKAGE_NAME and PACKAGE_VERSION become directory names. */
static bool kb_vm_dkms_word_ok(const char *s)
{
	if (!s[0] || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._+-~", *s)))
			return false;
	return true;
}

static int kb_vm_dkms_scalar(const struct kb_dkms_conf *c, const char *var, const char *conf,
			     char **out)
{
	const char *t = kb_dkms_get(c, var, 0);
	int err;

	if (!t) {
		kb_error("%s: no %s", conf, var);
		return -KB_EUSAGE;
	}
	err = kb_dkms_expand(c, t, NULL, conf, out);
	if (!err && !kb_vm_dkms_word_ok(*out)) {
		kb_error("%s: %s '%s' is not a plain name (letters, digits, . _ + - ~)", conf, var,
			 *out);
		free(*out);
		*out = NULL;
		err = -KB_EUSAGE;
	}
	return err ? -KB_EUSAGE : 0;
}

/* The modules dkms.conf names, relative to the build tree. */
static int kb_vm_dkms_kos(const struct kb_dkms_conf *c, const char *const *env, const char *conf,
			  struct kb_vm_modsrc_plan *p)
{
	unsigned n = kb_dkms_count(c, "BUILT_MODULE_NAME");
	int err = 0;

	if (!n) {
		kb_error("%s: no BUILT_MODULE_NAME[]: which modules does it build?", conf);
		return -KB_EUSAGE;
	}
	p->kos = kb_xcalloc(n + 1, sizeof(*p->kos));
	for (unsigned i = 0; i < n && !err; i++) {
		const char *nt = kb_dkms_get(c, "BUILT_MODULE_NAME", i);
		const char *lt = kb_dkms_get(c, "BUILT_MODULE_LOCATION", i);
		char *name = NULL, *loc = NULL, *rel = NULL, *norm = NULL;

		if (!nt)
			continue;	/* a gap in the array */
		err = kb_dkms_expand(c, nt, env, conf, &name);
		if (!err && lt)
			err = kb_dkms_expand(c, lt, env, conf, &loc);
		if (!err) {
			rel = kb_xasprintf("%s/%s.ko", loc ? loc : ".", name);
			norm = kb_path_normalize(rel);
			if (!norm || strchr(name, '/') || !name[0]) {
				kb_error("%s: module %u ('%s') is not inside the build tree", conf, i,
					 rel);
				err = -KB_EPARSE;
			}
		}
		if (!err)
			p->kos[p->nkos++] = kb_path_join(p->tree, norm);
		free(name);
		free(loc);
		free(rel);
		free(norm);
	}
	return err ? -KB_EUSAGE : 0;
}

/* dkms builds in $dkms_tree/$PACKAGE_NAME/$PACKAGE_VERSION/build, with
 * $source_tree/$PACKAGE_NAME-$PACKAGE_VERSION the source it copied. */
static int kb_vm_dkms_plan(const char *src, const char *udir, const char *kdir,
			   const char *uname, const char *arch, struct kb_vm_modsrc_plan *p)
{
	const struct kb_arch *a = kb_arch_find(arch ? arch : kb_arch_host());
	char *conf = kb_path_join(src, "dkms.conf"), *pkg = NULL, *ver = NULL, *cmd = NULL;
	char *dkms_tree = kb_path_join(udir, "dkms"), *source_tree = kb_path_join(udir, "src");
	char *e[8] = { NULL };
	struct kb_dkms_conf c = { 0 };
	const char *mt;
	size_t argc;
	int err = kb_dkms_conf_load(conf, &c) ? -KB_EUSAGE : 0;

	if (!err)
		err = kb_vm_dkms_scalar(&c, "PACKAGE_NAME", conf, &pkg);
	if (!err)
		err = kb_vm_dkms_scalar(&c, "PACKAGE_VERSION", conf, &ver);
	if (err)
		goto out;
	p->tree = kb_xasprintf("%s/%s/%s/build", dkms_tree, pkg, ver);
	p->cwd = kb_xstrdup(p->tree);
	p->link = kb_xasprintf("%s/%s-%s", source_tree, pkg, ver);
	e[0] = kb_xasprintf("kernelver=%s", uname);
	e[1] = kb_xasprintf("kernel_source_dir=%s", kdir);
	e[2] = kb_xasprintf("dkms_tree=%s", dkms_tree);
	e[3] = kb_xasprintf("source_tree=%s", source_tree);
	e[4] = kb_xasprintf("arch=%s", a ? a->uname : arch ? arch : kb_arch_host());
	e[5] = kb_xasprintf("module=%s", pkg);
	e[6] = kb_xasprintf("module_version=%s", ver);
	mt = kb_dkms_get(&c, "MAKE", 0);
	if (mt)
		err = kb_dkms_expand(&c, mt, (const char *const *)e, conf, &cmd);
	else	/* dkms's default */
		cmd = kb_xasprintf("make -C %s M=%s", kdir, p->tree);
	if (!err)
		err = kb_dkms_split(cmd, conf, &p->argv, &argc);
	if (!err)
		err = kb_vm_dkms_kos(&c, (const char *const *)e, conf, p);
	err = err ? -KB_EUSAGE : 0;
out:
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		free(e[i]);
	kb_dkms_conf_free(&c);
	free(conf);
	free(pkg);
	free(ver);
	free(cmd);
	free(dkms_tree);
	free(source_tree);
	return err;
}

int kb_vm_modsrc_plan(const char *src, const char *work, const char *unit, const char *kdir,
		      const char *uname, const char *arch, struct kb_vm_modsrc_plan *p)
{
	char *udir = kb_path_join(work, unit);
	int err = 0;

	memset(p, 0, sizeof(*p));
	if (src && kb_vm_has(src, "dkms.conf")) {
		err = kb_vm_dkms_plan(src, udir, kdir, uname, arch, p);
	} else {
		p->tree = kb_xstrdup(udir);
		p->argv = kb_xcalloc(7, sizeof(*p->argv));
		p->argv[0] = kb_xstrdup("make");
		p->argv[1] = kb_xstrdup("-s");
		p->argv[2] = kb_xstrdup("-C");
		p->argv[3] = kb_xstrdup(kdir);
		p->argv[4] = kb_xasprintf("M=%s", udir);
		p->argv[5] = kb_xstrdup("modules");
	}
	if (err)
		kb_vm_modsrc_plan_free(p);
	free(udir);
	return err;
}

int kb_vm_modsrc_prepare(const struct kb_vm_modsrc_plan *p)
{
	char *dir = p->link ? kb_xstrndup(p->link, (size_t)(strrchr(p->link, '/') - p->link)) : NULL;
	int err = 0;

	if (!p->link)	/* not a DKMS tree */
		goto out;
	err = kb_mkdir_p(dir, 0755);
	if (!err && symlink(p->tree, p->link) != 0)
		err = -errno;
	if (err)
		kb_error("%s: %s", p->link, kb_strerror(err));
out:
	free(dir);
	return err;
}

void kb_vm_modsrc_plan_free(struct kb_vm_modsrc_plan *p)
{
	for (size_t i = 0; p->argv && p->argv[i]; i++)
		free(p->argv[i]);
	free(p->argv);
	for (size_t i = 0; i < p->nkos; i++)
		free(p->kos[i]);
	free(p->kos);
	free(p->tree);
	free(p->cwd);
	free(p->link);
	memset(p, 0, sizeof(*p));
}

int kb_vm_modsrc_check(const char *dir)
{
	struct kb_vm_modsrc_plan p;
	struct stat st;
	int err;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		kb_error("--module %s: %s", dir, stat(dir, &st) != 0 ? strerror(errno) :
			 "not a directory");
		return -KB_EUSAGE;
	}
	if (!kb_vm_has(dir, "dkms.conf") && !kb_vm_has(dir, "Kbuild") &&
	    !kb_vm_has(dir, "Makefile")) {
		kb_error("--module %s: no Kbuild, Makefile or dkms.conf: not a module source "
			 "directory", dir);
		return -KB_EUSAGE;
	}
	/* A dry plan finds what dkms.conf asks that kbundle cannot follow. */
	err = kb_vm_modsrc_plan(dir, "/nonexistent", "unit", "/kernel", "0.0.0", NULL, &p);
	kb_vm_modsrc_plan_free(&p);
	if (err)
		kb_error("--module %s: its dkms.conf cannot be followed", dir);
	return err ? -KB_EUSAGE : 0;
}
