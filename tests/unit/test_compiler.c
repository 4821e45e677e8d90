/* test_compiler.c — unit tests for lib/compiler: the compiler facts in real
 * kernels' .config, auto.conf and autoconf.h lines (copied from Debian 11,
 * 12, 13, trixie-backports and forky headers packages), other distros'
 * version texts, and compiler specs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/compiler.h"
#include "lib/error.h"

static void check_config(const char *cfg, int want_err, enum kb_cc_kind kind, const char *version,
			 const char *spec)
{
	struct kb_compiler c;
	char got[KB_COMPILER_SPEC_MAX];

	assert_int_equal(kb_compiler_from_config(cfg, strlen(cfg), &c), want_err);
	if (!want_err) {
		assert_int_equal(c.kind, kind);
		assert_string_equal(c.version, version);
		kb_compiler_spec(&c, got);
		assert_string_equal(got, spec);
	}
	kb_compiler_free(&c);
}

/* linux-headers-5.10.0-46-amd64 5.10.262-1 (Debian 11), .config */
static const char deb11_config[] =
	"#\n# Automatically generated file; DO NOT EDIT.\n"
	"# Linux/x86 5.10.262 Kernel Configuration\n#\n"
	"CONFIG_CC_VERSION_TEXT=\"gcc-10 (Debian 10.2.1-6) 10.2.1 20210110\"\n"
	"CONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=100201\nCONFIG_LD_VERSION=235020000\n"
	"CONFIG_CLANG_VERSION=0\nCONFIG_LLD_VERSION=0\n"
	"# CONFIG_CC_IS_CLANG is not set\n";
/* linux-headers-6.12.118+deb13-amd64 (Debian 13), include/config/auto.conf */
static const char deb13_auto_conf[] =
	"CONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=140200\nCONFIG_CLANG_VERSION=0\n"
	"CONFIG_CC_VERSION_TEXT=\"x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0\"\n";
/* linux-headers-6.1.0-57-amd64 (Debian 12), include/generated/autoconf.h */
static const char deb12_autoconf_h[] =
	"#define CONFIG_CC_VERSION_TEXT \"gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0\"\n"
	"#define CONFIG_CLANG_VERSION 0\n#define CONFIG_LLD_VERSION 0\n"
	"#define CONFIG_CC_IS_GCC 1\n#define CONFIG_GCC_VERSION 120200\n";
/* linux-headers-7.2.12+deb14-amd64 (forky), .config */
static const char deb14_config[] =
	"CONFIG_CC_VERSION_TEXT=\"x86_64-linux-gnu-gcc-16 (Debian 16.2.0-3) 16.2.0\"\n"
	"CONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=160200\nCONFIG_CLANG_VERSION=0\n";
/* a clang-built kernel's .config (the lines kconfig writes for clang) */
static const char clang_config[] =
	"CONFIG_CC_VERSION_TEXT=\"Debian clang version 16.0.6 (15)\"\n"
	"CONFIG_GCC_VERSION=0\nCONFIG_CC_IS_CLANG=y\nCONFIG_CLANG_VERSION=160006\n"
	"CONFIG_AS_IS_LLVM=y\nCONFIG_LD_IS_LLD=y\n";

static void test_compiler_debian(void **state)
{
	(void)state;
	check_config(deb11_config, 0, KB_CC_GCC, "10.2.1", "gcc-10");
	check_config(deb12_autoconf_h, 0, KB_CC_GCC, "12.2.0", "gcc-12");
	check_config(deb13_auto_conf, 0, KB_CC_GCC, "14.2.0", "gcc-14");
	check_config(deb14_config, 0, KB_CC_GCC, "16.2.0", "gcc-16");
	check_config(clang_config, 0, KB_CC_CLANG, "16.0.6", "clang-16");
}

static void test_compiler_text_kept(void **state)
{
	struct kb_compiler c;

	(void)state;
	assert_int_equal(kb_compiler_from_config(deb11_config, strlen(deb11_config), &c), 0);
	assert_string_equal(c.text, "gcc-10 (Debian 10.2.1-6) 10.2.1 20210110");
	assert_int_equal(c.major, 10);
	assert_int_equal(c.minor, 2);
	assert_int_equal(c.patch, 1);
	kb_compiler_free(&c);
	/* escapes in a .config string are undone */
	check_config("CONFIG_CC_VERSION_TEXT=\"gcc (\\\"x\\\\y\\\") 9.4.0\"\n", 0, KB_CC_GCC, "9.4.0",
		     "gcc-9");
}

/* No numbers (a hand-made config) or no text (4.18 .. 5.7): either alone
 * names the compiler. */
static void test_compiler_partial(void **state)
{
	(void)state;
	check_config("CONFIG_CC_VERSION_TEXT=\"gcc (GCC) 11.5.0 20240719 (Red Hat 11.5.0-5)\"\n", 0,
		     KB_CC_GCC, "11.5.0", "gcc-11");
	check_config("CONFIG_GCC_VERSION=80300\nCONFIG_CLANG_VERSION=0\n", 0, KB_CC_GCC, "8.3.0",
		     "gcc-8");
	check_config("CONFIG_CC_IS_CLANG=y\nCONFIG_CLANG_VERSION=180103\n", 0, KB_CC_CLANG, "18.1.3",
		     "clang-18");
	/* the numbers win over a text that disagrees */
	check_config("CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14) 12.2.0\"\n"
		     "CONFIG_GCC_VERSION=120300\n", 0, KB_CC_GCC, "12.3.0", "gcc-12");
}

static void test_compiler_none(void **state)
{
	(void)state;
	check_config("", -KB_ENOTFOUND, 0, NULL, NULL);
	check_config("CONFIG_X86=y\n# CONFIG_CC_IS_CLANG is not set\n", -KB_ENOTFOUND, 0, NULL, NULL);
	check_config("CONFIG_GCC_VERSION=0\nCONFIG_CLANG_VERSION=0\n", -KB_ENOTFOUND, 0, NULL, NULL);
	check_config("CONFIG_CC_IS_GCC=y\n", -KB_EPARSE, 0, NULL, NULL);
	check_config("CONFIG_CC_VERSION_TEXT=\"tcc 0.9.27\"\n", -KB_EPARSE, 0, NULL, NULL);
	check_config("CONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=99999999999\n", -KB_EPARSE, 0, NULL, NULL);
	check_config("CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14)\"\n", -KB_EPARSE, 0, NULL, NULL);
}

/* `cc --version` first lines, as kconfig stores them */
static void test_compiler_text(void **state)
{
	static const struct {
		const char *text;
		enum kb_cc_kind kind;
		const char *version;
	} cases[] = {
		{ "gcc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022", KB_CC_GCC, "12.2.0" },
		{ "x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0", KB_CC_GCC, "12.2.0" },
		{ "x86_64-linux-gnu-gcc-13 (Ubuntu 13.3.0-6ubuntu2~24.04) 13.3.0", KB_CC_GCC, "13.3.0" },
		{ "gcc (SUSE Linux) 7.5.0", KB_CC_GCC, "7.5.0" },
		{ "gcc (GCC) 15.2.1 20250808 (Red Hat 15.2.1-1)", KB_CC_GCC, "15.2.1" },
		{ "Ubuntu clang version 18.1.3 (1ubuntu1)", KB_CC_CLANG, "18.1.3" },
		{ "clang version 17.0.6 (Fedora 17.0.6-1.fc39)", KB_CC_CLANG, "17.0.6" },
		{ "Android (8508608, based on r450784e) clang version 14.0.7 "
		  "(https://android.googlesource.com/toolchain/llvm-project 4c603efb0cca)",
		  KB_CC_CLANG, "14.0.7" },
		{ "gcc-4.9 (Debian 4.9.2-10+deb8u1) 4.9", KB_CC_GCC, "4.9.0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kb_compiler c;

		assert_int_equal(kb_compiler_from_text(cases[i].text, strlen(cases[i].text), &c), 0);
		assert_int_equal(c.kind, cases[i].kind);
		assert_string_equal(c.version, cases[i].version);
		assert_null(strchr(c.text, '\n'));
		kb_compiler_free(&c);
	}
}

static void test_compiler_spec(void **state)
{
	enum kb_cc_kind kind;
	unsigned major;

	(void)state;
	assert_int_equal(kb_compiler_spec_parse("gcc-14", &kind, &major), 0);
	assert_int_equal(kind, KB_CC_GCC);
	assert_int_equal(major, 14);
	assert_int_equal(kb_compiler_spec_parse("clang-18", &kind, &major), 0);
	assert_int_equal(kind, KB_CC_CLANG);
	assert_int_equal(major, 18);
	assert_int_equal(kb_compiler_spec_parse("gcc", &kind, &major), -KB_EPARSE);
	assert_int_equal(kb_compiler_spec_parse("gcc-", &kind, &major), -KB_EPARSE);
	assert_int_equal(kb_compiler_spec_parse("gcc-0", &kind, &major), -KB_EPARSE);
	assert_int_equal(kb_compiler_spec_parse("gcc-14.2", &kind, &major), -KB_EPARSE);
	assert_int_equal(kb_compiler_spec_parse("icc-14", &kind, &major), -KB_EPARSE);
	assert_int_equal(kb_compiler_spec_parse("gcc-14/../x", &kind, &major), -KB_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compiler_debian),
		cmocka_unit_test(test_compiler_text_kept),
		cmocka_unit_test(test_compiler_partial),
		cmocka_unit_test(test_compiler_none),
		cmocka_unit_test(test_compiler_text),
		cmocka_unit_test(test_compiler_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
