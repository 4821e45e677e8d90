/* test_limits.c — the resource limits: defaults, the ratio check, and the
 * stream and YAML readers refusing input past them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/stream.h"
#include "lib/yaml_doc.h"

/* n zero bytes, gzip'd in memory: a small decompression bomb. */
static void *kb_gzip_zeros(size_t n, size_t *out_len)
{
	size_t cap = n / 100 + 4096, used = 0;
	char *out = kb_xmalloc(cap), *zeros = kb_xcalloc(1, n);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, out, cap, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, "x");
	archive_entry_set_filetype(e, AE_IFREG);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, zeros, n), (la_ssize_t)n);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	free(zeros);
	*out_len = used;
	return out;
}

static ssize_t kb_drain(struct kb_stream *s)
{
	static char buf[1 << 16];
	ssize_t r;

	while ((r = kb_stream_read(s, buf, sizeof(buf))) > 0)
		;
	return r;
}

static void test_defaults(void **state)
{
	(void)state;
	/* no limits given: the defaults */
	assert_ptr_equal(kb_limits_or_default(NULL), &kb_limits_default);
	/* the largest real indexes fit: Debian's 50 MB Packages, a 75 KB line */
	assert_true(kb_limits_or_default(NULL)->max_unpacked_size > 50u * 1000 * 1000 * 8);
	assert_true(kb_limits_or_default(NULL)->max_line > 75649 * 8);
	assert_int_equal(kb_limits_or_default(NULL)->max_yaml_depth, 64);
}

static void test_ratio(void **state)
{
	const struct kb_limits *l = &kb_limits_default;

	(void)state;
	assert_int_equal(kb_limits_check_ratio(l, 10, KB_RATIO_FLOOR), 0);	/* tiny: never */
	assert_int_equal(kb_limits_check_ratio(l, 1000000, 9000000), 0);	/* 9:1, real */
	assert_int_equal(kb_limits_check_ratio(l, 10000, 10000 * 201), -KB_ELIMIT);
	assert_int_equal(kb_limits_check_ratio(l, 0, KB_RATIO_FLOOR + 1), -KB_ELIMIT);
}

static void test_stream_bomb(void **state)
{
	struct kb_limits l = kb_limits_default;
	struct kb_stream *s = NULL;
	size_t len;
	void *gz = kb_gzip_zeros(8u << 20, &len);	/* ~8 KiB → 8 MiB: ~1000:1 */

	(void)state;
	assert_int_equal(kb_stream_open_mem(gz, len, 0, NULL, &s), 0);
	assert_int_equal(kb_drain(s), -KB_ELIMIT);		/* the ratio */
	assert_true(kb_stream_total(s) < (8u << 20));
	kb_stream_close(s);

	l.max_ratio = 100000;					/* ratio allowed … */
	l.max_unpacked_size = 4u << 20;				/* … but not the size */
	assert_int_equal(kb_stream_open_mem(gz, len, 0, &l, &s), 0);
	assert_int_equal(kb_drain(s), -KB_ELIMIT);
	assert_true(kb_stream_total(s) <= (4u << 20) + (1u << 16));
	kb_stream_close(s);

	l.max_unpacked_size = 16u << 20;			/* both allowed: all of it */
	assert_int_equal(kb_stream_open_mem(gz, len, 0, &l, &s), 0);
	assert_int_equal(kb_drain(s), 0);
	assert_int_equal(kb_stream_total(s), 8u << 20);
	kb_stream_close(s);
	free(gz);
}

static void test_yaml_limits(void **state)
{
	struct kb_limits l = kb_limits_default;
	const struct kb_yaml_limits yl = { .base = &l };
	struct kb_ynode *root = NULL;
	char deep[100];

	(void)state;
	memset(deep, '[', 40);
	memset(deep + 40, ']', 40);
	deep[80] = '\0';
	assert_int_equal(kb_yaml_parse(deep, strlen(deep), "deep", NULL, &root), 0);
	kb_yaml_free(root);
	l.max_yaml_depth = 39;
	assert_int_equal(kb_yaml_parse(deep, strlen(deep), "deep", &yl, &root), -KB_ELIMIT);
	assert_null(root);
	l.max_yaml_depth = 64;
	l.max_yaml_nodes = 3;
	assert_int_equal(kb_yaml_parse("[1, 2, 3]", 9, "wide", &yl, &root), -KB_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_ratio),
		cmocka_unit_test(test_stream_bomb),
		cmocka_unit_test(test_yaml_limits),
	};

	kb_log_set_level(KB_LOG_ERROR - 1);	/* the refusals are expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
