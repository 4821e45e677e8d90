/* test_sign.c — unit tests for lib/sign.c: a generated key pair is two PEM
 * files, the private one mode 0600, never written over; what one key signs
 * it verifies, and a flipped byte, a short signature or another key do
 * not; a public key cannot sign; a file that is not an Ed25519 key is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/sign.h"

static char *tmpdir(void)
{
	char *d = kb_xstrdup("/tmp/kb-test-sign.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void test_generate(void **state)
{
	char *d = tmpdir(), *k = kb_path_join(d, "k"), *pub = kb_path_join(d, "k.pub");
	char id[KB_SIGN_KEYID_LEN + 1], id2[KB_SIGN_KEYID_LEN + 1];
	struct kb_key *priv = NULL, *pk = NULL;
	struct stat st;

	(void)state;
	assert_int_equal(kb_key_generate(k, id), 0);
	assert_int_equal(strlen(id), KB_SIGN_KEYID_LEN);
	assert_int_equal(stat(k, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(pub, &st), 0);
	/* never over an existing key */
	assert_int_equal(kb_key_generate(k, id2), -KB_EUSAGE);
	assert_int_equal(kb_key_load(k, 1, &priv), 0);
	assert_int_equal(kb_key_load(pub, 0, &pk), 0);
	assert_string_equal(kb_key_id(priv), id);
	assert_string_equal(kb_key_id(pk), id);
	kb_key_free(priv);
	kb_key_free(pk);
	/* a public key is not a signing key */
	assert_int_equal(kb_key_load(pub, 1, &pk), -KB_EPARSE);
	assert_null(pk);
	kb_rm_rf(d);
	free(k);
	free(pub);
	free(d);
}

static void test_sign_verify(void **state)
{
	char *d = tmpdir(), *a = kb_path_join(d, "a"), *b = kb_path_join(d, "b");
	char *apub = kb_path_join(d, "a.pub"), *bpub = kb_path_join(d, "b.pub");
	char id[KB_SIGN_KEYID_LEN + 1];
	struct kb_key *ka = NULL, *pa = NULL, *pb = NULL;
	unsigned char sig[KB_SIGN_SIG_LEN];
	char msg[] = "{\"index_format\": 3}\n";

	(void)state;
	assert_int_equal(kb_key_generate(a, id), 0);
	assert_int_equal(kb_key_generate(b, id), 0);
	assert_int_equal(kb_key_load(a, 1, &ka), 0);
	assert_int_equal(kb_key_load(apub, 0, &pa), 0);
	assert_int_equal(kb_key_load(bpub, 0, &pb), 0);
	assert_int_equal(kb_key_sign(ka, msg, strlen(msg), sig), 0);
	assert_int_equal(kb_key_verify(pa, msg, strlen(msg), sig, sizeof(sig)), 0);
	assert_int_equal(kb_key_verify(pb, msg, strlen(msg), sig, sizeof(sig)), -KB_EBADSIG);
	assert_int_equal(kb_key_verify(pa, msg, strlen(msg), sig, sizeof(sig) - 1), -KB_EBADSIG);
	msg[3] ^= 1;
	assert_int_equal(kb_key_verify(pa, msg, strlen(msg), sig, sizeof(sig)), -KB_EBADSIG);
	msg[3] ^= 1;
	sig[10] ^= 1;
	assert_int_equal(kb_key_verify(pa, msg, strlen(msg), sig, sizeof(sig)), -KB_EBADSIG);
	/* a public key cannot sign */
	assert_int_equal(kb_key_sign(pa, msg, strlen(msg), sig), -KB_EUSAGE);
	kb_key_free(ka);
	kb_key_free(pa);
	kb_key_free(pb);
	kb_rm_rf(d);
	free(a);
	free(b);
	free(apub);
	free(bpub);
	free(d);
}

static void test_not_a_key(void **state)
{
	char *d = tmpdir(), *p = kb_path_join(d, "junk");
	struct kb_key *k = NULL;
	const char rsa_hdr[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";

	(void)state;
	assert_int_equal(kb_file_write_atomic(p, "hello\n", 6), 0);
	assert_int_equal(kb_key_load(p, 0, &k), -KB_EPARSE);
	assert_int_equal(kb_file_write_atomic(p, rsa_hdr, strlen(rsa_hdr)), 0);
	assert_int_equal(kb_key_load(p, 0, &k), -KB_EPARSE);
	assert_true(kb_key_load("/nonexistent/key.pub", 0, &k) < 0);
	assert_null(k);
	kb_rm_rf(d);
	free(p);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_not_a_key),
	};

	kb_log_set_level(KB_LOG_ERROR + (getenv("KB_TEST_VERBOSE") ? 3 : 0));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
