/* arch.c — the architecture table. */
#include <elf.h>
#include <string.h>
#include <sys/utsname.h>

#include "lib/arch.h"

#define L ELFDATA2LSB
#define M ELFDATA2MSB
#define C32 ELFCLASS32
#define C64 ELFCLASS64
/* vermagic: MODULE_ARCH_VERMAGIC of arch/<karch>/include/asm/module.h
 * where it is one fixed word; the others add nothing (x86-64, s390) or
 * words that depend on the configuration (powerpc, arm, i386). */
static const struct kb_arch kb_arches[] = {
	{ "amd64", "x86_64", NULL, "x86", "x86_64-linux-gnu", EM_X86_64, C64, L, NULL },
	{ "i386", "i686", "i586", "x86", "i686-linux-gnu", EM_386, C32, L, NULL },
	{ "arm64", "aarch64", NULL, "arm64", "aarch64-linux-gnu", EM_AARCH64, C64, L, "aarch64" },
	{ "armhf", "armv7l", NULL, "arm", "arm-linux-gnueabihf", EM_ARM, C32, L, NULL },
	{ "armel", "armv5tel", NULL, "arm", "arm-linux-gnueabi", EM_ARM, C32, L, NULL },
	{ "ppc64el", "ppc64le", NULL, "powerpc", "powerpc64le-linux-gnu", EM_PPC64, C64, L, NULL },
	{ "s390x", "s390x", NULL, "s390", "s390x-linux-gnu", EM_S390, C64, M, NULL },
	{ "riscv64", "riscv64", NULL, "riscv", "riscv64-linux-gnu", EM_RISCV, C64, L, "riscv" },
	{ "mips64el", "mips64", NULL, "mips", "mips64el-linux-gnuabi64", EM_MIPS, C64, L, NULL },
	{ "mipsel", "mips", NULL, "mips", "mipsel-linux-gnu", EM_MIPS, C32, L, NULL },
	{ "loong64", "loongarch64", NULL, "loongarch", "loongarch64-linux-gnu", EM_LOONGARCH, C64, L, NULL },
};
#define KB_NARCHES (sizeof(kb_arches) / sizeof(kb_arches[0]))
#undef L
#undef M
#undef C32
#undef C64

const struct kb_arch *kb_arch_find(const char *name)
{
	for (size_t i = 0; name && i < KB_NARCHES; i++) {
		const struct kb_arch *a = &kb_arches[i];

		if (!strcmp(name, a->debian) || !strcmp(name, a->uname) ||
		    (a->alias && !strcmp(name, a->alias)))
			return a;
	}
	return NULL;
}

const struct kb_arch *kb_arch_by_elf(uint16_t machine, unsigned char elf_class,
				     unsigned char elf_data)
{
	for (size_t i = 0; i < KB_NARCHES; i++)
		if (kb_arches[i].elf_machine == machine && kb_arches[i].elf_class == elf_class &&
		    kb_arches[i].elf_data == elf_data)
			return &kb_arches[i];
	return NULL;
}

const struct kb_arch *kb_arch_by_vermagic(const char *vermagic)
{
	for (const char *w = vermagic; w && *w; w += strcspn(w, " ")) {
		size_t n;

		w += strspn(w, " ");
		n = strcspn(w, " ");
		for (size_t i = 0; n && i < KB_NARCHES; i++)
			if (kb_arches[i].vermagic && strlen(kb_arches[i].vermagic) == n &&
			    !strncmp(w, kb_arches[i].vermagic, n))
				return &kb_arches[i];
	}
	return NULL;
}

bool kb_arch_same(const char *a, const char *b)
{
	const struct kb_arch *x = kb_arch_find(a);

	return !strcmp(a, b) || (x && x == kb_arch_find(b));
}

const char *kb_arch_host(void)
{
	static struct utsname u;
	const struct kb_arch *a;

	if (uname(&u) != 0)
		return "unknown";
	a = kb_arch_find(u.machine);
	return a ? a->debian : u.machine;
}
