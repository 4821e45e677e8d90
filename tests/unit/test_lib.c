/* test_lib.c — unit tests for lib/: version ordering, hashing, YAML limits,
 * atomic files, string views, apt sources, streams, subprocesses. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/apt_sources.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/proc.h"
#include "lib/stream.h"
#include "lib/strv.h"
#include "lib/strview.h"
#include "lib/vercmp.h"
#include "lib/yaml_doc.h"

static void test_deb_vercmp(void **state)
{
	(void)state;
	assert_true(kb_deb_vercmp("6.1.164-1", "6.1.158-1") > 0);
	assert_true(kb_deb_vercmp("1:1.0", "2.0") > 0);
	assert_true(kb_deb_vercmp("6.12.57-1~bpo12+1", "6.12.57-1") < 0);
	assert_true(kb_deb_vercmp("6.1.0-47", "6.1.0-47") == 0);
	assert_true(kb_deb_vercmp("5.15.0-91.101", "5.15.0-100.110") < 0);
}

static void test_rpm_vercmp(void **state)
{
	(void)state;
	assert_true(kb_rpm_vercmp("5.14.0-427.el9", "5.14.0-70.el9") > 0);
	assert_true(kb_rpm_vercmp("1.0~rc1", "1.0") < 0);
	assert_true(kb_rpm_evrcmp("1:4.18.0-1.el8", "4.19.0-1.el8") > 0);
	assert_true(kb_rpm_evrcmp("6.1.0-1", "6.1.0-1") == 0);
}

static void test_sha256(void **state)
{
	char hex[65];

	(void)state;
	kb_sha256_buf("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(kb_sha256_valid(hex));
	assert_false(kb_sha256_valid("abc"));
}

static void test_yaml_doc(void **state)
{
	const char *ok = "a: 1\nb: [x, y]\nc: {d: e}\n";
	struct kb_ynode *root = NULL;

	(void)state;
	assert_int_equal(kb_yaml_parse(ok, strlen(ok), "ok", NULL, &root), 0);
	assert_string_equal(kb_ymap_str(root, "a"), "1");
	assert_int_equal(kb_ymap_get(root, "b")->n, 2);
	assert_string_equal(kb_ymap_str(kb_ymap_get(root, "c"), "d"), "e");
	assert_null(kb_ymap_str(root, "zz"));
	kb_yaml_free(root);

	char deep[300];
	memset(deep, '[', 200);
	deep[200] = '\0';
	struct kb_yaml_limits lim = { .max_depth = 50 };
	assert_int_equal(kb_yaml_parse(deep, strlen(deep), "deep", &lim, &root), -KB_ELIMIT);
	assert_null(root);

	const char *alias = "a: &x [1, 2]\nb: *x\n";
	assert_int_equal(kb_yaml_parse(alias, strlen(alias), "alias", NULL, &root), -KB_EPARSE);
	const char *bad = "a: [1, 2\n";
	assert_int_equal(kb_yaml_parse(bad, strlen(bad), "bad", NULL, &root), -KB_EPARSE);
}

static void test_atomic_file(void **state)
{
	char dir[] = "/tmp/kbtest.XXXXXX";
	struct kb_atomic_file af;
	char *path, *buf = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = kb_path_join(dir, "out");
	assert_int_equal(kb_file_write_atomic(path, "old", 3), 0);
	assert_int_equal(kb_atomic_open(&af, path), 0);
	kb_atomic_printf(&af, "new");
	kb_atomic_abort(&af);
	assert_int_equal(kb_file_read(path, 100, &buf, NULL), 0);
	assert_string_equal(buf, "old");
	free(buf);
	assert_int_equal(kb_file_read(path, 2, &buf, NULL), -KB_ELIMIT);
	assert_int_equal(kb_rm_rf(dir), 0);
	assert_int_equal(access(dir, F_OK), -1);
	free(path);
}

/* kb_rm_rf never descends into a file system mounted below (a killed
 * mmdebstrap left the host's /dev/shm bound into a root): the mount's
 * files survive and the removal fails. Needs root to mount; skipped else. */
static void test_rm_rf_mount(void **state)
{
	char base[] = "/tmp/kb-rmrf-XXXXXX", *mnt, *keep;

	(void)state;
	assert_non_null(mkdtemp(base));
	mnt = kb_path_join(base, "shm");
	keep = kb_path_join(mnt, "precious");
	assert_int_equal(mkdir(mnt, 0755), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
		kb_rm_rf(base);
		free(mnt);
		free(keep);
		skip();
	}
	assert_int_equal(kb_file_write_atomic(keep, "x", 1), 0);
	assert_int_not_equal(kb_rm_rf(base), 0);
	assert_int_equal(access(keep, F_OK), 0);
	assert_int_equal(umount(mnt), 0);
	assert_int_equal(kb_rm_rf(base), 0);
	assert_int_not_equal(access(base, F_OK), 0);
	free(mnt);
	free(keep);
}

static void test_strview(void **state)
{
	struct kb_str s = kb_str_c("a,b,,c"), head;

	(void)state;
	assert_true(kb_str_split(&s, ',', &head));
	assert_true(kb_str_eq(head, "a"));
	kb_str_split(&s, ',', &head);
	kb_str_split(&s, ',', &head);
	assert_int_equal(head.n, 0);
	assert_false(kb_str_split(&s, ',', &head));
	assert_true(kb_str_eq(head, "c"));
	assert_true(kb_str_eq(kb_str_trim(kb_str_c("  x \n")), "x"));
}

/* A sorted, de-duplicated strv is a set: what cache gc keeps. */
static void test_strv_set(void **state)
{
	struct kb_strv v = { 0 };
	const char *in[] = { "c", "a", "b", "a", "c", "c" };

	(void)state;
	assert_false(kb_strv_has(&v, "a"));
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		kb_strv_push(&v, in[i]);
	kb_strv_sort_unique(&v);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.v[0], "a");
	assert_string_equal(v.v[2], "c");
	assert_true(kb_strv_has(&v, "b"));
	assert_false(kb_strv_has(&v, "d"));
	kb_strv_free(&v);
	assert_int_equal(v.n, 0);
}

static void test_apt_sources(void **state)
{
	char dir[] = "/tmp/kbsrc.XXXXXX";
	char *p, *m;

	(void)state;
	assert_non_null(mkdtemp(dir));
	p = kb_path_join(dir, "etc/apt/sources.list.d");
	assert_int_equal(kb_mkdir_p(p, 0755), 0);
	free(p);
	p = kb_path_join(dir, "etc/apt/sources.list.d/debian.sources");
	const char *src = "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\n"
			  "Components: main\n\n# comment\nTypes: deb\nURIs: http://sec.example/debian-security\n"
			  "Suites: bookworm-security\nComponents: main\n";
	assert_int_equal(kb_file_write_atomic(p, src, strlen(src)), 0);
	free(p);
	m = kb_apt_sources_mirror(dir, "bookworm-updates");
	assert_string_equal(m, "http://mirror.example/debian");
	free(m);
	m = kb_apt_sources_mirror(dir, "bullseye-security");
	assert_string_equal(m, "http://sec.example/debian-security");
	free(m);
	m = kb_apt_sources_mirror(dir, "bullseye");
	assert_string_equal(m, "http://mirror.example/debian");
	free(m);
	/* Debian 13 and 14 suites this apt does not list: by their kind */
	static const char *const plain[] = { "trixie", "trixie-updates", "trixie-backports", "forky" };
	static const char *const sec[] = { "trixie-security", "forky-security" };
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		m = kb_apt_sources_mirror(dir, plain[i]);
		assert_string_equal(m, "http://mirror.example/debian");
		free(m);
	}
	for (size_t i = 0; i < sizeof(sec) / sizeof(sec[0]); i++) {
		m = kb_apt_sources_mirror(dir, sec[i]);
		assert_string_equal(m, "http://sec.example/debian-security");
		free(m);
	}
	kb_rm_rf(dir);
}

static void test_stream_limit(void **state)
{
	static char zeros[1 << 16];
	struct kb_stream *s = NULL;
	char buf[4096];
	ssize_t r;

	(void)state;
	assert_int_equal(kb_stream_open_mem(zeros, sizeof(zeros), 1000, NULL, &s), 0);
	while ((r = kb_stream_read(s, buf, sizeof(buf))) > 0)
		;
	assert_int_equal(r, -KB_ELIMIT);
	kb_stream_close(s);
}

static void test_proc(void **state)
{
	const char *const ok[] = { "sh", "-c", "echo hi; exit 3", NULL };
	const char *const slow[] = { "sleep", "10", NULL };
	struct kb_proc_opts o = { .timeout_ms = 200 };
	struct kb_proc_result r;

	(void)state;
	assert_int_equal(kb_proc_run(ok, NULL, &r), -KB_ESUBPROC);
	assert_int_equal(r.exit_code, 3);
	assert_string_equal(r.output, "hi\n");
	free(r.output);
	assert_int_equal(kb_proc_run(slow, &o, &r), -ETIMEDOUT);
	assert_true(r.timed_out);
	free(r.output);
}

/* Issue 12 item 7: a killed process removes its registered trees and
 * exits 128+signal; the next run sweeps what a dead owner left, and only
 * that. */
static void test_cleanup(void **state)
{
	char base[] = "/tmp/kb-cleanup.XXXXXX", *tree, *mine, *other;
	int status;
	pid_t pid, dead;

	(void)state;
	assert_non_null(mkdtemp(base));
	/* a child registers a tree with files and a symlink out, then is killed */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *t = kb_cleanup_mkdtemp(base, "kbt.");
		char *f = kb_xasprintf("%s/a/b", t), *l = kb_xasprintf("%s/a/out", t);

		kb_cleanup_install();
		if (!t || kb_mkdir_p(f, 0755) || symlink(base, l) || kb_cleanup_tree_add(t) < 0)
			_exit(1);
		raise(SIGTERM);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 143);
	/* the tree is gone, base (its symlink's target) is not */
	{
		DIR *d = opendir(base);
		struct dirent *e;
		int n = 0;

		assert_non_null(d);
		while ((e = readdir(d)))
			n += e->d_name[0] != '.';
		closedir(d);
		assert_int_equal(n, 0);
	}
	/* a tree left by a dead process, one by a live one, one not ours by name */
	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, &status, 0);
	tree = kb_xasprintf("%s/kbt.%d.abcdef", base, (int)dead);
	mine = kb_xasprintf("%s/kbt.%d.abcdef", base, (int)getpid());
	other = kb_xasprintf("%s/kbt.x%d.abcdef", base, (int)dead);
	assert_int_equal(kb_mkdir_p(tree, 0755), 0);
	assert_int_equal(kb_mkdir_p(mine, 0755), 0);
	assert_int_equal(kb_mkdir_p(other, 0755), 0);
	assert_int_equal(kb_cleanup_sweep(base, "kbt."), 1);
	assert_int_not_equal(access(tree, F_OK), 0);
	assert_int_equal(access(mine, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(kb_rm_rf(base), 0);
	free(tree);
	free(mine);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deb_vercmp),   cmocka_unit_test(test_rpm_vercmp),
		cmocka_unit_test(test_sha256),	     cmocka_unit_test(test_yaml_doc),
		cmocka_unit_test(test_atomic_file),  cmocka_unit_test(test_strview),
		cmocka_unit_test(test_apt_sources),  cmocka_unit_test(test_stream_limit),
		cmocka_unit_test(test_proc),	     cmocka_unit_test(test_cleanup),
		cmocka_unit_test(test_strv_set),     cmocka_unit_test(test_rm_rf_mount),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
