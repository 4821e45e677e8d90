/* test_http.c — unit tests for the pure parts of lib/http: Retry-After
 * parsing, the back-off schedule, and the validator store. No network. */
#include <errno.h>
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
#include <dirent.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/http.h"
#include "lib/log.h"

static void test_retry_after_seconds(void **state)
{
	long s = -1;

	(void)state;
	assert_int_equal(kb_http_retry_after_parse("120", 0, &s), 0);
	assert_int_equal(s, 120);
	assert_int_equal(kb_http_retry_after_parse(" 0 ", 0, &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(kb_http_retry_after_parse("", 0, &s), -KB_EPARSE);
	assert_int_equal(kb_http_retry_after_parse("12abc", 0, &s), -KB_EPARSE);
	assert_int_equal(kb_http_retry_after_parse("-5", 0, &s), -KB_EPARSE);
	assert_int_equal(kb_http_retry_after_parse("99999999999999999999", 0, &s), -KB_EPARSE);
	assert_int_equal(kb_http_retry_after_parse(NULL, 0, &s), -KB_EPARSE);
}

static void test_retry_after_date(void **state)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 */
	const time_t t = 784111777;
	long s = -1;

	(void)state;
	assert_int_equal(kb_http_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", t - 30, &s), 0);
	assert_int_equal(s, 30);
	/* RFC 850 and asctime forms are HTTP dates too. */
	assert_int_equal(kb_http_retry_after_parse("Sunday, 06-Nov-94 08:49:37 GMT", t - 5, &s), 0);
	assert_int_equal(s, 5);
	assert_int_equal(kb_http_retry_after_parse("Sun Nov  6 08:49:37 1994", t - 7, &s), 0);
	assert_int_equal(s, 7);
	/* A date in the past means "now", never a negative wait. */
	assert_int_equal(kb_http_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", t + 100, &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(kb_http_retry_after_parse("next tuesday-ish", t, &s), -KB_EPARSE);
}

static void test_backoff(void **state)
{
	(void)state;
	/* rnd 0: the fixed half; rnd max: the full delay. */
	assert_int_equal(kb_http_backoff_ms(0, 1000, 60000, 0), 500);
	assert_int_equal(kb_http_backoff_ms(0, 1000, 60000, 500), 1000);
	assert_int_equal(kb_http_backoff_ms(1, 1000, 60000, 0), 1000);
	assert_int_equal(kb_http_backoff_ms(3, 1000, 60000, 0), 4000);
	/* Capped, and no overflow for silly attempt numbers. */
	assert_int_equal(kb_http_backoff_ms(10, 1000, 60000, 0), 30000);
	assert_int_equal(kb_http_backoff_ms(1000, 1000, 60000, 30000), 60000);
	for (uint32_t r = 0; r < 5000; r += 7) {
		long d = kb_http_backoff_ms(2, 1000, 60000, r);

		assert_true(d >= 2000 && d <= 4000);
	}
}

static char *tmpdir_new(void)
{
	char tmpl[] = "/tmp/kb-test-http-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return strdup(tmpl);
}

static void test_validators_roundtrip(void **state)
{
	char *dir = tmpdir_new();
	const char *url = "http://127.0.0.1:1/dists/x/InRelease";
	struct kb_http_validators v = { "\"abc-123\"", "Sat, 09 Nov 2024 10:12:31 GMT" };
	struct kb_http_validators got = { 0 };

	(void)state;
	assert_int_equal(kb_http_validators_load(dir, url, NULL, &got), -KB_ENOTFOUND);
	assert_int_equal(kb_http_validators_save(dir, url, NULL, &v), 0);
	assert_int_equal(kb_http_validators_load(dir, url, NULL, &got), 0);
	assert_string_equal(got.etag, v.etag);
	assert_string_equal(got.last_modified, v.last_modified);
	kb_http_validators_free(&got);
	/* The tag is part of the key: another config asks unconditionally. */
	assert_int_equal(kb_http_validators_load(dir, url, "other", &got), -KB_ENOTFOUND);
	/* Only an ETag. */
	v.last_modified = NULL;
	assert_int_equal(kb_http_validators_save(dir, url, NULL, &v), 0);
	assert_int_equal(kb_http_validators_load(dir, url, NULL, &got), 0);
	assert_string_equal(got.etag, v.etag);
	assert_null(got.last_modified);
	kb_http_validators_free(&got);
	/* No validators at all: the entry is forgotten. */
	v.etag = NULL;
	assert_int_equal(kb_http_validators_save(dir, url, NULL, &v), 0);
	assert_int_equal(kb_http_validators_load(dir, url, NULL, &got), -KB_ENOTFOUND);
	/* Header injection is refused. */
	v.etag = "\"x\"\r\nX-Evil: 1";
	assert_int_equal(kb_http_validators_save(dir, url, NULL, &v), -KB_EPARSE);
	assert_int_equal(kb_rm_rf(dir), 0);
	free(dir);
}

static void test_validators_hostile(void **state)
{
	char *dir = tmpdir_new();
	const char *url = "http://127.0.0.1:1/repodata/repomd.xml";
	struct kb_http_validators v = { "\"e\"", NULL };
	struct kb_http_validators got = { 0 };
	char *sub = kb_path_join(dir, "http");
	char *name = NULL;
	char path[4096];
	FILE *f;

	(void)state;
	assert_int_equal(kb_http_validators_save(dir, url, NULL, &v), 0);
	/* Find the one file and overwrite it with junk of several kinds. */
	{
		DIR *d = opendir(sub);
		struct dirent *e;

		assert_non_null(d);
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				snprintf(path, sizeof(path), "%s", e->d_name);
		closedir(d);
		name = kb_path_join(sub, path);
	}
	static const char *const junk[] = {
		"not-our-magic\netag \"e\"\n",
		"kbundle-http-state 1\nurl http://elsewhere/\netag \"e\"\n",
		"kbundle-http-state 1\nurl http://127.0.0.1:1/repodata/repomd.xml\nbogus x\n",
		"kbundle-http-state 1\nurl http://127.0.0.1:1/repodata/repomd.xml\netag \x01\n",
		"",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		f = fopen(name, "w");
		assert_non_null(f);
		fputs(junk[i], f);
		fclose(f);
		assert_int_equal(kb_http_validators_load(dir, url, NULL, &got), -KB_EPARSE);
		assert_null(got.etag);
	}
	assert_int_equal(kb_rm_rf(dir), 0);
	free(name);
	free(sub);
	free(dir);
}

/* From https a redirect may only go to https; never to file:// or gopher://. */
static void test_redirect_protocols(void **state)
{
	(void)state;
	assert_string_equal(kb_http_redirect_protocols("https://example.org/kb/index.json"), "https");
	assert_string_equal(kb_http_redirect_protocols("HTTPS://example.org/"), "https");
	assert_string_equal(kb_http_redirect_protocols("http://127.0.0.1/x"), "http,https");
}

/* Outside text quoted in messages cannot drive a terminal. */
static void test_log_esc(void **state)
{
	char big[3000];

	(void)state;
	assert_string_equal(kb_log_esc("plain-name_1.2+b3~x"), "plain-name_1.2+b3~x");
	assert_string_equal(kb_log_esc("a\nb\x1b[2J\tc\\d\x7f\xc3"), "a\\nb\\x1b[2J\\tc\\\\d\\x7f\\xc3");
	assert_string_equal(kb_log_esc(NULL), "(null)");
	memset(big, '\x1b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(strlen(kb_log_esc(big)) <= KB_LOG_ESC_MAX);
	assert_non_null(strstr(kb_log_esc(big), "..."));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_date),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_validators_roundtrip),
		cmocka_unit_test(test_validators_hostile),
		cmocka_unit_test(test_redirect_protocols),
		cmocka_unit_test(test_log_esc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
