/* modsrc.h — what a --module DIR is, and how it is built: a plain Kbuild
 * directory (Kbuild or Makefile: make -C <kernel> M=<copy> modules), or a
 * DKMS source tree as packaged (dkms.conf: its MAKE[0] in the build tree
 * dkms would use, the modules it names in BUILT_MODULE_NAME[] and
 * BUILT_MODULE_LOCATION[]). */
#ifndef KB_VM_MODSRC_H
#define KB_VM_MODSRC_H

#include <stddef.h>

/* Before anything boots: -KB_EUSAGE (logged, naming the directory) when
 * dir is not a directory, holds no Kbuild, Makefile or dkms.conf, or its
 * dkms.conf cannot be followed. */
int kb_vm_modsrc_check(const char *dir);

struct kb_vm_modsrc_plan {
	char *tree;		/* copy the source here */
	char **argv;		/* the build command (NULL-ended) */
	char *cwd;		/* run it here (NULL: anywhere) */
	char *link;		/* DKMS: $source_tree/<name>-<version>, a link to tree */
	char **kos;		/* the modules it makes (NULL: read modules.order) */
	size_t nkos;
};

/* The plan for building src (NULL: the built-in module, a Kbuild dir) in
 * work/<unit> against the kernel tree kdir (BUNDLE_BUILD_DIR) for uname;
 * arch: the kernel's architecture, any lib/arch.h spelling (dkms's $arch
 * is its uname -m: aarch64); NULL: this machine's. */
int kb_vm_modsrc_plan(const char *src, const char *work, const char *unit, const char *kdir,
		      const char *uname, const char *arch, struct kb_vm_modsrc_plan *p);
/* After the copy: the link dkms's own layout has. */
int kb_vm_modsrc_prepare(const struct kb_vm_modsrc_plan *p);
void kb_vm_modsrc_plan_free(struct kb_vm_modsrc_plan *p);

#endif
