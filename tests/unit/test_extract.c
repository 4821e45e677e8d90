/* test_extract.c — bundles/' one safe extractor and one meta reader on
 * bundles built here with libarchive: a well-formed tree extracts (files,
 * directories, links, a hard link, mtimes) and its meta files read the same
 * from the tree and from the .tgz; hostile trees whose every entry passes
 * the lexical checks are refused by name, and nothing appears outside the
 * extraction root: a chain of "up" links, a hard link to a symlink, a path
 * through a symlink (from the bundle or planted on the disk), a later link
 * that makes an earlier one lead out, hard links to a directory or to a
 * later file, an entry given twice; meta files that break the rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "bundles/bundle.h"
#include "bundles/bundle_meta.h"
#include "bundles/bundle_path.h"
#include "bundles/extract.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

/* One tar entry: a NULL path ends the list. 'f' file (data), 'd' directory,
 * 'l' symlink (to), 'h' hard link (to). */
struct kb_xent {
	const char *path;
	char type;
	const char *to;		/* link target, or a file's data */
};

struct kb_xfix {
	char *top;	/* private directory: root and the bundle file live here */
	char *root;	/* top/root, the extraction root */
	char *tgz;	/* top/b.tgz */
};

static void kb_xfix_make(struct kb_xfix *x, const struct kb_xent *v)
{
	struct archive *a = archive_write_new();

	x->top = kb_xstrdup("/tmp/kb-extract.XXXXXX");
	assert_non_null(mkdtemp(x->top));
	x->root = kb_path_join(x->top, "root");
	x->tgz = kb_path_join(x->top, "b.tgz");
	assert_int_equal(mkdir(x->root, 0755), 0);
	assert_int_equal(archive_write_set_format_gnutar(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, x->tgz), ARCHIVE_OK);
	for (; v->path; v++) {
		struct archive_entry *e = archive_entry_new();
		size_t n = v->type == 'f' && v->to ? strlen(v->to) : 0;

		archive_entry_set_pathname(e, v->path);
		archive_entry_set_mtime(e, 1234567, 0);
		archive_entry_set_filetype(e, v->type == 'd' ? AE_IFDIR : v->type == 'l' ? AE_IFLNK : AE_IFREG);
		archive_entry_set_perm(e, v->type == 'd' ? 0755 : 0644);
		if (v->type == 'l')
			archive_entry_set_symlink(e, v->to);
		if (v->type == 'h')
			archive_entry_set_hardlink(e, v->to);
		archive_entry_set_size(e, (la_int64_t)n);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (n)
			assert_int_equal(archive_write_data(a, v->to, n), (la_ssize_t)n);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* Only "root" and "b.tgz" beside the root: nothing was written outside. */
static void kb_xfix_nothing_outside(const struct kb_xfix *x)
{
	char *p = kb_path_join(x->top, "x"), *esc = kb_path_join(x->top, "escaped");

	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(access(esc, F_OK), -1);
	assert_int_equal(access("/tmp/KBUNDLE_VMTEST_ESCAPED", F_OK), -1);
	free(p);
	free(esc);
}

static void kb_xfix_free(struct kb_xfix *x)
{
	kb_rm_rf(x->top);
	free(x->top);
	free(x->root);
	free(x->tgz);
}

static int kb_xunpack(const struct kb_xent *v)
{
	struct kb_xfix x;
	int err;

	kb_xfix_make(&x, v);
	err = kb_bundle_unpack(x.tgz, "b.tgz", x.root, NULL);
	kb_xfix_nothing_outside(&x);
	kb_xfix_free(&x);
	return err;
}

#define KB_SKELETON                                                                        \
	{ "BUNDLE_BUILD_DIR", 'f', "usr/src/h" }, { "BUNDLE_CHECKSUM", 'f', "abc" },        \
	{ "BUNDLE_UNAME", 'f', "9.9.9-1-amd64" }, { "BUNDLE_DISTRO", 'f', "debian" },      \
	{ "usr", 'd', NULL }, { "usr/src", 'd', NULL }, { "usr/src/h", 'd', NULL },         \
	{ "usr/src/h/Makefile", 'f', "all:\n" }

static void test_good_tree(void **state)
{
	static const struct kb_xent v[] = {
		{ "BUNDLE_BUILD_DIR", 'f', "./usr/src//h" }, { "BUNDLE_CHECKSUM", 'f', "abc" },
		{ "BUNDLE_COMPILER", 'f', "gcc-12 (Debian 12.2.0-14) 12.2.0" },
		{ "BUNDLE_UNAME", 'f', "9.9.9-1-amd64" }, { "BUNDLE_DISTRO", 'f', "debian" },
		{ "bundle.json", 'f', "{\"id\": \"abc\", \"uname\": \"9.9.9-1-amd64\", "
				      "\"build_dir\": \"usr/src/h\", \"packer_format\": 3}" },
		{ "./", 'd', NULL },
		{ "usr/src/h/include/linux/kb.h", 'f', "#define KB 1\n" },	/* parents implied */
		{ "usr/src/h/Makefile", 'f', "all:\n" },
		{ "usr/src/h/include/up", 'l', "../include/linux" },
		{ "usr/src/h/build", 'l', "." },
		{ "usr/src/h/same.h", 'h', "usr/src/h/include/linux/kb.h" },
		{ "usr/src/h/include", 'd', NULL },	/* a directory may repeat */
		{ NULL, 0, NULL }
	};
	struct kb_bundle_meta m, pm;
	struct kb_xfix x;
	struct stat st, st2;
	char *p, *bd = NULL, *buf = NULL;
	size_t len;

	(void)state;
	kb_xfix_make(&x, v);
	assert_int_equal(kb_bundle_unpack(x.tgz, "b.tgz", x.root, NULL), 0);
	p = kb_path_join(x.root, "usr/src/h/include/linux/kb.h");
	assert_int_equal(kb_file_read(p, 100, &buf, &len), 0);
	assert_string_equal(buf, "#define KB 1\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mtime, 1234567);
	free(p);
	free(buf);
	p = kb_path_join(x.root, "usr/src/h/same.h");
	assert_int_equal(stat(p, &st2), 0);
	assert_true(st.st_ino == st2.st_ino);	/* a hard link, not a copy */
	free(p);
	p = kb_path_join(x.root, "usr/src/h/include/up/kb.h");
	assert_int_equal(access(p, R_OK), 0);
	free(p);

	/* the same facts from the tree and from the .tgz */
	assert_int_equal(kb_bundle_meta_load(x.root, "b.tgz", &m), 0);
	assert_string_equal(m.build_dir, "usr/src/h");
	assert_string_equal(m.checksum, "abc");
	assert_string_equal(m.uname, "9.9.9-1-amd64");
	assert_string_equal(m.distro, "debian");
	assert_string_equal(m.compiler, "gcc-12 (Debian 12.2.0-14) 12.2.0");
	assert_null(m.arch);
	assert_int_equal(m.packer_format, 3);
	assert_int_equal(kb_bundle_meta_peek(x.tgz, &pm), 0);
	assert_string_equal(pm.uname, m.uname);
	assert_string_equal(pm.distro, m.distro);
	assert_string_equal(pm.build_dir, m.build_dir);
	assert_string_equal(pm.compiler, m.compiler);
	assert_int_equal(kb_bundle_meta_build_dir(x.root, "b.tgz", &m, &bd), 0);
	p = realpath(x.root, NULL);
	assert_non_null(p);
	assert_int_equal(strncmp(bd, p, strlen(p)), 0);
	assert_string_equal(bd + strlen(p), "/usr/src/h");
	free(p);
	free(bd);
	kb_bundle_meta_free(&m);
	kb_bundle_meta_free(&pm);
	kb_xfix_nothing_outside(&x);
	kb_xfix_free(&x);
}

/* issue 12, item 2: d/up1 -> .., d/upN -> up{N-1}/.., then a file through them */
static void test_updir_chain(void **state)
{
	struct kb_xent v[32] = { KB_SKELETON, { "d", 'd', NULL }, { "d/up1", 'l', ".." } };
	char to[16][16], name[16][16];
	size_t n = 10;

	(void)state;
	for (int i = 2; i <= 15; i++, n++) {
		snprintf(name[i], sizeof(name[i]), "d/up%d", i);
		snprintf(to[i], sizeof(to[i]), "up%d/..", i - 1);
		v[n] = (struct kb_xent){ name[i], 'l', to[i] };
	}
	v[n++] = (struct kb_xent){ "d/up15/tmp/KBUNDLE_VMTEST_ESCAPED", 'f', "x\n" };
	v[n] = (struct kb_xent){ NULL, 0, NULL };
	assert_int_equal(kb_xunpack(v), -KB_EUNSAFE);
}

static void test_unsafe_links(void **state)
{
	/* issue 12, item 3: a second name for a symlink, where it leads out */
	static const struct kb_xent hard_to_symlink[] = {
		KB_SKELETON, { "a/b/l", 'l', "../.." }, { "x", 'h', "a/b/l" }, { NULL, 0, NULL }
	};
	/* writing through a link of the bundle (inside, but never followed) */
	static const struct kb_xent through[] = {
		KB_SKELETON, { "l", 'l', "usr" }, { "l/evil", 'f', "x\n" }, { NULL, 0, NULL }
	};
	/* q/a is inside when written; p -> . then makes it climb out */
	static const struct kb_xent later[] = {
		KB_SKELETON, { "q/a", 'l', "../p/.." }, { "p", 'l', "." }, { NULL, 0, NULL }
	};
	static const struct kb_xent chain[] = {
		KB_SKELETON, { "s", 'l', "." }, { "up", 'l', "s/.." }, { NULL, 0, NULL }
	};
	static const struct kb_xent loop[] = {
		KB_SKELETON, { "a", 'l', "b" }, { "b", 'l', "a" }, { "c", 'l', "a/x" }, { NULL, 0, NULL }
	};
	static const struct kb_xent hard_to_dir[] = {
		KB_SKELETON, { "x", 'h', "usr/src" }, { NULL, 0, NULL }
	};
	static const struct kb_xent hard_to_later[] = {
		KB_SKELETON, { "x", 'h', "y" }, { "y", 'f', "y\n" }, { NULL, 0, NULL }
	};
	static const struct kb_xent twice[] = {
		KB_SKELETON, { "usr/src/h/Makefile", 'l', "../../../escaped" }, { NULL, 0, NULL }
	};
	static const struct kb_xent file_as_dir[] = {
		KB_SKELETON, { "usr/src/h/Makefile/x", 'f', "x\n" }, { NULL, 0, NULL }
	};

	(void)state;
	assert_int_equal(kb_xunpack(hard_to_symlink), -KB_EUNSAFE);
	assert_int_equal(kb_xunpack(through), -KB_EUNSAFE);
	assert_int_equal(kb_xunpack(later), -KB_EUNSAFE);
	assert_int_equal(kb_xunpack(chain), -KB_EUNSAFE);
	assert_int_equal(kb_xunpack(loop), -KB_EUNSAFE);
	assert_int_equal(kb_xunpack(hard_to_dir), -KB_EUNSAFE);
	assert_int_equal(kb_xunpack(hard_to_later), -KB_EUNSAFE);
	assert_int_equal(kb_xunpack(twice), -KB_EUNSAFE);
	assert_int_equal(kb_xunpack(file_as_dir), -KB_EUNSAFE);
}

/* A symlink already on the disk (not from the bundle) is not followed either. */
static void test_planted_link(void **state)
{
	static const struct kb_xent v[] = { KB_SKELETON, { "d/evil", 'f', "x\n" }, { NULL, 0, NULL } };
	struct kb_xfix x;
	char *d, *outside;

	(void)state;
	kb_xfix_make(&x, v);
	d = kb_path_join(x.root, "d");
	outside = kb_path_join(x.top, "outside");
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(symlink(outside, d), 0);
	assert_int_equal(kb_bundle_unpack(x.tgz, "b.tgz", x.root, NULL), -KB_EUNSAFE);
	free(d);
	d = kb_path_join(outside, "evil");
	assert_int_equal(access(d, F_OK), -1);
	free(d);
	free(outside);
	kb_xfix_free(&x);
}

/* Each meta file broken one way: read from the tree and from the .tgz. */
static void test_meta_rules(void **state)
{
	static const struct {
		struct kb_xent e;
		int err;
	} bad[] = {
		{ { "BUNDLE_UNAME", 'f', "9.9.9\n" }, -KB_EPARSE },
		{ { "BUNDLE_UNAME", 'f', "9.9\033[31m" }, -KB_EPARSE },
		{ { "BUNDLE_ARCH", 'f', "" }, -KB_EPARSE },
		{ { "BUNDLE_BUILD_DIR", 'f', "../usr/src/h" }, -KB_EUNSAFE },
		{ { "BUNDLE_BUILD_DIR", 'f', "/usr/src/h" }, -KB_EUNSAFE },
		{ { "BUNDLE_UNAME", 'l', "usr/src/h/Makefile" }, -KB_EUNSAFE },
		{ { "bundle.json", 'f', "{\"uname\": \"1.2.3\"}" }, -KB_EPARSE },
		{ { "bundle.json", 'f', "[1, 2" }, -KB_EPARSE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *uname = strcmp(bad[i].e.path, "BUNDLE_UNAME") ? "9.9.9-1-amd64" : NULL;
		const char *bdir = strcmp(bad[i].e.path, "BUNDLE_BUILD_DIR") ? "usr/src/h" : NULL;
		struct kb_xent v[] = {
			bad[i].e,
			{ bdir ? "BUNDLE_BUILD_DIR" : "usr/src/h/x", 'f', bdir ? bdir : "x" },
			{ uname ? "BUNDLE_UNAME" : "usr/src/h/y", 'f', uname ? uname : "y" },
			{ "usr/src/h/Makefile", 'f', "all:\n" },
			{ NULL, 0, NULL },
		};
		struct kb_bundle_meta m;
		struct kb_xfix x;

		kb_xfix_make(&x, v);
		assert_int_equal(kb_bundle_unpack(x.tgz, "b.tgz", x.root, NULL), 0);
		assert_int_equal(kb_bundle_meta_load(x.root, "b.tgz", &m), bad[i].err);
		assert_int_equal(kb_bundle_meta_peek(x.tgz, &m), bad[i].err);
		kb_xfix_free(&x);
	}
}

/* BUNDLE_BUILD_DIR must be a directory inside the tree, links and all. */
static void test_build_dir(void **state)
{
	static const char *const bad[] = { "BUNDLE_UNAME", "usr/src/out", "usr/src/none" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kb_xent v[] = {
			{ "BUNDLE_BUILD_DIR", 'f', bad[i] }, { "BUNDLE_UNAME", 'f', "9" },
			{ "usr/src/h/Makefile", 'f', "all:\n" }, { "usr/src/out", 'l', "h/Makefile" },
			{ NULL, 0, NULL },
		};
		struct kb_bundle_meta m;
		struct kb_xfix x;
		char *bd = NULL;

		kb_xfix_make(&x, v);
		assert_int_equal(kb_bundle_unpack(x.tgz, "b.tgz", x.root, NULL), 0);
		assert_int_equal(kb_bundle_meta_load(x.root, "b.tgz", &m), 0);
		assert_int_equal(kb_bundle_meta_build_dir(x.root, "b.tgz", &m, &bd), -KB_EUNSAFE);
		assert_null(bd);
		kb_bundle_meta_free(&m);
		kb_xfix_free(&x);
	}
}

static void test_names(void **state)
{
	char *p;

	(void)state;
	p = kb_bundle_path("wd/bundles", "abc");
	assert_string_equal(p, "wd/bundles/abc.tgz");
	free(p);
	p = kb_bundle_path(NULL, "abc");
	assert_string_equal(p, "abc.tgz");
	free(p);
	p = kb_bundle_sidecar_path("http://h/x", "abc");
	assert_string_equal(p, "http://h/x/abc.tgz.sha256");
	free(p);
	p = kb_bundle_sidecar_line("00ff", "abc");
	assert_string_equal(p, "00ff  abc.tgz\n");
	free(p);
	p = kb_bundle_id_of("/a/b/abc.tgz");
	assert_string_equal(p, "abc");
	free(p);
	p = kb_bundle_id_of("plain");
	assert_string_equal(p, "plain");
	free(p);
}

#define FIND_MID "1111111111111111111111111111111111111111111111111111111111111111"
#define FIND_ID "2222222222222222222222222222222222222222222222222222222222222222"
#define FIND_SHA "3333333333333333333333333333333333333333333333333333333333333333"

static void put(char *path, const char *text)
{
	assert_int_equal(kb_file_write_atomic(path, text, strlen(text)), 0);
	free(path);
}

/* kb_bundle_find: <manifest id>.tgz, else what <manifest id>.link names;
 * a link to nothing, or one that is not an id, finds nothing. */
static void test_find(void **state)
{
	char dir[] = "/tmp/kb-test-find-XXXXXX", *side, *p;
	struct kb_bundle_info bi;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(kb_bundle_find(dir, FIND_MID, &bi), -KB_ENOTFOUND);
	p = kb_bundle_find_path(dir, FIND_MID);
	assert_string_equal(p + strlen(dir), "/" FIND_MID ".tgz");
	free(p);
	put(kb_bundle_link_path(dir, FIND_MID), FIND_ID "\n");
	assert_int_equal(kb_bundle_find(dir, FIND_MID, &bi), -KB_ENOTFOUND);	/* no bundle yet */
	put(kb_bundle_path(dir, FIND_ID), "tgz");
	side = kb_bundle_sidecar_line(FIND_SHA, FIND_ID);
	put(kb_bundle_sidecar_path(dir, FIND_ID), side);
	free(side);
	assert_int_equal(kb_bundle_find(dir, FIND_MID, &bi), 0);
	assert_string_equal(bi.id, FIND_ID);
	assert_string_equal(bi.sha256, FIND_SHA);
	assert_int_equal(bi.size, 3);
	p = kb_bundle_find_path(dir, FIND_MID);
	assert_string_equal(p + strlen(dir), "/" FIND_ID ".tgz");
	free(p);
	/* the bundle under its own id is found as itself */
	assert_int_equal(kb_bundle_find(dir, FIND_ID, &bi), 0);
	assert_string_equal(bi.id, FIND_ID);
	put(kb_bundle_link_path(dir, FIND_MID), "../../etc/passwd\n");
	assert_int_equal(kb_bundle_find(dir, FIND_MID, &bi), -KB_ENOTFOUND);
	assert_int_equal(kb_rm_rf(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_good_tree),    cmocka_unit_test(test_updir_chain),
		cmocka_unit_test(test_unsafe_links), cmocka_unit_test(test_planted_link),
		cmocka_unit_test(test_meta_rules),   cmocka_unit_test(test_build_dir),
		cmocka_unit_test(test_names),
	};

	kb_log_set_level(KB_LOG_ERROR - 1);	/* every refusal here is expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
