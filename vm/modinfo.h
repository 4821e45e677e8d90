/* modinfo.h — read a key (vermagic) from a kernel module's .modinfo section,
 * and the compiler strings of its .comment,
 * with a small bounds-checked ELF64 reader: no modinfo subprocess per .ko. */
#ifndef KB_VM_MODINFO_H
#define KB_VM_MODINFO_H

#include <stddef.h>

/* The value of key in the .modinfo section of the ELF image buf. *val is
 * malloc'd. -KB_EPARSE for a malformed or non-ELF64 image, -KB_ENOTFOUND
 * when there is no such key. */
int kb_vm_modinfo_mem(const void *buf, size_t len, const char *key, char **val);
int kb_vm_modinfo_file(const char *ko, const char *key, char **val);

/* The strings of the .comment section (the compilers that made the
 * objects: "GCC: (Debian 14.2.0-19) 14.2.0"), one a line. *val is
 * malloc'd; -KB_ENOTFOUND when there is none. */
int kb_vm_comment_mem(const void *buf, size_t len, char **val);
int kb_vm_comment_file(const char *ko, char **val);

#endif
