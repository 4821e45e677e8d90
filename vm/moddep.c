/* moddep.c — depth-first post-order over depends= (see moddep.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/modinfo.h"
#include "vm/bpfunit.h"
#include "vm/moddep.h"

enum { KB_DEP_NEW, KB_DEP_OPEN, KB_DEP_DONE };

struct kb_vm_moddep_walk {
	const struct kb_vm_kmod *unit;
	size_t n;
	const struct kb_vm_kmods *km;
	unsigned char *ustate, *kstate;
	struct kb_vm_moddep_plan *plan;
	size_t norder;
};

static void kb_vm_moddep_missing(struct kb_vm_moddep_plan *p, const char *name)
{
	char *hay = kb_xasprintf(", %s, ", p->missing ? p->missing : "");
	char *needle = kb_xasprintf(", %s, ", name), *t;

	if (!strstr(hay, needle)) {	/* one mention per name */
		t = p->missing ? kb_xasprintf("%s, %s", p->missing, name) : kb_xstrdup(name);
		free(p->missing);
		p->missing = t;
	}
	free(hay);
	free(needle);
}

static int kb_vm_moddep_visit(struct kb_vm_moddep_walk *w, const char *name, int depth);

static int kb_vm_moddep_deps(struct kb_vm_moddep_walk *w, char *const *deps, size_t n,
			     int depth)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		err = kb_vm_moddep_visit(w, deps[i], depth + 1);
	return err;
}

/* Post-order: a module is placed after everything it depends on. */
static int kb_vm_moddep_visit(struct kb_vm_moddep_walk *w, const char *name, int depth)
{
	const struct kb_vm_kmod *k;
	unsigned char *st;
	size_t i;
	int err;

	for (i = 0; i < w->n && strcmp(w->unit[i].name, name); i++)
		;
	if (i < w->n) {
		k = &w->unit[i];
		st = &w->ustate[i];
	} else if ((k = kb_vm_kmods_find(w->km, name))) {
		st = &w->kstate[k - w->km->v];
	} else {
		kb_vm_moddep_missing(w->plan, name);
		return 0;
	}
	if (*st == KB_DEP_DONE)
		return 0;
	if (*st == KB_DEP_OPEN || depth > 64) {
		kb_error("%s: the modules' depends= form a cycle", name);
		return -KB_EPARSE;
	}
	*st = KB_DEP_OPEN;
	err = kb_vm_moddep_deps(w, k->deps, k->ndeps, depth);
	if (err)
		return err;
	*st = KB_DEP_DONE;
	if (i < w->n) {
		w->plan->order[w->norder++] = i;
	} else {
		w->plan->kdeps = kb_xrealloc(w->plan->kdeps,
					     (w->plan->nkdeps + 1) * sizeof(*w->plan->kdeps));
		w->plan->kdeps[w->plan->nkdeps++] = kb_xstrdup(k->name);
	}
	return 0;
}

int kb_vm_moddep_plan(const struct kb_vm_kmod *unit, size_t n, const struct kb_vm_kmods *km,
		      struct kb_vm_moddep_plan *plan)
{
	struct kb_vm_moddep_walk w = { .unit = unit, .n = n, .km = km, .plan = plan };
	int err = 0;

	memset(plan, 0, sizeof(*plan));
	plan->order = kb_xcalloc(n + 1, sizeof(*plan->order));
	w.ustate = kb_xcalloc(n + 1, 1);
	w.kstate = kb_xcalloc(km->n + 1, 1);
	for (size_t i = 0; i < n && !err; i++)
		err = kb_vm_moddep_visit(&w, unit[i].name, 0);
	free(w.ustate);
	free(w.kstate);
	if (err)
		kb_vm_moddep_plan_free(plan);
	return err;
}

void kb_vm_moddep_plan_free(struct kb_vm_moddep_plan *plan)
{
	for (size_t i = 0; i < plan->nkdeps; i++)
		free(plan->kdeps[i]);
	free(plan->kdeps);
	free(plan->order);
	free(plan->missing);
	memset(plan, 0, sizeof(*plan));
}

/* The unit's modules as graph nodes: names from the file names, deps from
 * each .ko's own .modinfo. */
static int kb_vm_unit_nodes(const struct kb_vm_unit *u, struct kb_vm_kmod **out)
{
	struct kb_vm_kmod *v = kb_xcalloc(u->nkos + 1, sizeof(*v));
	int err = 0;

	for (size_t i = 0; i < u->nkos && !err; i++) {
		char *deps = NULL;

		v[i].name = kb_vm_kmod_name(u->kos[i]);
		err = kb_vm_modinfo_file(u->kos[i], "depends", &deps);
		if (err == -KB_ENOTFOUND)
			err = 0;
		else if (err)
			kb_error("%s: no readable .modinfo: %s", u->kos[i], kb_strerror(err));
		kb_vm_kmod_deps_parse(deps ? deps : "", &v[i].deps, &v[i].ndeps);
		free(deps);
	}
	*out = v;
	return err;
}

static void kb_vm_unit_nodes_free(struct kb_vm_kmod *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		for (size_t j = 0; j < v[i].ndeps; j++)
			free(v[i].deps[j]);
		free(v[i].deps);
	}
	free(v);
}

/* Plan one unit: reorder its .ko files, note what it needs from km. */
static int kb_vm_unit_plan(struct kb_vm_unit *u, const struct kb_vm_kmods *km,
			   struct kb_vm_moddep_plan *plan)
{
	struct kb_vm_kmod *nodes = NULL;
	char **kos;
	int err = kb_vm_unit_nodes(u, &nodes);

	if (!err)
		err = kb_vm_moddep_plan(nodes, u->nkos, km, plan);
	if (err)
		goto out;
	kos = kb_xcalloc(u->nkos + 1, sizeof(*kos));
	for (size_t i = 0; i < u->nkos; i++)
		kos[i] = u->kos[plan->order[i]];
	free(u->kos);
	u->kos = kos;
	if (plan->missing) {
		char *why = kb_xasprintf("depends on %s, which neither the unit nor the "
					 "kernel's own packages provide", plan->missing);

		kb_warn("%s: %s", u->name, why);
		free(u->chk[KB_CHK_INSMOD].detail);
		u->chk[KB_CHK_INSMOD].detail = why;
	}
out:
	kb_vm_unit_nodes_free(nodes, u->nkos);
	return err;
}

bool kb_vm_kernel_needs_kmods(const struct kb_vm_kernel *k)
{
	bool need = false;

	for (size_t i = 0; i < k->nunits && !need; i++)
		for (size_t j = 0; j < k->units[i].nkos && !need; j++) {
			char *deps = NULL;

			if (k->units[i].chk[KB_CHK_BUILD].st != KB_ST_PASS)
				break;
			need = kb_vm_modinfo_file(k->units[i].kos[j], "depends", &deps) == 0 &&
			       deps[0];
			free(deps);
		}
	return need;
}

int kb_vm_kernel_moddeps(struct kb_vm_kernel *k, const char *dir, enum kb_family family,
			 const char *const *pkgs, size_t npkgs, const char *release)
{
	struct kb_vm_kmods km = { 0 };
	int err = kb_vm_kmods_index(dir, family, pkgs, npkgs, release, &km);

	if (err == -KB_ENOTFOUND)
		err = 0;	/* no modules shipped: each unit names what it misses */
	for (size_t i = 0; i < k->nunits && !err; i++) {
		struct kb_vm_unit *u = &k->units[i];
		struct kb_vm_moddep_plan plan;

		if (!u->nkos || u->chk[KB_CHK_BUILD].st != KB_ST_PASS)
			continue;
		err = kb_vm_unit_plan(u, &km, &plan);
		if (!err && plan.nkdeps) {
			err = kb_vm_kmods_extract(dir, family, pkgs, npkgs, release, plan.kdeps,
						  plan.nkdeps, &u->deps);
			if (!err)
				u->ndeps = plan.nkdeps;
		}
		if (!err)
			kb_debug("%s: %zu module(s) of the kernel to load first", u->name, u->ndeps);
		kb_vm_moddep_plan_free(&plan);
	}
	kb_vm_kmods_free(&km);
	return err;
}

int kb_vm_kernel_portmods(struct kb_vm_kernel *k, const char *dir, enum kb_family family,
			  const char *const *pkgs, size_t npkgs, const char *release)
{
	/* The port's driver and its PCI transport, and for a TC program the
	 * clsact qdisc and the BPF classifier; the plan adds what they depend
	 * on (virtio, virtio_ring, …), in load order. A module the kernel
	 * builds in is not in the index, and not asked for. */
	char *want[] = { "virtio_pci", "virtio_console", "sch_ingress", "cls_bpf" }, *names[4];
	size_t nwant = kb_vm_kernel_has_bpf(k, true) ? 4 : 2;
	struct kb_vm_kmods km = { 0 };
	struct kb_vm_moddep_plan plan = { 0 };
	struct kb_vm_kmod u = { .name = "kbundle_port", .deps = names };
	int err = kb_vm_kmods_index(dir, family, pkgs, npkgs, release, &km);

	if (err == -KB_ENOTFOUND)
		err = 0;
	if (err)
		goto out;
	for (size_t i = 0; i < nwant; i++)
		if (kb_vm_kmods_find(&km, want[i]) && (i != 0 || kb_vm_kmods_find(&km, want[1])))
			names[u.ndeps++] = want[i];
	if (!u.ndeps)
		goto out;
	err = kb_vm_moddep_plan(&u, 1, &km, &plan);
	if (!err)
		err = kb_vm_kmods_extract(dir, family, pkgs, npkgs, release, plan.kdeps, plan.nkdeps,
					  &k->portmods);
	if (!err)
		k->nportmods = plan.nkdeps;
out:
	kb_vm_moddep_plan_free(&plan);
	kb_vm_kmods_free(&km);
	return err;
}
