/* target.h — what vmtest boots: one bundle and the packages holding its
 * kernel, taken from the manifest (with the same selectors as pack) or
 * given directly. */
#ifndef KB_VM_TARGET_H
#define KB_VM_TARGET_H

#include <stddef.h>

#include "lib/family.h"

#include "vm/vmtest.h"

struct kb_vm_target {
	char *id;
	char *distro;
	enum kb_family family;	/* of its packages: the entry's, or its distro's (direct) */
	char *release;		/* NULL in direct mode until the bundle says */
	char *os_release;	/* the distro release of the entry's upstream ("13"), which
				 * chooses the build root; NULL: unknown (direct mode) */
	char *bundle;		/* WORKDIR/bundles/<id>.tgz or --bundle */
	char **images;		/* kernel image packages (cache objects or --image) */
	size_t nimages;
	char *image_key;	/* names the kernel cache entry: the image's sha256 */
	char *error;		/* why this target cannot be tested (no image …) */
};

/* Select the targets. -KB_EUSAGE for a bad selector or nothing selected
 * (logged); per-target problems go to target->error instead. */
int kb_vm_targets(const struct kb_vmtest_opts *o, struct kb_vm_target **out, size_t *n);
void kb_vm_targets_free(struct kb_vm_target *v, size_t n);

#endif
