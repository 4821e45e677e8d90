/* testmod.h — the built-in test module, carried in the binary as source so
 * vmtest needs nothing but a bundle: written out and built at run time. */
#ifndef KB_VM_TESTMOD_H
#define KB_VM_TESTMOD_H

#define KB_VM_TESTMOD_NAME "kbundle_test"

/* Write the module's source, Kbuild and check.sh into dir (which exists). */
int kb_vm_testmod_write(const char *dir);

struct kb_sha256;
/* Feed the module's files into h (the built-module cache key). */
void kb_vm_testmod_digest(struct kb_sha256 *h);

#endif
