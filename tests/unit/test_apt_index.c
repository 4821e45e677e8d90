/* test_apt_index.c — unit tests for the apt index parsers (Release, Packages)
 * and the Debian/Ubuntu kernel package recognisers. No network. */
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

#include "crawler/apt_packages.h"
#include "crawler/apt_release.h"
#include "crawler/recognise_deb.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/stream.h"

/* ---- Release ---------------------------------------------------------- */

static const char release_text[] =
	"Origin: Debian\n"
	"Label: Debian-Security\n"
	"Suite: stable-security\n"
	"Version: 12\n"
	"Codename: bookworm-security\n"
	"Date: Mon, 19 May 2025 21:37:53 UTC\n"
	"Valid-Until: Mon, 26 May 2025 21:37:53 UTC\n"
	"Acquire-By-Hash: yes\n"
	"Architectures: amd64 arm64 armel armhf i386 mips64el mipsel ppc64el s390x\n"
	"Components: updates/main updates/contrib updates/non-free updates/non-free-firmware\n"
	"Description: Debian 12 - Security Updates\n"
	"MD5Sum:\n"
	" 4a7a2ee2e0d3c1f0fb10e4c2a61d4d55 1370219 main/binary-amd64/Packages\n"
	"SHA256:\n"
	" 4f3bd7f7d7c3b7c2b0ae81b0fd1c3bdae8d1d11e5ee8d8a3c6b8e4a1d0f0b0a1  1370219 main/binary-amd64/Packages\n"
	" 9d1a3b0b1ab6a9bcbd9b1c1f2f3d3e1ad1d6e7c3d9f0c1b2a3e4d5c6b7a8f9e0   298080 main/binary-amd64/Packages.gz\n"
	" 0b1a3b0b1ab6a9bcbd9b1c1f2f3d3e1ad1d6e7c3d9f0c1b2a3e4d5c6b7a8f9e0   240048 main/binary-amd64/Packages.xz\n"
	" 1b1a3b0b1ab6a9bcbd9b1c1f2f3d3e1ad1d6e7c3d9f0c1b2a3e4d5c6b7a8f9e0   301000 main/binary-arm64/Packages.gz\n"
	" 2b1a3b0b1ab6a9bcbd9b1c1f2f3d3e1ad1d6e7c3d9f0c1b2a3e4d5c6b7a8f9e0       99 main/i18n/Translation-en.bz2\n";

static void test_release_parse(void **state)
{
	struct kb_apt_release r;
	const struct kb_release_file *f;

	(void)state;
	assert_int_equal(kb_apt_release_parse(release_text, strlen(release_text), "t", &r), 0);
	assert_string_equal(r.suite, "stable-security");
	assert_string_equal(r.codename, "bookworm-security");
	assert_string_equal(r.date, "Mon, 19 May 2025 21:37:53 UTC");
	assert_int_equal(r.valid_until_ts, 1748295473);
	assert_int_equal(r.nfiles, 5);
	f = kb_apt_release_packages(&r, "main", "amd64");
	assert_non_null(f);
	assert_string_equal(f->path, "main/binary-amd64/Packages.xz");
	assert_int_equal(f->size, 240048);
	assert_memory_equal(f->sha256, "0b1a3b0b", 8);
	f = kb_apt_release_packages(&r, "main", "arm64");
	assert_string_equal(f->path, "main/binary-arm64/Packages.gz");
	assert_null(kb_apt_release_packages(&r, "main", "s390x"));
	assert_null(kb_apt_release_packages(&r, "contrib", "amd64"));
	kb_apt_release_free(&r);
}

static void test_release_bad(void **state)
{
	static const char *const bad[] = {
		"Suite: x\nMD5Sum:\n 4a7a2ee2e0d3c1f0fb10e4c2a61d4d55 1 main/binary-amd64/Packages\n",
		"Suite: x\nSHA256:\n abc 1 main/binary-amd64/Packages\n",
		"Suite: x\nSHA256:\n 4f3bd7f7d7c3b7c2b0ae81b0fd1c3bdae8d1d11e5ee8d8a3c6b8e4a1d0f0b0a1 12x p\n",
		"Suite: x\nSHA256:\n 4f3bd7f7d7c3b7c2b0ae81b0fd1c3bdae8d1d11e5ee8d8a3c6b8e4a1d0f0b0a1 12 ../../etc/passwd\n",
		"Suite: x\nSHA256:\n 4f3bd7f7d7c3b7c2b0ae81b0fd1c3bdae8d1d11e5ee8d8a3c6b8e4a1d0f0b0a1 12 /abs\n",
		"Suite: x\ngarbage line\nSHA256:\n",
		"Suite: x\nSHA256:\n\nSuite: y\n",
		"\x7f\x45\x4c\x46\x02\x01\x01",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kb_apt_release r;

		if (kb_apt_release_parse(bad[i], strlen(bad[i]), "bad", &r) == 0)
			fail_msg("bad Release %zu parsed", i);
	}
}

/* ---- Packages --------------------------------------------------------- */

struct collect {
	size_t n;
	char names[8][64];
	char descr[8][128];
	size_t lines[8];
};

static int collect_cb(void *ctx, const struct kb_apt_stanza *st)
{
	struct collect *c = ctx;
	struct kb_str name = kb_apt_stanza_get(st, "Package");
	struct kb_str d = kb_apt_stanza_get(st, "Description");

	if (c->n < 8) {
		snprintf(c->names[c->n], sizeof(c->names[0]), KB_STR_FMT, KB_STR_ARG(name));
		snprintf(c->descr[c->n], sizeof(c->descr[0]), KB_STR_FMT, KB_STR_ARG(d));
		c->lines[c->n] = st->line;
	}
	c->n++;
	return 0;
}

static int parse_mem(const char *text, size_t len, const struct kb_apt_limits *lim,
		     struct collect *c)
{
	struct kb_stream *s = NULL;
	int err;

	memset(c, 0, sizeof(*c));
	err = kb_stream_open_mem(text, len, 1u << 30, NULL, &s);
	if (err)
		return err;	/* garbage that looks compressed fails here */
	err = kb_apt_packages_parse(s, "mem", lim, collect_cb, c);
	kb_stream_close(s);
	return err;
}

static void test_packages_parse(void **state)
{
	static const char text[] =
		"Package: linux-headers-6.1.0-47-amd64\n"
		"Source: linux\n"
		"Version: 6.1.164-1\n"
		"Architecture: amd64\n"
		"Depends: linux-headers-6.1.0-47-common (= 6.1.164-1),\n"
		" linux-kbuild-6.1 (>= 6.1.164-1)\n"
		"Description: Header files for Linux 6.1.0-47-amd64\n"
		" This package provides the architecture-specific kernel header files.\n"
		" .\n"
		" More.\n"
		"Filename: pool/main/l/linux/linux-headers-6.1.0-47-amd64_6.1.164-1_amd64.deb\n"
		"\n"
		"\n"
		"Package: b\r\n"
		"Description: crlf\r\n"
		"\r\n"
		"Package: c\n"
		"Description: no final newline";
	struct collect c;

	(void)state;
	assert_int_equal(parse_mem(text, strlen(text), NULL, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.names[0], "linux-headers-6.1.0-47-amd64");
	assert_true(!strncmp(c.descr[0], "Header files for Linux 6.1.0-47-amd64\n This", 43));
	assert_int_equal(c.lines[0], 1);
	assert_string_equal(c.names[1], "b");
	assert_string_equal(c.descr[1], "crlf");
	assert_int_equal(c.lines[1], 14);
	assert_string_equal(c.names[2], "c");
	assert_string_equal(c.descr[2], "no final newline");
	/* empty input is no stanza and no error */
	assert_int_equal(parse_mem("", 0, NULL, &c), 0);
	assert_int_equal(c.n, 0);
}

static void test_packages_bad(void **state)
{
	struct kb_apt_limits small = { .max_line = 64, .max_stanza = 256 };
	struct collect c;
	char *big;

	(void)state;
	assert_int_equal(parse_mem("this is not deb822\n", 19, NULL, &c), -KB_EPARSE);
	assert_int_equal(parse_mem("Package: a\nVers", 15, NULL, &c), -KB_EPARSE);
	assert_int_equal(parse_mem(" continued\n", 11, NULL, &c), -KB_EPARSE);
	assert_int_equal(parse_mem(": no name\n", 10, NULL, &c), -KB_EPARSE);
	assert_int_equal(parse_mem("\x1f\x8b\x08\x00garbage", 12, NULL, &c) != 0, 1);
	big = kb_xmalloc(4096);
	memset(big, 'x', 4095);
	memcpy(big, "Package: ", 9);
	big[4095] = '\0';
	assert_int_equal(parse_mem(big, 4095, &small, &c), -KB_ELIMIT);
	{ /* many short lines: the stanza limit */
		size_t n = 0;

		for (int i = 0; i < 60; i++)
			n += (size_t)snprintf(big + n, 4096 - n, "F%d: v\n", i);
		assert_int_equal(parse_mem(big, n, &small, &c), -KB_ELIMIT);
	}
	free(big);
}

/* Many stanzas and one large one: exercises the buffer's moves and growth. */
static void test_packages_chunks(void **state)
{
	size_t cap = 8u << 20, n = 0;
	char *text = kb_xmalloc(cap);
	struct collect c;

	(void)state;
	for (int i = 0; i < 20000; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "Package: pkg-%d\nVersion: 1.%d\nDescription: d\n more\n\n", i, i);
	n += (size_t)snprintf(text + n, cap - n, "Package: huge\nDescription: x\n");
	for (int i = 0; i < 20000; i++)
		n += (size_t)snprintf(text + n, cap - n, " line %05d of a long description\n", i);
	n += (size_t)snprintf(text + n, cap - n, "\nPackage: last\n");
	assert_int_equal(parse_mem(text, n, NULL, &c), 0);
	assert_int_equal(c.n, 20002);
	free(text);
}

/* ---- recognisers ------------------------------------------------------ */

struct rec_case {
	const char *name;
	int kind;	/* -1: must not match */
	const char *release;
};

static void check_rec(kb_deb_recogniser fn, const struct rec_case *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct kb_deb_match m;
		bool ok = fn(kb_str_c(v[i].name), &m);

		if (v[i].kind < 0) {
			if (ok)
				fail_msg("%s must not match", v[i].name);
			continue;
		}
		if (!ok)
			fail_msg("%s must match", v[i].name);
		if ((int)m.kind != v[i].kind || !kb_str_eq(m.release, v[i].release))
			fail_msg("%s: got %s " KB_STR_FMT ", want %s %s", v[i].name,
				 kb_kind_name(m.kind), KB_STR_ARG(m.release),
				 kb_kind_name((enum kb_kind)v[i].kind), v[i].release);
	}
}

static void test_recognise_debian(void **state)
{
	static const struct rec_case v[] = {
		{ "linux-headers-6.1.0-47-amd64", KB_KIND_HEADERS, "6.1.0-47-amd64" },
		{ "linux-headers-6.1.0-47-cloud-amd64", KB_KIND_HEADERS, "6.1.0-47-cloud-amd64" },
		{ "linux-headers-6.1.0-47-rt-arm64", KB_KIND_HEADERS, "6.1.0-47-rt-arm64" },
		{ "linux-headers-5.10.0-28-686-pae", KB_KIND_HEADERS, "5.10.0-28-686-pae" },
		{ "linux-headers-6.12.117+deb12-amd64", KB_KIND_HEADERS, "6.12.117+deb12-amd64" },
		{ "linux-headers-6.1.0-47-common", KB_KIND_HEADERS_COMMON, "6.1.0-47" },
		{ "linux-headers-6.1.0-47-common-rt", KB_KIND_HEADERS_COMMON, "6.1.0-47" },
		{ "linux-headers-6.12.117+deb12-common", KB_KIND_HEADERS_COMMON, "6.12.117+deb12" },
		{ "linux-kbuild-6.1", KB_KIND_KBUILD, "6.1" },
		{ "linux-kbuild-5.10", KB_KIND_KBUILD, "5.10" },
		{ "linux-kbuild-6.12.117+deb12", KB_KIND_KBUILD, "6.12.117+deb12" },
		{ "linux-image-6.1.0-47-amd64", KB_KIND_IMAGE, "6.1.0-47-amd64" },
		{ "linux-image-6.1.0-47-cloud-amd64-unsigned", KB_KIND_IMAGE, "6.1.0-47-cloud-amd64" },
		{ "linux-image-6.12.117+deb12-arm64", KB_KIND_IMAGE, "6.12.117+deb12-arm64" },
		{ "linux-headers-amd64", -1, NULL },
		{ "linux-headers-cloud-amd64", -1, NULL },
		{ "linux-headers-6.12-amd64", -1, NULL },
		{ "linux-image-6.12-amd64", -1, NULL },
		{ "linux-image-amd64", -1, NULL },
		{ "linux-image-6.1.0-47-amd64-dbg", -1, NULL },
		{ "linux-image-6.12-cloud-amd64-dbg", -1, NULL },
		{ "linux-image-amd64-signed-template", -1, NULL },
		{ "linux-image-6.12-amd64-signed-template", -1, NULL },
		{ "linux-source", -1, NULL },
		{ "linux-source-6.1", -1, NULL },
		{ "linux-doc-6.1", -1, NULL },
		{ "linux-libc-dev", -1, NULL },
		{ "linux-support-6.1.0-47", -1, NULL },
		{ "linux-config-6.1", -1, NULL },
		{ "linux-compiler-gcc-12-x86", -1, NULL },
		{ "linux-perf", -1, NULL },
		{ "linux-kbuild-6", -1, NULL },
		{ "linux-headers-6.1.0-47", -1, NULL },
		{ "linux-headers-6.1.0-47-", -1, NULL },
		{ "linux-headers-6.1.0-47-AMD64", -1, NULL },
		{ "linux-modules-6.1.0-47-amd64", -1, NULL },
		/* Debian 13 and 14, names from the real trixie, trixie-security,
		 * trixie-backports and forky indexes */
		{ "linux-headers-6.12.118+deb13-amd64", KB_KIND_HEADERS, "6.12.118+deb13-amd64" },
		{ "linux-headers-6.12.118+deb13-arm64-16k", KB_KIND_HEADERS, "6.12.118+deb13-arm64-16k" },
		{ "linux-headers-6.12.118+deb13-powerpc64le-64k", KB_KIND_HEADERS,
		  "6.12.118+deb13-powerpc64le-64k" },
		{ "linux-headers-6.12.118+deb13-common-rt", KB_KIND_HEADERS_COMMON, "6.12.118+deb13" },
		{ "linux-headers-6.12.115+deb13.1-rt-amd64", KB_KIND_HEADERS, "6.12.115+deb13.1-rt-amd64" },
		{ "linux-headers-6.12.115+deb13.1-common", KB_KIND_HEADERS_COMMON, "6.12.115+deb13.1" },
		{ "linux-kbuild-6.12.115+deb13.1", KB_KIND_KBUILD, "6.12.115+deb13.1" },
		{ "linux-kbuild-6.12.118+deb13", KB_KIND_KBUILD, "6.12.118+deb13" },
		{ "linux-image-6.12.118+deb13-amd64", KB_KIND_IMAGE, "6.12.118+deb13-amd64" },
		{ "linux-image-6.12.118+deb13-rt-amd64-unsigned", KB_KIND_IMAGE, "6.12.118+deb13-rt-amd64" },
		{ "linux-headers-7.3.4+deb13-amd64", KB_KIND_HEADERS, "7.3.4+deb13-amd64" },
		{ "linux-headers-7.3.4+deb13-common", KB_KIND_HEADERS_COMMON, "7.3.4+deb13" },
		{ "linux-kbuild-7.3.4+deb13", KB_KIND_KBUILD, "7.3.4+deb13" },
		{ "linux-kbuild-7.2.12+deb14", KB_KIND_KBUILD, "7.2.12+deb14" },
		{ "linux-image-7.3.4+deb13-amd64", KB_KIND_IMAGE, "7.3.4+deb13-amd64" },
		{ "linux-binary-7.3.4+deb13-amd64", KB_KIND_IMAGE, "7.3.4+deb13-amd64" },
		{ "linux-binary-7.2.12+deb14-cloud-amd64", KB_KIND_IMAGE, "7.2.12+deb14-cloud-amd64" },
		{ "linux-modules-7.3.4+deb13-amd64", KB_KIND_MODULES, "7.3.4+deb13-amd64" },
		{ "linux-modules-7.3.4+deb13-rpi", KB_KIND_MODULES, "7.3.4+deb13-rpi" },
		{ "linux-binary-unsigned-7.3.4+deb13-amd64", -1, NULL },
		{ "linux-binary-6.1.0-47-amd64", -1, NULL },
		{ "linux-base", -1, NULL },
		{ "linux-base-amd64", -1, NULL },
		{ "linux-base-cloud-amd64", -1, NULL },
		{ "linux-base-7.3.4+deb13-amd64", -1, NULL },
		{ "linux-image-7.3.4+deb13-amd64-dbg", -1, NULL },
		{ "linux-support-6.12.118+deb13", -1, NULL },
		{ "linux-config-7.3", -1, NULL },
		{ "linux-doc-7.3", -1, NULL },
		{ "linux-source-7.3", -1, NULL },
		{ "linux-libc-dev-arm64-cross", -1, NULL },
		{ "linux-headers-6.12.118+deb13.", -1, NULL },
		{ "linux-headers-6.12.118+deb13.-amd64", -1, NULL },
		{ "linux-headers-6.12.118+deb13..1-amd64", -1, NULL },
		{ "linux-headers-6.12.118+.1-amd64", -1, NULL },
		{ "linux-kbuild-6.12.118+deb13.", -1, NULL },
	};

	(void)state;
	assert_ptr_equal(kb_deb_recogniser_for("debian"), kb_recognise_debian);
	assert_null(kb_deb_recogniser_for("fedora"));
	check_rec(kb_recognise_debian, v, sizeof(v) / sizeof(v[0]));
}

static void test_recognise_ubuntu(void **state)
{
	static const struct rec_case v[] = {
		{ "linux-headers-5.15.0-91-generic", KB_KIND_HEADERS, "5.15.0-91-generic" },
		{ "linux-headers-6.8.0-45-lowlatency", KB_KIND_HEADERS, "6.8.0-45-lowlatency" },
		{ "linux-headers-6.8.0-45-generic-64k", KB_KIND_HEADERS, "6.8.0-45-generic-64k" },
		{ "linux-headers-6.8.0-1015-aws", KB_KIND_HEADERS, "6.8.0-1015-aws" },
		{ "linux-headers-5.15.0-1050-azure", KB_KIND_HEADERS, "5.15.0-1050-azure" },
		{ "linux-headers-5.15.0-1045-kvm", KB_KIND_HEADERS, "5.15.0-1045-kvm" },
		{ "linux-headers-5.4.0-1100-gcp", KB_KIND_HEADERS, "5.4.0-1100-gcp" },
		{ "linux-headers-6.8.0-1013-oracle", KB_KIND_HEADERS, "6.8.0-1013-oracle" },
		{ "linux-headers-5.15.0-91", KB_KIND_HEADERS_COMMON, "5.15.0-91" },
		{ "linux-aws-headers-6.8.0-1015", KB_KIND_HEADERS_COMMON, "6.8.0-1015" },
		{ "linux-hwe-6.8-headers-6.8.0-45", KB_KIND_HEADERS_COMMON, "6.8.0-45" },
		{ "linux-lowlatency-hwe-6.8-headers-6.8.0-45", KB_KIND_HEADERS_COMMON, "6.8.0-45" },
		{ "linux-oracle-headers-5.15.0-1040", KB_KIND_HEADERS_COMMON, "5.15.0-1040" },
		{ "linux-image-6.8.0-45-generic", KB_KIND_IMAGE, "6.8.0-45-generic" },
		{ "linux-image-unsigned-6.8.0-45-generic", KB_KIND_IMAGE, "6.8.0-45-generic" },
		{ "linux-image-5.15.0-1050-azure", KB_KIND_IMAGE, "5.15.0-1050-azure" },
		{ "linux-modules-6.8.0-45-generic", KB_KIND_MODULES, "6.8.0-45-generic" },
		{ "linux-modules-5.15.0-1050-azure", KB_KIND_MODULES, "5.15.0-1050-azure" },
		{ "linux-headers-generic", -1, NULL },
		{ "linux-headers-generic-hwe-22.04", -1, NULL },
		{ "linux-headers-oem-22.04", -1, NULL },
		{ "linux-image-generic", -1, NULL },
		{ "linux-image-virtual", -1, NULL },
		{ "linux-modules-extra-6.8.0-45-generic", -1, NULL },
		{ "linux-modules-nvidia-535-6.8.0-45-generic", -1, NULL },
		{ "linux-modules-iwlwifi-6.8.0-45-generic", -1, NULL },
		{ "linux-tools-6.8.0-45-generic", -1, NULL },
		{ "linux-tools-common", -1, NULL },
		{ "linux-cloud-tools-6.8.0-45-generic", -1, NULL },
		{ "linux-aws-tools-6.8.0-1015", -1, NULL },
		{ "linux-buildinfo-6.8.0-45-generic", -1, NULL },
		{ "linux-image-6.8.0-45-generic-dbgsym", -1, NULL },
		{ "linux-image-unsigned-6.8.0-45-generic-dbgsym", -1, NULL },
		{ "linux-source-6.8.0", -1, NULL },
		{ "linux-doc", -1, NULL },
		{ "linux-libc-dev", -1, NULL },
		{ "linux-aws-headers-6.8", -1, NULL },
		{ "linux-headers-", -1, NULL },
		{ "linux-", -1, NULL },
	};

	(void)state;
	check_rec(kb_recognise_ubuntu, v, sizeof(v) / sizeof(v[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_parse),
		cmocka_unit_test(test_release_bad),
		cmocka_unit_test(test_packages_parse),
		cmocka_unit_test(test_packages_bad),
		cmocka_unit_test(test_packages_chunks),
		cmocka_unit_test(test_recognise_debian),
		cmocka_unit_test(test_recognise_ubuntu),
	};

	kb_log_set_level(getenv("KB_TEST_VERBOSE") ? KB_LOG_DEBUG : KB_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
