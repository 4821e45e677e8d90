/* test_manifest.c — unit tests for manifest/: grouping on realistic Debian and Ubuntu lists, determinism, the bundle id,
 * manifest.yml round trip and the loader's refusals. No network. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crawler/pkglist.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/vercmp.h"
#include "manifest/group.h"
#include "manifest/manifest.h"

/* ---- helpers ---------------------------------------------------------- */

static char *tmpdir_new(void)
{
	char *d = kb_xstrdup("/tmp/kb-test-manifest-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static char *read_all(const char *path)
{
	char *buf = NULL;

	assert_int_equal(kb_file_read(path, 1 << 24, &buf, NULL), 0);
	return buf;
}

static void write_text(const char *path, const char *text)
{
	assert_int_equal(kb_file_write_atomic(path, text, strlen(text)), 0);
}

/* A list entry as the crawler writes it; the sha256 is derived from name,
 * version and arch so every distinct file has its own. */
static struct kb_pkg *add(struct kb_pkglist *l, const char *name, const char *version,
			  const char *arch, enum kb_kind kind, const char *release,
			  const char *depends)
{
	struct kb_pkg *p = kb_pkglist_add(l);
	char *key = kb_xasprintf("%s_%s_%s", name, version, arch);

	p->name = kb_xstrdup(name);
	p->version = kb_xstrdup(version);
	p->arch = kb_xstrdup(arch);
	p->kind = kind;
	p->release = kb_xstrdup(release);
	p->path = kb_xasprintf("pool/main/l/linux/%s.deb", key);
	p->size = 1000 + strlen(key);
	p->depends = kb_xstrdup(depends);
	kb_sha256_buf(key, strlen(key), p->sha256);
	memcpy(p->first_seen, "2026-11-20", 11);
	memcpy(p->last_seen, "2026-11-24", 11);
	p->present = true;
	free(key);
	return p;
}

static void debian_hdr(struct kb_pkglist *l, const char *abi, const char *flavour,
		       const char *version, const char *common, const char *arch)
{
	char *name = kb_xasprintf("linux-headers-%s-%s", abi, flavour);
	char *rel = kb_xasprintf("%s-%s", abi, flavour);
	char *dep = kb_xasprintf("linux-headers-%s-%s (= %s), linux-kbuild-6.1 (>= %s), "
				 "linux-compiler-gcc-12-x86",
				 abi, common, version, version);

	add(l, name, version, arch, KB_KIND_HEADERS, rel, dep);
	free(name);
	free(rel);
	free(dep);
}

/* Debian 12 as it looks: a 6.1 ABI in three flavours (rt with -common-rt),
 * the same ABI at an older upload, arm64, a 6.12 backport, kbuild-6.1 at
 * three versions, and two releases that cannot be completed. */
static void debian_list(struct kb_pkglist *l)
{
	const char *v = "6.1.170-3";

	debian_hdr(l, "6.1.0-47", "amd64", v, "common", "amd64");
	debian_hdr(l, "6.1.0-47", "cloud-amd64", v, "common", "amd64");
	debian_hdr(l, "6.1.0-47", "rt-amd64", v, "common-rt", "amd64");
	debian_hdr(l, "6.1.0-47", "arm64", v, "common", "arm64");
	add(l, "linux-headers-6.1.0-47-common", v, "all", KB_KIND_HEADERS_COMMON, "6.1.0-47", "");
	add(l, "linux-headers-6.1.0-47-common-rt", v, "all", KB_KIND_HEADERS_COMMON, "6.1.0-47",
	    "");
	/* the same file again (seen in two suites): counts once */
	add(l, "linux-headers-6.1.0-47-common", v, "all", KB_KIND_HEADERS_COMMON, "6.1.0-47", "");
	/* an earlier upload of the same ABI: a bundle of its own */
	debian_hdr(l, "6.1.0-47", "amd64", "6.1.170-2", "common", "amd64");
	add(l, "linux-headers-6.1.0-47-common", "6.1.170-2", "all", KB_KIND_HEADERS_COMMON,
	    "6.1.0-47", "");
	/* needs kbuild >= 6.1.180-1, which the list does not have */
	debian_hdr(l, "6.1.0-50", "amd64", "6.1.180-1", "common", "amd64");
	add(l, "linux-headers-6.1.0-50-common", "6.1.180-1", "all", KB_KIND_HEADERS_COMMON,
	    "6.1.0-50", "");
	add(l, "linux-kbuild-6.1", "6.1.158-1", "amd64", KB_KIND_KBUILD, "6.1", "");
	add(l, "linux-kbuild-6.1", "6.1.176-1", "amd64", KB_KIND_KBUILD, "6.1", "");
	add(l, "linux-kbuild-6.1", "6.1.170-3", "amd64", KB_KIND_KBUILD, "6.1", "");
	add(l, "linux-kbuild-6.1", "6.1.170-3", "arm64", KB_KIND_KBUILD, "6.1", "");
	add(l, "linux-image-6.1.0-47-amd64", v, "amd64", KB_KIND_IMAGE, "6.1.0-47-amd64", "");
	add(l, "linux-image-6.1.0-47-amd64-unsigned", v, "amd64", KB_KIND_IMAGE,
	    "6.1.0-47-amd64", "");
	add(l, "linux-image-6.1.0-47-cloud-amd64-unsigned", v, "amd64", KB_KIND_IMAGE,
	    "6.1.0-47-cloud-amd64", "");

	const char *v12 = "6.12.115-2~deb12u1";
	add(l, "linux-headers-6.12.115+deb12-amd64", v12, "amd64", KB_KIND_HEADERS,
	    "6.12.115+deb12-amd64",
	    "linux-base (>= 4.12~), linux-headers-6.12.115+deb12-common (= 6.12.115-2~deb12u1), "
	    "linux-image-6.12.115+deb12-amd64 (= 6.12.115-2~deb12u1) | "
	    "linux-image-6.12.115+deb12-amd64-unsigned (= 6.12.115-2~deb12u1), "
	    "linux-kbuild-6.12.115+deb12, gcc-12");
	/* -common-rt is missing from the list: left out */
	add(l, "linux-headers-6.12.115+deb12-rt-amd64", v12, "amd64", KB_KIND_HEADERS,
	    "6.12.115+deb12-rt-amd64",
	    "linux-base (>= 4.12~), linux-headers-6.12.115+deb12-common-rt (= 6.12.115-2~deb12u1), "
	    "linux-kbuild-6.12.115+deb12, gcc-12");
	add(l, "linux-headers-6.12.115+deb12-common", v12, "all", KB_KIND_HEADERS_COMMON,
	    "6.12.115+deb12", "");
	add(l, "linux-kbuild-6.12.115+deb12", v12, "amd64", KB_KIND_KBUILD, "6.12.115+deb12", "");
	add(l, "linux-image-6.12.115+deb12-amd64", v12, "amd64", KB_KIND_IMAGE,
	    "6.12.115+deb12-amd64", "");
}

/* Ubuntu 22.04: generic, lowlatency (its own all-arch package), aws
 * (linux-aws-headers-<abi>), a hand-made list without Depends, and an aws
 * release whose all-arch package is missing. */
static void ubuntu_list(struct kb_pkglist *l)
{
	const char *lib = ", libc6 (>= 2.34), libelf1 (>= 0.144), zlib1g (>= 1:1.2.3.3)";
	char *dep;

	dep = kb_xasprintf("linux-headers-5.15.0-91%s", lib);
	add(l, "linux-headers-5.15.0-91-generic", "5.15.0-91.101", "amd64", KB_KIND_HEADERS,
	    "5.15.0-91-generic", dep);
	free(dep);
	add(l, "linux-headers-5.15.0-91", "5.15.0-91.101", "all", KB_KIND_HEADERS_COMMON,
	    "5.15.0-91", "");
	add(l, "linux-image-5.15.0-91-generic", "5.15.0-91.101", "amd64", KB_KIND_IMAGE,
	    "5.15.0-91-generic", "");
	add(l, "linux-image-unsigned-5.15.0-91-generic", "5.15.0-91.101", "amd64", KB_KIND_IMAGE,
	    "5.15.0-91-generic", "");
	add(l, "linux-modules-5.15.0-91-generic", "5.15.0-91.101", "amd64", KB_KIND_MODULES,
	    "5.15.0-91-generic", "");

	dep = kb_xasprintf("linux-lowlatency-headers-5.15.0-91%s", lib);
	add(l, "linux-headers-5.15.0-91-lowlatency", "5.15.0-91.101", "amd64", KB_KIND_HEADERS,
	    "5.15.0-91-lowlatency", dep);
	free(dep);
	add(l, "linux-lowlatency-headers-5.15.0-91", "5.15.0-91.101", "all",
	    KB_KIND_HEADERS_COMMON, "5.15.0-91", "");
	add(l, "linux-image-unsigned-5.15.0-91-lowlatency", "5.15.0-91.101", "amd64",
	    KB_KIND_IMAGE, "5.15.0-91-lowlatency", "");
	add(l, "linux-modules-5.15.0-91-lowlatency", "5.15.0-91.101", "amd64", KB_KIND_MODULES,
	    "5.15.0-91-lowlatency", "");

	dep = kb_xasprintf("linux-aws-headers-5.15.0-1051%s", lib);
	add(l, "linux-headers-5.15.0-1051-aws", "5.15.0-1051.56", "amd64", KB_KIND_HEADERS,
	    "5.15.0-1051-aws", dep);
	free(dep);
	add(l, "linux-aws-headers-5.15.0-1051", "5.15.0-1051.56", "all", KB_KIND_HEADERS_COMMON,
	    "5.15.0-1051", "");
	add(l, "linux-image-5.15.0-1051-aws", "5.15.0-1051.56", "amd64", KB_KIND_IMAGE,
	    "5.15.0-1051-aws", "");
	add(l, "linux-modules-5.15.0-1051-aws", "5.15.0-1051.56", "amd64", KB_KIND_MODULES,
	    "5.15.0-1051-aws", "");

	dep = kb_xasprintf("linux-aws-headers-5.15.0-1052%s", lib);
	add(l, "linux-headers-5.15.0-1052-aws", "5.15.0-1052.57", "amd64", KB_KIND_HEADERS,
	    "5.15.0-1052-aws", dep);
	free(dep);

	add(l, "linux-headers-5.15.0-92-generic", "5.15.0-92.102", "amd64", KB_KIND_HEADERS,
	    "5.15.0-92-generic", "");
	add(l, "linux-headers-5.15.0-92", "5.15.0-92.102", "all", KB_KIND_HEADERS_COMMON,
	    "5.15.0-92", "");
}

static const struct kb_bundle_entry *find(const struct kb_manifest *m, const char *release,
					  const char *arch, const char *version)
{
	const struct kb_bundle_entry *hit = NULL;

	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].release, release) && !strcmp(m->v[i].arch, arch) &&
		    !strcmp(m->v[i].version, version)) {
			assert_null(hit);	/* exactly one */
			hit = &m->v[i];
		}
	assert_non_null(hit);
	return hit;
}

/* The package of entry e named name (in headers or images), its version. */
static const char *pkg_version(const struct kb_mpkg *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].version;
	return NULL;
}

static bool skipped(const struct kb_group_skips *s, const char *release, const char *why)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].release, release) && strstr(s->v[i].reason, why))
			return true;
	return false;
}

/* ---- grouping --------------------------------------------------------- */

static void test_group_debian(void **state)
{
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	struct kb_group_skips s = { 0 };
	const struct kb_bundle_entry *e, *old;

	(void)state;
	debian_list(&l);
	assert_ptr_equal(kb_group_rule_find("debian"), &kb_group_rule_debian);
	assert_null(kb_group_rule_find("slackware"));
	kb_group_list(&kb_group_rule_debian, "debian", "debian-12", &l, &m, &s);
	assert_int_equal(m.n, 6);
	assert_int_equal(s.n, 2);
	assert_true(skipped(&s, "6.1.0-50-amd64", "linux-kbuild-6.1 (>= 6.1.180-1)"));
	assert_true(skipped(&s, "6.12.115+deb12-rt-amd64", "linux-headers-6.12.115+deb12-common-rt"));

	e = find(&m, "6.1.0-47-amd64", "amd64", "6.1.170-3");
	assert_string_equal(e->distro, "debian");
	assert_string_equal(e->upstream, "debian-12");
	assert_int_equal(e->nheaders, 3);	/* the duplicate -common counted once */
	assert_string_equal(pkg_version(e->headers, 3, "linux-headers-6.1.0-47-common"),
			    "6.1.170-3");
	/* the newest kbuild that satisfies >= 6.1.170-3, not the one equal to it */
	assert_string_equal(pkg_version(e->headers, 3, "linux-kbuild-6.1"), "6.1.176-1");
	/* the signed image wins over -unsigned */
	assert_int_equal(e->nimages, 1);
	assert_string_equal(e->images[0].name, "linux-image-6.1.0-47-amd64");

	old = find(&m, "6.1.0-47-amd64", "amd64", "6.1.170-2");
	assert_string_equal(pkg_version(old->headers, 3, "linux-headers-6.1.0-47-common"),
			    "6.1.170-2");
	assert_string_not_equal(old->id, e->id);

	e = find(&m, "6.1.0-47-cloud-amd64", "amd64", "6.1.170-3");
	assert_int_equal(e->nimages, 1);	/* only -unsigned exists */
	assert_string_equal(e->images[0].name, "linux-image-6.1.0-47-cloud-amd64-unsigned");

	e = find(&m, "6.1.0-47-rt-amd64", "amd64", "6.1.170-3");
	assert_non_null(pkg_version(e->headers, e->nheaders, "linux-headers-6.1.0-47-common-rt"));
	assert_null(pkg_version(e->headers, e->nheaders, "linux-headers-6.1.0-47-common"));
	assert_int_equal(e->nimages, 0);

	e = find(&m, "6.1.0-47-arm64", "arm64", "6.1.170-3");
	for (size_t i = 0; i < e->nheaders; i++)
		if (e->headers[i].kind == KB_KIND_KBUILD)
			assert_string_equal(e->headers[i].arch, "arm64");

	e = find(&m, "6.12.115+deb12-amd64", "amd64", "6.12.115-2~deb12u1");
	assert_int_equal(e->nheaders, 3);
	assert_non_null(pkg_version(e->headers, 3, "linux-kbuild-6.12.115+deb12"));
	assert_string_equal(e->images[0].name, "linux-image-6.12.115+deb12-amd64");

	kb_manifest_free(&m);
	kb_group_skips_free(&s);
	kb_pkglist_free(&l);
}

/* Debian 13 as the real indexes have it (Depends as the crawler keeps them:
 * kernel packages only): trixie-security's 6.12.115+deb13.1 (linux-kbuild-<abi>,
 * a dotted ABI tag), trixie-backports' 7.3.4 whose linux-image-<rel> is a
 * small package depending on linux-binary-<rel> and linux-modules-<rel>,
 * and a 7.3.4 cloud flavour whose linux-binary is missing from the list. */
static void test_group_debian13(void **state)
{
	const char *v = "6.12.115-2", *v7 = "7.3.4-1~bpo13+1";
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	struct kb_group_skips s = { 0 };
	const struct kb_bundle_entry *e;

	(void)state;
	add(&l, "linux-headers-6.12.115+deb13.1-amd64", v, "amd64", KB_KIND_HEADERS,
	    "6.12.115+deb13.1-amd64",
	    "linux-headers-6.12.115+deb13.1-common (= 6.12.115-2), "
	    "linux-image-6.12.115+deb13.1-amd64 (= 6.12.115-2) | "
	    "linux-image-6.12.115+deb13.1-amd64-unsigned (= 6.12.115-2), "
	    "linux-kbuild-6.12.115+deb13.1");
	add(&l, "linux-headers-6.12.115+deb13.1-common", v, "all", KB_KIND_HEADERS_COMMON,
	    "6.12.115+deb13.1", "");
	add(&l, "linux-kbuild-6.12.115+deb13.1", v, "amd64", KB_KIND_KBUILD, "6.12.115+deb13.1", "");
	/* the kbuild of the ABI before the .1 rebuild is another package */
	add(&l, "linux-kbuild-6.12.115+deb13", "6.12.115-1", "amd64", KB_KIND_KBUILD,
	    "6.12.115+deb13", "");
	add(&l, "linux-image-6.12.115+deb13.1-amd64", v, "amd64", KB_KIND_IMAGE,
	    "6.12.115+deb13.1-amd64", "");
	add(&l, "linux-image-6.12.115+deb13.1-amd64-unsigned", v, "amd64", KB_KIND_IMAGE,
	    "6.12.115+deb13.1-amd64", "");
	for (int i = 0; i < 2; i++) {
		const char *fl = i ? "cloud-amd64" : "amd64";
		char *h = kb_xasprintf("linux-headers-7.3.4+deb13-%s", fl);
		char *r = kb_xasprintf("7.3.4+deb13-%s", fl);
		char *img = kb_xasprintf("linux-image-7.3.4+deb13-%s", fl);
		char *dep = kb_xasprintf("linux-headers-7.3.4+deb13-common (= %s), linux-kbuild-7.3.4+deb13", v7);
		char *idep = kb_xasprintf("linux-binary-7.3.4+deb13-%s (= %s), linux-modules-7.3.4+deb13-%s (= %s)",
					  fl, v7, fl, v7);

		add(&l, h, v7, "amd64", KB_KIND_HEADERS, r, dep);
		add(&l, img, v7, "amd64", KB_KIND_IMAGE, r, idep);
		free(h);
		free(r);
		free(img);
		free(dep);
		free(idep);
	}
	add(&l, "linux-headers-7.3.4+deb13-common", v7, "all", KB_KIND_HEADERS_COMMON, "7.3.4+deb13", "");
	add(&l, "linux-kbuild-7.3.4+deb13", v7, "amd64", KB_KIND_KBUILD, "7.3.4+deb13", "");
	add(&l, "linux-binary-7.3.4+deb13-amd64", v7, "amd64", KB_KIND_IMAGE, "7.3.4+deb13-amd64", "");
	add(&l, "linux-modules-7.3.4+deb13-amd64", v7, "amd64", KB_KIND_MODULES, "7.3.4+deb13-amd64", "");
	kb_group_list(&kb_group_rule_debian, "debian", "debian-13", &l, &m, &s);
	assert_int_equal(m.n, 3);
	assert_int_equal(s.n, 0);

	e = find(&m, "6.12.115+deb13.1-amd64", "amd64", v);
	assert_int_equal(e->nheaders, 3);
	assert_string_equal(pkg_version(e->headers, 3, "linux-kbuild-6.12.115+deb13.1"), v);
	assert_null(pkg_version(e->headers, 3, "linux-kbuild-6.12.115+deb13"));
	assert_int_equal(e->nimages, 1);
	assert_string_equal(e->images[0].name, "linux-image-6.12.115+deb13.1-amd64");

	e = find(&m, "7.3.4+deb13-amd64", "amd64", v7);
	assert_int_equal(e->nheaders, 3);
	assert_non_null(pkg_version(e->headers, 3, "linux-headers-7.3.4+deb13-common"));
	assert_non_null(pkg_version(e->headers, 3, "linux-kbuild-7.3.4+deb13"));
	/* the kernel and its modules, not the package that only depends on them */
	assert_int_equal(e->nimages, 2);
	assert_string_equal(e->images[0].name, "linux-binary-7.3.4+deb13-amd64");
	assert_int_equal(e->images[0].kind, KB_KIND_IMAGE);
	assert_string_equal(e->images[1].name, "linux-modules-7.3.4+deb13-amd64");
	assert_int_equal(e->images[1].kind, KB_KIND_MODULES);

	/* linux-binary missing: the headers still make a bundle, with the image
	 * package it has (the VM stage then reports no kernel in it) */
	e = find(&m, "7.3.4+deb13-cloud-amd64", "amd64", v7);
	assert_int_equal(e->nimages, 1);
	assert_string_equal(e->images[0].name, "linux-image-7.3.4+deb13-cloud-amd64");

	kb_manifest_free(&m);
	kb_group_skips_free(&s);
	kb_pkglist_free(&l);
}

static void test_group_ubuntu(void **state)
{
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	struct kb_group_skips s = { 0 };
	const struct kb_bundle_entry *e;

	(void)state;
	ubuntu_list(&l);
	kb_group_list(kb_group_rule_find("ubuntu"), "ubuntu", "ubuntu-22.04", &l, &m, &s);
	assert_int_equal(m.n, 4);
	assert_int_equal(s.n, 1);
	assert_true(skipped(&s, "5.15.0-1052-aws", "linux-aws-headers-5.15.0-1052"));

	e = find(&m, "5.15.0-91-generic", "amd64", "5.15.0-91.101");
	assert_int_equal(e->nheaders, 2);
	assert_non_null(pkg_version(e->headers, 2, "linux-headers-5.15.0-91"));
	assert_int_equal(e->nimages, 2);
	assert_non_null(pkg_version(e->images, 2, "linux-image-5.15.0-91-generic"));
	assert_non_null(pkg_version(e->images, 2, "linux-modules-5.15.0-91-generic"));

	e = find(&m, "5.15.0-91-lowlatency", "amd64", "5.15.0-91.101");
	assert_non_null(pkg_version(e->headers, 2, "linux-lowlatency-headers-5.15.0-91"));
	assert_non_null(pkg_version(e->images, 2, "linux-image-unsigned-5.15.0-91-lowlatency"));

	e = find(&m, "5.15.0-1051-aws", "amd64", "5.15.0-1051.56");
	assert_non_null(pkg_version(e->headers, 2, "linux-aws-headers-5.15.0-1051"));
	assert_non_null(pkg_version(e->images, 2, "linux-modules-5.15.0-1051-aws"));

	/* no Depends: matched by release prefix and version */
	e = find(&m, "5.15.0-92-generic", "amd64", "5.15.0-92.102");
	assert_non_null(pkg_version(e->headers, 2, "linux-headers-5.15.0-92"));

	kb_manifest_free(&m);
	kb_group_skips_free(&s);
	kb_pkglist_free(&l);
}

/* Fields the manifest could not hold leave their bundle out, so whatever is
 * written loads back. */
static void test_group_hostile(void **state)
{
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	struct kb_group_skips s = { 0 };
	struct kb_pkg *p;

	(void)state;
	debian_list(&l);
	for (size_t i = 0; i < l.n; i++) {
		p = &l.v[i];
		if (!strcmp(p->name, "linux-headers-6.1.0-47-cloud-amd64")) {
			free(p->path);
			p->path = kb_xstrdup("pool/../../etc/shadow");
		} else if (!strcmp(p->name, "linux-headers-6.1.0-47-arm64")) {
			free(p->release);
			p->release = kb_xstrdup("6.1.0-47 arm64");
		}
	}
	kb_group_list(&kb_group_rule_debian, "debian", "debian-12", &l, &m, &s);
	assert_int_equal(m.n, 4);
	assert_int_equal(s.n, 4);
	assert_true(skipped(&s, "6.1.0-47-cloud-amd64", "relative path inside the mirror"));
	assert_true(skipped(&s, "6.1.0-47 arm64", "blank"));
	kb_manifest_free(&m);
	kb_group_skips_free(&s);
	kb_pkglist_free(&l);
}

/* Group l (in its current order) into path. */
static void group_write(const struct kb_pkglist *l, const char *path)
{
	struct kb_manifest m = { 0 };
	struct kb_group_skips s = { 0 };

	kb_group_list(&kb_group_rule_debian, "debian", "debian-12", l, &m, &s);
	assert_int_equal(kb_manifest_write(path, &m), 0);
	kb_manifest_free(&m);
	kb_group_skips_free(&s);
}

static void test_determinism(void **state)
{
	char *dir = tmpdir_new(), *a = kb_path_join(dir, "a.yml"), *b = kb_path_join(dir, "b.yml");
	char *ta, *tb;
	struct kb_pkglist l = { 0 };

	(void)state;
	debian_list(&l);
	group_write(&l, a);
	group_write(&l, b);
	ta = read_all(a);
	tb = read_all(b);
	assert_string_equal(ta, tb);
	free(tb);
	/* a fixed pseudo-random shuffle, then a reversal: same bytes each time */
	srand(42);
	for (size_t i = l.n - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1);
		struct kb_pkg t = l.v[i];

		l.v[i] = l.v[j];
		l.v[j] = t;
	}
	group_write(&l, b);
	tb = read_all(b);
	assert_string_equal(ta, tb);
	free(tb);
	for (size_t i = 0; i < l.n / 2; i++) {
		struct kb_pkg t = l.v[i];

		l.v[i] = l.v[l.n - 1 - i];
		l.v[l.n - 1 - i] = t;
	}
	group_write(&l, b);
	tb = read_all(b);
	assert_string_equal(ta, tb);
	assert_non_null(strstr(ta, "format: kbundle-manifest 2\nbundles:\n- id: "));
	/* versions a YAML 1.1 reader would take for numbers are quoted */
	assert_non_null(strstr(ta, "  version: \"6.1.170-3\"\n"));
	assert_non_null(strstr(ta, "  version: 6.12.115-2~deb12u1\n"));
	assert_non_null(strstr(ta, "    size: 1044\n"));
	free(ta);
	free(tb);
	kb_pkglist_free(&l);
	assert_int_equal(kb_rm_rf(dir), 0);
	free(a);
	free(b);
	free(dir);
}

/* ---- bundle id and manifest.yml --------------------------------------- */

static void test_bundle_id(void **state)
{
	struct kb_mpkg h[2] = { 0 };
	struct kb_bundle_entry e = { .headers = h, .nheaders = 2 };

	(void)state;
	/* sha256("kbundle-bundle-v1\n" "0123…def\n" "aaa…a\n"): sorted, one a line */
	memset(h[0].sha256, 'a', 64);
	memcpy(h[1].sha256, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	       65);
	kb_bundle_id(&e);
	assert_string_equal(e.id,
			    "04f68095def92df6a41a65b622f7e52a8c3f569647ea77b0cb200ac98ed881fb");
	/* the order of the headers does not matter */
	struct kb_mpkg t = h[0];
	h[0] = h[1];
	h[1] = t;
	kb_bundle_id(&e);
	assert_string_equal(e.id,
			    "04f68095def92df6a41a65b622f7e52a8c3f569647ea77b0cb200ac98ed881fb");
}

static void test_round_trip(void **state)
{
	char *dir = tmpdir_new(), *a = kb_path_join(dir, "a.yml"), *b = kb_path_join(dir, "b.yml");
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	char *ta, *tb;

	(void)state;
	debian_list(&l);
	ubuntu_list(&l);	/* one list holding both: both rules' shapes in one file */
	group_write(&l, a);
	assert_int_equal(kb_manifest_load(a, NULL, &m), 0);
	assert_true(m.n >= 6);
	assert_int_equal(kb_manifest_write(b, &m), 0);
	ta = read_all(a);
	tb = read_all(b);
	assert_string_equal(ta, tb);
	kb_manifest_free(&m);

	/* an empty manifest round-trips too */
	assert_int_equal(kb_manifest_write(a, &m), 0);
	assert_int_equal(kb_manifest_load(a, NULL, &m), 0);
	assert_int_equal(m.n, 0);
	kb_manifest_free(&m);
	free(ta);
	free(tb);
	kb_pkglist_free(&l);
	assert_int_equal(kb_rm_rf(dir), 0);
	free(a);
	free(b);
	free(dir);
}


static const struct kb_mpkg *header_of(const struct kb_bundle_entry *e, const char *name)
{
	for (size_t i = 0; i < e->nheaders; i++)
		if (!strcmp(e->headers[i].name, name))
			return &e->headers[i];
	fail_msg("%s: no header package %s", e->release, name);
	return NULL;
}

static void test_group_alternates(void **state)
{
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	struct kb_group_skips s = { 0 };
	const struct kb_bundle_entry *e;
	const struct kb_mpkg *k;
	char sha[65], id[65];

	(void)state;
	debian_list(&l);
	kb_group_list(&kb_group_rule_debian, "debian", "debian-12", &l, &m, &s);

	/* >= 6.1.170-3: 176-1 chosen, 170-3 the one alternate, 158-1 too old */
	e = find(&m, "6.1.0-47-amd64", "amd64", "6.1.170-3");
	k = header_of(e, "linux-kbuild-6.1");
	assert_string_equal(k->version, "6.1.176-1");
	assert_string_equal(k->satisfies, ">= 6.1.170-3");
	assert_int_equal(k->nalternates, 1);
	assert_string_equal(k->alternates[0].version, "6.1.170-3");
	assert_string_equal(k->alternates[0].arch, "amd64");
	assert_string_equal(k->alternates[0].path,
			    "pool/main/l/linux/linux-kbuild-6.1_6.1.170-3_amd64.deb");
	kb_sha256_buf("linux-kbuild-6.1_6.1.170-3_amd64", 32, sha);
	assert_string_equal(k->alternates[0].sha256, sha);
	/* the -common is pinned (=): its restriction, and no other file fits */
	k = header_of(e, "linux-headers-6.1.0-47-common");
	assert_string_equal(k->satisfies, "= 6.1.170-3");
	assert_int_equal(k->nalternates, 0);
	/* the anchor was not picked by a dependency */
	k = header_of(e, "linux-headers-6.1.0-47-amd64");
	assert_null(k->satisfies);
	assert_int_equal(k->nalternates, 0);
	/* the id is the content id of the chosen headers: alternates are not in it */
	memcpy(id, e->id, sizeof(id));
	kb_bundle_id((struct kb_bundle_entry *)e);
	assert_string_equal(e->id, id);

	/* the older upload: >= 6.1.170-2, the same two candidates */
	e = find(&m, "6.1.0-47-amd64", "amd64", "6.1.170-2");
	k = header_of(e, "linux-kbuild-6.1");
	assert_string_equal(k->version, "6.1.176-1");
	assert_int_equal(k->nalternates, 1);
	/* arm64: the amd64 kbuilds do not fit its arch */
	e = find(&m, "6.1.0-47-arm64", "arm64", "6.1.170-3");
	assert_int_equal(header_of(e, "linux-kbuild-6.1")->nalternates, 0);
	/* an unversioned dependency (linux-kbuild-6.12.115+deb12): none */
	e = find(&m, "6.12.115+deb12-amd64", "amd64", "6.12.115-2~deb12u1");
	k = header_of(e, "linux-kbuild-6.12.115+deb12");
	assert_null(k->satisfies);
	assert_int_equal(k->nalternates, 0);

	kb_manifest_free(&m);
	kb_group_skips_free(&s);
	kb_pkglist_free(&l);
}

/* Written, read back, written again: the same bytes, the alternates in
 * their order, and each key where the format says. */
static void test_alternates_round_trip(void **state)
{
	char *dir = tmpdir_new(), *a = kb_path_join(dir, "a.yml"), *b = kb_path_join(dir, "b.yml");
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	const struct kb_mpkg *k;
	char *ta, *tb;

	(void)state;
	debian_list(&l);
	/* a third candidate, so the order (newest first) is seen */
	add(&l, "linux-kbuild-6.1", "6.1.172-1", "amd64", KB_KIND_KBUILD, "6.1", "");
	group_write(&l, a);
	assert_int_equal(kb_manifest_load(a, NULL, &m), 0);
	k = header_of(find(&m, "6.1.0-47-amd64", "amd64", "6.1.170-3"), "linux-kbuild-6.1");
	assert_string_equal(k->satisfies, ">= 6.1.170-3");
	assert_int_equal(k->nalternates, 2);
	assert_string_equal(k->alternates[0].version, "6.1.172-1");
	assert_string_equal(k->alternates[1].version, "6.1.170-3");
	assert_int_equal(k->alternates[1].size, 1000 + strlen("linux-kbuild-6.1_6.1.170-3_amd64"));
	assert_int_equal(kb_manifest_write(b, &m), 0);
	ta = read_all(a);
	tb = read_all(b);
	assert_string_equal(ta, tb);
	assert_non_null(strstr(ta, "    satisfies: \">= 6.1.170-3\"\n    alternates:\n"
				   "    - version: \"6.1.172-1\"\n      arch: amd64\n"
				   "      path: pool/main/l/linux/linux-kbuild-6.1_6.1.172-1_amd64.deb\n"
				   "      size: 1032\n      sha256: "));
	/* every digest gc must keep: the alternates' too */
	{
		struct kb_strv d = { 0 };
		char sha[65];
		bool found = false;

		kb_manifest_digests(&m, &d);
		kb_sha256_buf("linux-kbuild-6.1_6.1.172-1_amd64", 32, sha);
		for (size_t i = 0; i < d.n; i++)
			found = found || !strcmp(d.v[i], sha);
		assert_true(found);
		kb_strv_free(&d);
	}
	kb_manifest_free(&m);
	free(ta);
	free(tb);
	kb_pkglist_free(&l);
	assert_int_equal(kb_rm_rf(dir), 0);
	free(a);
	free(b);
	free(dir);
}

static void write_upstream(const char *dir, const char *name, const char *distro)
{
	char *p = kb_xasprintf("%s/%s.yml", dir, name);
	char *text = kb_xasprintf("distro: %s\nfamily: apt\nrelease: \"1\"\nenabled: true\n"
				  "architectures: [amd64]\nmirrors: [apt-sources]\n"
				  "suites: [s]\ncomponents: [main]\nkeyring: none\n",
				  distro);

	write_text(p, text);
	free(text);
	free(p);
}

static void test_build(void **state)
{
	char *dir = tmpdir_new(), *ups = kb_path_join(dir, "upstreams"),
	     *lists = kb_path_join(dir, "lists"), *p;
	struct kb_pkglist l = { 0 };
	struct kb_manifest m = { 0 };
	struct kb_group_skips s = { 0 };

	(void)state;
	assert_int_equal(kb_mkdir_p(ups, 0755), 0);
	assert_int_equal(kb_mkdir_p(lists, 0755), 0);
	write_upstream(ups, "debian-12", "debian");
	write_upstream(ups, "debian-12-copy", "debian");
	write_upstream(ups, "ubuntu-22.04", "ubuntu");
	write_upstream(ups, "slackware-15", "slackware");
	debian_list(&l);
	p = kb_path_join(lists, "debian-12.list");
	assert_int_equal(kb_pkglist_write(p, &l), 0);
	free(p);
	/* the same files in a second list: the same bundles, kept once */
	p = kb_path_join(lists, "debian-12-copy.list");
	assert_int_equal(kb_pkglist_write(p, &l), 0);
	free(p);
	kb_pkglist_free(&l);
	ubuntu_list(&l);
	p = kb_path_join(lists, "ubuntu-22.04.list");
	assert_int_equal(kb_pkglist_write(p, &l), 0);
	free(p);
	p = kb_path_join(lists, "slackware-15.list");	/* no rules: left out, warned */
	assert_int_equal(kb_pkglist_write(p, &l), 0);
	free(p);
	kb_pkglist_free(&l);

	assert_int_equal(kb_manifest_build(ups, lists, NULL, &m, &s), 0);
	assert_int_equal(m.n, 6 + 4);
	assert_int_equal(s.n, 2 * 2 + 1);
	for (size_t i = 0; i < m.n; i++)
		if (!strcmp(m.v[i].distro, "debian"))
			assert_string_equal(m.v[i].upstream, "debian-12");	/* first by name */
	kb_manifest_free(&m);
	kb_group_skips_free(&s);

	/* a list no upstream file describes is a configuration error */
	p = kb_path_join(lists, "orphan.list");
	write_text(p, "garbage\n");
	assert_int_equal(kb_manifest_build(ups, lists, NULL, &m, &s), -KB_EUSAGE);
	kb_group_skips_free(&s);
	/* a malformed list fails the build */
	write_upstream(ups, "orphan", "debian");
	assert_int_equal(kb_manifest_build(ups, lists, NULL, &m, &s), -KB_EPARSE);
	assert_int_equal(m.n, 0);
	kb_group_skips_free(&s);
	free(p);
	assert_int_equal(kb_manifest_build(ups, "/nonexistent-kb", NULL, &m, &s), -ENOENT);

	assert_int_equal(kb_rm_rf(dir), 0);
	free(ups);
	free(lists);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_debian),
		cmocka_unit_test(test_group_debian13),
		cmocka_unit_test(test_group_ubuntu),
		cmocka_unit_test(test_group_hostile),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_bundle_id),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_group_alternates),
		cmocka_unit_test(test_alternates_round_trip),
		cmocka_unit_test(test_build),
	};

	kb_log_set_level(KB_LOG_ERROR);	/* the warnings are what is tested */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
