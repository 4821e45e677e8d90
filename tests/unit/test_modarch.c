/* test_modarch.c — unit tests for a module's architecture: the ELF reader
 * of vm/modinfo.c on both classes and byte orders, lib/arch.h's lookups by
 * ELF identity and vermagic word, the refusal of a .ko of another
 * architecture (kb_vm_unit_vermagic), and the cross make command line. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/arch.h"
#include "lib/error.h"
#include "lib/file.h"
#include "vm/modbuild.h"
#include "vm/modinfo.h"

struct elf_w {
	unsigned char *b;
	bool c64, msb;
};

static void put(const struct elf_w *w, size_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		w->b[off + (size_t)(w->msb ? n - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

/* An ELF relocatable of either class and byte order for machine, with a
 * .modinfo section holding modinfo (len bytes); its size. */
static size_t make_ko(unsigned char *b, size_t cap, bool c64, bool msb, uint16_t machine,
		      const char *modinfo, size_t len)
{
	static const char shstr[] = "\0.modinfo\0.shstrtab";
	struct elf_w w = { b, c64, msb };
	size_t eh = c64 ? 64 : 52, ent = c64 ? 64 : 40, str_off = eh + len;
	size_t sh_off = (str_off + sizeof(shstr) + 7) & ~(size_t)7;
	int wd = c64 ? 8 : 4;

	assert_true(sh_off + 3 * ent <= cap);
	memset(b, 0, cap);
	memcpy(b, "\177ELF", 4);
	b[4] = c64 ? ELFCLASS64 : ELFCLASS32;
	b[5] = msb ? ELFDATA2MSB : ELFDATA2LSB;
	b[6] = 1;
	put(&w, 16, ET_REL, 2);
	put(&w, 18, machine, 2);
	put(&w, c64 ? 40 : 32, sh_off, wd);
	put(&w, c64 ? 58 : 46, ent, 2);
	put(&w, c64 ? 60 : 48, 3, 2);
	put(&w, c64 ? 62 : 50, 2, 2);
	memcpy(b + eh, modinfo, len);
	memcpy(b + str_off, shstr, sizeof(shstr));
	/* section 1: .modinfo; section 2: .shstrtab */
	put(&w, sh_off + ent, 1, 4);
	put(&w, sh_off + ent + (c64 ? 24 : 16), eh, wd);
	put(&w, sh_off + ent + (c64 ? 32 : 20), len, wd);
	put(&w, sh_off + 2 * ent, 10, 4);
	put(&w, sh_off + 2 * ent + (c64 ? 24 : 16), str_off, wd);
	put(&w, sh_off + 2 * ent + (c64 ? 32 : 20), sizeof(shstr), wd);
	return sh_off + 3 * ent;
}

static void test_elf_classes(void **state)
{
	static const char mi[] = "license=GPL\0vermagic=6.12.118+deb13-s390x SMP mod_unload ";
	const struct { bool c64, msb; uint16_t m; const char *arch; } cases[] = {
		{ true, false, EM_AARCH64, "arm64" }, { true, true, EM_S390, "s390x" },
		{ false, false, EM_ARM, "armhf" }, { false, false, EM_386, "i386" },
		{ true, false, EM_RISCV, "riscv64" }, { true, false, EM_PPC64, "ppc64el" },
	};
	unsigned char b[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kb_vm_elf_ident id;
		size_t n = make_ko(b, sizeof(b), cases[i].c64, cases[i].msb, cases[i].m, mi, sizeof(mi));
		char *v = NULL;

		assert_int_equal(kb_vm_elf_ident_mem(b, n, &id), 0);
		assert_int_equal(id.machine, cases[i].m);
		assert_ptr_equal(kb_arch_by_elf(id.machine, id.elf_class, id.elf_data),
				 kb_arch_find(cases[i].arch));
		assert_int_equal(kb_vm_modinfo_mem(b, n, "vermagic", &v), 0);
		assert_string_equal(v, "6.12.118+deb13-s390x SMP mod_unload ");
		free(v);
		/* truncated: an error, never a read past the end */
		for (size_t cut = 0; cut < n; cut += 3)
			assert_true(kb_vm_modinfo_mem(b, cut, "vermagic", &v) != 0 || (free(v), 1));
	}
	assert_null(kb_arch_by_elf(EM_S390, ELFCLASS64, ELFDATA2LSB));	/* no such Debian arch */
	assert_int_equal(kb_vm_elf_ident_mem("\177ELF\3\1", 6, &(struct kb_vm_elf_ident){ 0 }),
			 -KB_EPARSE);
}

static void test_vermagic_words(void **state)
{
	(void)state;
	assert_ptr_equal(kb_arch_by_vermagic("6.12.118+deb13-arm64 SMP mod_unload modversions aarch64"),
			 kb_arch_find("arm64"));
	assert_ptr_equal(kb_arch_by_vermagic("6.12.118+deb13-riscv64 SMP mod_unload riscv"),
			 kb_arch_find("riscv64"));
	assert_null(kb_arch_by_vermagic("6.12.118+deb13-amd64 SMP preempt mod_unload modversions "));
	assert_null(kb_arch_by_vermagic("6.1.0-aarch64x SMP"));	/* a word, not a part of one */
	assert_null(kb_arch_by_vermagic(NULL));
}

/* ko for machine with vermagic vm, checked against arch: the detail, or
 * NULL when it passed. */
static char *check(bool c64, bool msb, uint16_t machine, const char *vm, const char *arch)
{
	char path[] = "/tmp/kb-modarch.XXXXXX", *mi = kb_xasprintf("vermagic=%s", vm), *r = NULL;
	unsigned char b[1024];
	size_t n = make_ko(b, sizeof(b), c64, msb, machine, mi, strlen(mi) + 1);
	struct kb_vm_unit u = { 0 };
	char *ko;

	assert_non_null(mkdtemp(path));
	ko = kb_xasprintf("%s/kbtest.ko", path);
	assert_int_equal(kb_file_write_atomic(ko, b, n), 0);
	u.kos = &ko;
	u.nkos = 1;
	kb_vm_unit_vermagic(&u, "6.12.118+deb13-x", arch, NULL);
	if (u.chk[KB_CHK_VERMAGIC].st != KB_ST_PASS)
		r = kb_xstrdup(u.chk[KB_CHK_VERMAGIC].detail);
	free(u.chk[KB_CHK_VERMAGIC].detail);
	unlink(ko);
	rmdir(path);
	free(ko);
	free(mi);
	return r;
}

static void test_arch_refused(void **state)
{
	const char *arm = "6.12.118+deb13-x SMP mod_unload modversions aarch64";
	const char *x86 = "6.12.118+deb13-x SMP preempt mod_unload modversions ";
	char *r;

	(void)state;
	assert_null(check(true, false, EM_AARCH64, arm, "arm64"));
	assert_null(check(true, false, EM_AARCH64, arm, "aarch64"));
	assert_null(check(true, false, EM_X86_64, x86, "amd64"));
	assert_null(check(true, true, EM_S390, "6.12.118+deb13-x SMP mod_unload ", "s390x"));
	assert_null(check(true, false, EM_AARCH64, arm, NULL));	/* arch unknown: not checked */

	r = check(true, false, EM_AARCH64, arm, "amd64");
	assert_non_null(r);
	assert_non_null(strstr(r, "kbtest.ko: built for another architecture: it is an ELF file "
				  "for aarch64 (e_machine 183, 64-bit little-endian), the kernel is "
				  "x86_64 (amd64): refused before boot"));
	free(r);
	r = check(true, false, EM_X86_64, x86, "arm64");
	assert_non_null(r);
	assert_non_null(strstr(r, "ELF file for x86_64"));
	assert_non_null(strstr(r, "the kernel is aarch64 (arm64)"));
	free(r);
	/* the byte order alone differs */
	r = check(true, false, EM_S390, "6.12.118+deb13-x SMP ", "s390x");
	assert_non_null(r);
	assert_non_null(strstr(r, "little-endian"));
	free(r);
	/* the right machine, the vermagic of another architecture or without its word */
	r = check(true, false, EM_AARCH64, "6.12.118+deb13-x SMP mod_unload riscv", "arm64");
	assert_non_null(strstr(r, "is not for aarch64 (want the word 'aarch64', not riscv)"));
	free(r);
	r = check(true, false, EM_AARCH64, "6.12.118+deb13-x SMP mod_unload ", "arm64");
	assert_non_null(strstr(r, "is not for aarch64 (want the word 'aarch64')"));
	free(r);
	r = check(true, false, EM_X86_64, "6.12.118+deb13-x SMP aarch64", "amd64");
	assert_non_null(strstr(r, "is not for x86_64"));
	free(r);
}

static void test_make_argv(void **state)
{
	const char *make[] = { "make", "-s", "-C", "/k", "M=/m", "modules", NULL };
	const char *other[] = { "./build.sh", "x", NULL };
	struct kb_vm_buildenv e = { .arch = (char *)"arm64", .have_tc = true };
	char **v;

	(void)state;
	v = kb_vm_make_argv(&e, make);	/* a native toolchain: as it is */
	assert_string_equal(v[5], "modules");
	assert_null(v[6]);
	kb_toolchain_argv_free(v);
	e.tc.cross_compile = (char *)"aarch64-linux-gnu-";
	v = kb_vm_make_argv(&e, make);
	assert_string_equal(v[0], "make");
	assert_string_equal(v[6], "ARCH=arm64");
	assert_string_equal(v[7], "CROSS_COMPILE=aarch64-linux-gnu-");
	assert_null(v[8]);
	kb_toolchain_argv_free(v);
	v = kb_vm_make_argv(&e, other);
	assert_string_equal(v[0], "env");
	assert_string_equal(v[1], "ARCH=arm64");
	assert_string_equal(v[2], "CROSS_COMPILE=aarch64-linux-gnu-");
	assert_string_equal(v[3], "./build.sh");
	assert_string_equal(v[4], "x");
	assert_null(v[5]);
	kb_toolchain_argv_free(v);
	e.arch = (char *)"ppc64el";
	e.tc.cross_compile = (char *)"powerpc64le-linux-gnu-";
	v = kb_vm_make_argv(&e, make);
	assert_string_equal(v[6], "ARCH=powerpc");	/* kbuild's name, not Debian's */
	kb_toolchain_argv_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_classes),
		cmocka_unit_test(test_vermagic_words),
		cmocka_unit_test(test_arch_refused),
		cmocka_unit_test(test_make_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
