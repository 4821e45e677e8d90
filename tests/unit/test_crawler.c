/* test_crawler.c — unit tests for crawler/: upstream files, package lists and
 * their version order. No network. */
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
#include "crawler/upstream.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/vercmp.h"

/* ---- helpers ---------------------------------------------------------- */

static char *tmpdir_new(void)
{
	char *d = kb_xstrdup("/tmp/kb-test-crawler-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static char *write_file(const char *dir, const char *name, const char *text)
{
	char *p = kb_path_join(dir, name);

	assert_int_equal(kb_file_write_atomic(p, text, strlen(text)), 0);
	return p;
}

static char *read_all(const char *path)
{
	char *buf = NULL;

	assert_int_equal(kb_file_read(path, 1 << 20, &buf, NULL), 0);
	return buf;
}

/* ---- upstream files --------------------------------------------------- */

static const char upstream_ok[] = "distro: debian\n"
				  "family: apt\n"
				  "release: \"12\"\n"
				  "enabled: true\n"
				  "architectures: [amd64, arm64]\n"
				  "mirrors: [apt-sources, \"http://127.0.0.1:8080/debian/\"]\n"
				  "suites: [bookworm, bookworm-security]\n"
				  "components: [main]\n"
				  "keyring: keys/test.gpg\n";

static void test_upstream_load(void **state)
{
	char *dir = tmpdir_new(), *p = write_file(dir, "debian-12.yml", upstream_ok), *m;
	struct kb_upstream u;
	struct kb_strv all;

	(void)state;
	assert_int_equal(kb_upstream_load(p, NULL, &u), 0);
	assert_string_equal(u.name, "debian-12");
	assert_string_equal(u.distro, "debian");
	assert_int_equal(u.family, KB_FAMILY_APT);
	assert_string_equal(u.release, "12");
	assert_true(u.enabled);
	assert_int_equal(u.archs.n, 2);
	assert_string_equal(u.archs.v[1], "arm64");
	assert_int_equal(u.mirrors.n, 2);
	assert_string_equal(u.mirrors.v[0], "apt-sources");
	assert_string_equal(u.mirrors.v[1], "http://127.0.0.1:8080/debian");
	assert_int_equal(u.suites.n, 2);
	assert_int_equal(u.components.n, 1);
	assert_false(u.unsigned_ok);
	m = kb_xasprintf("%s/keys/test.gpg", dir);
	assert_string_equal(u.keyring, m);
	free(m);
	m = kb_upstream_mirror(&u, 1, "bookworm");
	assert_string_equal(m, "http://127.0.0.1:8080/debian");
	free(m);
	/* apt-sources resolves per suite from a fake apt configuration */
	{
		char *etc = kb_path_join(dir, "etc/apt/sources.list.d");

		assert_int_equal(kb_mkdir_p(etc, 0755), 0);
		free(write_file(etc, "x.sources",
				"Types: deb\nURIs: http://127.0.0.2/debian\nSuites: bookworm\n"
				"Components: main\n\nTypes: deb\nURIs: http://127.0.0.2/sec\n"
				"Suites: bookworm-security\nComponents: main\n"));
		free(etc);
		setenv("KB_APT_ROOT", dir, 1);
		m = kb_upstream_mirror(&u, 0, "bookworm-security");
		assert_string_equal(m, "http://127.0.0.2/sec");
		free(m);
		assert_int_equal(kb_upstream_mirrors_all(&u, &all), 0);
		assert_int_equal(all.n, 3);
		assert_string_equal(all.v[0], "http://127.0.0.2/debian");
		assert_string_equal(all.v[1], "http://127.0.0.2/sec");
		assert_string_equal(all.v[2], "http://127.0.0.1:8080/debian");
		kb_strv_free(&all);
		unsetenv("KB_APT_ROOT");
	}
	kb_upstream_free(&u);
	free(p);
	kb_rm_rf(dir);
	free(dir);
}

struct bad_upstream {
	const char *text;
};

static void test_upstream_errors(void **state)
{
	static const char *const bad[] = {
		/* unknown key (a typo) */
		"distro: debian\nfamily: apt\nrelease: '12'\narchitectures: [amd64]\n"
		"mirrors: [apt-sources]\nsuites: [bookworm]\ncomponents: [main]\n"
		"keyring: none\nsuite: [x]\n",
		/* missing keyring: unsigned must be explicit */
		"distro: debian\nfamily: apt\nrelease: '12'\narchitectures: [amd64]\n"
		"mirrors: [apt-sources]\nsuites: [bookworm]\ncomponents: [main]\n",
		/* bad family */
		"distro: debian\nfamily: deb\nrelease: '12'\narchitectures: [amd64]\n"
		"mirrors: [apt-sources]\nsuites: [bookworm]\ncomponents: [main]\nkeyring: none\n",
		/* mirror that is not a URL */
		"distro: debian\nfamily: apt\nrelease: '12'\narchitectures: [amd64]\n"
		"mirrors: [ftp://x]\nsuites: [bookworm]\ncomponents: [main]\nkeyring: none\n",
		/* path traversal in a suite */
		"distro: debian\nfamily: apt\nrelease: '12'\narchitectures: [amd64]\n"
		"mirrors: [apt-sources]\nsuites: [../x]\ncomponents: [main]\nkeyring: none\n",
		/* empty list */
		"distro: debian\nfamily: apt\nrelease: '12'\narchitectures: []\n"
		"mirrors: [apt-sources]\nsuites: [bookworm]\ncomponents: [main]\nkeyring: none\n",
		/* enabled not a boolean */
		"distro: debian\nfamily: apt\nrelease: '12'\nenabled: yes-please\n"
		"architectures: [amd64]\nmirrors: [apt-sources]\nsuites: [bookworm]\n"
		"components: [main]\nkeyring: none\n",
		/* apt without suites */
		"distro: debian\nfamily: apt\nrelease: '12'\narchitectures: [amd64]\n"
		"mirrors: [apt-sources]\ncomponents: [main]\nkeyring: none\n",
		/* key given twice */
		"distro: debian\ndistro: ubuntu\nfamily: apt\n",
		/* not a mapping */
		"- a\n- b\n",
		/* YAML syntax error */
		"distro: [debian\n",
	};
	char *dir = tmpdir_new();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kb_upstream u;
		char *p = write_file(dir, "bad.yml", bad[i]);

		assert_int_not_equal(kb_upstream_load(p, NULL, &u), 0);
		free(p);
	}
	{ /* explicit unsigned loads, with keyring NULL */
		struct kb_upstream u;
		char *p = write_file(dir, "unsigned.yml",
				     "distro: debian\nfamily: apt\nrelease: '12'\n"
				     "architectures: amd64\nmirrors: [apt-sources]\n"
				     "suites: [bookworm]\ncomponents: [main]\nkeyring: none\n"
				     "enabled: false\n");

		assert_int_equal(kb_upstream_load(p, NULL, &u), 0);
		assert_null(u.keyring);
		assert_true(u.unsigned_ok);
		assert_false(u.enabled);
		assert_int_equal(u.archs.n, 1);
		kb_upstream_free(&u);
		free(p);
	}
	kb_rm_rf(dir);
	free(dir);
}

static void test_upstream_load_dir(void **state)
{
	char *dir = tmpdir_new();
	struct kb_upstream *v;
	size_t n;

	(void)state;
	free(write_file(dir, "b.yml", upstream_ok));
	free(write_file(dir, "a.yml", upstream_ok));
	free(write_file(dir, "notes.txt", "not yaml"));
	assert_int_equal(kb_upstream_load_dir(dir, NULL, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "a");
	assert_string_equal(v[1].name, "b");
	kb_upstreams_free(v, n);
	free(write_file(dir, "c.yml", "distro: x\n"));
	assert_int_not_equal(kb_upstream_load_dir(dir, NULL, &v, &n), 0);
	assert_int_equal(n, 0);
	kb_rm_rf(dir);
	free(dir);
}

/* ---- package lists ---------------------------------------------------- */

static void add_pkg(struct kb_pkglist *l, const char *name, const char *ver, const char *arch,
		    enum kb_kind kind, const char *rel, char shachar)
{
	struct kb_pkg *p = kb_pkglist_add(l);

	p->name = kb_xstrdup(name);
	p->version = kb_xstrdup(ver);
	p->arch = kb_xstrdup(arch);
	p->kind = kind;
	p->release = kb_xstrdup(rel);
	p->path = kb_xasprintf("pool/main/l/linux/%s_%s_%s.deb", name, ver, arch);
	p->size = 12345;
	memset(p->sha256, shachar, 64);
	p->sha256[64] = '\0';
	p->depends = kb_xstrdup(kind == KB_KIND_HEADERS ? "linux-kbuild-6.1 (>= 6.1.164-1)" : "");
}

static void test_pkglist_roundtrip(void **state)
{
	char *dir = tmpdir_new(), *p = kb_path_join(dir, "x.list"), *text1, *text2;
	struct kb_pkglist prev = { 0 }, fresh = { 0 }, back = { 0 };

	(void)state;
	/* a missing list reads as empty */
	assert_int_equal(kb_pkglist_read(p, &prev), 0);
	assert_int_equal(prev.n, 0);
	add_pkg(&fresh, "linux-headers-6.1.0-47-amd64", "6.1.164-1", "amd64", KB_KIND_HEADERS,
		"6.1.0-47-amd64", 'a');
	add_pkg(&fresh, "linux-headers-6.1.0-46-amd64", "6.1.158-1", "amd64", KB_KIND_HEADERS,
		"6.1.0-46-amd64", 'b');
	add_pkg(&fresh, "linux-kbuild-6.1", "6.1.164-1", "amd64", KB_KIND_KBUILD, "6.1", 'c');
	add_pkg(&fresh, "linux-kbuild-6.1", "6.1.99-1", "amd64", KB_KIND_KBUILD, "6.1", 'd');
	add_pkg(&fresh, "linux-kbuild-6.1", "6.1.164-1", "amd64", KB_KIND_KBUILD, "6.1", 'c');
	assert_int_equal(kb_pkglist_merge(&prev, &fresh, "2026-01-01"), 0);
	assert_int_equal(prev.n, 4);	/* the duplicate folded */
	assert_int_equal(fresh.n, 0);
	assert_int_equal(kb_pkglist_write(p, &prev), 0);
	/* sorted by name, then version by Debian rules (6.1.99 < 6.1.164) */
	assert_string_equal(prev.v[0].name, "linux-headers-6.1.0-46-amd64");
	assert_string_equal(prev.v[2].version, "6.1.99-1");
	assert_string_equal(prev.v[3].version, "6.1.164-1");
	text1 = read_all(p);
	{
		static const char hdr[] = "#kbundle-list 1\tname\tversion\tarch\tkind\trelease\t"
					  "path\tsize\tsha256\tdepends\tfirst_seen\tlast_seen\t"
					  "present\n";

		assert_memory_equal(text1, hdr, sizeof(hdr) - 1);
	}

	/* a later crawl: 46 vanished, 48 new */
	assert_int_equal(kb_pkglist_read(p, &back), 0);
	assert_int_equal(back.n, 4);
	assert_string_equal(back.v[0].depends, "linux-kbuild-6.1 (>= 6.1.164-1)");
	assert_string_equal(back.v[2].depends, "");
	add_pkg(&fresh, "linux-headers-6.1.0-47-amd64", "6.1.164-1", "amd64", KB_KIND_HEADERS,
		"6.1.0-47-amd64", 'a');
	add_pkg(&fresh, "linux-headers-6.1.0-48-amd64", "6.1.170-1", "amd64", KB_KIND_HEADERS,
		"6.1.0-48-amd64", 'e');
	add_pkg(&fresh, "linux-kbuild-6.1", "6.1.164-1", "amd64", KB_KIND_KBUILD, "6.1", 'c');
	add_pkg(&fresh, "linux-kbuild-6.1", "6.1.99-1", "amd64", KB_KIND_KBUILD, "6.1", 'd');
	assert_int_equal(kb_pkglist_merge(&back, &fresh, "2026-02-02"), 1);	/* 46 */
	assert_int_equal(kb_pkglist_write(p, &back), 0);
	assert_int_equal(back.n, 5);
	assert_string_equal(back.v[0].name, "linux-headers-6.1.0-46-amd64");
	assert_false(back.v[0].present);
	assert_string_equal(back.v[0].last_seen, "2026-01-01");
	assert_true(back.v[1].present);
	assert_string_equal(back.v[1].first_seen, "2026-01-01");
	assert_string_equal(back.v[1].last_seen, "2026-02-02");
	assert_string_equal(back.v[2].first_seen, "2026-02-02");

	/* writing what was read gives the same bytes */
	kb_pkglist_free(&prev);
	assert_int_equal(kb_pkglist_read(p, &prev), 0);
	text2 = read_all(p);
	assert_int_equal(kb_pkglist_write(p, &prev), 0);
	free(text1);
	text1 = read_all(p);
	assert_string_equal(text1, text2);
	free(text1);
	free(text2);
	kb_pkglist_free(&prev);
	kb_pkglist_free(&back);
	kb_pkglist_free(&fresh);
	free(p);
	kb_rm_rf(dir);
	free(dir);
}

static void test_pkglist_bad(void **state)
{
	static const char hdr[] = "#kbundle-list 1\tname\tversion\tarch\tkind\trelease\tpath\tsize\t"
				  "sha256\tdepends\tfirst_seen\tlast_seen\tpresent\n";
	static const char *const bad[] = {
		"#kbundle-list 2\tname\n",
		"",
		"%sa\tb\n",
		"%slinux-kbuild-6.1\t1\tamd64\tkbuild\t6.1\tpool/x.deb\t12\tABC\t\t2026-01-01\t"
		"2026-01-01\t1\n",
		"%slinux-kbuild-6.1\t1\tamd64\tnope\t6.1\tpool/x.deb\t12\t%s\t\t2026-01-01\t"
		"2026-01-01\t1\n",
		"%slinux-kbuild-6.1\t1\tamd64\tkbuild\t6.1\tpool/x.deb\t-1\t%s\t\t2026-01-01\t"
		"2026-01-01\t1\n",
		"%slinux-kbuild-6.1\t1\tamd64\tkbuild\t6.1\tpool/x.deb\t12\t%s\t\t2026-1-01\t"
		"2026-01-01\t1\n",
		"%slinux-kbuild-6.1\t1\tamd64\tkbuild\t6.1\tpool/x.deb\t12\t%s\t\t2026-01-01\t"
		"2026-01-01\t2\n",
		"%slinux-kbuild-6.1\t1\tamd64\tkbuild\t6.1\tpool/x.deb\t12\t%s\t\t2026-01-01\t"
		"2026-01-01\t1\textra\n",
		"%slinux-kbuild-6.1\t1\tamd64\tkbuild\t6.1\tpool/x.deb\t12\t%s\t\t2026-01-01\t"
		"2026-01-01\t1", /* truncated: no final newline */
	};
	char sha[65], *dir = tmpdir_new();

	(void)state;
	memset(sha, 'f', 64);
	sha[64] = '\0';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kb_pkglist l;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		char *text = kb_xasprintf(bad[i], hdr, sha), *p = write_file(dir, "bad.list", text);
#pragma GCC diagnostic pop

		if (kb_pkglist_read(p, &l) == 0)
			fail_msg("bad list %zu read without error", i);
		assert_int_equal(l.n, 0);
		free(p);
		free(text);
	}
	{ /* the good form of the same line reads */
		struct kb_pkglist l;
		char *text = kb_xasprintf("%slinux-kbuild-6.1\t1\tamd64\tkbuild\t6.1\tpool/x.deb\t"
					  "12\t%s\t\t2026-01-01\t2026-01-01\t1\n",
					  hdr, sha),
		     *p = write_file(dir, "good.list", text);

		assert_int_equal(kb_pkglist_read(p, &l), 0);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.v[0].size, 12);
		kb_pkglist_free(&l);
		free(p);
		free(text);
	}
	kb_rm_rf(dir);
	free(dir);
}

/* Lists sort versions the way apt does. */
static void test_version_order(void **state)
{
	(void)state;
	assert_true(kb_deb_vercmp("6.1.164-1", "6.1.99-1") > 0);
	assert_true(kb_deb_vercmp("6.12.117-1~deb12u1", "6.12.117-1") < 0);
	assert_true(kb_deb_vercmp("5.15.0-100.110", "5.15.0-91.101") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_load),
		cmocka_unit_test(test_upstream_errors),
		cmocka_unit_test(test_upstream_load_dir),
		cmocka_unit_test(test_pkglist_roundtrip),
		cmocka_unit_test(test_pkglist_bad),
		cmocka_unit_test(test_version_order),
	};

	kb_log_set_level(getenv("KB_TEST_VERBOSE") ? KB_LOG_DEBUG : KB_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
