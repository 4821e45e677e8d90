/* test_hostile.c — hostile packages and bundles, built here byte by byte, are
 * refused by the packer's reader (kb_tree_load_deb: the ar container, its
 * data.tar, lib/archive_safe's checks) and by archive_safe on a bundle, with
 * the expected error: bogus ar member sizes, truncation, traversal, absolute
 * paths, escaping links, device nodes, too many entries, overlong paths,
 * decompression bombs. A well-formed package of the same shape loads. */
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
#include "lib/limits.h"
#include "lib/log.h"
#include "packer/tree.h"

struct kb_buf {
	char *p;
	size_t n;
};

static void kb_buf_add(struct kb_buf *b, const void *p, size_t n)
{
	b->p = kb_xrealloc(b->p, b->n + n + 1);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* One tar entry for kb_tar(): a NULL path ends the list. */
struct kb_tent {
	const char *path;
	unsigned type;		/* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR */
	const char *link;	/* symlink target */
	size_t size;		/* regular file: this many zero bytes */
};

/* A tar (filter: ARCHIVE_FILTER_NONE or _GZIP) of the entries, in memory. */
static struct kb_buf kb_tar(const struct kb_tent *t, int filter)
{
	size_t cap = 32u << 20, used = 0;
	struct kb_buf out = { kb_xmalloc(cap), 0 };
	struct archive *a = archive_write_new();
	char *zeros = kb_xcalloc(1, 1 << 20);

	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (filter == ARCHIVE_FILTER_GZIP)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, out.p, cap, &used), ARCHIVE_OK);
	for (; t->path; t++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, t->path);
		archive_entry_set_filetype(e, t->type);
		archive_entry_set_perm(e, t->type == AE_IFDIR ? 0755 : 0644);
		if (t->link)
			archive_entry_set_symlink(e, t->link);
		archive_entry_set_size(e, t->type == AE_IFREG ? (la_int64_t)t->size : 0);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		for (size_t left = t->type == AE_IFREG ? t->size : 0; left;) {
			size_t n = left < (1u << 20) ? left : (1u << 20);

			assert_int_equal(archive_write_data(a, zeros, n), (la_ssize_t)n);
			left -= n;
		}
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	free(zeros);
	out.n = used;
	return out;
}

/* An ar member header; size_field is written as given, so it can lie. */
static void kb_ar_member(struct kb_buf *b, const char *name, const char *size_field,
			 const void *data, size_t n)
{
	char h[61];

	snprintf(h, sizeof(h), "%-16s%-12s%-6s%-6s%-8s%-10s`\n", name, "0", "0", "0", "100644",
		 size_field);
	kb_buf_add(b, h, 60);
	kb_buf_add(b, data, n);
	if (n & 1)
		kb_buf_add(b, "\n", 1);
}

/* A .deb around data (the data.tar member), its size field possibly a lie. */
static struct kb_buf kb_deb(const struct kb_buf *data, const char *member, const char *size_lie)
{
	struct kb_buf b = { 0 }, control = kb_tar((const struct kb_tent[]){ { NULL, 0, NULL, 0 } },
						  ARCHIVE_FILTER_GZIP);
	char size[24];

	kb_buf_add(&b, "!<arch>\n", 8);
	kb_ar_member(&b, "debian-binary", "4", "2.0\n", 4);
	snprintf(size, sizeof(size), "%zu", control.n);
	kb_ar_member(&b, "control.tar.gz", size, control.p, control.n);
	snprintf(size, sizeof(size), "%zu", data->n);
	kb_ar_member(&b, member, size_lie ? size_lie : size, data->p, data->n);
	free(control.p);
	return b;
}

/* The limits kb_load() hands the packer, as a command's --max-* flags would
 * (NULL: the defaults). */
static const struct kb_limits *kb_test_limits;

/* Write b to a temp file and load it as the packer does. */
static int kb_load(const struct kb_buf *b)
{
	char path[] = "/tmp/kb-hostile.XXXXXX";
	int fd = mkstemp(path), err;
	struct kb_tree t;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->p, b->n), (ssize_t)b->n);
	close(fd);
	kb_tree_init(&t);
	err = kb_tree_load_deb(&t, path, "hostile.deb", kb_test_limits);
	kb_tree_free(&t);
	unlink(path);
	return err;
}

static int kb_load_tar(const struct kb_tent *t, int filter)
{
	struct kb_buf tar = kb_tar(t, filter);
	struct kb_buf deb = kb_deb(&tar, filter == ARCHIVE_FILTER_GZIP ? "data.tar.gz" : "data.tar",
				   NULL);
	int err = kb_load(&deb);

	free(tar.p);
	free(deb.p);
	return err;
}

static const struct kb_tent kb_good[] = {
	{ "./usr/", AE_IFDIR, NULL, 0 },
	{ "./usr/src/linux-headers-1/Makefile", AE_IFREG, NULL, 100 },
	{ "./usr/src/linux-headers-1/up", AE_IFLNK, "../linux-headers-1", 0 },
	{ NULL, 0, NULL, 0 },
};

static void test_good_loads(void **state)
{
	(void)state;
	assert_int_equal(kb_load_tar(kb_good, ARCHIVE_FILTER_NONE), 0);
	assert_int_equal(kb_load_tar(kb_good, ARCHIVE_FILTER_GZIP), 0);
}

static void test_ar_bogus_sizes(void **state)
{
	struct kb_buf tar = kb_tar(kb_good, ARCHIVE_FILTER_NONE);
	const char *lies[] = { "9999999999", "abc", "-5", "1" };

	(void)state;
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct kb_buf deb = kb_deb(&tar, "data.tar", lies[i]);

		assert_int_not_equal(kb_load(&deb), 0);
		free(deb.p);
	}
	free(tar.p);
}

static void test_truncated(void **state)
{
	struct kb_buf tar = kb_tar(kb_good, ARCHIVE_FILTER_GZIP);
	struct kb_buf deb = kb_deb(&tar, "data.tar.gz", NULL);

	(void)state;
	for (size_t cut = 8; cut < deb.n; cut += deb.n / 7) {
		struct kb_buf part = { deb.p, cut };

		assert_int_not_equal(kb_load(&part), 0);
	}
	free(tar.p);
	free(deb.p);
}

static void test_unsafe_entries(void **state)
{
	static const struct kb_tent cases[][2] = {
		{ { "../../etc/cron.d/evil", AE_IFREG, NULL, 10 }, { NULL, 0, NULL, 0 } },
		{ { "./usr/../../evil", AE_IFREG, NULL, 10 }, { NULL, 0, NULL, 0 } },
		{ { "/etc/evil", AE_IFREG, NULL, 10 }, { NULL, 0, NULL, 0 } },
		{ { "./usr/esc", AE_IFLNK, "../../../../etc", 0 }, { NULL, 0, NULL, 0 } },
		{ { "./dev/evil", AE_IFCHR, NULL, 0 }, { NULL, 0, NULL, 0 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (kb_load_tar(cases[i], ARCHIVE_FILTER_NONE) != -KB_EUNSAFE)
			fail_msg("case %zu (%s) not refused as unsafe", i, cases[i][0].path);
}

static void test_entry_and_path_limits(void **state)
{
	struct kb_limits l = kb_limits_default;
	struct kb_tent many[40], longp[2] = { { NULL, AE_IFREG, NULL, 1 }, { NULL, 0, NULL, 0 } };
	char names[39][16], *path = kb_xmalloc(5001);

	(void)state;
	for (int i = 0; i < 39; i++) {
		snprintf(names[i], sizeof(names[i]), "./f%02d", i);
		many[i] = (struct kb_tent){ names[i], AE_IFREG, NULL, 1 };
	}
	many[39] = (struct kb_tent){ NULL, 0, NULL, 0 };
	assert_int_equal(kb_load_tar(many, ARCHIVE_FILTER_NONE), 0);
	l.max_entries = 20;
	kb_test_limits = &l;
	assert_int_equal(kb_load_tar(many, ARCHIVE_FILTER_NONE), -KB_ELIMIT);
	kb_test_limits = NULL;

	memset(path, 'a', 5000);	/* past the 4096-byte default */
	for (int i = 100; i < 5000; i += 100)
		path[i] = '/';
	path[5000] = '\0';
	longp[0].path = path;
	assert_int_equal(kb_load_tar(longp, ARCHIVE_FILTER_NONE), -KB_ELIMIT);
	l.max_path = 8192;
	kb_test_limits = &l;
	assert_int_equal(kb_load_tar(longp, ARCHIVE_FILTER_NONE), 0);
	kb_test_limits = NULL;
	free(path);
}

static void test_bombs(void **state)
{
	static const struct kb_tent bomb[] = {
		{ "./usr/zeros", AE_IFREG, NULL, 8u << 20 },	/* gzip: ~8 KiB, ~1000:1 */
		{ NULL, 0, NULL, 0 },
	};
	struct kb_limits l = kb_limits_default;
	struct kb_buf tgz = kb_tar(bomb, ARCHIVE_FILTER_GZIP);
	struct kb_archive_guard g;
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct kb_safe_entry se = { 0 };
	static char buf[1 << 16];
	la_ssize_t r;
	int err = 0;

	(void)state;
	/* in a package, through the packer */
	assert_int_equal(kb_load_tar(bomb, ARCHIVE_FILTER_GZIP), -KB_ELIMIT);
	/* the same as a bundle, as fetch reads one, under a size limit */
	l.max_ratio = 100000;
	l.max_unpacked_size = 4u << 20;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, tgz.p, tgz.n), ARCHIVE_OK);
	kb_archive_guard_init(&g, "bomb.tgz", tgz.n,
			      &(const struct kb_archive_limits){ .base = &l });
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
	/* refused on the header's size, or while counting what comes out */
	err = kb_archive_check_entry(&g, e, &se);
	while (!err && (r = archive_read_data(a, buf, sizeof(buf))) > 0)
		err = kb_archive_account(&g, se.path, (uint64_t)r);
	assert_int_equal(err, -KB_ELIMIT);
	assert_true(g.total <= (4u << 20) + sizeof(buf));
	kb_safe_entry_free(&se);
	archive_read_free(a);
	free(tgz.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_loads),     cmocka_unit_test(test_ar_bogus_sizes),
		cmocka_unit_test(test_truncated),      cmocka_unit_test(test_unsafe_entries),
		cmocka_unit_test(test_entry_and_path_limits), cmocka_unit_test(test_bombs),
	};

	kb_log_set_level(KB_LOG_ERROR - 1);	/* every refusal here is expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
