/* modinfo.h — read a key (vermagic) from a kernel module's .modinfo section,
 * the compiler strings of its .comment and its ELF identity (machine,
 * class, byte order), with a small bounds-checked ELF reader for both
 * classes and byte orders (s390x is big-endian, armhf and i386 32-bit): no
 * modinfo subprocess per .ko. */
#ifndef KB_VM_MODINFO_H
#define KB_VM_MODINFO_H

#include <stddef.h>
#include <stdint.h>

/* What architecture an ELF file is for (compare with lib/arch.h's). */
struct kb_vm_elf_ident {
	uint16_t machine;	/* e_machine */
	unsigned char elf_class;	/* ELFCLASS32 / ELFCLASS64 */
	unsigned char elf_data;		/* ELFDATA2LSB / ELFDATA2MSB */
};

/* -KB_EPARSE when buf is not an ELF file. */
int kb_vm_elf_ident_mem(const void *buf, size_t len, struct kb_vm_elf_ident *id);
int kb_vm_elf_ident_file(const char *ko, struct kb_vm_elf_ident *id);

/* The value of key in the .modinfo section of the ELF image buf. *val is
 * malloc'd. -KB_EPARSE for a malformed or non-ELF image, -KB_ENOTFOUND
 * when there is no such key. */
int kb_vm_modinfo_mem(const void *buf, size_t len, const char *key, char **val);
int kb_vm_modinfo_file(const char *ko, const char *key, char **val);

/* The strings of the .comment section (the compilers that made the
 * objects: "GCC: (Debian 14.2.0-19) 14.2.0"), one a line. *val is
 * malloc'd; -KB_ENOTFOUND when there is none. */
int kb_vm_comment_mem(const void *buf, size_t len, char **val);
int kb_vm_comment_file(const char *ko, char **val);

#endif
