/* modbuild.h — a bundle extracted to tmpfs and the modules under test built
 * against it with the kernel's own Kbuild (make -C BUNDLE_BUILD_DIR M=…),
 * each .ko's vermagic checked against BUNDLE_UNAME before anything boots. */
#ifndef KB_VM_MODBUILD_H
#define KB_VM_MODBUILD_H

#include "vm/result.h"

/* Extract a bundle (.tgz) under dest. Every entry is checked first (under
 * lim, NULL: the default limits): only directories, regular files and links
 * that stay inside dest. */
struct kb_limits;
int kb_vm_bundle_extract(const char *tgz, const char *dest, const struct kb_limits *lim);

/* BUNDLE_UNAME and BUNDLE_DISTRO read from the bundle file itself, without
 * extracting it (they lead the sorted tarball). Each NULL when absent. */
void kb_vm_bundle_peek(const char *tgz, char **uname, char **distro);

/* From an extracted bundle: the absolute Kbuild directory
 * (root/BUNDLE_BUILD_DIR) and BUNDLE_UNAME. Both malloc'd. */
int kb_vm_bundle_read(const char *root, char **build_dir, char **uname);

/* Copy u->src (or write the built-in test module when it is NULL) to
 * work/<u->name>, build it, list the .ko files in u->kos (modules.order
 * order) and set u's build and vermagic checks. Returns 0 when the checks
 * were decided (passed or not), negative only for host-side trouble. */
int kb_vm_unit_build(struct kb_vm_unit *u, const char *build_dir, const char *uname,
		     const char *work, int timeout_ms);

/* Set u's vermagic check: every .ko's vermagic must start with uname. */
void kb_vm_unit_vermagic(struct kb_vm_unit *u, const char *uname);

/* The lines of make's output a person needs: compiler and modpost errors
 * (at most max lines), else the last max lines. malloc'd. */
char *kb_vm_build_errors(const char *out, int max);

#endif
