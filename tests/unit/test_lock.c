/* test_lock.c — unit tests for lib/lock: a second taker is refused at once
 * with -KB_ELOCKED, the holder is named, and release lets the next one in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/lock.h"
#include "lib/log.h"

static void test_lock_exclusive(void **state)
{
	char tmpl[] = "/tmp/kb-test-lock-XXXXXX";
	struct kb_lock a, b;
	char *dir, *buf = NULL, *want;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	dir = kb_path_join(tmpl, "work");	/* created on demand */
	assert_int_equal(kb_lock_take(&a, dir, "update"), 0);
	assert_int_equal(kb_file_read(a.path, 4096, &buf, &len), 0);
	want = kb_xasprintf("pid %ld (kbundle update, since ", (long)getpid());
	assert_true(strncmp(buf, want, strlen(want)) == 0);
	free(want);
	free(buf);
	/* flock locks belong to the open file, so a second open in this very
	 * process is refused just like another process would be. */
	kb_log_set_level(-1);
	assert_int_equal(kb_lock_take(&b, dir, "crawl"), -KB_ELOCKED);
	assert_int_equal(b.fd, -1);
	kb_lock_release(&b);	/* harmless */
	kb_lock_release(&a);
	assert_int_equal(kb_lock_take(&b, dir, "crawl"), 0);
	kb_lock_release(&b);
	kb_log_set_level(KB_LOG_INFO);
	assert_int_equal(kb_rm_rf(tmpl), 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_exclusive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
