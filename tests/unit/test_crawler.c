/* test_crawler.c — unit tests for crawler/: upstream files, package lists,
 * Release and Packages parsing, kernel package recognisers. No network. */
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
#include "crawler/pkglist.h"
#include "crawler/recognise_deb.h"
#include "crawler/upstream.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/gpgv.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/stream.h"
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
	assert_int_equal(kb_upstream_load(p, &u), 0);
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

		assert_int_not_equal(kb_upstream_load(p, &u), 0);
		free(p);
	}
	{ /* explicit unsigned loads, with keyring NULL */
		struct kb_upstream u;
		char *p = write_file(dir, "unsigned.yml",
				     "distro: debian\nfamily: apt\nrelease: '12'\n"
				     "architectures: amd64\nmirrors: [apt-sources]\n"
				     "suites: [bookworm]\ncomponents: [main]\nkeyring: none\n"
				     "enabled: false\n");

		assert_int_equal(kb_upstream_load(p, &u), 0);
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
	assert_int_equal(kb_upstream_load_dir(dir, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "a");
	assert_string_equal(v[1].name, "b");
	kb_upstreams_free(v, n);
	free(write_file(dir, "c.yml", "distro: x\n"));
	assert_int_not_equal(kb_upstream_load_dir(dir, &v, &n), 0);
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
	kb_pkglist_merge(&prev, &fresh, "2026-01-01");
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
	kb_pkglist_merge(&back, &fresh, "2026-02-02");
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
	err = kb_stream_open_mem(text, len, 1u << 30, &s);
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

/* Lists sort versions the way apt does. */
static void test_version_order(void **state)
{
	(void)state;
	assert_true(kb_deb_vercmp("6.1.164-1", "6.1.99-1") > 0);
	assert_true(kb_deb_vercmp("6.12.117-1~deb12u1", "6.12.117-1") < 0);
	assert_true(kb_deb_vercmp("5.15.0-100.110", "5.15.0-91.101") > 0);
}

/* ---- gpgv, with a throwaway key --------------------------------------- */

static int run(const char *const argv[])
{
	struct kb_proc_opts o = { .timeout_ms = 60000 };
	struct kb_proc_result r = { 0 };
	int err = kb_proc_run(argv, &o, &r);

	if (err)
		print_error("%s: %s\n", argv[0], r.output ? r.output : "");
	free(r.output);
	return err;
}

static void test_gpgv(void **state)
{
	char *dir = tmpdir_new(), *home = kb_path_join(dir, "gnupg");
	char *data = write_file(dir, "Release", "Suite: x\n"), *kr = kb_path_join(dir, "k.gpg");
	char *inrel = kb_path_join(dir, "InRelease"), *sig = kb_path_join(dir, "Release.gpg");
	char *out = kb_path_join(dir, "out"), *why = NULL, *text;
	char *other = kb_path_join(dir, "other.gpg");

	(void)state;
	assert_int_equal(kb_mkdir_p(home, 0700), 0);
	{
		const char *gen[] = { "gpg", "--homedir", home, "--batch", "--passphrase", "",
				      "--quick-gen-key", "kbundle test <t@kbundle.invalid>",
				      "ed25519", "sign", "never", NULL };
		const char *exp[] = { "gpg", "--homedir", home, "--batch", "--output", kr,
				      "--export", NULL };
		const char *cs[] = { "gpg", "--homedir", home, "--batch", "--output", inrel,
				     "--clearsign", data, NULL };
		const char *ds[] = { "gpg", "--homedir", home, "--batch", "--output", sig,
				     "--detach-sign", data, NULL };

		if (run(gen))
			skip();
		assert_int_equal(run(exp), 0);
		assert_int_equal(run(cs), 0);
		assert_int_equal(run(ds), 0);
	}
	assert_int_equal(kb_gpgv_verify(kr, inrel, NULL, out, &why), 0);
	text = read_all(out);
	assert_string_equal(text, "Suite: x\n");
	free(text);
	assert_int_equal(kb_gpgv_verify_detached(kr, data, sig), 0);
	/* tampered data: bad signature, with gpgv's words */
	free(write_file(dir, "Release", "Suite: y\n"));
	assert_int_equal(kb_gpgv_verify(kr, data, sig, NULL, &why), -KB_EBADSIG);
	assert_non_null(why);
	assert_non_null(strstr(why, "BAD signature"));
	free(why);
	/* a file that is not signed at all */
	assert_int_equal(kb_gpgv_verify(kr, data, NULL, out, &why), -KB_EBADSIG);
	free(why);
	/* a keyring without the signer */
	free(write_file(dir, "other.gpg", ""));
	assert_int_equal(kb_gpgv_verify(other, inrel, NULL, out, &why), -KB_EBADSIG);
	free(why);
	/* a missing keyring */
	assert_int_not_equal(kb_gpgv_verify("/nonexistent.gpg", inrel, NULL, out, &why), 0);
	free(why);
	kb_rm_rf(dir);
	free(dir);
	free(home);
	free(data);
	free(kr);
	free(inrel);
	free(sig);
	free(out);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_load),
		cmocka_unit_test(test_upstream_errors),
		cmocka_unit_test(test_upstream_load_dir),
		cmocka_unit_test(test_pkglist_roundtrip),
		cmocka_unit_test(test_pkglist_bad),
		cmocka_unit_test(test_release_parse),
		cmocka_unit_test(test_release_bad),
		cmocka_unit_test(test_packages_parse),
		cmocka_unit_test(test_packages_bad),
		cmocka_unit_test(test_packages_chunks),
		cmocka_unit_test(test_recognise_debian),
		cmocka_unit_test(test_recognise_ubuntu),
		cmocka_unit_test(test_version_order),
		cmocka_unit_test(test_gpgv),
	};

	kb_log_set_level(getenv("KB_TEST_VERBOSE") ? KB_LOG_DEBUG : KB_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
