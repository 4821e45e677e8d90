/* test_manifest_load.c — manifest.yml refused where it is malformed: the strict
 * loader's errors, for format 1 and for format 2's alternates. No network. */
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

static void write_text(const char *path, const char *text)
{
	assert_int_equal(kb_file_write_atomic(path, text, strlen(text)), 0);
}

/* A list entry as the crawler writes it; the sha256 is derived from name,
 * version and arch so every distinct file has its own. */

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_OTHER "04f68095def92df6a41a65b622f7e52a8c3f569647ea77b0cb200ac98ed881fb"

static char *good_manifest(const char *id)
{
	return kb_xasprintf("format: kbundle-manifest 1\n"
			    "bundles:\n"
			    "- id: %s\n"
			    "  distro: debian\n"
			    "  upstream: debian-12\n"
			    "  release: 6.1.0-47-amd64\n"
			    "  arch: amd64\n"
			    "  version: \"6.1.170-3\"\n"
			    "  headers:\n"
			    "  - name: linux-headers-6.1.0-47-amd64\n"
			    "    version: \"6.1.170-3\"\n"
			    "    arch: amd64\n"
			    "    kind: headers\n"
			    "    path: pool/main/l/linux/x.deb\n"
			    "    size: 1655296\n"
			    "    sha256: " SHA_A "\n"
			    "  images: []\n",
			    id);
}

/* good_manifest with the first `from` replaced by `to` */
static char *mutate(const char *id, const char *from, const char *to)
{
	char *text = good_manifest(id), *at = strstr(text, from), *out;

	assert_non_null(at);
	out = kb_xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	free(text);
	return out;
}

static void test_load_errors(void **state)
{
	char *dir = tmpdir_new(), *p = kb_path_join(dir, "m.yml"), *text;
	struct kb_mpkg h = { 0 };
	struct kb_bundle_entry e = { .headers = &h, .nheaders = 1 };
	struct kb_manifest m = { 0 };
	static const char *const bad[][2] = {
		{ "sha256: aaaa", "sha256: AAAA" },		/* not lowercase hex */
		{ "sha256: aaaa", "sha256: zzzz" },
		{ "    size: 1655296\n", "" },			/* missing field */
		{ "  arch: amd64\n", "" },
		{ "size: 1655296", "size: big" },		/* wrong types */
		{ "size: 1655296", "size: [1]" },
		{ "size: 1655296", "size: 0" },
		{ "size: 1655296", "size: 99999999999999999999999" },
		{ "  headers:\n", "  headers: linux\n  x:\n" },
		{ "  distro: debian", "  distro: {a: b}" },
		{ "  images: []", "  images: {}" },
		{ "kind: headers", "kind: firmware" },		/* not a kind */
		{ "kind: headers", "kind: image" },		/* an image among headers */
		{ "  upstream: debian-12\n", "  upstream: debian-12\n  colour: blue\n" },
		{ "  upstream: debian-12\n", "  upstream: debian-12\n  upstream: x\n" },
		{ "path: pool", "path: ../../etc" },
		{ "path: pool/main/l/linux/x.deb", "path: /etc/passwd" },
		{ "release: 6.1.0-47-amd64", "release: \"6.1 47\"" },
		{ "format: kbundle-manifest 1", "format: kbundle-manifest 2" },
		{ "- id: ", "- id: 1" },			/* not a sha256, then a wrong id */
	};

	(void)state;
	memcpy(h.sha256, SHA_A, 65);
	kb_bundle_id(&e);
	text = good_manifest(e.id);
	write_text(p, text);
	free(text);
	assert_int_equal(kb_manifest_load(p, NULL, &m), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.v[0].headers[0].size, 1655296);
	assert_int_equal(m.v[0].nimages, 0);
	kb_manifest_free(&m);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = mutate(e.id, bad[i][0], bad[i][1]);
		write_text(p, text);
		free(text);
		assert_int_equal(kb_manifest_load(p, NULL, &m), -KB_EPARSE);
		assert_int_equal(m.n, 0);
	}
	/* a content id that is not the one of its headers */
	text = good_manifest(ID_OTHER);
	write_text(p, text);
	free(text);
	assert_int_equal(kb_manifest_load(p, NULL, &m), -KB_EPARSE);
	/* the same bundle twice */
	text = good_manifest(e.id);
	char *twice = kb_xasprintf("%s%s", text, strstr(text, "- id: "));
	write_text(p, twice);
	free(twice);
	free(text);
	assert_int_equal(kb_manifest_load(p, NULL, &m), -KB_EPARSE);
	write_text(p, "- just\n- a list\n");
	assert_int_equal(kb_manifest_load(p, NULL, &m), -KB_EPARSE);
	assert_int_equal(kb_rm_rf(dir), 0);
	assert_true(kb_manifest_load(p, NULL, &m) < 0);	/* missing file */
	free(p);
	free(dir);
}

/* ---- alternates: the other files that satisfy a header's dependency ---- */


static char *mutate2(const char *id, const char *from, const char *to)
{
	char *t1 = mutate(id, "format: kbundle-manifest 1", "format: kbundle-manifest 2");
	char *t2 = kb_xasprintf("%.*s  family: apt\n%s", (int)(strstr(t1, "  upstream:") - t1), t1,
				strstr(t1, "  upstream:"));
	char *t3 = kb_xasprintf("%s", t2), *at, *out;

	free(t3);
	t3 = kb_xasprintf("%.*s    satisfies: \">= 6.1.170-1\"\n    alternates:\n"
			  "    - version: \"6.1.170-1\"\n      arch: amd64\n"
			  "      path: pool/main/l/linux/y.deb\n      size: 17\n"
			  "      sha256: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n%s",
			  (int)(strstr(t2, "  images:") - t2), t2, strstr(t2, "  images:"));
	at = strstr(t3, from);
	assert_non_null(at);
	out = kb_xasprintf("%.*s%s%s", (int)(at - t3), t3, to, at + strlen(from));
	free(t1);
	free(t2);
	free(t3);
	return out;
}

static void test_alternates_load_errors(void **state)
{
	char *dir = tmpdir_new(), *p = kb_path_join(dir, "m.yml"), *text;
	struct kb_mpkg h = { 0 };
	struct kb_bundle_entry e = { .headers = &h, .nheaders = 1 };
	struct kb_manifest m = { 0 };
	static const char *const bad[][2] = {
		{ "satisfies: \">= 6.1.170-1\"", "satisfies: \"~ 6.1\"" },	/* no such op */
		{ "satisfies: \">= 6.1.170-1\"", "satisfies: \">=6.1\"" },	/* no blank */
		{ "satisfies: \">= 6.1.170-1\"", "satisfies: \">= a b\"" },	/* bad version */
		{ "satisfies: \">= 6.1.170-1\"", "satisfies: [x]" },
		{ "      size: 17\n", "" },					/* missing */
		{ "      size: 17\n", "      size: 17\n      kind: kbuild\n" },	/* unknown */
		{ "bbbbbbbb", "BBBBBBBB" },
		{ "path: pool/main/l/linux/y.deb", "path: ../y.deb" },
		{ "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },	/* itself */
		{ "    alternates:\n    - version: \"6.1.170-1\"\n      arch: amd64\n"
		  "      path: pool/main/l/linux/y.deb\n      size: 17\n      sha256: "
		  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n",
		  "    alternates: []\n" },					/* empty */
		{ "  images: []", "  images:\n  - name: i\n    version: \"1\"\n    arch: amd64\n"
		  "    kind: image\n    path: i.deb\n    size: 1\n    sha256: " SHA_A "\n"
		  "    satisfies: \"= 1\"" },					/* on an image */
	};

	(void)state;
	memcpy(h.sha256, SHA_A, 65);
	kb_bundle_id(&e);
	text = mutate2(e.id, "format", "format");
	write_text(p, text);
	free(text);
	assert_int_equal(kb_manifest_load(p, NULL, &m), 0);
	assert_int_equal(m.v[0].headers[0].nalternates, 1);
	assert_string_equal(m.v[0].headers[0].alternates[0].version, "6.1.170-1");
	assert_int_equal(m.v[0].headers[0].alternates[0].size, 17);
	kb_manifest_free(&m);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = mutate2(e.id, bad[i][0], bad[i][1]);
		write_text(p, text);
		free(text);
		assert_int_equal(kb_manifest_load(p, NULL, &m), -KB_EPARSE);
		assert_int_equal(m.n, 0);
	}
	/* format 1 has no such keys */
	text = mutate2(e.id, "format: kbundle-manifest 2", "format: kbundle-manifest 1");
	{
		char *fam = strstr(text, "  family: apt\n");

		memmove(fam, fam + 14, strlen(fam + 14) + 1);
	}
	write_text(p, text);
	free(text);
	assert_int_equal(kb_manifest_load(p, NULL, &m), -KB_EPARSE);
	assert_int_equal(kb_rm_rf(dir), 0);
	free(p);
	free(dir);
}

/* ---- building from lists/ and upstreams/ ------------------------------ */


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_alternates_load_errors),
	};

	kb_log_set_level(KB_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
