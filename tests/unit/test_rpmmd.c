/* test_rpmmd.c — unit tests for the rpm-md crawler parts: the kernel package
 * recogniser on real package names of each rpm distro, EVR ordering through
 * librpm, repomd.xml and primary.xml parsing of a real createrepo_c output
 * (tests/fixtures/rpmmd, see make-fixture.sh) in gzip, xz, zstd and bzip2,
 * and hostile input: malformed XML, unsafe hrefs, limits, checksum mismatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crawler/recognise_rpm.h"
#include "crawler/rpmmd_primary.h"
#include "crawler/rpmmd_repomd.h"
#include "crawler/rpmmd_xml.h"
#include "crawler/upstream.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/stream.h"
#include "lib/vercmp.h"

static char *fixture(const char *rel)
{
	const char *src = getenv("KB_SRC");

	return kb_xasprintf("%s/tests/fixtures/rpmmd/%s", src ? src : ".", rel);
}

static void test_recognise_names(void **state)
{
	static const struct {
		const char *name;
		int want;
		enum kb_kind kind;
	} t[] = {
		{ "kernel-devel", 1, KB_KIND_DEVEL },		/* RHEL, Fedora, Alma, Rocky, SUSE */
		{ "kernel-core", 1, KB_KIND_IMAGE },		/* RHEL 8+, Fedora */
		{ "kernel", 1, KB_KIND_IMAGE },			/* RHEL 7, Amazon Linux 2023 */
		{ "kernel-modules-core", 1, KB_KIND_MODULES },	/* RHEL 9.2+, Fedora 37+ */
		{ "kernel-uek-devel", 1, KB_KIND_DEVEL },	/* Oracle UEK */
		{ "kernel-uek-core", 1, KB_KIND_IMAGE },	/* Oracle UEK7+ */
		{ "kernel-uek", 1, KB_KIND_IMAGE },		/* Oracle UEK6 */
		{ "kernel-rt-devel", 1, KB_KIND_DEVEL },
		{ "kernel-rt-core", 1, KB_KIND_IMAGE },
		{ "kernel-64k-devel", 1, KB_KIND_DEVEL },	/* RHEL 9 aarch64 */
		{ "kernel-default-devel", 1, KB_KIND_DEVEL },	/* SUSE */
		{ "kernel-default", 1, KB_KIND_IMAGE },		/* SUSE */
		{ "kernel6.1-devel", 1, KB_KIND_DEVEL },	/* Amazon Linux 2023 */
		{ "kernel6.12-devel", 1, KB_KIND_DEVEL },
		{ "kernel6.12", 1, KB_KIND_IMAGE },
		{ "kernel-headers", 0, 0 },
		{ "kernel-tools", 0, 0 },
		{ "kernel-tools-libs", 0, 0 },
		{ "kernel-doc", 0, 0 },
		{ "kernel-debug-devel", 0, 0 },
		{ "kernel-rt-debug-devel", 0, 0 },
		{ "kernel-devel-matched", 0, 0 },
		{ "kernel-abi-stablelists", 0, 0 },
		{ "kernel-abi-whitelists", 0, 0 },
		{ "kernel-srpm-macros", 0, 0 },
		{ "kernel-modules", 0, 0 },
		{ "kernel-modules-extra", 0, 0 },
		{ "kernel-debuginfo", 0, 0 },
		{ "kernel-debuginfo-common-x86_64", 0, 0 },
		{ "kernel-source", 0, 0 },
		{ "kernel-syms", 0, 0 },
		{ "kernel-macros", 0, 0 },
		{ "kernel-default-base", 0, 0 },
		{ "kernel-firmware", 0, 0 },
		{ "kernel-uki-virt", 0, 0 },
		{ "kernel6.-devel", 0, 0 },
		{ "kernelx-devel", 0, 0 },
		{ "linux-headers-6.1.0-47-amd64", 0, 0 },
	};
	struct kb_rpm_recognise_opts debug = { .debug = true };
	enum kb_kind k;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = kb_rpm_kernel_name(t[i].name, NULL, &k);

		if (got != t[i].want)
			fail_msg("%s: recognised %d, want %d", t[i].name, got, t[i].want);
		if (got && k != t[i].kind)
			fail_msg("%s: kind %s, want %s", t[i].name, kb_kind_name(k),
				 kb_kind_name(t[i].kind));
	}
	assert_int_equal(kb_rpm_kernel_name("kernel-debug-devel", &debug, &k), 1);
	assert_int_equal(k, KB_KIND_DEVEL);
	assert_int_equal(kb_rpm_kernel_name("kernel-debug-core", &debug, &k), 1);
	assert_int_equal(kb_rpm_kernel_name("kernel-debuginfo", &debug, &k), 0);
}

static void test_recognise_release(void **state)
{
	struct kb_rpm_pkginfo p = { .name = "kernel-default-devel", .arch = "x86_64",
				    .ver = "6.4.0", .rel = "150600.23.25.1" };
	char rel[256];
	enum kb_kind k;

	(void)state;
	/* SUSE: no uname provide; derived the way the kernel names itself. */
	assert_int_equal(kb_rpm_recognise(&p, "x86_64", NULL, &k, rel, sizeof(rel)), 1);
	assert_string_equal(rel, "6.4.0-150600.23.25-default");
	assert_int_equal(kb_rpm_recognise(&p, "aarch64", NULL, &k, rel, sizeof(rel)), 0);
	strcpy(p.name, "kernel-devel");
	strcpy(p.arch, "noarch");
	assert_int_equal(kb_rpm_recognise(&p, "x86_64", NULL, &k, rel, sizeof(rel)), 1);
	assert_int_equal(k, KB_KIND_HEADERS_COMMON);
	assert_string_equal(rel, "6.4.0-150600.23.25");
	/* RHEL: the provide wins over any derivation. */
	strcpy(p.arch, "x86_64");
	strcpy(p.ver, "5.14.0");
	strcpy(p.rel, "427.13.1.el9_4");
	assert_int_equal(kb_rpm_recognise(&p, "x86_64", NULL, &k, rel, sizeof(rel)), 1);
	assert_string_equal(rel, "5.14.0-427.13.1.el9_4.x86_64");
	strcpy(p.uname, "5.14.0-427.13.1.el9_4.x86_64+rt");
	assert_int_equal(kb_rpm_recognise(&p, "x86_64", NULL, &k, rel, sizeof(rel)), 1);
	assert_string_equal(rel, "5.14.0-427.13.1.el9_4.x86_64+rt");
	strcpy(p.name, "kernel-doc");
	assert_int_equal(kb_rpm_recognise(&p, "x86_64", NULL, &k, rel, sizeof(rel)), 0);
}

static void test_evr_order(void **state)
{
	(void)state;
	assert_true(kb_rpm_evrcmp("5.14.0-427.13.1.el9_4", "5.14.0-70.13.1.el9_0") > 0);
	assert_true(kb_rpm_evrcmp("5.14.0-427.13.1.el9_4", "5.14.0-427.2.1.el9_4") > 0);
	assert_true(kb_rpm_evrcmp("4.18.0-553.el8_10", "4.18.0-80.el8") > 0);
	assert_true(kb_rpm_evrcmp("6.4.0-150600.23.25.1", "6.4.0-150600.23.7.1") > 0);
	assert_true(kb_rpm_evrcmp("6.12.0-0.rc7.59.fc42", "6.12.0-1.fc42") < 0);
	assert_true(kb_rpm_evrcmp("1:5.14.0-1.el9", "6.0.0-1.el9") > 0);
	assert_true(kb_rpm_evrcmp("6.1.112-122.189.amzn2023", "6.1.112-122.189.amzn2023") == 0);
}

static void test_repomd_fixture(void **state)
{
	char *path = fixture("repodata/repomd.xml"), *prim = fixture("repodata/primary.xml.gz");
	struct kb_repomd_primary r;
	char got[KB_SHA256_HEX_LEN + 1];
	uint64_t size = 0;

	(void)state;
	assert_int_equal(kb_repomd_load(path, &r), 0);
	assert_string_equal(r.href, "repodata/primary.xml.gz");
	assert_int_equal(strlen(r.sha256), 64);
	assert_true(r.size > 0 && r.open_size > r.size);
	/* what the crawl's engine checks the downloaded primary against */
	assert_int_equal(kb_sha256_file(prim, got, &size), 0);
	assert_string_equal(got, r.sha256);
	assert_int_equal(size, r.size);
	free(path);
	free(prim);
}

static void test_repomd_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"<repomd><data type=\"primary\">",
		"<repomd/>",
		"<metadata/>",
		"<repomd><data type=\"primary\"><checksum type=\"sha\">abc</checksum>"
		"<location href=\"repodata/p.xml.gz\"/></data></repomd>",
		"<repomd><data type=\"primary\"><checksum type=\"sha256\">"
		"0000000000000000000000000000000000000000000000000000000000000000</checksum>"
		"<location href=\"/etc/passwd\"/></data></repomd>",
		"<repomd><data type=\"primary\"><checksum type=\"sha256\">"
		"0000000000000000000000000000000000000000000000000000000000000000</checksum>"
		"<location href=\"http://evil/p.xml.gz\"/></data></repomd>",
		"<repomd><data type=\"primary\"><checksum type=\"sha256\">"
		"0000000000000000000000000000000000000000000000000000000000000000</checksum>"
		"<location href=\"p.gz\"/><size>12x</size></data></repomd>",
		"<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><repomd>&b;</repomd>",
	};
	struct kb_repomd_primary r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (kb_repomd_parse(bad[i], strlen(bad[i]), "bad", &r) != -KB_EPARSE)
			fail_msg("case %zu parsed", i);
}

static void test_path_join(void **state)
{
	char *p;

	(void)state;
	/* Amazon Linux 2023: from the repository into the shared blobstore */
	p = kb_rpmmd_path_join("al2023/core/guids/9cf1/x86_64",
			       "../../../../blobstore/97cf/kernel-devel-6.1.x86_64.rpm");
	assert_string_equal(p, "al2023/blobstore/97cf/kernel-devel-6.1.x86_64.rpm");
	free(p);
	p = kb_rpmmd_path_join("9-stream/AppStream/x86_64/os/", "./Packages/k.rpm");
	assert_string_equal(p, "9-stream/AppStream/x86_64/os/Packages/k.rpm");
	free(p);
	assert_null(kb_rpmmd_path_join("a/b", "../../../etc/passwd"));
	assert_null(kb_rpmmd_path_join("a", ".."));
}

struct collect {
	char lines[64][4500];
	size_t n;
	const char *arch;
};

static bool want_kernel(const char *name, void *ctx)
{
	enum kb_kind k;

	(void)ctx;
	return kb_rpm_kernel_name(name, NULL, &k) || !strcmp(name, "kernel-devel");
}

static int collect_pkg(const struct kb_rpm_pkginfo *p, void *ctx)
{
	struct collect *c = ctx;
	char rel[256], evr[300];
	enum kb_kind k;
	int r = kb_rpm_recognise(p, c->arch, NULL, &k, rel, sizeof(rel));

	if (r <= 0)
		return r;
	assert_true(c->n < 64);
	kb_rpm_pkginfo_evr(p, evr, sizeof(evr));
	snprintf(c->lines[c->n++], sizeof(c->lines[0]), "%s %s %s %s %s %s %llu [%s]", p->name,
		 evr, p->arch, kb_kind_name(k), rel, p->href, (unsigned long long)p->size,
		 p->requires);
	assert_int_equal(strlen(p->sha256), 64);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

static const char *const fixture_want[] = {
	"kernel 5.14.0-427.13.1.el9_4 x86_64 image 5.14.0-427.13.1.el9_4.x86_64 "
	"kernel-5.14.0-427.13.1.el9_4.x86_64.rpm",
	"kernel-core 5.14.0-427.13.1.el9_4 x86_64 image 5.14.0-427.13.1.el9_4.x86_64 "
	"kernel-core-5.14.0-427.13.1.el9_4.x86_64.rpm",
	"kernel-default 6.4.0-150600.23.25.1 x86_64 image 6.4.0-150600.23.25-default ",
	"kernel-default-devel 6.4.0-150600.23.25.1 x86_64 devel 6.4.0-150600.23.25-default ",
	"kernel-devel 5.14.0-427.13.1.el9_4 x86_64 devel 5.14.0-427.13.1.el9_4.x86_64 ",
	"kernel-devel 5.14.0-70.13.1.el9_0 x86_64 devel 5.14.0-70.13.1.el9_0.x86_64 ",
	"kernel-devel 6.4.0-150600.23.25.1 noarch headers-common 6.4.0-150600.23.25 ",
	"kernel-modules-core 5.14.0-427.13.1.el9_4 x86_64 modules 5.14.0-427.13.1.el9_4.x86_64 ",
	"kernel-rt-devel 5.14.0-427.13.1.el9_4 x86_64 devel 5.14.0-427.13.1.el9_4.x86_64+rt ",
	"kernel-uek-core 5.15.0-200.131.27.el9uek x86_64 image 5.15.0-200.131.27.el9uek.x86_64 ",
	"kernel-uek-devel 5.15.0-200.131.27.el9uek x86_64 devel 5.15.0-200.131.27.el9uek.x86_64 ",
	"kernel6.12-devel 6.12.40-63.114.amzn2023 x86_64 devel 6.12.40-63.114.amzn2023.x86_64 ",
};

static void parse_fixture_file(const char *path)
{
	struct collect c = { .arch = "x86_64" };
	struct kb_stream *s = NULL;
	uint64_t n = 0;

	assert_int_equal(kb_stream_open(path, 1 << 20, NULL, &s), 0);
	assert_int_equal(kb_primary_parse(s, path, NULL, want_kernel, collect_pkg, &c, &n), 0);
	kb_stream_close(s);
	assert_int_equal(n, 20);
	assert_int_equal(c.n, sizeof(fixture_want) / sizeof(fixture_want[0]));
	qsort(c.lines, c.n, sizeof(c.lines[0]), cmp_line);
	for (size_t i = 0; i < c.n; i++)
		if (strncmp(c.lines[i], fixture_want[i], strlen(fixture_want[i])))
			fail_msg("line %zu:\n got  %s\n want %s", i, c.lines[i], fixture_want[i]);
	/* kernel-core's requirement on its boot modules, as the depends column */
	assert_non_null(strstr(c.lines[1], "[kernel-modules-core-uname-r (= "
					   "5.14.0-427.13.1.el9_4.x86_64)]"));
}

static void test_primary_fixture(void **state)
{
	char *gz = fixture("repodata/primary.xml.gz");
	char dir[] = "/tmp/kb-rpmmd-XXXXXX", *plain, *zst, *xz, *bz2;
	const char *gunzip[] = { "sh", "-c", "gzip -dc \"$0\" >\"$1\"", gz, NULL, NULL };
	int rc;

	(void)state;
	parse_fixture_file(gz);
	assert_non_null(mkdtemp(dir));
	plain = kb_path_join(dir, "primary.xml");
	zst = kb_path_join(dir, "primary.xml.zst");
	xz = kb_path_join(dir, "primary.xml.xz");
	bz2 = kb_path_join(dir, "primary.xml.bz2");
	gunzip[4] = plain;
	assert_int_equal(kb_proc_run(gunzip, NULL, NULL), 0);
	{
		const char *z[] = { "zstd", "-q", "-k", plain, "-o", zst, NULL };
		const char *x[] = { "xz", "-k", plain, NULL };
		const char *b[] = { "bzip2", "-k", plain, NULL };

		assert_int_equal(kb_proc_run(z, NULL, NULL), 0);
		assert_int_equal(kb_proc_run(x, NULL, NULL), 0);
		assert_int_equal(kb_proc_run(b, NULL, NULL), 0);
	}
	parse_fixture_file(plain);
	parse_fixture_file(zst);
	parse_fixture_file(xz);
	parse_fixture_file(bz2);
	rc = kb_rm_rf(dir);
	assert_int_equal(rc, 0);
	free(plain);
	free(zst);
	free(xz);
	free(bz2);
	free(gz);
}

static int parse_mem(const char *xml, uint64_t max_bytes, uint64_t max_pkgs)
{
	struct collect c = { .arch = "x86_64" };
	struct kb_primary_limits lim = { .max_packages = max_pkgs };
	struct kb_stream *s = NULL;
	int err = kb_stream_open_mem(xml, strlen(xml), max_bytes, NULL, &s);

	if (err)
		return err;
	err = kb_primary_parse(s, "mem.xml", &lim, want_kernel, collect_pkg, &c, NULL);
	kb_stream_close(s);
	return err;
}

#define PKG(name, extra)                                                                   \
	"<package type=\"rpm\"><name>" name "</name><arch>x86_64</arch>"                   \
	"<version epoch=\"0\" ver=\"1\" rel=\"1\"/><checksum type=\"sha256\" pkgid=\"YES\">" \
	"0000000000000000000000000000000000000000000000000000000000000000</checksum>"      \
	"<size package=\"10\"/>" extra "</package>"
#define META(x) "<metadata xmlns=\"http://linux.duke.edu/metadata/common\">" x "</metadata>"

static void test_primary_bad(void **state)
{
	(void)state;
	assert_int_equal(parse_mem(META(PKG("kernel-devel", "<location href=\"k.rpm\"/>")), 0, 0), 0);
	assert_int_equal(parse_mem(META(PKG("bash", "")), 0, 0), 0);	/* unwanted: unchecked */
	/* truncated, mismatched tags, not primary at all, empty */
	assert_int_equal(parse_mem("<metadata><package><name>kernel-devel</name>", 0, 0),
			 -KB_EPARSE);
	assert_int_equal(parse_mem(META("<package><name>x</nam></package>"), 0, 0), -KB_EPARSE);
	assert_int_equal(parse_mem("<repomd/>", 0, 0), -KB_EPARSE);
	assert_int_equal(parse_mem("", 0, 0), -KB_EPARSE);
	/* a wanted package without its location, or with one that escapes */
	assert_int_equal(parse_mem(META(PKG("kernel-devel", "")), 0, 0), -KB_EPARSE);
	assert_int_equal(parse_mem(META(PKG("kernel-devel", "<location href=\"x?.rpm\"/>")), 0,
				   0), -KB_EPARSE);
	assert_int_equal(parse_mem(META(PKG("kernel-devel", "<location href=\"/etc/x\"/>")), 0, 0),
			 -KB_EPARSE);
	/* a tab in a name would split a list line: no real rpm has one */
	assert_int_equal(parse_mem(META(PKG("kernel-devel&#9;x", "<location href=\"k.rpm\"/>")),
				   0, 0), -KB_EPARSE);
	/* limits: package count, decompressed size */
	assert_int_equal(parse_mem(META(PKG("a", "") PKG("b", "") PKG("c", "")), 0, 2), -KB_ELIMIT);
	assert_int_equal(parse_mem(META(PKG("a", "") PKG("b", "")), 100, 0), -KB_ELIMIT);
	/* entities are not expanded into a bomb */
	assert_int_not_equal(parse_mem("<!DOCTYPE m [<!ENTITY a \"kernel-devel\">]>"
				       META(PKG("&a;", "<location href=\"k.rpm\"/>")), 0, 0), 0);
}

/* The rpm-md upstream files shipped in upstreams/ load and say what they must. */
static void test_upstream_files(void **state)
{
	static const char *const names[] = {
		"almalinux-8", "almalinux-9", "amazonlinux-2023", "centos-stream-9",
		"centos-stream-10", "fedora-43", "fedora-44", "opensuse-leap-15.6",
		"oraclelinux-8", "oraclelinux-9", "rocky-8", "rocky-9",
	};
	const char *src = getenv("KB_SRC");

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = kb_xasprintf("%s/upstreams/%s.yml", src ? src : ".", names[i]);
		struct kb_upstream u;

		if (kb_upstream_load(path, NULL, &u))
			fail_msg("%s does not load", path);
		assert_int_equal(u.family, KB_FAMILY_RPMMD);
		assert_true(u.repos.n > 0 && u.mirrors.n > 0 && u.archs.n > 0);
		for (size_t r = 0; r < u.repos.n; r++)
			assert_true(strstr(u.repos.v[r], "$arch") || !strcmp(u.distro, "opensuse"));
		kb_upstream_free(&u);
		free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recognise_names),
		cmocka_unit_test(test_recognise_release),
		cmocka_unit_test(test_evr_order),
		cmocka_unit_test(test_repomd_fixture),
		cmocka_unit_test(test_repomd_bad),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_primary_fixture),
		cmocka_unit_test(test_primary_bad),
		cmocka_unit_test(test_upstream_files),
	};

	kb_log_set_level(KB_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
