/* test_select.c — the manifest selectors pack and vmtest share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/error.h"
#include "manifest/select.h"

#define E(id_, up, rel, arch_, ver, path_)                                               \
	{ .id = id_, .distro = (char *)"debian", .upstream = (char *)up,                   \
	  .release = (char *)rel, .arch = (char *)arch_, .version = (char *)ver,           \
	  .headers = &(struct kb_mpkg){ .path = (char *)path_ }, .nheaders = 1 }

static struct kb_bundle_entry entries[] = {
	E("aa01", "debian-12", "6.1.0-47-amd64", "amd64", "6.1.170-3", "pool/a.deb"),
	E("aa02", "debian-12", "6.1.0-56-amd64", "amd64", "6.1.192-2", "pool/b.deb"),
	E("aa03", "debian-12", "6.1.0-56-cloud-amd64", "amd64", "6.1.192-2", "pool/c.deb"),
	E("aa04", "debian-12", "6.12.117+deb12-amd64", "amd64", "6.12.117-1~deb12u1", "pool/d.deb"),
	E("bb05", "debian-12", "6.1.0-56-arm64", "arm64", "6.1.192-2", "pool/e.deb"),
	E("bb06", "rhel-9", "5.14.0-427.el9.x86_64", "x86_64", "5.14.0-427.el9", "p/k.rpm"),
	E("bb07", "rhel-9", "5.14.0-70.el9.x86_64", "x86_64", "5.14.0-70.el9", "p/l.rpm"),
};
static const struct kb_manifest m = { entries, sizeof(entries) / sizeof(entries[0]) };

static size_t pick(const struct kb_select *s, bool *sel)
{
	size_t n = 99;

	assert_int_equal(kb_select_entries(&m, s, sel, &n), 0);
	return n;
}

static void test_select_basic(void **state)
{
	bool sel[7];

	(void)state;
	assert_int_equal(pick(&(struct kb_select){ 0 }, sel), 7);
	assert_int_equal(pick(&(struct kb_select){ .id = "bb" }, sel), 3);
	assert_int_equal(pick(&(struct kb_select){ .arch = "arm64" }, sel), 1);
	assert_true(sel[4]);
	/* any spelling: the kernel's (aarch64) names Debian's arm64, Debian's
	 * amd64 names rpm's x86_64 entries too */
	assert_int_equal(pick(&(struct kb_select){ .arch = "aarch64" }, sel), 1);
	assert_true(sel[4]);
	assert_int_equal(pick(&(struct kb_select){ .arch = "x86_64" }, sel), 6);
	assert_int_equal(pick(&(struct kb_select){ .arch = "riscv64" }, sel), 0);
	assert_int_equal(pick(&(struct kb_select){ .release_re = "^6\\.1\\..*-amd64$" }, sel), 3);
	assert_int_equal(pick(&(struct kb_select){ .distro = "ubuntu" }, sel), 0);
	assert_int_equal(pick(&(struct kb_select){ .upstream = "rhel-9" }, sel), 2);
	size_t n;
	assert_int_equal(kb_select_entries(&m, &(struct kb_select){ .release_re = "(" }, sel, &n),
			 -KB_EUSAGE);
	/* names no entry has and kbundle does not know: a typo, refused */
	assert_int_equal(kb_select_entries(&m, &(struct kb_select){ .upstream = "rhel9" }, sel, &n),
			 -KB_EUSAGE);
	assert_int_equal(kb_select_entries(&m, &(struct kb_select){ .arch = "amd46" }, sel, &n),
			 -KB_EUSAGE);
	assert_int_equal(kb_select_entries(&m, &(struct kb_select){ .distro = "debain" }, sel, &n),
			 -KB_EUSAGE);
}

static void test_select_latest(void **state)
{
	bool sel[7];

	(void)state;
	/* one per upstream, arch and flavour: 6.12 amd64, cloud, arm64, the newest rhel */
	assert_int_equal(pick(&(struct kb_select){ .latest = true }, sel), 4);
	assert_true(sel[2] && sel[3] && sel[4] && sel[5]);
	assert_false(sel[0] || sel[1] || sel[6]);	/* 427 beats 70 by rpm rules */
	/* latest applies within the other selectors */
	assert_int_equal(pick(&(struct kb_select){ .latest = true, .release_re = "^6\\.1\\." }, sel),
			 3);
	assert_true(sel[1] && sel[2] && sel[4]);
}

static void test_select_flavour(void **state)
{
	(void)state;
	assert_string_equal(kb_select_flavour("6.12.117+deb12-cloud-amd64"), "cloud-amd64");
	assert_string_equal(kb_select_flavour("6.8.0-45-generic"), "generic");
	assert_string_equal(kb_select_flavour("5.14.0-427.el9.x86_64"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select_basic),
		cmocka_unit_test(test_select_latest),
		cmocka_unit_test(test_select_flavour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
