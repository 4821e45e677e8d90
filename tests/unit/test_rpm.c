/* test_rpm.c — unit tests for lib/rpm with real rpms made here by rpmbuild
 * (no network): gzip, xz and zstd payloads read in process, the payload
 * digest checked, and signatures through librpm with a throwaway key
 * (rpmsign + gpg): signed accepted, unsigned and foreign-signed refused. */
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

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/rpm.h"

static char *g_dir;

static int run(const char *const argv[])
{
	struct kb_proc_opts o = { .timeout_ms = 120000 };
	struct kb_proc_result r = { 0 };
	int err = kb_proc_run(argv, &o, &r);

	if (err)
		print_error("%s: %s\n", argv[0], r.output ? r.output : "");
	free(r.output);
	return err;
}

/* Build kbtest-<tag>.rpm with payload io (e.g. "w9.gzdio") into g_dir. */
static char *build_rpm(const char *tag, const char *io)
{
	char *spec = kb_xasprintf("%s/%s.spec", g_dir, tag);
	char *text = kb_xasprintf(
		"Name: kbtest-%s\nVersion: 1.0\nRelease: 1\nSummary: t\nLicense: MIT\n"
		"BuildArch: noarch\n%%description\nt\n%%install\n"
		"mkdir -p %%{buildroot}/usr/src/kernels/k\n"
		"echo 'obj-m := x.o' > %%{buildroot}/usr/src/kernels/k/Makefile\n"
		"ln -s Makefile %%{buildroot}/usr/src/kernels/k/link\n"
		"%%files\n/usr/src/kernels/k\n", tag);
	char *top = kb_xasprintf("_topdir %s/top-%s", g_dir, tag);
	char *pay = kb_xasprintf("_binary_payload %s", io);
	char *out = kb_xasprintf("%s/kbtest-%s.rpm", g_dir, tag);
	char *built = kb_xasprintf("%s/top-%s/RPMS/noarch/kbtest-%s-1.0-1.noarch.rpm", g_dir, tag, tag);
	const char *argv[] = { "rpmbuild", "-bb", "--quiet", "--define", top, "--define", pay,
			       "--define", "_build_id_links none", spec, NULL };

	assert_int_equal(kb_file_write_atomic(spec, text, strlen(text)), 0);
	assert_int_equal(run(argv), 0);
	assert_int_equal(rename(built, out), 0);
	free(spec);
	free(text);
	free(top);
	free(pay);
	free(built);
	return out;
}

/* A throwaway RSA key in g_dir/gpg-<name>; its armored public key path. */
static char *make_key(const char *name)
{
	char *home = kb_xasprintf("%s/gpg-%s", g_dir, name);
	char *uid = kb_xasprintf("kbundle rpm test %s", name);
	char *pub = kb_xasprintf("%s/%s.asc", g_dir, name);
	const char *gen[] = { "gpg", "--homedir", home, "--batch", "--quiet", "--passphrase", "",
			      "--quick-gen-key", uid, "rsa2048", "sign", "never", NULL };
	const char *exp[] = { "gpg", "--homedir", home, "--batch", "--quiet", "--yes", "--armor",
			      "--output", pub, "--export", uid, NULL };

	assert_int_equal(kb_mkdir_p(home, 0700), 0);
	assert_int_equal(run(gen), 0);
	assert_int_equal(run(exp), 0);
	free(home);
	free(uid);
	return pub;
}

static void sign_rpm(const char *rpm, const char *name)
{
	char *home = kb_xasprintf("_gpg_path %s/gpg-%s", g_dir, name);
	char *uid = kb_xasprintf("_gpg_name kbundle rpm test %s", name);
	const char *argv[] = { "rpmsign", "--addsign", "--define", home, "--define", uid,
			       "--define", "__gpg /usr/bin/gpg", rpm, NULL };

	assert_int_equal(run(argv), 0);
	free(home);
	free(uid);
}

/* Open, walk the payload, finish: the first error, and what it held. */
static int read_rpm(const char *path, const char *key, char *comp, int *files)
{
	struct kb_rpm_opts o = { .key = key };
	struct kb_rpm *r = NULL;
	struct archive_entry *e;
	int err = kb_rpm_open(path, "test.rpm", &o, &r), rc;

	*files = 0;
	if (err)
		return err;
	strcpy(comp, kb_rpm_compressor(r));
	while ((rc = archive_read_next_header(kb_rpm_payload(r), &e)) == ARCHIVE_OK) {
		char buf[4096];

		if (strstr(archive_entry_pathname(e), "usr/src/kernels/k/"))
			++*files;
		while (archive_read_data(kb_rpm_payload(r), buf, sizeof(buf)) > 0)
			;
	}
	err = rc == ARCHIVE_EOF ? kb_rpm_finish(r) : -KB_EPARSE;
	kb_rpm_close(r);
	return err;
}

static void test_payloads(void **state)
{
	static const char *const io[][3] = {
		{ "gz", "w9.gzdio", "gzip" }, { "xz", "w2.xzdio", "xz" }, { "zst", "w3.zstdio", "zstd" },
	};
	char comp[16];
	int files;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char *p = build_rpm(io[i][0], io[i][1]);

		assert_true(kb_rpm_file_is_rpm(p));
		assert_int_equal(read_rpm(p, NULL, comp, &files), 0);
		assert_string_equal(comp, io[i][2]);
		assert_int_equal(files, 2);	/* Makefile and the link */
		free(p);
	}
}

static void test_corrupt(void **state)
{
	char *p = build_rpm("bad", "w2.xzdio"), *t = kb_xasprintf("%s/trunc.rpm", g_dir);
	char *buf = NULL, comp[16];
	size_t len = 0;
	int files;

	(void)state;
	assert_int_equal(kb_file_read(p, 1 << 24, &buf, &len), 0);
	/* a flipped byte in the payload: the payload digest (or xz's own check) */
	buf[len - 20] ^= 0x55;
	assert_int_equal(kb_file_write_atomic(t, buf, len), 0);
	assert_int_not_equal(read_rpm(t, NULL, comp, &files), 0);
	/* truncated in the header, and in the payload */
	assert_int_equal(kb_file_write_atomic(t, buf, 200), 0);
	assert_int_equal(read_rpm(t, NULL, comp, &files), -KB_EPARSE);
	buf[len - 20] ^= 0x55;
	assert_int_equal(kb_file_write_atomic(t, buf, len - 100), 0);
	assert_int_not_equal(read_rpm(t, NULL, comp, &files), 0);
	/* not an rpm at all */
	assert_int_equal(kb_file_write_atomic(t, "!<arch>\n", 8), 0);
	assert_false(kb_rpm_file_is_rpm(t));
	assert_int_equal(read_rpm(t, NULL, comp, &files), -KB_EPARSE);
	free(buf);
	free(p);
	free(t);
}

static void test_signatures(void **state)
{
	char *good = make_key("good"), *other = make_key("other");
	char *p = build_rpm("sig", "w2.xzdio"), comp[16];
	int files;

	(void)state;
	/* unsigned: fine without a key, refused with one */
	assert_int_equal(read_rpm(p, NULL, comp, &files), 0);
	assert_int_equal(read_rpm(p, good, comp, &files), -KB_EBADSIG);
	sign_rpm(p, "good");
	assert_int_equal(read_rpm(p, good, comp, &files), 0);
	assert_int_equal(files, 2);
	assert_int_equal(read_rpm(p, other, comp, &files), -KB_EBADSIG);
	assert_int_equal(read_rpm(p, NULL, comp, &files), 0);
	/* a key file that is not a key */
	assert_int_equal(read_rpm(p, p, comp, &files), -KB_EUSAGE);
	free(good);
	free(other);
	free(p);
}

static int setup(void **state)
{
	(void)state;
	g_dir = kb_xstrdup("/tmp/kb-test-rpm-XXXXXX");
	return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *home = kb_xasprintf("--homedir=%s/gpg-good", g_dir);
	char *home2 = kb_xasprintf("--homedir=%s/gpg-other", g_dir);
	const char *k1[] = { "gpgconf", home, "--kill", "gpg-agent", NULL };
	const char *k2[] = { "gpgconf", home2, "--kill", "gpg-agent", NULL };

	(void)state;
	kb_proc_run(k1, NULL, NULL);
	kb_proc_run(k2, NULL, NULL);
	kb_rm_rf(g_dir);
	free(home);
	free(home2);
	free(g_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payloads),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_signatures),
	};

	kb_log_set_level(KB_LOG_ERROR);
	if (access("/usr/bin/rpmbuild", X_OK) || access("/usr/bin/rpmsign", X_OK)) {
		printf("SKIP: rpmbuild or rpmsign missing\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
