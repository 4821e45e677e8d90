/* test_arch.c — unit tests for the architecture table (lib/arch.c). */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "lib/arch.h"

static void test_spellings(void **state)
{
	(void)state;
	assert_true(kb_arch_same("amd64", "x86_64"));
	assert_true(kb_arch_same("aarch64", "arm64"));
	assert_true(kb_arch_same("ppc64le", "ppc64el"));
	assert_true(kb_arch_same("i586", "i386"));
	assert_true(kb_arch_same("mystery", "mystery"));
	assert_false(kb_arch_same("amd64", "arm64"));
	assert_false(kb_arch_same("i386", "amd64"));
	assert_false(kb_arch_same("armhf", "armel"));
	assert_null(kb_arch_find("mystery"));
	assert_null(kb_arch_find(NULL));
	assert_true(strlen(kb_arch_host()) > 0);
}

static void test_fields(void **state)
{
	const struct kb_arch *a = kb_arch_find("aarch64");

	(void)state;
	assert_non_null(a);
	assert_string_equal(a->debian, "arm64");
	assert_string_equal(a->karch, "arm64");
	assert_string_equal(a->triplet, "aarch64-linux-gnu");
	assert_int_equal(a->elf_machine, EM_AARCH64);
	a = kb_arch_find("s390x");
	assert_string_equal(a->karch, "s390");
	assert_int_equal(a->elf_data, ELFDATA2MSB);
	a = kb_arch_find("riscv64");
	assert_string_equal(a->karch, "riscv");
	assert_int_equal(a->elf_machine, EM_RISCV);
	assert_string_equal(kb_arch_find("amd64")->karch, "x86");
	assert_string_equal(kb_arch_find("ppc64el")->uname, "ppc64le");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
