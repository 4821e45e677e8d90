/* report_read.c — vmtest JSON reports → struct kb_vm_run, and merging. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/yaml_doc.h"
#include "vm/report_read.h"

#define KB_VM_REPORT_MAX (256u << 20)
#define KB_VM_CONSOLE_READ_MAX (1u << 20)

static int kb_rr_bad(const char *name, const struct kb_ynode *n, const char *what)
{
	kb_error("%s:%d: %s", name, n ? n->line : 1, what);
	return -KB_EPARSE;
}

/* A string member: required (need) or optional; JSON null reads as absent. */
static int kb_rr_str(const char *name, const struct kb_ynode *map, const char *key, bool need,
		     char **out)
{
	const struct kb_ynode *v = kb_ymap_get(map, key);
	bool null = v && v->type == KB_Y_SCALAR && !strcmp(v->scalar, "null");
	char *why;
	int err;

	*out = NULL;
	if ((!v || null) && !need)
		return 0;
	if (v && v->type == KB_Y_SCALAR && !null && v->scalar[0]) {
		*out = kb_xstrdup(v->scalar);
		return 0;
	}
	why = kb_xasprintf("'%s' is missing or not a string", key);
	err = kb_rr_bad(name, v ? v : map, why);
	free(why);
	return err;
}

/* An optional "ms" member: whole milliseconds, 0 .. 10^12 (31 years). */
static int kb_rr_ms(const char *name, const struct kb_ynode *map, double *seconds)
{
	const struct kb_ynode *v = kb_ymap_get(map, "ms");
	char *end = NULL;
	long long ms;

	if (!v)
		return 0;
	if (v->type == KB_Y_SCALAR && v->scalar[0] >= '0' && v->scalar[0] <= '9') {
		errno = 0;
		ms = strtoll(v->scalar, &end, 10);
		if (!errno && !*end && ms <= 1000000000000LL) {
			*seconds = (double)ms / 1000.0;
			return 0;
		}
	}
	return kb_rr_bad(name, v, "'ms' is not a whole number of milliseconds");
}

static int kb_rr_unit(const char *name, const struct kb_ynode *n, struct kb_vm_unit *u)
{
	const struct kb_ynode *checks = kb_ymap_get(n, "checks");
	bool seen[KB_CHK_N] = { false };
	int err;

	if (n->type != KB_Y_MAP)
		return kb_rr_bad(name, n, "a module is not an object");
	err = kb_rr_str(name, n, "name", true, &u->name);
	if (!err)
		err = kb_rr_str(name, n, "source", false, &u->src);
	if (!err && u->src && !strcmp(u->src, "built-in")) {
		free(u->src);
		u->src = NULL;
	}
	if (err)
		return err;
	if (!checks || checks->type != KB_Y_MAP)
		return kb_rr_bad(name, n, "a module without a 'checks' object");
	u->bpf = kb_ymap_str(n, "kind") && !strcmp(kb_ymap_str(n, "kind"), "bpf");
	u->insns = u->verified_insns = -1;
	for (size_t i = 0; i + 1 < checks->n; i += 2) {
		const struct kb_ynode *k = checks->items[i], *v = checks->items[i + 1];
		int c = k->type == KB_Y_SCALAR ? kb_vm_check_parse(k->scalar) : -1;
		const char *st = kb_ymap_str(v, "status");
		int s = st ? kb_vm_status_parse(st) : -1;

		if (c < 0)
			return kb_rr_bad(name, k, "an unknown check");
		if (s < 0)
			return kb_rr_bad(name, v, "a check's 'status' is not notrun, pass, fail or skip");
		if (seen[c])
			return kb_rr_bad(name, k, "a check given twice");
		seen[c] = true;
		u->chk[c].st = (enum kb_vm_status)s;
		err = kb_rr_str(name, v, "detail", false, &u->chk[c].detail);
		if (err)
			return err;
	}
	return 0;
}

static int kb_rr_kernel(const char *name, const struct kb_ynode *n, struct kb_vm_kernel *k)
{
	const struct kb_ynode *mods = kb_ymap_get(n, "modules");
	int err;

	if (n->type != KB_Y_MAP)
		return kb_rr_bad(name, n, "a kernel is not an object");
	if ((err = kb_rr_str(name, n, "id", true, &k->id)) ||
	    (err = kb_rr_str(name, n, "distro", false, &k->distro)) ||
	    (err = kb_rr_str(name, n, "release", true, &k->release)) ||
	    (err = kb_rr_str(name, n, "guest_release", false, &k->guest_release)) ||
	    (err = kb_rr_str(name, n, "arch", false, &k->arch)) ||
	    (err = kb_rr_str(name, n, "accel", false, &k->accel)) ||
	    (err = kb_rr_str(name, n, "console_log", false, &k->log_path)) ||
	    (err = kb_rr_ms(name, n, &k->seconds)))
		return err;
	if (!mods || mods->type != KB_Y_SEQ)
		return kb_rr_bad(name, n, "a kernel without a 'modules' array");
	k->units = kb_xcalloc(mods->n ? mods->n : 1, sizeof(*k->units));
	for (size_t i = 0; i < mods->n; i++) {
		err = kb_rr_unit(name, mods->items[i], &k->units[k->nunits++]);
		if (err)
			return err;
	}
	return 0;
}

int kb_vm_report_parse(const char *text, size_t len, const char *name, struct kb_vm_run *run)
{
	struct kb_ynode *root = NULL;
	const struct kb_ynode *kernels, *crit;
	const char *format, *started;
	int err;

	memset(run, 0, sizeof(*run));
	err = kb_yaml_parse(text, len, name, NULL, &root);
	if (err)
		return err;
	format = kb_ymap_str(root, "format");
	if (!format || strcmp(format, "kbundle-vmtest 1")) {
		err = kb_rr_bad(name, root, "not a vmtest report (format 'kbundle-vmtest 1')");
		goto out;
	}
	started = kb_ymap_str(root, "started");
	if (started)
		snprintf(run->started, sizeof(run->started), "%s", started);
	err = kb_rr_ms(name, root, &run->seconds);
	if (err)
		goto out;
	crit = kb_ymap_get(root, "critical");
	kernels = kb_ymap_get(root, "kernels");
	if (!crit || crit->type != KB_Y_SEQ || !kernels || kernels->type != KB_Y_SEQ) {
		err = kb_rr_bad(name, root, "no 'critical' and 'kernels' arrays");
		goto out;
	}
	for (size_t i = 0; i < crit->n; i++) {
		int c = crit->items[i]->type == KB_Y_SCALAR ? kb_vm_check_parse(crit->items[i]->scalar)
							    : -1;

		if (c < 0) {
			err = kb_rr_bad(name, crit->items[i], "an unknown critical check");
			goto out;
		}
		run->critical[c] = true;
	}
	run->kernels = kb_xcalloc(kernels->n ? kernels->n : 1, sizeof(*run->kernels));
	for (size_t i = 0; i < kernels->n && !err; i++)
		err = kb_rr_kernel(name, kernels->items[i], &run->kernels[run->nkernels++]);
out:
	kb_yaml_free(root);
	if (err)
		kb_vm_run_free(run);
	return err;
}

int kb_vm_report_read(const char *path, struct kb_vm_run *run)
{
	char *text = NULL;
	size_t len = 0;
	int err = kb_file_read(path, KB_VM_REPORT_MAX, &text, &len);

	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		return err;
	}
	err = kb_vm_report_parse(text, len, path, run);
	free(text);
	for (size_t i = 0; !err && i < run->nkernels; i++) {
		struct kb_vm_kernel *k = &run->kernels[i];
		size_t n;

		if (k->log_path &&
		    kb_file_read(k->log_path, KB_VM_CONSOLE_READ_MAX, &k->console, &n) != 0)
			k->console = NULL;	/* on another machine: the report still merges */
	}
	return err;
}

int kb_vm_run_merge(struct kb_vm_run *out, struct kb_vm_run *in, const char *name)
{
	if (out->nkernels || out->seconds > 0 || out->started[0]) {
		if (memcmp(out->critical, in->critical, sizeof(out->critical))) {
			kb_error("%s: its critical checks differ from the other reports' (merge "
				 "reports of one run, made with the same --critical)", name);
			return -KB_EUSAGE;
		}
	} else {
		memcpy(out->critical, in->critical, sizeof(out->critical));
	}
	for (size_t i = 0; i < in->nkernels; i++)
		for (size_t j = 0; j < out->nkernels; j++)
			if (!strcmp(in->kernels[i].id, out->kernels[j].id)) {
				kb_error("%s: kernel %s (%s) is in another report too: shards of one "
					 "run never overlap", name, in->kernels[i].release,
					 in->kernels[i].id);
				return -KB_EUSAGE;
			}
	out->kernels = kb_xrealloc(out->kernels,
				   sizeof(*out->kernels) * (out->nkernels + in->nkernels + 1));
	memcpy(out->kernels + out->nkernels, in->kernels, sizeof(*in->kernels) * in->nkernels);
	out->nkernels += in->nkernels;
	if (!out->started[0] || (in->started[0] && strcmp(in->started, out->started) < 0))
		memcpy(out->started, in->started, sizeof(out->started));
	if (in->seconds > out->seconds)
		out->seconds = in->seconds;
	free(in->kernels);
	in->kernels = NULL;
	in->nkernels = 0;
	return 0;
}

void kb_vm_run_free(struct kb_vm_run *run)
{
	for (size_t i = 0; i < run->nkernels; i++)
		kb_vm_kernel_free(&run->kernels[i]);
	free(run->kernels);
	memset(run, 0, sizeof(*run));
}
