/* test_html.c — lib/html.c (escaping, links, the page's policy) and the
 * driverkit export's naming (manifest/driverkit.c). The pages themselves
 * are checked in a browser by tests/e2e/test_html_pages.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "crawler/upstream.h"
#include "lib/file.h"
#include "lib/html.h"
#include "manifest/driverkit.h"

static char *page(void (*body)(struct kb_html *), const char *script)
{
	struct kb_html h;
	size_t len;
	int err;
	char *out;

	kb_html_begin(&h, "t<i>tle", NULL, script);
	body(&h);
	out = kb_html_finish(&h, &len, &err);
	assert_int_equal(err, 0);
	assert_int_equal(strlen(out), len);
	return out;
}

static void body_text(struct kb_html *h)
{
	kb_html_text(h, "[<script>\"a\"&'b'\x01\x7f\n]");
	kb_html_text(h, NULL);
}

static void test_html_text(void **state)
{
	char *out = page(body_text, NULL);

	(void)state;
	assert_non_null(strstr(out, "<title>t&lt;i&gt;tle</title>"));
	assert_non_null(strstr(out, "[&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;\n]"));
	assert_null(strstr(out, "<script"));	/* no script, no script-src */
	assert_null(strstr(out, "script-src"));
	free(out);
}

static void body_urls(struct kb_html *h)
{
	kb_html_url(h, "javascript:alert(1)\" x");
	fputc('|', h->f);
	kb_html_url_from(h, "/a/b/out/r.html", "/a/b/reports/x y.log");
	fputc('|', h->f);
	kb_html_url_from(h, "/a/b/r.html", "/a/b/reports/./v/../x.log");
	fputc('|', h->f);
	kb_html_url_from(h, "/a/bc/r.html", "/a/b/x");
	fputc('|', h->f);
	kb_html_url_from(h, "r.html", "logs/k.log");
	fputc('|', h->f);
}

static void test_html_urls(void **state)
{
	char *out = page(body_urls, NULL);

	(void)state;
	assert_non_null(strstr(out, "javascript%3Aalert%281%29%22%20x|../reports/x%20y.log|"
				    "reports/x.log|../b/x|logs/k.log|"));
	free(out);
}

static void body_none(struct kb_html *h)
{
	(void)h;
}

static void test_html_policy(void **state)
{
	static const char js[] = "document.title='x';\n";
	unsigned char md[SHA256_DIGEST_LENGTH], b64[64];
	char *out = page(body_none, js), *want;

	(void)state;
	SHA256((const unsigned char *)js, strlen(js), md);
	EVP_EncodeBlock(b64, md, sizeof(md));
	want = kb_xasprintf("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-%s'", b64);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "<script>document.title='x';\n</script>\n</body>"));
	free(want);
	free(out);
}

static void test_driverkit_names(void **state)
{
	struct kb_mpkg hdr[2] = {
		{ .name = "linux-headers-5.15.0-91-generic", .path = "pool/main/l/linux/h.deb" },
		{ .name = "linux-kbuild-6.1", .path = "pool/updates/main/l/linux/k.deb" },
	};
	struct kb_bundle_entry es[3] = {
		{ .id = "a", .distro = "ubuntu", .upstream = "u", .release = "5.15.0-1050-aws",
		  .arch = "amd64", .version = "5.15.0-1050.55", .headers = hdr, .nheaders = 1 },
		{ .id = "b", .distro = "debian", .upstream = "d", .release = "6.1.0-18-amd64",
		  .arch = "amd64", .version = "6.1.76-1", .headers = hdr, .nheaders = 2 },
		{ .id = "c", .distro = "amazonlinux", .upstream = "al", .release = "6.1.1.amzn2023.x86_64",
		  .arch = "x86_64", .version = "6.1.1", .headers = hdr, .nheaders = 1 },
	};
	struct kb_manifest m = { .v = es, .n = 3 };
	struct kb_upstream ups[3] = {
		{ .name = "u", .distro = "ubuntu", .release = "22.04" },
		{ .name = "d", .distro = "debian", .release = "12" },
		{ .name = "al", .distro = "amazonlinux", .release = "2023" },
	};
	struct kb_strv mirrors[3] = { { 0 } };
	struct kb_upstream_set set = { .v = ups, .mirrors = mirrors, .n = 3 };
	size_t len;
	int err;
	char *out;

	(void)state;
	for (int i = 0; i < 3; i++)
		kb_strv_push(&ups[i].mirrors, "http://m.example/x");
	kb_strv_push(&ups[1].suites, "bookworm");
	kb_strv_push(&ups[1].suites, "bookworm-security");
	out = kb_driverkit_json(&m, &set, &len, &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(out, "\"kernelversion\": \"55\",\n      \"kernelrelease\": \"5.15.0-1050-aws\",\n"
				    "      \"target\": \"ubuntu-aws\""));
	assert_non_null(strstr(out, "\"target\": \"debian\""));
	assert_non_null(strstr(out, "\"amazonlinux2023\": ["));
	assert_non_null(strstr(out, "\"target\": \"amazonlinux2023\""));
	assert_non_null(strstr(out, "\"http://m.example/x/pool/updates/main/l/linux/k.deb\""));
	/* keys in kernel-crawler's spelling, sorted */
	assert_true(strstr(out, "\"amazonlinux2023\"") < strstr(out, "\"debian\": ["));
	assert_true(strstr(out, "\"debian\": [") < strstr(out, "\"ubuntu\": ["));
	free(out);
	for (int i = 0; i < 3; i++) {
		kb_strv_free(&ups[i].mirrors);
		kb_strv_free(&ups[i].suites);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_text),
		cmocka_unit_test(test_html_urls),
		cmocka_unit_test(test_html_policy),
		cmocka_unit_test(test_driverkit_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
