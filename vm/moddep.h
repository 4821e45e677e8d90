/* moddep.h — the load order of a unit's modules, resolved the way modprobe
 * does: each module after the modules it depends on (its depends=), the
 * unit's own modules among each other and the kernel's own modules (see
 * vm/kmods.h) for the rest, transitively; unloading goes in reverse. */
#ifndef KB_VM_MODDEP_H
#define KB_VM_MODDEP_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/family.h"

#include "vm/kmods.h"
#include "vm/result.h"

struct kb_vm_moddep_plan {
	size_t *order;		/* indexes into the unit's modules, load order */
	char **kdeps;		/* kernel modules to load first, in load order */
	size_t nkdeps;
	char *missing;		/* "a, b": depended on but found nowhere (NULL: none) */
};

/* Plan the loading of unit[0..n) (name and deps set; path unused) against
 * the kernel's modules km. -KB_EPARSE for a dependency cycle (logged with
 * the names); missing names are not an error (the guest's insmod reports
 * the kernel's own words). */
int kb_vm_moddep_plan(const struct kb_vm_kmod *unit, size_t n, const struct kb_vm_kmods *km,
		      struct kb_vm_moddep_plan *plan);
void kb_vm_moddep_plan_free(struct kb_vm_moddep_plan *plan);

/* Does a module of k's units that built depend on anything (a non-empty
 * depends=)? Only then does the kernel's module index matter, and only
 * then are its modules packages worth fetching. */
bool kb_vm_kernel_needs_kmods(const struct kb_vm_kernel *k);

/* For each of k's units that built: order its .ko files by their depends=,
 * and set u->deps to the kernel's own modules it needs (host paths,
 * extracted from pkgs, the packages of family holding release's kernel and
 * its modules, into dir). A dependency found nowhere is noted in the
 * unit's insmod detail. Errors (unreadable packages) are logged and
 * returned. */
int kb_vm_kernel_moddeps(struct kb_vm_kernel *k, const char *dir, enum kb_family family,
			 const char *const *pkgs, size_t npkgs, const char *release);

/* When release's kernel has virtio_console as a module (Debian 12's 6.1;
 * 6.12 builds it in), set k->portmods to it and the virtio modules it
 * needs, in load order (host paths, extracted from pkgs into dir), so the
 * guest gets its private result port; with a BPF unit's TC program also
 * sch_ingress and cls_bpf (clsact, the BPF classifier) where they are
 * modules. None found: the results go on the console. Errors are logged
 * and returned. */
int kb_vm_kernel_portmods(struct kb_vm_kernel *k, const char *dir, enum kb_family family,
			  const char *const *pkgs, size_t npkgs, const char *release);

#endif
