/* test_lock.c — unit tests for lib/lock: another process is refused at once
 * with -KB_ELOCKED, the holder is named, the same process nests, and
 * release lets the next one in. A lock file someone planted (a symlink to
 * another file, a hard link, a file with other content) is refused and left
 * as it was (issue 12, item 4); kbundle's sweep removes only its own temp
 * files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
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

static void kb_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void kb_assert_text(const char *path, const char *want)
{
	char *buf = NULL;
	size_t len;

	assert_int_equal(kb_file_read(path, 4096, &buf, &len), 0);
	assert_string_equal(buf, want);
	free(buf);
}

/* lock -> ../precious, a hard link to it, a file of other text: each refused
 * with precious untouched; an old lock of ours (empty, or a holder line) is
 * taken. */
static void test_lock_planted(void **state)
{
	char tmpl[] = "/tmp/kb-test-lock-XXXXXX";
	struct kb_lock l;
	char *precious, *lock;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	precious = kb_path_join(tmpl, "precious.txt");
	lock = kb_path_join(tmpl, "lock");
	kb_put(precious, "precious\n");
	kb_log_set_level(KB_LOG_ERROR);
	assert_int_equal(symlink("precious.txt", lock), 0);
	assert_int_equal(kb_lock_take(&l, tmpl, "test"), -ELOOP);
	kb_assert_text(precious, "precious\n");
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(link(precious, lock), 0);
	assert_int_equal(kb_lock_take(&l, tmpl, "test"), -KB_EUNSAFE);
	kb_assert_text(precious, "precious\n");
	assert_int_equal(unlink(lock), 0);
	kb_put(lock, "not a lock\n");
	assert_int_equal(kb_lock_take(&l, tmpl, "test"), -KB_EUNSAFE);
	kb_assert_text(lock, "not a lock\n");
	kb_put(lock, "pid 1 (kbundle crawl, since 2026-01-01T00:00:00Z)\n");
	assert_int_equal(kb_lock_take(&l, tmpl, "test"), 0);
	kb_lock_release(&l);
	kb_put(lock, "");
	assert_int_equal(kb_lock_take(&l, tmpl, "test"), 0);
	kb_lock_release(&l);
	kb_log_set_level(KB_LOG_INFO);
	free(precious);
	free(lock);
	assert_int_equal(kb_rm_rf(tmpl), 0);
}

/* Only names kb_atomic_open makes are swept; others' "x.tmp.1" stay. */
static void test_atomic_sweep_own(void **state)
{
	static const char *const theirs[] = { "index.tmp.html", "backup.tmp.1", "a.tmp.AbC123",
					      ".kbundle.tmp.AbC123", ".x.kbundle.tmp.AbC12" };
	char tmpl[] = "/tmp/kb-test-sweep-XXXXXX";
	struct kb_atomic_file af;
	char *target, *p;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
		p = kb_path_join(tmpl, theirs[i]);
		kb_put(p, "theirs");
		free(p);
	}
	target = kb_path_join(tmpl, "index.json");
	assert_int_equal(kb_atomic_open(&af, target), 0);	/* "killed" mid-write */
	assert_true(kb_atomic_tmp_is(strrchr(af.tmp, '/') + 1));
	assert_int_equal(access(af.tmp, F_OK), 0);
	kb_atomic_sweep(tmpl);
	assert_int_not_equal(access(af.tmp, F_OK), 0);
	for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
		p = kb_path_join(tmpl, theirs[i]);
		kb_assert_text(p, "theirs");
		free(p);
	}
	fclose(af.f);
	free(af.path);
	free(af.tmp);
	free(target);
	assert_int_equal(kb_rm_rf(tmpl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_exclusive),
		cmocka_unit_test(test_lock_wait),
		cmocka_unit_test(test_lock_planted),
		cmocka_unit_test(test_atomic_sweep_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
