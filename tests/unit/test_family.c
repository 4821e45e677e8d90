/* test_family.c — the family and distro tables: every shipped upstream's
 * distro resolves to its family and to rules in every stage; the manifest
 * writes `family:` (format 2) and still reads format 1; each stage's family
 * row does its family's part (version order, kernel image, own modules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crawler/distro.h"
#include "crawler/recognise_deb.h"
#include "crawler/upstream.h"
#include "lib/error.h"
#include "lib/family.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "manifest/group.h"
#include "manifest/manifest.h"
#include "manifest/select.h"
#include "vm/kernel.h"

static char *tmpdir_new(void)
{
	char *d = kb_xstrdup("/tmp/kb-test-family-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void write_text(const char *path, const char *text)
{
	assert_int_equal(kb_file_write_atomic(path, text, strlen(text)), 0);
}

static char *read_all(const char *path)
{
	char *buf = NULL;

	assert_int_equal(kb_file_read(path, 1 << 24, &buf, NULL), 0);
	return buf;
}

/* A distro row resolves in every stage that dispatches on it. */
static void check_row(const struct kb_distro *d)
{
	const struct kb_group_rule *r = kb_group_rule_find(d->name);
	enum kb_family f;

	assert_int_equal(kb_family_parse(kb_family_name(d->family), &f), 0);
	assert_int_equal(f, d->family);
	assert_ptr_equal(kb_distro_find(d->name), d);
	if (!r)
		fail_msg("distro %s: no grouping rule '%s'", d->name, d->rules);
	assert_string_equal(r->name, d->rules);
	assert_int_equal(r->family, d->family);
	if (d->family == KB_FAMILY_APT && !kb_deb_recogniser_for(d->rules))
		fail_msg("apt distro %s: no recogniser '%s'", d->name, d->rules);
	assert_non_null(kb_vm_family(d->family));
}

static void test_distro_table(void **state)
{
	size_t n;
	const struct kb_distro *v = kb_distros(&n);
	char *names;

	(void)state;
	assert_true(n >= 11);
	for (size_t i = 0; i < n; i++)
		check_row(&v[i]);
	assert_null(kb_distro_find("slackware"));
	assert_null(kb_distro_find(NULL));
	assert_null(kb_group_rule_find("slackware"));
	names = kb_distro_names(KB_FAMILY_APT);
	assert_string_equal(names, "debian, ubuntu");
	free(names);
}

/* Every shipped upstreams/<name>.yml: its distro is in the table, of the family
 * the file says, with rules in every stage. */
static void test_shipped_upstreams(void **state)
{
	const char *src = getenv("KB_SRC");
	char *dir = kb_path_join(src ? src : ".", "upstreams");
	struct kb_upstream *v = NULL;
	size_t n = 0, apt = 0, rpm = 0;

	(void)state;
	assert_int_equal(kb_upstream_load_dir(dir, NULL, &v, &n), 0);
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		const struct kb_distro *d = kb_distro_find(v[i].distro);

		if (!d)
			fail_msg("%s: distro '%s' is not in crawler/distro.c", v[i].path, v[i].distro);
		assert_int_equal(d->family, v[i].family);
		check_row(d);
		apt += v[i].family == KB_FAMILY_APT;
		rpm += v[i].family == KB_FAMILY_RPMMD;
	}
	assert_true(apt > 0 && rpm > 0);
	kb_upstreams_free(v, n);
	free(dir);
}

static void test_family_names(void **state)
{
	enum kb_family f = KB_FAMILY_COUNT;

	(void)state;
	assert_int_equal(kb_family_parse("apt", &f), 0);
	assert_int_equal(f, KB_FAMILY_APT);
	assert_int_equal(kb_family_parse("rpm-md", &f), 0);
	assert_int_equal(f, KB_FAMILY_RPMMD);
	assert_int_equal(kb_family_parse("deb", &f), -KB_ENOTFOUND);
	assert_int_equal(kb_family_parse("", &f), -KB_ENOTFOUND);
	assert_string_equal(kb_family_name(KB_FAMILY_APT), "apt");
	assert_string_equal(kb_family_name(KB_FAMILY_RPMMD), "rpm-md");
	assert_string_equal(kb_family_names(), "'apt' or 'rpm-md'");
	/* where the two orders disagree: a letter beats a digit for dpkg only */
	assert_true(kb_family_vercmp(KB_FAMILY_APT)("a", "1") > 0);
	assert_true(kb_family_vercmp(KB_FAMILY_RPMMD)("a", "1") < 0);
	/* rpm compares version, then release */
	assert_true(kb_family_vercmp(KB_FAMILY_RPMMD)("1.0.1-1", "1.0-2") > 0);
}

/* An upstream file's family must be its distro's (when the distro is known). */
static void test_upstream_family(void **state)
{
	char *dir = tmpdir_new(), *p = kb_path_join(dir, "u.yml");
	struct kb_upstream u = { 0 };

	(void)state;
	write_text(p, "distro: debian\nfamily: rpm-md\nrelease: '12'\narchitectures: [amd64]\n"
		      "mirrors: [apt-sources]\nrepos: [x]\nkeyring: none\n");
	assert_int_equal(kb_upstream_load(p, NULL, &u), -KB_EUSAGE);	/* freed by the loader */
	/* a distro kbundle does not know keeps the family its file says */
	write_text(p, "distro: slackware\nfamily: rpm-md\nrelease: '15'\narchitectures: [x86_64]\n"
		      "mirrors: [https://example.org]\nrepos: [x]\nkeyring: none\n");
	assert_int_equal(kb_upstream_load(p, NULL, &u), 0);
	assert_int_equal(u.family, KB_FAMILY_RPMMD);
	kb_upstream_free(&u);
	assert_int_equal(kb_rm_rf(dir), 0);
	free(p);
	free(dir);
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* One entry; family NULL: a format 1 manifest. */
static char *manifest_text(const char *distro, const char *family)
{
	struct kb_mpkg h = { 0 };
	struct kb_bundle_entry e = { .headers = &h, .nheaders = 1 };

	memcpy(h.sha256, SHA_A, 65);
	kb_bundle_id(&e);
	return kb_xasprintf("format: kbundle-manifest %d\n"
			    "bundles:\n"
			    "- id: %s\n"
			    "  distro: %s\n"
			    "%s%s%s"
			    "  upstream: u-1\n"
			    "  release: 5.14.0-427.el9.x86_64\n"
			    "  arch: x86_64\n"
			    "  version: 5.14.0-427.el9\n"
			    "  headers:\n"
			    "  - name: kernel-devel\n"
			    "    version: 5.14.0-427.el9\n"
			    "    arch: x86_64\n"
			    "    kind: devel\n"
			    "    path: Packages/k.rpm\n"
			    "    size: 100\n"
			    "    sha256: " SHA_A "\n"
			    "  images: []\n",
			    family ? 2 : 1, e.id, distro, family ? "  family: " : "",
			    family ? family : "", family ? "\n" : "");
}

static int load_text(const char *path, const char *text, struct kb_manifest *m)
{
	write_text(path, text);
	return kb_manifest_load(path, NULL, m);
}

static void test_manifest_family(void **state)
{
	char *dir = tmpdir_new(), *p = kb_path_join(dir, "m.yml"), *q = kb_path_join(dir, "n.yml");
	struct kb_manifest m = { 0 };
	char *text, *out;

	(void)state;
	/* format 2: written and read back */
	text = manifest_text("centos", "rpm-md");
	assert_int_equal(load_text(p, text, &m), 0);
	assert_int_equal(m.v[0].family, KB_FAMILY_RPMMD);
	assert_int_equal(kb_manifest_write(q, &m), 0);
	out = read_all(q);
	assert_string_equal(out, text);	/* the same bytes: family after distro */
	assert_non_null(strstr(out, "format: kbundle-manifest 2\n"));
	assert_non_null(strstr(out, "  distro: centos\n  family: rpm-md\n  upstream: u-1\n"));
	kb_manifest_free(&m);
	free(out);
	free(text);
	/* an unknown distro keeps the family it says */
	text = manifest_text("slackware", "apt");
	assert_int_equal(load_text(p, text, &m), 0);
	assert_int_equal(m.v[0].family, KB_FAMILY_APT);
	kb_manifest_free(&m);
	free(text);

	/* format 1 is still read, the family from the distro's row */
	text = manifest_text("centos", NULL);
	assert_int_equal(load_text(p, text, &m), 0);
	assert_int_equal(m.v[0].family, KB_FAMILY_RPMMD);
	assert_int_equal(kb_manifest_write(q, &m), 0);	/* and written as format 2 */
	out = read_all(q);
	assert_non_null(strstr(out, "format: kbundle-manifest 2\n"));
	assert_non_null(strstr(out, "  family: rpm-md\n"));
	kb_manifest_free(&m);
	free(out);
	free(text);
	text = manifest_text("debian", NULL);
	assert_int_equal(load_text(p, text, &m), 0);
	assert_int_equal(m.v[0].family, KB_FAMILY_APT);
	kb_manifest_free(&m);
	free(text);

	/* refused: format 1 of an unknown distro, format 2 without a family
	 * or with a family that is not the distro's, family in format 1 */
	static const char *const bad[][2] = {
		{ "slackware", NULL }, { "centos", "apt" }, { "centos", "rpm" }, { "centos", "[a]" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = manifest_text(bad[i][0], bad[i][1]);
		assert_int_equal(load_text(p, text, &m), -KB_EPARSE);
		assert_int_equal(m.n, 0);
		free(text);
	}
	text = manifest_text("centos", "rpm-md");
	*strstr(text, "manifest 2") = '\0';
	out = kb_xasprintf("%smanifest 1%s", text, text + strlen(text) + strlen("manifest 2"));
	assert_int_equal(load_text(p, out, &m), -KB_EPARSE);
	free(out);
	free(text);
	text = manifest_text("centos", NULL);
	*strstr(text, "manifest 1") = '\0';
	out = kb_xasprintf("%smanifest 2%s", text, text + strlen(text) + strlen("manifest 1"));
	assert_int_equal(load_text(p, out, &m), -KB_EPARSE);
	free(out);
	free(text);

	assert_int_equal(kb_rm_rf(dir), 0);
	free(p);
	free(q);
	free(dir);
}

/* --latest orders an entry's versions by its own family. */
static void test_select_by_family(void **state)
{
	struct kb_bundle_entry v[2] = {
		{ .id = "aa", .distro = (char *)"x", .upstream = (char *)"u", .release = (char *)"5.0-1",
		  .arch = (char *)"x86_64", .version = (char *)"a" },
		{ .id = "bb", .distro = (char *)"x", .upstream = (char *)"u", .release = (char *)"5.0-2",
		  .arch = (char *)"x86_64", .version = (char *)"1" },
	};
	struct kb_manifest m = { v, 2 };
	bool sel[2];
	size_t n = 0;

	(void)state;
	v[0].family = v[1].family = KB_FAMILY_APT;
	assert_int_equal(kb_select_entries(&m, &(struct kb_select){ .latest = true }, sel, &n), 0);
	assert_true(n == 1 && sel[0] && !sel[1]);	/* dpkg: "a" > "1" */
	v[0].family = v[1].family = KB_FAMILY_RPMMD;
	assert_int_equal(kb_select_entries(&m, &(struct kb_select){ .latest = true }, sel, &n), 0);
	assert_true(n == 1 && !sel[0] && sel[1]);	/* rpm: "1" > "a" */
}

/* Each family's VM row: where its kernel image and its own modules are. */
static void test_vm_family(void **state)
{
	const struct kb_vm_family *apt = kb_vm_family(KB_FAMILY_APT);
	const struct kb_vm_family *rpm = kb_vm_family(KB_FAMILY_RPMMD);
	static const char r[] = "6.12.48+deb13-amd64", e[] = "5.14.0-427.el9.x86_64";

	(void)state;
	assert_true(apt->kernel_member("./boot/vmlinuz-6.12.48+deb13-amd64", r));
	assert_true(apt->kernel_member("./usr/lib/modules/6.12.48+deb13-amd64/vmlinuz", r));
	assert_false(apt->kernel_member("./boot/vmlinuz-6.12.48+deb13-amd64", "6.12.48+deb13-arm64"));
	assert_true(apt->kernel_member("boot/vmlinuz-6.12.48+deb13-amd64", NULL));
	assert_true(rpm->kernel_member("lib/modules/5.14.0-427.el9.x86_64/vmlinuz", e));
	assert_true(rpm->kernel_member("/usr/lib/modules/5.14.0-427.el9.x86_64/vmlinuz", NULL));
	assert_false(rpm->kernel_member("boot/vmlinuz-5.14.0-70.el9.x86_64", e));
	assert_false(rpm->kernel_member("boot/config-5.14.0-427.el9.x86_64", e));
	assert_false(rpm->kernel_member("lib/modules/5.14.0-427.el9.x86_64/vmlinuz.hmac", e));

	assert_string_equal(apt->module_member("./lib/modules/6.12.48+deb13-amd64/kernel/drivers/"
					       "media/v4l2-core/videodev.ko.xz", r),
			    "kernel/drivers/media/v4l2-core/videodev.ko.xz");
	assert_string_equal(apt->module_member("./usr/lib/modules/6.12.48+deb13-amd64/modules.dep",
					       r),
			    "modules.dep");
	assert_null(apt->module_member("./lib/modules/6.12.48+deb13-cloud-amd64/modules.dep", r));
	assert_null(apt->module_member("./lib/modules/6.12.48+deb13-amd64", r));
	assert_null(apt->module_member("./lib/modules/6.12.48+deb13-amd64/", r));
	assert_null(apt->module_member("./boot/config-6.12.48+deb13-amd64", r));
	assert_string_equal(rpm->module_member("lib/modules/5.14.0-427.el9.x86_64/kernel/fs/"
					       "fuse/fuse.ko.xz", NULL),
			    "kernel/fs/fuse/fuse.ko.xz");
	/* the family-blind lookup still knows both layouts */
	assert_true(kb_vm_kernel_member("./usr/lib/modules/6.12.48+deb13-amd64/vmlinuz", r));
	assert_true(kb_vm_kernel_member("lib/modules/5.14.0-427.el9.x86_64/vmlinuz", e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distro_table),	 cmocka_unit_test(test_shipped_upstreams),
		cmocka_unit_test(test_family_names),	 cmocka_unit_test(test_upstream_family),
		cmocka_unit_test(test_manifest_family), cmocka_unit_test(test_select_by_family),
		cmocka_unit_test(test_vm_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
