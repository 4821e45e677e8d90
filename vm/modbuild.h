/* modbuild.h — the modules under test built against a bundle extracted to
 * tmpfs (by bundles/extract.h) with the kernel's own Kbuild (make -C
 * BUNDLE_BUILD_DIR M=…), each .ko's vermagic checked against BUNDLE_UNAME
 * before anything boots. */
#ifndef KB_VM_MODBUILD_H
#define KB_VM_MODBUILD_H

#include "vm/result.h"

/* Copy u->src (or write the built-in test module when it is NULL) to
 * work/<u->name>, build it, list the .ko files in u->kos (modules.order
 * order) and set u's build and vermagic checks. Returns 0 when the checks
 * were decided (passed or not), negative only for host-side trouble. */
int kb_vm_unit_build(struct kb_vm_unit *u, const char *build_dir, const char *uname,
		     const char *work, int timeout_ms);

/* Set u's vermagic check: every .ko's vermagic must start with uname. */
void kb_vm_unit_vermagic(struct kb_vm_unit *u, const char *uname);

/* The lines of make's output a person needs, at most max: first those
 * that name a cause (the compiler's "error:", modpost's "ERROR:", a
 * missing compiler or file), then make's own error lines; with none, the
 * last max lines. malloc'd. */
char *kb_vm_build_errors(const char *out, int max);

#endif
