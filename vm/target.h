/* target.h — what vmtest boots: one bundle and the packages holding its
 * kernel, taken from the manifest (with the same selectors as pack) or
 * given directly; and, only when a module to load needs the kernel's own
 * modules, the entry's modules packages (Debian 7.x's linux-modules-R,
 * RHEL's kernel-modules-core, Ubuntu's linux-modules-*: ~100 MB each, not
 * fetched for a module that depends on nothing). */
#ifndef KB_VM_TARGET_H
#define KB_VM_TARGET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/family.h"

#include "vm/arch_vm.h"
#include "vm/vmtest.h"

struct kb_vm_target {
	char *id;
	char *distro;
	const struct kb_vm_arch *arch;	/* how its kernel boots (NULL: unknown) */
	char *busybox;		/* the guest's static busybox (the host's for the
				 * host's architecture, else busybox-static's) */
	enum kb_family family;	/* of its packages: the entry's, or its distro's (direct) */
	char *release;		/* NULL in direct mode until the bundle says */
	char *os_release;	/* the distro release of the entry's upstream ("13"), which
				 * chooses the build root; NULL: unknown (direct mode) */
	char *bundle;		/* WORKDIR/bundles/<id>.tgz or --bundle */
	char **images;		/* kernel image packages (cache objects or --image) */
	size_t nimages;
	char *image_key;	/* names the kernel cache entry: the image's sha256 */
	char *error;		/* why this target cannot be tested (no image …) */
	char **modpkgs;		/* its modules packages (cache objects), once fetched */
	size_t nmodpkgs;
	size_t entry;		/* manifest mode: its manifest entry */
	bool modpkgs_done;	/* kb_vm_target_modpkgs ran */
};

struct kb_entries;

/* The selected targets, and what fetches their modules packages later. */
struct kb_vm_targets {
	struct kb_vm_target *v;
	size_t n;
	const struct kb_vmtest_opts *o;
	struct kb_entries *entries;	/* manifest mode: manifest, mirrors; cache closed */
	pthread_mutex_t lock;		/* one modules fetch at a time */
};

/* Select the targets into *ts: the entries of every architecture
 * vm/arch_vm.c knows, their bundles packed, image packages fetched and
 * (for a foreign architecture) busybox-static had. -KB_EUSAGE for a bad selector or nothing selected (logged);
 * per-target problems go to target->error instead. */
int kb_vm_targets_select(const struct kb_vmtest_opts *o, struct kb_vm_targets *ts);

/* Have t's modules packages in the cache (once; downloaded from the
 * entry's mirrors under the work directory's lock) and in t->modpkgs.
 * Direct mode has none: --image names every package. A package that could
 * not be had is logged and left out: the modules it holds show as missing. */
void kb_vm_target_modpkgs(struct kb_vm_targets *ts, struct kb_vm_target *t);

void kb_vm_targets_free(struct kb_vm_targets *ts);

#endif
