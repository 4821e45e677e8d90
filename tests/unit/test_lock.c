/* test_lock.c — unit tests for lib/lock: another process is refused at once
 * with -KB_ELOCKED, the holder is named, the same process nests, and
 * release lets the next one in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
	/* Another process is refused at once. */
	kb_log_set_level(-1);
	{
		pid_t pid = fork();
		int status = 0;

		assert_true(pid >= 0);
		if (pid == 0) {
			int err = kb_lock_take(&b, dir, "crawl");

			_exit(err == -KB_ELOCKED && b.fd == -1 ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* This process taking it again (update -> crawl -> pack) nests. */
	assert_int_equal(kb_lock_take(&b, dir, "crawl"), 0);
	assert_true(b.nested);
	kb_lock_release(&b);
	assert_false(b.nested);
	kb_lock_release(&a);
	assert_int_equal(kb_lock_take(&b, dir, "crawl"), 0);
	assert_false(b.nested);
	kb_lock_release(&b);
	kb_log_set_level(KB_LOG_INFO);
	assert_int_equal(kb_rm_rf(tmpl), 0);
	free(dir);
}

/* kb_lock_wait queues behind the holder instead of failing. */
static void test_lock_wait(void **state)
{
	char tmpl[] = "/tmp/kb-test-lock-XXXXXX";
	struct kb_lock a, b;
	int status = 0;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(kb_lock_take(&a, tmpl, "update"), 0);
	kb_log_set_level(-1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int err;

		/* flock belongs to the open file: the inherited descriptor would
		 * keep the parent's lock alive for as long as this child runs. */
		close(a.fd);
		err = kb_lock_wait(&b, tmpl, "pack");

		_exit(err == 0 && b.fd >= 0 ? 0 : 1);
	}
	usleep(200 * 1000);
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);	/* still waiting */
	kb_lock_release(&a);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kb_log_set_level(KB_LOG_INFO);
	assert_int_equal(kb_rm_rf(tmpl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_exclusive),
		cmocka_unit_test(test_lock_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
