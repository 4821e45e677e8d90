/* test_toolchain.c — unit tests for toolchain/: the release table, the
 * bubblewrap command line, the host's own compiler, and list/gc over a
 * work directory of (empty) roots. No root is made here (that needs the
 * mirror: tests/e2e/test_toolchain_root.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/arch.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "toolchain/toolchain.h"
#include "toolchain/toolchain_int.h"

static void test_toolchain_releases(void **state)
{
	(void)state;
	assert_string_equal(kb_toolchain_release("13"), "trixie");
	assert_string_equal(kb_toolchain_release("debian-11"), "bullseye");
	assert_string_equal(kb_toolchain_release("bookworm"), "bookworm");
	assert_null(kb_toolchain_release("sid"));
	assert_null(kb_toolchain_release("debian-"));
	assert_string_equal(kb_toolchain_release_for("gcc-10"), "bullseye");
	assert_string_equal(kb_toolchain_release_for("gcc-12"), "bookworm");
	assert_string_equal(kb_toolchain_release_for("gcc-14"), "trixie");
	assert_string_equal(kb_toolchain_release_for("gcc-16"), "forky");
	assert_null(kb_toolchain_release_for("gcc-9"));
	assert_null(kb_toolchain_release_for("clang-16"));
	assert_null(kb_toolchain_release_for("bogus"));
}

/* The name carries the release, the spec and a hash of the package set;
 * the set holds the compiler and pahole. */
static void test_toolchain_names(void **state)
{
	char *a = kb_tc_root_name("trixie", "gcc-14", NULL), *b = kb_tc_root_name("trixie", "gcc-14", NULL);
	char *c = kb_tc_root_name("bookworm", "gcc-14", NULL), *p = kb_tc_packages(KB_CC_GCC, 14, NULL);
	char *q = kb_tc_packages(KB_CC_CLANG, 18, NULL);

	(void)state;
	assert_string_equal(a, b);
	assert_true(!strncmp(a, "trixie-gcc-14-", 14) && strlen(a) == 14 + 12);
	assert_string_not_equal(a, c);
	assert_true(!strncmp(p, "gcc-14,", 7) && strstr(p, ",dwarves") && strstr(p, ",libelf-dev"));
	assert_true(!strncmp(q, "clang-18,llvm-18,lld-18,", 24));
	free(a);
	free(b);
	free(c);
	free(p);
	free(q);
}

/* A cross root: the native set plus Debian's cross compiler, its arch in
 * the name; the native root's name does not change with cross roots. */
static void test_toolchain_cross_names(void **state)
{
	const struct kb_arch *arm = kb_arch_find("aarch64"), *x86 = kb_arch_find("amd64");
	char *n = kb_tc_root_name("trixie", "gcc-14", NULL), *c = kb_tc_root_name("trixie", "gcc-14", arm);
	char *p = kb_tc_packages(KB_CC_GCC, 14, arm), *q = kb_tc_packages(KB_CC_CLANG, 18, arm);
	char *r = kb_tc_packages(KB_CC_GCC, 12, x86), *nat = kb_tc_packages(KB_CC_GCC, 14, NULL);

	(void)state;
	assert_true(!strncmp(c, "trixie-gcc-14-arm64-", 20) && strlen(c) == 20 + 12);
	assert_string_not_equal(strrchr(n, '-'), strrchr(c, '-'));
	assert_true(!strncmp(p, "gcc-14,gcc-14-aarch64-linux-gnu,", 32) && strstr(p, ",dwarves"));
	assert_string_equal(p + strlen("gcc-14,gcc-14-aarch64-linux-gnu"), nat + strlen("gcc-14"));
	assert_true(!strncmp(q, "clang-18,llvm-18,lld-18,binutils-aarch64-linux-gnu,", 51));
	assert_true(!strncmp(r, "gcc-12,gcc-12-x86-64-linux-gnu,", 31));	/* '_' is '-' in names */
	free(n);
	free(c);
	free(p);
	free(q);
	free(r);
	free(nat);
}

static size_t argv_find(char **v, const char *s, size_t from)
{
	for (size_t i = from; v[i]; i++)
		if (!strcmp(v[i], s))
			return i;
	return (size_t)-1;
}

static void test_toolchain_argv(void **state)
{
	char root[] = "/tmp/kb-tc-argv.XXXXXX";
	struct kb_toolchain host = { .spec = "gcc-12", .cc = "gcc-12", .lock_fd = -1 };
	struct kb_toolchain tc = { .spec = "gcc-14", .release = "trixie", .cc = "gcc-14", .lock_fd = -1 };
	const struct kb_toolchain_bind binds[] = { { "/tmp/bundle", false }, { "/srv/kb-mod", true } };
	const char *const cmd[] = { "make", "-C", "/tmp/bundle/x", "modules", NULL };
	char **v, *mp;
	size_t i;
	struct stat st;

	(void)state;
	v = kb_toolchain_argv(&host, binds, 2, "/tmp", cmd);
	assert_string_equal(v[0], "make");
	assert_string_equal(v[3], "modules");
	assert_null(v[4]);
	kb_toolchain_argv_free(v);

	assert_non_null(mkdtemp(root));
	tc.root = root;
	v = kb_toolchain_argv(&tc, binds, 2, "/srv/kb-mod", cmd);
	assert_string_equal(v[0], "bwrap");
	i = argv_find(v, "--ro-bind", 0);
	assert_true(i != (size_t)-1 && !strcmp(v[i + 1], root) && !strcmp(v[i + 2], "/"));
	i = argv_find(v, "/tmp/bundle", 0);
	assert_true(i != (size_t)-1 && !strcmp(v[i - 1], "--ro-bind") && !strcmp(v[i + 1], "/tmp/bundle"));
	i = argv_find(v, "/srv/kb-mod", 0);
	assert_true(i != (size_t)-1 && !strcmp(v[i - 1], "--bind"));
	assert_true(argv_find(v, "--unshare-all", 0) != (size_t)-1);
	assert_true(argv_find(v, "--clearenv", 0) != (size_t)-1);
	assert_true(argv_find(v, "--share-net", 0) == (size_t)-1);
	i = argv_find(v, "--chdir", 0);
	assert_true(i != (size_t)-1 && !strcmp(v[i + 1], "/srv/kb-mod"));
	i = argv_find(v, "--", 0);
	assert_true(i != (size_t)-1 && !strcmp(v[i + 1], "make") && !strcmp(v[i + 4], "modules"));
	assert_null(v[i + 5]);
	kb_toolchain_argv_free(v);
	/* a bind outside /tmp, /dev and /proc gets its mount point in the root */
	mp = kb_xasprintf("%s/srv/kb-mod", root);
	assert_int_equal(stat(mp, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	free(mp);
	assert_int_equal(kb_rm_rf(root), 0);
}

/* The host's own gcc: asked for its major version, the host is used. */
static void test_toolchain_host(void **state)
{
	const char *const argv[] = { "gcc", "--version", NULL };
	struct kb_proc_result r = { 0 };
	struct kb_compiler c = { 0 };
	struct kb_toolchain tc;
	char spec[KB_COMPILER_SPEC_MAX], wd[] = "/tmp/kb-tc-host.XXXXXX";

	(void)state;
	if (kb_proc_run(argv, NULL, &r) != 0 || kb_compiler_from_text(r.output, r.output_len, &c) != 0) {
		free(r.output);
		kb_compiler_free(&c);
		skip();
	}
	kb_compiler_spec(&c, spec);
	assert_non_null(mkdtemp(wd));
	assert_int_equal(kb_toolchain_for(wd, spec, NULL, NULL, 0, &tc), 0);
	assert_null(tc.root);
	assert_string_equal(tc.spec, spec);
	kb_toolchain_free(&tc);
	/* a cached root only, and none is cached: refused, nothing made */
	assert_int_equal(kb_toolchain_for(wd, "gcc-14", NULL, NULL, KB_TC_ROOT | KB_TC_NO_CREATE, &tc),
			 -KB_ENOTFOUND);
	assert_int_equal(kb_toolchain_for(wd, "gcc-9", NULL, NULL, KB_TC_ROOT, &tc), -KB_ENOTFOUND);
	assert_int_equal(kb_toolchain_for(wd, "gcc-14", "hamm", NULL, KB_TC_ROOT, &tc), -KB_EUSAGE);
	assert_int_equal(kb_toolchain_for(wd, "tcc-1", NULL, NULL, 0, &tc), -KB_EUSAGE);
	free(r.output);
	kb_compiler_free(&c);
	assert_int_equal(kb_rm_rf(wd), 0);
}

static void mkroot(const char *wd, const char *name)
{
	char *p = kb_xasprintf("%s/toolchains/%s/usr/bin", wd, name);

	assert_int_equal(kb_mkdir_p(p, 0755), 0);
	free(p);
}

static void test_toolchain_list_gc(void **state)
{
	char wd[] = "/tmp/kb-tc-gc.XXXXXX", *cur, *dir;
	int fd;
	struct kb_toolchain_root *v;
	size_t n, removed;
	uint64_t freed;

	(void)state;
	assert_non_null(mkdtemp(wd));
	cur = kb_tc_root_name("trixie", "gcc-14", NULL);
	mkroot(wd, cur);
	mkroot(wd, "trixie-gcc-14-000000000000");		/* an older package set */
	mkroot(wd, ".tmp-bullseye-gcc-10-111111111111.4242");	/* a killed creation */
	mkroot(wd, "not-a-root");
	assert_int_equal(kb_toolchain_list(wd, &v, &n), 0);
	assert_int_equal(n, 2);	/* sorted by name */
	assert_null(v[0].arch);
	assert_string_equal(v[0].name, "trixie-gcc-14-000000000000");
	assert_false(v[0].current);
	assert_string_equal(v[1].name, cur);
	assert_true(v[1].current);
	assert_string_equal(v[1].release, "trixie");
	assert_string_equal(v[1].spec, "gcc-14");
	kb_toolchain_list_free(v, n);

	assert_int_equal(kb_toolchain_gc(wd, 30 * 86400, true, &removed, &freed), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(kb_toolchain_list(wd, &v, &n), 0);
	assert_int_equal(n, 2);	/* a dry run removes nothing */
	kb_toolchain_list_free(v, n);
	assert_int_equal(kb_toolchain_gc(wd, 30 * 86400, false, &removed, &freed), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(kb_toolchain_list(wd, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, cur);
	kb_toolchain_list_free(v, n);
	/* 0 days: every root not in use goes; one in use (its lock held
	 * shared, as kb_toolchain_for holds it) stays */
	dir = kb_xasprintf("%s/toolchains", wd);
	assert_int_equal(kb_tc_lock(dir, cur, LOCK_SH, &fd), 0);
	assert_int_equal(kb_toolchain_gc(wd, 0, false, &removed, &freed), 0);
	assert_int_equal(removed, 0);
	close(fd);
	free(dir);
	assert_int_equal(kb_toolchain_gc(wd, 0, false, &removed, &freed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(kb_toolchain_list(wd, &v, &n), 0);
	assert_int_equal(n, 0);
	kb_toolchain_list_free(v, n);
	free(cur);
	assert_int_equal(kb_rm_rf(wd), 0);
}

/* A cross root lists with its arch and plain spec, current when its name is
 * today's; an arm64 request never takes the native root. */
static void test_toolchain_cross_list(void **state)
{
	char wd[] = "/tmp/kb-tc-cross.XXXXXX", *cur;
	struct kb_toolchain_root *v;
	struct kb_toolchain tc;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(wd));
	cur = kb_tc_root_name("trixie", "gcc-14", kb_arch_find("riscv64"));
	mkroot(wd, cur);
	assert_int_equal(kb_toolchain_list(wd, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].spec, "gcc-14");
	assert_string_equal(v[0].arch, "riscv64");
	assert_string_equal(v[0].release, "trixie");
	assert_true(v[0].current);
	kb_toolchain_list_free(v, n);
	assert_int_equal(kb_toolchain_for(wd, "gcc-14", NULL, "riscv64", KB_TC_ROOT | KB_TC_NO_CREATE,
					  &tc), 0);
	assert_string_equal(tc.cc, "riscv64-linux-gnu-gcc-14");
	assert_string_equal(tc.cross_compile, "riscv64-linux-gnu-");
	assert_string_equal(tc.arch, "riscv64");
	kb_toolchain_free(&tc);
	assert_int_equal(kb_toolchain_for(wd, "gcc-14", NULL, "arm64", KB_TC_ROOT | KB_TC_NO_CREATE,
					  &tc), -KB_ENOTFOUND);
	assert_int_equal(kb_toolchain_for(wd, "gcc-14", NULL, "vax", 0, &tc), -KB_EUSAGE);
	free(cur);
	assert_int_equal(kb_rm_rf(wd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toolchain_releases),
		cmocka_unit_test(test_toolchain_names),
		cmocka_unit_test(test_toolchain_cross_names),
		cmocka_unit_test(test_toolchain_cross_list),
		cmocka_unit_test(test_toolchain_argv),
		cmocka_unit_test(test_toolchain_host),
		cmocka_unit_test(test_toolchain_list_gc),
	};

	kb_log_set_level(KB_LOG_ERROR - 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
