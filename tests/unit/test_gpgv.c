/* test_gpgv.c — unit tests for lib/gpgv with a throwaway key made by the real
 * gpg (no network): good, tampered, unsigned, foreign keyring. */
#include <errno.h>
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
#include "lib/gpgv.h"
#include "lib/log.h"
#include "lib/proc.h"

/* ---- helpers ---------------------------------------------------------- */

static char *tmpdir_new(void)
{
	char *d = kb_xstrdup("/tmp/kb-test-crawler-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static char *write_file(const char *dir, const char *name, const char *text)
{
	char *p = kb_path_join(dir, name);

	assert_int_equal(kb_file_write_atomic(p, text, strlen(text)), 0);
	return p;
}

static char *read_all(const char *path)
{
	char *buf = NULL;

	assert_int_equal(kb_file_read(path, 1 << 20, &buf, NULL), 0);
	return buf;
}

/* ---- gpgv, with a throwaway key --------------------------------------- */

static int run(const char *const argv[])
{
	struct kb_proc_opts o = { .timeout_ms = 60000 };
	struct kb_proc_result r = { 0 };
	int err = kb_proc_run(argv, &o, &r);

	if (err)
		print_error("%s: %s\n", argv[0], r.output ? r.output : "");
	free(r.output);
	return err;
}

static void test_gpgv(void **state)
{
	char *dir = tmpdir_new(), *home = kb_path_join(dir, "gnupg");
	char *data = write_file(dir, "Release", "Suite: x\n"), *kr = kb_path_join(dir, "k.gpg");
	char *inrel = kb_path_join(dir, "InRelease"), *sig = kb_path_join(dir, "Release.gpg");
	char *out = kb_path_join(dir, "out"), *why = NULL, *text;
	char *other = kb_path_join(dir, "other.gpg");

	(void)state;
	assert_int_equal(kb_mkdir_p(home, 0700), 0);
	{
		const char *gen[] = { "gpg", "--homedir", home, "--batch", "--passphrase", "",
				      "--quick-gen-key", "kbundle test <t@kbundle.invalid>",
				      "ed25519", "sign", "never", NULL };
		const char *exp[] = { "gpg", "--homedir", home, "--batch", "--output", kr,
				      "--export", NULL };
		const char *cs[] = { "gpg", "--homedir", home, "--batch", "--output", inrel,
				     "--clearsign", data, NULL };
		const char *ds[] = { "gpg", "--homedir", home, "--batch", "--output", sig,
				     "--detach-sign", data, NULL };

		if (run(gen))
			skip();
		assert_int_equal(run(exp), 0);
		assert_int_equal(run(cs), 0);
		assert_int_equal(run(ds), 0);
	}
	assert_int_equal(kb_gpgv_verify(kr, inrel, NULL, out, &why), 0);
	text = read_all(out);
	assert_string_equal(text, "Suite: x\n");
	free(text);
	assert_int_equal(kb_gpgv_verify_detached(kr, data, sig), 0);
	/* tampered data: bad signature, with gpgv's words */
	free(write_file(dir, "Release", "Suite: y\n"));
	assert_int_equal(kb_gpgv_verify(kr, data, sig, NULL, &why), -KB_EBADSIG);
	assert_non_null(why);
	assert_non_null(strstr(why, "BAD signature"));
	free(why);
	/* a file that is not signed at all */
	assert_int_equal(kb_gpgv_verify(kr, data, NULL, out, &why), -KB_EBADSIG);
	free(why);
	/* a keyring without the signer */
	free(write_file(dir, "other.gpg", ""));
	assert_int_equal(kb_gpgv_verify(other, inrel, NULL, out, &why), -KB_EBADSIG);
	free(why);
	/* a missing keyring */
	assert_int_not_equal(kb_gpgv_verify("/nonexistent.gpg", inrel, NULL, out, &why), 0);
	free(why);
	{ /* gpg left an agent for this home: stop it, nothing may outlive the test */
		const char *kill[] = { "gpgconf", "--homedir", home, "--kill", "gpg-agent", NULL };

		run(kill);
	}
	kb_rm_rf(dir);
	free(dir);
	free(home);
	free(data);
	free(kr);
	free(inrel);
	free(sig);
	free(out);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpgv),
	};

	kb_log_set_level(getenv("KB_TEST_VERBOSE") ? KB_LOG_DEBUG : KB_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
