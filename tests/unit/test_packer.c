/* test_packer.c — unit tests for the packer's pieces: archive entry checks
 * (lib/archive_safe), the in-memory tree and its link resolution, the
 * Debian-style layout fix-up, the containment check, the reproducible
 * tarball writer, and lib/json. Archives are built in memory with
 * libarchive; nothing touches the network. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "lib/archive_safe.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/log.h"
#include "packer/layout.h"
#include "packer/tarball.h"
#include "packer/tree.h"

static void test_paths(void **state)
{
	char *p;

	(void)state;
	p = kb_path_normalize("./a//b/./c/");
	assert_string_equal(p, "a/b/c");
	free(p);
	assert_null(kb_path_normalize("../x"));
	assert_null(kb_path_normalize("a/../b"));
	assert_null(kb_path_normalize("/etc/passwd"));

	p = kb_link_resolve("a/b/c", "../d");
	assert_string_equal(p, "a/d");
	free(p);
	p = kb_link_resolve("a/b", "/usr/x");
	assert_string_equal(p, "usr/x");
	free(p);
	assert_null(kb_link_resolve("a/b", "../../x"));
	assert_null(kb_link_resolve("a", "../etc/passwd"));

	p = kb_link_relative("usr/src/h/scripts", "usr/src/h/x/y");
	assert_string_equal(p, "x/y");
	free(p);
	p = kb_link_relative("a/b/c", "a/d");
	assert_string_equal(p, "../d");
	free(p);
	p = kb_link_relative("a/b/c", "a/b");
	assert_string_equal(p, ".");
	free(p);
	p = kb_link_relative("a/bc/l", "a/b/x");
	assert_string_equal(p, "../b/x");
	free(p);
	p = kb_link_relative("top", "usr/x");
	assert_string_equal(p, "usr/x");
	free(p);
}

/* Build one tar entry header in memory and run the check on it. */
static int check_one(const char *path, mode_t type, unsigned perm, const char *link, int hard,
		     const struct kb_archive_limits *lim, struct kb_safe_entry *se)
{
	struct archive_entry *e = archive_entry_new();
	struct kb_archive_guard g;
	int err;

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	if (link && hard)
		archive_entry_set_hardlink(e, link);
	else if (link)
		archive_entry_set_symlink(e, link);
	kb_archive_guard_init(&g, "test.deb", 1000, lim);
	err = kb_archive_check_entry(&g, e, se);
	archive_entry_free(e);
	return err;
}

static void test_archive_safe(void **state)
{
	struct kb_archive_limits pkg = { .allow_abs_symlinks = true }, strict = { 0 };
	struct kb_safe_entry se;

	(void)state;
	assert_int_equal(check_one("./usr/src/x.h", AE_IFREG, 04755, NULL, 0, &pkg, &se), 0);
	assert_string_equal(se.path, "usr/src/x.h");
	assert_int_equal(se.mode, 0755);	/* setuid stripped */
	kb_safe_entry_free(&se);
	assert_int_equal(check_one("d/", AE_IFDIR, 03777, NULL, 0, &pkg, &se), 0);
	assert_int_equal(se.mode, 0777);	/* setgid and sticky stripped */
	kb_safe_entry_free(&se);

	assert_int_equal(check_one("../../etc/x", AE_IFREG, 0644, NULL, 0, &pkg, &se), -KB_EUNSAFE);
	assert_int_equal(check_one("/etc/x", AE_IFREG, 0644, NULL, 0, &pkg, &se), -KB_EUNSAFE);
	assert_int_equal(check_one("a/../../x", AE_IFREG, 0644, NULL, 0, &pkg, &se), -KB_EUNSAFE);
	assert_int_equal(check_one("dev/sda", AE_IFBLK, 0644, NULL, 0, &pkg, &se), -KB_EUNSAFE);
	assert_int_equal(check_one("dev/tty", AE_IFCHR, 0644, NULL, 0, &pkg, &se), -KB_EUNSAFE);
	assert_int_equal(check_one("fifo", AE_IFIFO, 0644, NULL, 0, &pkg, &se), -KB_EUNSAFE);
	assert_int_equal(check_one("sock", AE_IFSOCK, 0644, NULL, 0, &pkg, &se), -KB_EUNSAFE);
	/* links */
	assert_int_equal(check_one("a/l", AE_IFLNK, 0777, "../../etc/passwd", 0, &pkg, &se),
			 -KB_EUNSAFE);
	assert_int_equal(check_one("a/l", AE_IFLNK, 0777, "/etc/passwd", 0, &strict, &se),
			 -KB_EUNSAFE);
	assert_int_equal(check_one("a/l", AE_IFLNK, 0777, "/usr/src/x", 0, &pkg, &se), 0);
	kb_safe_entry_free(&se);
	assert_int_equal(check_one("a/b/l", AE_IFLNK, 0777, "../c", 0, &strict, &se), 0);
	assert_string_equal(se.link, "../c");
	kb_safe_entry_free(&se);
	assert_int_equal(check_one("h", AE_IFREG, 0644, "/etc/passwd", 1, &pkg, &se), -KB_EUNSAFE);
	assert_int_equal(check_one("h", AE_IFREG, 0644, "../etc/passwd", 1, &pkg, &se), -KB_EUNSAFE);
	assert_int_equal(check_one("h", AE_IFREG, 0644, "./a/b", 1, &pkg, &se), 0);
	assert_int_equal(se.type, KB_ENTRY_HARDLINK);
	assert_string_equal(se.link, "a/b");
	kb_safe_entry_free(&se);

	/* limits */
	struct kb_archive_limits small = { .max_path = 8 };
	assert_int_equal(check_one("a/very/long/path", AE_IFREG, 0644, NULL, 0, &small, &se),
			 -KB_ELIMIT);
	struct kb_archive_guard g;
	kb_archive_guard_init(&g, "bomb.deb", 1000, NULL);
	assert_int_equal(kb_archive_account(&g, "zeros", 1u << 20), 0);	/* under the floor */
	assert_int_equal(kb_archive_account(&g, "zeros", 100u << 20), -KB_ELIMIT); /* ratio */
	struct kb_archive_limits tot = { .max_total = 100 };
	kb_archive_guard_init(&g, "big.deb", 0, &tot);
	assert_int_equal(kb_archive_account(&g, "x", 100), 0);
	assert_int_equal(kb_archive_account(&g, "x", 1), -KB_ELIMIT);
	struct kb_archive_limits two = { .max_entries = 2 };
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "f");
	archive_entry_set_filetype(e, AE_IFREG);
	kb_archive_guard_init(&g, "many.deb", 0, &two);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(kb_archive_check_entry(&g, e, &se), 0);
		kb_safe_entry_free(&se);
	}
	assert_int_equal(kb_archive_check_entry(&g, e, &se), -KB_ELIMIT);
	archive_entry_free(e);
}

static void put_file(struct kb_tree *t, const char *path, const char *text)
{
	kb_tree_put(t, path, KB_NODE_FILE, 0644, NULL, strdup(text), strlen(text), true);
}

static void put_link(struct kb_tree *t, const char *path, const char *to)
{
	kb_tree_put(t, path, KB_NODE_SYMLINK, 0777, to, NULL, 0, false);
}

static void test_tree_resolve(void **state)
{
	struct kb_tree t;
	char *out = NULL;

	(void)state;
	kb_tree_init(&t);
	put_file(&t, "usr/lib/kb/scripts/x", "x");
	put_link(&t, "usr/src/h/scripts", "../../lib/kb/scripts");
	put_link(&t, "usr/src/abs", "/usr/src/h");
	put_link(&t, "loop1", "loop2");
	put_link(&t, "loop2", "loop1");
	put_link(&t, "usr/esc", "../../../etc");
	kb_tree_sort(&t);
	assert_int_equal(kb_tree_resolve(&t, "usr/src/h/scripts/x", &out), 0);
	assert_string_equal(out, "usr/lib/kb/scripts/x");
	free(out);
	assert_int_equal(kb_tree_resolve(&t, "usr/src/abs/scripts", &out), 0);
	assert_string_equal(out, "usr/lib/kb/scripts");
	free(out);
	assert_int_equal(kb_tree_resolve(&t, "loop1", &out), -ELOOP);
	assert_int_equal(kb_tree_resolve(&t, "usr/esc/passwd", &out), -KB_EUNSAFE);
	assert_true(kb_tree_is_dir(&t, "usr/lib"));
	assert_false(kb_tree_is_dir(&t, "usr/lib/kb/scripts/x"));
	size_t lo, hi;
	kb_tree_subtree(&t, "usr/lib", &lo, &hi);
	assert_int_equal(hi - lo, 1);
	kb_tree_free(&t);
}

/* A Debian-shaped tree in miniature: flavour dir, -common, kbuild. */
static void debian_like(struct kb_tree *t)
{
	kb_tree_init(t);
	put_file(t, "usr/src/linux-headers-1.0-1-amd64/Makefile",
		 "include /usr/src/linux-headers-1.0-1-common/Makefile\n");
	put_file(t, "usr/src/linux-headers-1.0-1-amd64/.config", "CONFIG_CC_VERSION_TEXT=\"gcc\"\n");
	put_file(t, "usr/src/linux-headers-1.0-1-amd64/arch/x86/include/generated/g.h", "g");
	put_link(t, "usr/src/linux-headers-1.0-1-amd64/scripts", "../../lib/linux-kbuild-1.0/scripts");
	put_file(t, "usr/src/linux-headers-1.0-1-common/Makefile", "VERSION = 1\nPATCHLEVEL = 0\n");
	put_file(t, "usr/src/linux-headers-1.0-1-common/include/linux/a.h", "a");
	put_link(t, "usr/src/linux-headers-1.0-1-common/include/linux/b.h", "a.h");
	put_file(t, "usr/src/linux-headers-1.0-1-common/arch/x86/Makefile", "x86");
	put_file(t, "usr/src/linux-headers-1.0-1-common/arch/arm/Makefile", "arm");
	put_link(t, "usr/src/linux-headers-1.0-1-common/scripts", "../../lib/linux-kbuild-1.0/scripts");
	put_file(t, "usr/lib/linux-kbuild-1.0/scripts/Makefile.build", "build");
	put_link(t, "usr/lib/linux-kbuild-1.0/scripts/Makefile.alias", "Makefile.build");
	put_link(t, "lib/modules/1.0-1-amd64/build", "/usr/src/linux-headers-1.0-1-amd64");
	kb_tree_sort(t);
}

static void test_layout_debian(void **state)
{
	const char *root = "usr/src/linux-headers-1.0-1-amd64";
	struct kb_layout_opts o = { .name = "t", .src_root = root, .dst_root = root, .karch = "x86" };
	struct kb_tree src, out;
	const struct kb_node *n;

	(void)state;
	debian_like(&src);
	kb_tree_init(&out);
	assert_int_equal(kb_layout_build(&src, &o, &out), 0);
	n = kb_tree_get(&out, "usr/src/linux-headers-1.0-1-amd64/Makefile");
	assert_non_null(n);
	assert_int_equal(n->size, strlen("VERSION = 1\nPATCHLEVEL = 0\n"));
	assert_memory_equal(n->data, "VERSION = 1\nPATCHLEVEL = 0\n", n->size);
	n = kb_tree_get(&out, "usr/src/linux-headers-1.0-1-amd64/scripts/Makefile.build");
	assert_non_null(n);
	assert_int_equal(n->type, KB_NODE_FILE);
	/* a link inside a materialized directory stays a relative link */
	n = kb_tree_get(&out, "usr/src/linux-headers-1.0-1-amd64/scripts/Makefile.alias");
	assert_non_null(n);
	assert_int_equal(n->type, KB_NODE_SYMLINK);
	assert_string_equal(n->link, "Makefile.build");
	n = kb_tree_get(&out, "usr/src/linux-headers-1.0-1-amd64/include/linux/b.h");
	assert_int_equal(n->type, KB_NODE_SYMLINK);
	assert_string_equal(n->link, "a.h");
	assert_non_null(kb_tree_get(&out, "usr/src/linux-headers-1.0-1-amd64/arch/x86/Makefile"));
	assert_non_null(kb_tree_get(&out, "usr/src/linux-headers-1.0-1-amd64/arch/x86/include/generated/g.h"));
	assert_null(kb_tree_get(&out, "usr/src/linux-headers-1.0-1-amd64/arch/arm/Makefile"));
	assert_null(kb_tree_get(&out, "lib/modules/1.0-1-amd64/build"));
	assert_non_null(kb_tree_get(&out, "usr/src"));
	assert_int_equal(kb_tree_check_contained(&out, root, "t"), 0);
	kb_tree_free(&out);
	kb_tree_free(&src);
}

/* Debian 13's 7.x flavour Makefile, as in linux-headers-7.3.4+deb13-amd64:
 * "KBUILD_OUTPUT=/usr/src/<itself>" then the include of -common. The
 * bundle's Makefile keeps neither; a KBUILD_OUTPUT naming another tree
 * stays, and the containment check then refuses it. */
static void test_layout_debian_7x(void **state)
{
	const char *root = "usr/src/linux-headers-7.3.4+deb13-amd64";
	struct kb_layout_opts o = { .name = "t", .src_root = root, .dst_root = root, .karch = "x86" };
	struct kb_tree src, out;
	const struct kb_node *n;

	(void)state;
	kb_tree_init(&src);
	put_file(&src, "usr/src/linux-headers-7.3.4+deb13-amd64/Makefile",
		 "KBUILD_OUTPUT=/usr/src/linux-headers-7.3.4+deb13-amd64\n"
		 "include /usr/src/linux-headers-7.3.4+deb13-common/Makefile\n");
	put_file(&src, "usr/src/linux-headers-7.3.4+deb13-amd64/.kernelvariables", "ARCH = x86\n");
	put_link(&src, "usr/src/linux-headers-7.3.4+deb13-amd64/scripts",
		 "../../lib/linux-kbuild-7.3.4+deb13/scripts");
	put_file(&src, "usr/src/linux-headers-7.3.4+deb13-common/Makefile", "VERSION = 7\n");
	put_file(&src, "usr/lib/linux-kbuild-7.3.4+deb13/scripts/Makefile.build", "build");
	put_link(&src, "usr/src/linux-kbuild-7.3.4+deb13", "../lib/linux-kbuild-7.3.4+deb13");
	put_link(&src, "usr/lib/modules/7.3.4+deb13-amd64/build",
		 "../../../src/linux-headers-7.3.4+deb13-amd64");
	kb_tree_sort(&src);
	kb_tree_init(&out);
	assert_int_equal(kb_layout_build(&src, &o, &out), 0);
	n = kb_tree_get(&out, "usr/src/linux-headers-7.3.4+deb13-amd64/Makefile");
	assert_non_null(n);
	assert_int_equal(n->size, strlen("VERSION = 7\n"));
	assert_memory_equal(n->data, "VERSION = 7\n", n->size);
	assert_null(kb_tree_get(&out, "usr/lib/modules/7.3.4+deb13-amd64/build"));
	assert_int_equal(kb_tree_check_contained(&out, root, "t"), 0);
	kb_tree_free(&out);
	kb_tree_free(&src);

	kb_tree_init(&src);
	put_file(&src, "usr/src/linux-headers-7.3.4+deb13-amd64/Makefile",
		 "KBUILD_OUTPUT := /usr/src/linux-headers-7.3.4+deb13-rt-amd64\n"
		 "include /usr/src/linux-headers-7.3.4+deb13-common/Makefile\n");
	put_file(&src, "usr/src/linux-headers-7.3.4+deb13-common/Makefile", "VERSION = 7\n");
	kb_tree_sort(&src);
	kb_tree_init(&out);
	assert_int_equal(kb_layout_build(&src, &o, &out), 0);
	assert_int_equal(kb_tree_check_contained(&out, root, "t"), -KB_EUNSAFE);
	kb_tree_free(&out);
	kb_tree_free(&src);
}

/* An absolute /usr/src path anywhere in a Makefile's text is the host's
 * tree: refused. Comments (kbuild's Makefile.package has some) and paths
 * that only end in usr/src are not. */
static void test_contained_usr_src(void **state)
{
	const char *root = "usr/src/h";
	static const char *const bad[] = {
		"KBUILD_OUTPUT=/usr/src/linux-headers-7.3.4+deb13-amd64\n",
		"x := 1\nMAKEARGS := -C /usr/src/linux-headers-6.1.0-47-common O=$(CURDIR)\n",
		"srctree := \"/usr/src/h\"\n",
		"KDIR ?= /usr/src\n",
	};
	static const char *const good[] = {
		"# /usr/src/packages/SRPMS/kernel-2.6.7rc2-1.src.rpm\n",
		"x := $(srctree)/usr/src/y # see /usr/src/z\n",
		"VERSION = 7\n",
	};
	struct kb_tree out;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kb_tree_init(&out);
		put_file(&out, "usr/src/h/Makefile", bad[i]);
		kb_tree_sort(&out);
		if (kb_tree_check_contained(&out, root, "t") != -KB_EUNSAFE)
			fail_msg("not refused: %s", bad[i]);
		kb_tree_free(&out);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		kb_tree_init(&out);
		put_file(&out, "usr/src/h/scripts/Makefile.package", good[i]);
		kb_tree_sort(&out);
		if (kb_tree_check_contained(&out, root, "t") != 0)
			fail_msg("refused: %s", good[i]);
		kb_tree_free(&out);
	}
}

static void test_layout_refuses(void **state)
{
	const char *root = "usr/src/h";
	struct kb_layout_opts o = { .name = "t", .src_root = root, .dst_root = root };
	struct kb_tree src, out;

	(void)state;
	/* an absolute link to something the packages do not hold */
	kb_tree_init(&src);
	put_file(&src, "usr/src/h/Makefile", "VERSION = 1\n");
	put_link(&src, "usr/src/h/passwd", "/etc/passwd");
	kb_tree_sort(&src);
	kb_tree_init(&out);
	assert_int_equal(kb_layout_build(&src, &o, &out), -KB_EUNSAFE);
	kb_tree_free(&out);
	kb_tree_free(&src);

	/* links that lead back up into what is being copied stay links */
	kb_tree_init(&src);
	put_file(&src, "usr/src/h/Makefile", "VERSION = 1\n");
	put_link(&src, "usr/src/h/s", "../../lib/k/d1");
	put_file(&src, "usr/lib/k/d1/f", "f");
	put_link(&src, "usr/lib/k/d1/up", "..");
	put_link(&src, "usr/lib/k/d1/self", ".");
	kb_tree_sort(&src);
	kb_tree_init(&out);
	assert_int_equal(kb_layout_build(&src, &o, &out), 0);
	assert_int_equal(kb_tree_get(&out, "usr/src/h/s/f")->type, KB_NODE_FILE);
	assert_string_equal(kb_tree_get(&out, "usr/src/h/s/self")->link, ".");
	assert_int_equal(kb_tree_get(&out, "usr/src/h/s/up")->type, KB_NODE_DIR);
	assert_int_equal(kb_tree_get(&out, "usr/src/h/s/up/d1/f")->type, KB_NODE_FILE);
	assert_string_equal(kb_tree_get(&out, "usr/src/h/s/up/d1/up")->link, "..");
	assert_true(out.n < 20);
	assert_int_equal(kb_tree_check_contained(&out, root, "t"), 0);
	kb_tree_free(&out);
	kb_tree_free(&src);

	/* the containment check on a finished tree */
	kb_tree_init(&out);
	put_file(&out, "usr/src/h/Makefile", "x := 1\ninclude /usr/src/other/Makefile\n");
	put_link(&out, "usr/src/h/abs", "/usr/src/h/Makefile");
	put_link(&out, "usr/src/h/up", "../../../etc/passwd");
	put_link(&out, "usr/src/h/side", "../other");
	put_link(&out, "usr/src/h/ok", "Makefile");
	kb_tree_sort(&out);
	assert_int_equal(kb_tree_check_contained(&out, root, "t"), -KB_EUNSAFE);
	kb_tree_free(&out);
	kb_tree_init(&out);
	put_file(&out, "usr/src/h/Makefile", "-include .kernelvariables\ninclude $(srctree)/x\n");
	put_link(&out, "usr/src/h/ok", "Makefile");
	kb_tree_sort(&out);
	assert_int_equal(kb_tree_check_contained(&out, root, "t"), 0);
	kb_tree_free(&out);
}

static char *write_tarball(const struct kb_tree *t, int threads, size_t *len)
{
	struct kb_tarball_opts o = { .mtime = 1700000000, .level = 3, .threads = threads };
	char sha[65], *buf = NULL;
	uint64_t size;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(kb_tarball_write(t, &o, f, sha, &size), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(size, *len);
	return buf;
}

static void test_tarball(void **state)
{
	struct kb_tree t;
	struct archive *a;
	struct archive_entry *e;
	char *one, *two, big[3000];
	size_t n1, n2;
	const char *prev = "";
	int count = 0;

	(void)state;
	kb_tree_init(&t);
	/* enough incompressible-ish data for several 1 MiB gzip members */
	for (int i = 0; i < 300; i++) {
		char path[64];

		for (size_t k = 0; k < sizeof(big); k++)
			big[k] = (char)('a' + (k * 7 + (size_t)i * 13 + (k * k) % 31) % 26);
		snprintf(path, sizeof(path), "usr/src/h/f%03d", i);
		kb_tree_put(&t, path, KB_NODE_FILE, i % 2 ? 04755 : 0600, NULL,
			    memcpy(malloc(sizeof(big)), big, sizeof(big)), sizeof(big), true);
	}
	put_link(&t, "usr/src/h/l", "f001");
	kb_tree_put(&t, "usr/src/h", KB_NODE_DIR, 0700, NULL, NULL, 0, false);
	kb_tree_put(&t, "usr/src", KB_NODE_DIR, 0755, NULL, NULL, 0, false);
	kb_tree_put(&t, "usr", KB_NODE_DIR, 0755, NULL, NULL, 0, false);
	put_file(&t, "BUNDLE_UNAME", "1.0");
	kb_tree_sort(&t);

	one = write_tarball(&t, 1, &n1);
	two = write_tarball(&t, 3, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(one, two, n1);	/* same bytes, whatever the threads */
	assert_int_equal((unsigned char)one[0], 0x1f);
	assert_int_equal((unsigned char)one[1], 0x8b);
	assert_memory_equal(one + 4, "\0\0\0\0", 4);	/* no time in the gzip header */

	a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, one, n1), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);

		assert_true(strcmp(prev, p) < 0);	/* sorted */
		prev = strdupa(p);
		assert_int_equal(archive_entry_mtime(e), 1700000000);
		assert_int_equal(archive_entry_uid(e), 0);
		assert_int_equal(archive_entry_gid(e), 0);
		assert_int_equal(archive_entry_mode(e) & 07000, 0);
		if (archive_entry_filetype(e) == AE_IFREG && strncmp(p, "usr/src/h/f", 11) == 0)
			assert_int_equal(archive_entry_size(e), sizeof(big));
		count++;
	}
	assert_int_equal(count, 305);
	archive_read_free(a);
	free(one);
	free(two);
	kb_tree_free(&t);
}

static void test_json(void **state)
{
	struct kb_json j;
	char *s;
	size_t len;
	int err;

	(void)state;
	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "s", "a\"b\\c\n\x01");
	kb_json_int(&j, "i", -3);
	kb_json_arr_begin(&j, "v");
	kb_json_bool(&j, NULL, true);
	kb_json_str(&j, NULL, NULL);
	kb_json_arr_end(&j);
	kb_json_arr_begin(&j, "e");
	kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	s = kb_json_finish(&j, &len, &err);
	assert_int_equal(err, 0);
	assert_string_equal(s, "{\n  \"s\": \"a\\\"b\\\\c\\n\\u0001\",\n  \"i\": -3,\n  \"v\": [\n"
			       "    true,\n    null\n  ],\n  \"e\": []\n}\n");
	free(s);
	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	assert_null(kb_json_finish(&j, &len, &err));	/* unbalanced */
	assert_int_equal(err, -KB_EUSAGE);
}

/* A full disk while the tarball is written (/dev/full: every write is
 * ENOSPC): the error is -ENOSPC, and no message says "(null)". */
static void test_tarball_full_disk(void **state)
{
	struct kb_tarball_opts o = { .level = 1, .threads = 2 };
	char sha[KB_SHA256_HEX_LEN + 1], log[] = "/tmp/kb-test-full.XXXXXX", *text = NULL;
	struct kb_tree t;
	uint64_t size;
	size_t len;
	FILE *f = fopen("/dev/full", "w");
	int fd = mkstemp(log), saved = dup(2), err;

	(void)state;
	if (!f) {
		skip();
		return;
	}
	kb_tree_init(&t);
	for (int i = 0; i < 200; i++) {
		char path[64], *big = kb_xmalloc(65536);

		snprintf(path, sizeof(path), "usr/src/h/f%03d", i);
		for (size_t k = 0; k < 65536; k++)
			big[k] = (char)(k * 2654435761u >> (i % 24));
		kb_tree_put(&t, path, KB_NODE_FILE, 0644, NULL, big, 65536, true);
	}
	kb_tree_sort(&t);
	dup2(fd, 2);
	err = kb_tarball_write(&t, &o, f, sha, &size);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	fclose(f);
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(kb_file_read(log, 1 << 20, &text, &len), 0);
	print_message("full disk: %s", text);
	assert_null(strstr(text, "(null)"));
	free(text);
	unlink(log);
	kb_tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_archive_safe),
		cmocka_unit_test(test_tree_resolve),
		cmocka_unit_test(test_layout_debian),
		cmocka_unit_test(test_layout_debian_7x),
		cmocka_unit_test(test_contained_usr_src),
		cmocka_unit_test(test_layout_refuses),
		cmocka_unit_test(test_tarball),
		cmocka_unit_test(test_tarball_full_disk),
		cmocka_unit_test(test_json),
	};

	kb_log_set_level(KB_LOG_ERROR + (getenv("KB_TEST_VERBOSE") ? 3 : 0));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
