/* test_group_rpm.c — unit tests for manifest/group_rpm.c: RHEL-like bundles
 * (kernel-devel with its kernel-core and kernel-modules-core of the same
 * kernel release; RHEL 7 / Amazon / UEK6 images named like the flavour; rt
 * and UEK flavours) and SUSE bundles (the -obj devel package joined by the
 * noarch source tree of the same version), on lists shaped like the
 * crawler's. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crawler/pkglist.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "manifest/group.h"
#include "manifest/manifest.h"

static void add(struct kb_pkglist *l, const char *name, const char *version, const char *arch,
		enum kb_kind kind, const char *release)
{
	struct kb_pkg *p = kb_pkglist_add(l);
	char *key = kb_xasprintf("%s-%s.%s", name, version, arch);

	p->name = kb_xstrdup(name);
	p->version = kb_xstrdup(version);
	p->arch = kb_xstrdup(arch);
	p->kind = kind;
	p->release = kb_xstrdup(release);
	p->path = kb_xasprintf("Packages/%s.rpm", key);
	p->size = 1000 + strlen(key);
	p->depends = kb_xstrdup("");
	kb_sha256_buf(key, strlen(key), p->sha256);
	memcpy(p->first_seen, "2026-11-20", 11);
	memcpy(p->last_seen, "2026-11-24", 11);
	p->present = true;
	free(key);
}

static const struct kb_bundle_entry *find(const struct kb_manifest *m, const char *release)
{
	const struct kb_bundle_entry *hit = NULL;

	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].release, release)) {
			assert_null(hit);
			hit = &m->v[i];
		}
	if (!hit)
		fail_msg("no bundle for %s", release);
	return hit;
}

static const char *names(const struct kb_mpkg *v, size_t n)
{
	static char buf[512];

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "", v[i].name);
	return buf;
}

static void test_rhel(void **state)
{
	static const char u1[] = "5.14.0-427.13.1.el9_4.x86_64", v1[] = "5.14.0-427.13.1.el9_4";
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	struct kb_group_skips s = { 0 };
	const struct kb_bundle_entry *e;

	(void)state;
	assert_ptr_equal(kb_group_rule_find("almalinux"), &kb_group_rule_rhel);
	assert_ptr_equal(kb_group_rule_find("amazonlinux"), &kb_group_rule_rhel);
	assert_ptr_equal(kb_group_rule_find("oraclelinux"), &kb_group_rule_rhel);
	assert_ptr_equal(kb_group_rule_find("opensuse"), &kb_group_rule_suse);
	/* RHEL 9.4: devel + core + modules-core; the meta package "kernel" is not booted */
	add(&l, "kernel-devel", v1, "x86_64", KB_KIND_DEVEL, u1);
	add(&l, "kernel-core", v1, "x86_64", KB_KIND_IMAGE, u1);
	add(&l, "kernel", v1, "x86_64", KB_KIND_IMAGE, u1);
	add(&l, "kernel-modules-core", v1, "x86_64", KB_KIND_MODULES, u1);
	/* Amazon Linux 2023: the image is "kernel" itself */
	add(&l, "kernel-devel", "6.1.112-122.189.amzn2023", "x86_64", KB_KIND_DEVEL,
	    "6.1.112-122.189.amzn2023.x86_64");
	add(&l, "kernel", "6.1.112-122.189.amzn2023", "x86_64", KB_KIND_IMAGE,
	    "6.1.112-122.189.amzn2023.x86_64");
	/* rt: its own -core, not the stock one */
	add(&l, "kernel-rt-devel", v1, "x86_64", KB_KIND_DEVEL, "5.14.0-427.13.1.el9_4.x86_64+rt");
	add(&l, "kernel-rt-core", v1, "x86_64", KB_KIND_IMAGE, "5.14.0-427.13.1.el9_4.x86_64+rt");
	/* UEK6: kernel-uek holds vmlinuz */
	add(&l, "kernel-uek-devel", "5.4.17-2136.330.7.el8uek", "x86_64", KB_KIND_DEVEL,
	    "5.4.17-2136.330.7.el8uek.x86_64");
	add(&l, "kernel-uek", "5.4.17-2136.330.7.el8uek", "x86_64", KB_KIND_IMAGE,
	    "5.4.17-2136.330.7.el8uek.x86_64");
	/* a devel whose core is gone from the mirror: headers only */
	add(&l, "kernel-devel", "5.14.0-70.13.1.el9_0", "x86_64", KB_KIND_DEVEL,
	    "5.14.0-70.13.1.el9_0.x86_64");
	/* a core of another kernel release never joins */
	add(&l, "kernel-devel", "5.14.0-503.el9", "x86_64", KB_KIND_DEVEL, "5.14.0-503.el9.x86_64");
	add(&l, "kernel-core", "5.14.0-503.el9", "x86_64", KB_KIND_IMAGE, "5.14.0-504.el9.x86_64");

	kb_group_list(&kb_group_rule_rhel, "centos", "centos-stream-9", &l, &m, &s);
	assert_int_equal(m.n, 6);
	assert_int_equal(s.n, 0);
	e = find(&m, u1);
	assert_string_equal(e->distro, "centos");
	assert_string_equal(names(e->headers, e->nheaders), "kernel-devel");
	assert_string_equal(names(e->images, e->nimages), "kernel-core kernel-modules-core");
	e = find(&m, "6.1.112-122.189.amzn2023.x86_64");
	assert_string_equal(names(e->images, e->nimages), "kernel");
	e = find(&m, "5.14.0-427.13.1.el9_4.x86_64+rt");
	assert_string_equal(names(e->headers, e->nheaders), "kernel-rt-devel");
	assert_string_equal(names(e->images, e->nimages), "kernel-rt-core");
	e = find(&m, "5.4.17-2136.330.7.el8uek.x86_64");
	assert_string_equal(names(e->images, e->nimages), "kernel-uek");
	assert_int_equal(find(&m, "5.14.0-70.13.1.el9_0.x86_64")->nimages, 0);
	assert_int_equal(find(&m, "5.14.0-503.el9.x86_64")->nimages, 0);
	kb_manifest_free(&m);
	kb_group_skips_free(&s);
	kb_pkglist_free(&l);
}

static void test_suse(void **state)
{
	static const char v[] = "6.4.0-150600.23.25.1", u[] = "6.4.0-150600.23.25-default";
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	struct kb_group_skips s = { 0 };
	const struct kb_bundle_entry *e;

	(void)state;
	add(&l, "kernel-default-devel", v, "x86_64", KB_KIND_DEVEL, u);
	add(&l, "kernel-devel", v, "noarch", KB_KIND_HEADERS_COMMON, "6.4.0-150600.23.25");
	add(&l, "kernel-default", v, "x86_64", KB_KIND_IMAGE, u);
	/* a newer source tree does not stand in for this version's */
	add(&l, "kernel-devel", "6.4.0-150600.23.30.1", "noarch", KB_KIND_HEADERS_COMMON,
	    "6.4.0-150600.23.30");
	/* the -obj tree without its source tree: left out, with the reason */
	add(&l, "kernel-default-devel", "6.4.0-150600.23.7.1", "x86_64", KB_KIND_DEVEL,
	    "6.4.0-150600.23.7-default");

	kb_group_list(&kb_group_rule_suse, "opensuse", "opensuse-leap-15.6", &l, &m, &s);
	assert_int_equal(m.n, 1);
	e = find(&m, u);
	assert_string_equal(names(e->headers, e->nheaders), "kernel-default-devel kernel-devel");
	assert_string_equal(e->headers[1].version, v);
	assert_string_equal(e->headers[1].arch, "noarch");
	assert_string_equal(names(e->images, e->nimages), "kernel-default");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].release, "6.4.0-150600.23.7-default");
	assert_non_null(strstr(s.v[0].reason, "kernel-devel (noarch) 6.4.0-150600.23.7.1"));
	kb_manifest_free(&m);
	kb_group_skips_free(&s);
	kb_pkglist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rhel),
		cmocka_unit_test(test_suse),
	};

	kb_log_set_level(KB_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
