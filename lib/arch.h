/* arch.h — the one table of CPU architectures: each one's spellings
 * (Debian's, the kernel's uname -m / rpm's), its kbuild ARCH, its GNU
 * triplet and its ELF identity. Every stage asks here; none keeps a copy. */
#ifndef KB_LIB_ARCH_H
#define KB_LIB_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct kb_arch {
	const char *debian;	/* Debian's name: amd64, arm64, ppc64el… (the canonical one) */
	const char *uname;	/* uname -m and rpm's name: x86_64, aarch64, ppc64le… */
	const char *alias;	/* one more spelling (i686 for i386) or NULL */
	const char *karch;	/* kbuild's ARCH=: x86, arm64, powerpc, s390, riscv… */
	const char *triplet;	/* the GNU triplet of Debian's cross tools */
	uint16_t elf_machine;	/* e_machine (EM_*) */
	unsigned char elf_class;	/* ELFCLASS32 or ELFCLASS64 */
	unsigned char elf_data;	/* ELFDATA2LSB or ELFDATA2MSB */
	const char *vermagic;	/* the word its modules' vermagic always ends with
				 * (MODULE_ARCH_VERMAGIC: aarch64, riscv), or NULL */
};

/* The architecture any spelling names (amd64 = x86_64, arm64 = aarch64…),
 * or NULL when the name is unknown. */
const struct kb_arch *kb_arch_find(const char *name);

/* The architecture whose ELF identity this is (the first row for EM_ARM:
 * armhf), or NULL. */
const struct kb_arch *kb_arch_by_elf(uint16_t machine, unsigned char elf_class,
				     unsigned char elf_data);

/* An architecture whose vermagic word is one of vermagic's words (a module
 * built for it), or NULL. */
const struct kb_arch *kb_arch_by_vermagic(const char *vermagic);

/* True when a and b name the same architecture (or are equal strings). */
bool kb_arch_same(const char *a, const char *b);

/* The build machine's architecture, Debian's spelling (or uname -m's when
 * the table lacks it). */
const char *kb_arch_host(void);

#endif
