/* test_index.c — unit tests for the published index reader (bundles/
 * index_read.c): a good index and its round trip through kb_index_write,
 * every field check (unsafe ids, bad sha256, sizes that are not numbers,
 * duplicates, missing fields, YAML-only tricks), the .sha256 sidecar check,
 * and architecture spellings. Format 2's per-entry packer_format and
 * packed_at order packings; 200,000 entries (the limit), with a duplicate
 * id last, are refused in well under 2 s (the pairwise check took minutes);
 * a bundle size over the cap is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <valgrind/valgrind.h>

#include "bundles/fetch.h"
#include "bundles/index.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

#define SHA_A "4878e4a5d5c4c387c3298b4f68ff20316fcfa5e79238d8f74a68d9a7dc7aeb1d"
#define SHA_B "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"

/* An index with one bundle whose fields are given (already quoted as JSON). */
static char *index_text(const char *id, const char *sha, const char *size)
{
	return kb_xasprintf("{\n  \"packer_format\": 1,\n  \"bundles\": [\n    {\n"
			    "      \"id\": %s,\n      \"distro\": \"debian\",\n"
			    "      \"uname\": \"6.1.0-26-amd64\",\n      \"arch\": \"amd64\",\n"
			    "      \"sha256\": %s,\n      \"size\": %s\n    }\n  ]\n}\n",
			    id, sha, size);
}

static int parse(const char *text)
{
	struct kb_index idx;
	int err = kb_index_parse(text, strlen(text), "test.json", &idx);

	if (!err)
		kb_index_free(&idx);
	else
		assert_int_equal(idx.n, 0);
	return err;
}

static int parse_one(const char *id, const char *sha, const char *size)
{
	char *t = index_text(id, sha, size);
	int err = parse(t);

	free(t);
	return err;
}

static void test_good(void **state)
{
	const char *text =
		"{\"packer_format\": 3, \"future\": {\"x\": [1, 2]}, \"bundles\": ["
		"{\"id\": \"" SHA_B "\", \"distro\": \"debian\", \"uname\": \"6.1.0-26-amd64\","
		" \"arch\": \"amd64\", \"sha256\": \"" SHA_A "\", \"size\": 123456, \"new\": \"ok\"},"
		"{\"id\": \"b2\", \"distro\": \"alma\", \"uname\": \"5.14.0-427.el9.x86_64\","
		" \"arch\": \"x86_64\", \"sha256\": \"" SHA_B "\", \"size\": 1}]}";
	char path[] = "/tmp/kb-test-index.XXXXXX";
	struct kb_index idx, again;
	int fd;

	(void)state;
	assert_int_equal(kb_index_parse(text, strlen(text), "t", &idx), 0);
	assert_int_equal(idx.packer_format, 3);
	assert_int_equal(idx.n, 2);
	assert_string_equal(idx.v[0].id, SHA_B);
	assert_string_equal(idx.v[0].uname, "6.1.0-26-amd64");
	assert_string_equal(idx.v[0].sha256, SHA_A);
	assert_int_equal(idx.v[0].size, 123456);
	assert_string_equal(idx.v[1].arch, "x86_64");

	/* what kb_index_write writes reads back the same */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(kb_index_write(path, &idx), 0);
	assert_int_equal(kb_index_load(path, &again), 0);
	assert_int_equal(again.n, 2);
	assert_int_equal(again.packer_format, 3);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(again.v[i].id, idx.v[i].id);
		assert_string_equal(again.v[i].distro, idx.v[i].distro);
		assert_string_equal(again.v[i].sha256, idx.v[i].sha256);
		assert_int_equal(again.v[i].size, idx.v[i].size);
	}
	kb_index_free(&again);
	kb_index_free(&idx);
	unlink(path);
	assert_int_equal(kb_index_load("/nonexistent/index.json", &idx), -KB_ENOTFOUND);

	/* an empty index is an index */
	assert_int_equal(parse("{\"packer_format\": 1, \"bundles\": []}"), 0);
}

static void test_unsafe_ids(void **state)
{
	(void)state;
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "1"), 0);
	assert_int_equal(parse_one("\"../../etc/passwd\"", "\"" SHA_A "\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"a/b\"", "\"" SHA_A "\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"..\"", "\"" SHA_A "\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\".hidden\"", "\"" SHA_A "\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"/abs\"", "\"" SHA_A "\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"\"", "\"" SHA_A "\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"a\\u0000b\"", "\"" SHA_A "\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"a\\nb\"", "\"" SHA_A "\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("[\"x\"]", "\"" SHA_A "\"", "1"), -KB_EPARSE);
	assert_true(kb_index_name_safe("6.1.0-26-amd64_1.2+b3~x"));
	assert_false(kb_index_name_safe("a..b"));
}

static void test_bad_fields(void **state)
{
	(void)state;
	/* sha256 */
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "0\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"4878E4A5D5C4C387C3298B4F68FF20316FCFA5E7"
				   "9238D8F74A68D9A7DC7AEB1D\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"g878e4a5d5c4c387c3298b4f68ff20316fcfa5e7"
				   "9238d8f74a68d9a7dc7aeb1d\"", "1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "null", "1"), -KB_EPARSE);
	/* size */
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "-1"), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "0"), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "1.5"), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "0x10"), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "1e9"), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "99999999999999999999999"), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "\"\""), -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "{}"), -KB_EPARSE);
	/* the structure */
	assert_int_equal(parse("[]"), -KB_EPARSE);
	assert_int_equal(parse("{\"bundles\": []}"), -KB_EPARSE);
	assert_int_equal(parse("{\"packer_format\": \"x\", \"bundles\": []}"), -KB_EPARSE);
	assert_int_equal(parse("{\"packer_format\": 1, \"bundles\": {}}"), -KB_EPARSE);
	assert_int_equal(parse("{\"packer_format\": 1, \"bundles\": [1]}"), -KB_EPARSE);
	assert_int_equal(parse("{\"packer_format\": 1, \"bundles\": [{\"id\": \"x\"}]}"), -KB_EPARSE);
	assert_int_equal(parse("{\"packer_format\": 1, \"bundles\": ["), -KB_EPARSE);
	assert_int_equal(parse(""), -KB_EPARSE);
	/* a key given twice: readers could disagree on which one counts */
	assert_int_equal(parse("{\"packer_format\": 1, \"bundles\": [{\"id\": \"x\", \"distro\": \"d\","
			       " \"uname\": \"u\", \"arch\": \"amd64\", \"sha256\": \"" SHA_A "\","
			       " \"sha256\": \"" SHA_B "\", \"size\": 1}]}"),
			 -KB_EPARSE);
	/* an id listed twice */
	assert_int_equal(parse("{\"packer_format\": 1, \"bundles\": ["
			       "{\"id\": \"x\", \"distro\": \"d\", \"uname\": \"u\", \"arch\": \"amd64\","
			       " \"sha256\": \"" SHA_A "\", \"size\": 1},"
			       "{\"id\": \"x\", \"distro\": \"d\", \"uname\": \"u\", \"arch\": \"amd64\","
			       " \"sha256\": \"" SHA_B "\", \"size\": 1}]}"),
			 -KB_EPARSE);
	/* YAML that is not JSON: anchors and aliases (the billion laughs) */
	assert_int_equal(parse("{packer_format: 1, a: &a [x, x], b: [*a, *a], bundles: []}"), -KB_EPARSE);
}

static void test_limits(void **state)
{
	struct kb_str_deep { char *p; } d;
	size_t n = 100;

	(void)state;
	d.p = kb_xmalloc(2 * n + 1);
	memset(d.p, '[', n);
	memset(d.p + n, ']', n);
	d.p[2 * n] = '\0';
	assert_int_equal(parse(d.p), -KB_ELIMIT);
	free(d.p);
	/* over the size limit, before any parsing */
	{
		struct kb_index idx;

		assert_int_equal(kb_index_parse("{}", (size_t)KB_INDEX_MAX_BYTES + 1, "big", &idx),
				 -KB_ELIMIT);
	}
}

static void test_sidecar(void **state)
{
	struct kb_index_entry e = { .id = "abc", .sha256 = SHA_A, .size = 1 };
	const char *good = SHA_A "  abc.tgz\n";

	(void)state;
	assert_int_equal(kb_index_sidecar_check(good, strlen(good), "s", &e), 0);
	assert_int_equal(kb_index_sidecar_check(SHA_A " *abc.tgz", 73, "s", &e), 0);
	assert_int_equal(kb_index_sidecar_check(SHA_B "  abc.tgz\n", 74, "s", &e), -KB_ECHECKSUM);
	assert_int_equal(kb_index_sidecar_check(SHA_A "  abd.tgz\n", 74, "s", &e), -KB_EPARSE);
	assert_int_equal(kb_index_sidecar_check(SHA_A "  abc.tgz\nx", 75, "s", &e), -KB_EPARSE);
	assert_int_equal(kb_index_sidecar_check(SHA_A "abc.tgz\n", 72, "s", &e), -KB_EPARSE);
	assert_int_equal(kb_index_sidecar_check("x", 1, "s", &e), -KB_EPARSE);
	assert_int_equal(kb_index_sidecar_check("", 0, "s", &e), -KB_EPARSE);
}

/* A bundle packed with an alternate package names its manifest entry:
 * read, checked, written back, read again; absent is NULL. */
static void test_manifest_id(void **state)
{
	char *text = kb_xasprintf("{\"packer_format\": 2, \"bundles\": [{\"id\": \"" SHA_B "\", "
				  "\"manifest_id\": \"" SHA_A "\", \"distro\": \"debian\", "
				  "\"uname\": \"5.10.0-30-arm64\", \"arch\": \"arm64\", "
				  "\"sha256\": \"" SHA_A "\", \"size\": 7}]}");
	char dir[] = "/tmp/kb-test-index-XXXXXX", *path;
	struct kb_index idx, back;
	char *bad;

	(void)state;
	assert_int_equal(kb_index_parse(text, strlen(text), "t.json", &idx), 0);
	assert_int_equal(idx.n, 1);
	assert_string_equal(idx.v[0].manifest_id, SHA_A);
	assert_non_null(mkdtemp(dir));
	path = kb_path_join(dir, "index.json");
	assert_int_equal(kb_index_write(path, &idx), 0);
	assert_int_equal(kb_index_load(path, &back), 0);
	assert_string_equal(back.v[0].manifest_id, SHA_A);
	assert_string_equal(back.v[0].id, SHA_B);
	kb_index_free(&back);
	kb_index_free(&idx);
	/* not a sha256: refused */
	bad = kb_xasprintf("%.*s\"manifest_id\": \"../x\"%s", (int)(strstr(text, "\"manifest_id\"") - text),
			   text, strstr(text, ", \"distro\""));
	assert_int_equal(parse(bad), -KB_EPARSE);
	free(bad);
	/* absent: NULL, and not written */
	bad = index_text("\"" SHA_B "\"", "\"" SHA_A "\"", "1");
	assert_int_equal(kb_index_parse(bad, strlen(bad), "t.json", &idx), 0);
	assert_null(idx.v[0].manifest_id);
	assert_int_equal(kb_index_write(path, &idx), 0);
	kb_index_free(&idx);
	free(bad);
	assert_int_equal(kb_file_read(path, 1 << 20, &bad, NULL), 0);
	assert_null(strstr(bad, "manifest_id"));
	free(bad);
	unlink(path);
	rmdir(dir);
	free(path);
	free(text);
}

static double kb_now_s(void)
{
	struct timespec ts;

	/* CPU time: the 2 shared cores of a test machine are often busy */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n entries, ids e0..e(n-1); dup: the last one repeats the first id. */
static char *big_index(size_t n, int dup)
{
	size_t cap = n * 200 + 64, len = 0;
	char *t = kb_xmalloc(cap);

	len += (size_t)snprintf(t + len, cap - len, "{\"index_format\": 2, \"packer_format\": 1, \"bundles\": [");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len,
					"%s{\"id\": \"e%zu\", \"distro\": \"d\", \"uname\": \"u%zu\", "
					"\"arch\": \"amd64\", \"sha256\": \"" SHA_A "\", \"size\": 1}",
					i ? "," : "", dup && i == n - 1 ? (size_t)0 : i, i);
	snprintf(t + len, cap - len, "]}");
	return t;
}

/* The duplicate check on 200,000 ids (the limit) is well under 2 s (the
 * pairwise one took 4 min 17 s); reading such an index whole is reported
 * here (the sanitizers multiply it) and measured by bench/index_read.c. */
static void test_big_index(void **state)
{
	struct kb_index idx = { 0 };
	char *t;
	double t0, secs;

	(void)state;
	kb_log_set_level(KB_LOG_ERROR);
	idx.v = kb_xcalloc(KB_INDEX_MAX_ENTRIES, sizeof(*idx.v));
	for (size_t i = 0; i < KB_INDEX_MAX_ENTRIES; i++)
		idx.v[idx.n++].id = kb_xasprintf("%016llx%048zx",	/* ids are sha256s: */
						 (unsigned long long)(i + 1) * 0x9e3779b97f4a7c15ull, i);
	t0 = kb_now_s();
	assert_int_equal(kb_index_check_unique(&idx, "t"), 0);
	free(idx.v[idx.n - 1].id);
	idx.v[idx.n - 1].id = kb_xstrdup(idx.v[0].id);
	assert_int_equal(kb_index_check_unique(&idx, "t"), -KB_EPARSE);
	secs = kb_now_s() - t0;
	print_message("duplicate check of 200,000 ids, twice: %.2f s of CPU\n", secs);
	/* under valgrind's ~30x slowdown the bound still tells n log n from
	 * the quadratic check's minutes */
	assert_true(secs < (RUNNING_ON_VALGRIND ? 30.0 : 2.0));
	kb_index_free(&idx);
	t = big_index(KB_INDEX_MAX_ENTRIES, 1);
	t0 = kb_now_s();
	assert_int_equal(parse(t), -KB_EPARSE);
	print_message("index.json of 200,000 entries, a duplicate id last: refused in %.2f s of CPU\n",
		      kb_now_s() - t0);
	free(t);
	kb_log_set_level(KB_LOG_INFO);
}

static void test_format2(void **state)
{
	const char *two =
		"{\"index_format\": 2, \"packer_format\": 2, \"bundles\": ["
		"{\"id\": \"a\", \"distro\": \"d\", \"uname\": \"u\", \"arch\": \"amd64\","
		" \"sha256\": \"" SHA_A "\", \"size\": 1, \"packer_format\": 1,"
		" \"packed_at\": \"2026-06-01T00:00:00Z\"},"
		"{\"id\": \"b\", \"distro\": \"d\", \"uname\": \"u\", \"arch\": \"amd64\","
		" \"sha256\": \"" SHA_B "\", \"size\": 1, \"packed_at\": \"2026-01-01T00:00:00Z\"},"
		"{\"id\": \"c\", \"distro\": \"d\", \"uname\": \"u\", \"arch\": \"amd64\","
		" \"sha256\": \"" SHA_B "\", \"size\": 1, \"packer_format\": 1}]}";
	struct kb_index idx;

	(void)state;
	assert_int_equal(kb_index_parse(two, strlen(two), "t", &idx), 0);
	assert_int_equal(idx.n, 3);
	assert_int_equal(idx.v[0].packer_format, 1);
	assert_string_equal(idx.v[0].packed_at, "2026-06-01T00:00:00Z");
	assert_int_equal(idx.v[1].packer_format, 2);	/* the index's own */
	assert_string_equal(idx.v[2].packed_at, "");
	/* a newer packer format wins over a later date; then the date; then the id */
	assert_true(kb_index_entry_newer_cmp(&idx.v[1], &idx.v[0]) > 0);
	assert_true(kb_index_entry_newer_cmp(&idx.v[0], &idx.v[2]) > 0);
	assert_true(kb_index_entry_newer_cmp(&idx.v[2], &idx.v[2]) == 0);
	kb_index_free(&idx);
	kb_log_set_level(KB_LOG_ERROR);
	/* a format this reader does not know, a bad time, a size over the cap */
	assert_int_equal(parse("{\"index_format\": 4, \"packer_format\": 1, \"bundles\": []}"),
			 -KB_EPARSE);
	assert_int_equal(parse("{\"packer_format\": 1, \"bundles\": [{\"id\": \"x\", \"distro\": \"d\","
			       " \"uname\": \"u\", \"arch\": \"amd64\", \"sha256\": \"" SHA_A "\","
			       " \"size\": 1, \"packed_at\": \"2026-06-01 00:00\"}]}"),
			 -KB_EPARSE);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "1073741824"), 0);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "1073741825"), -KB_ELIMIT);
	assert_int_equal(parse_one("\"x\"", "\"" SHA_A "\"", "1099511627776"), -KB_ELIMIT);
	kb_log_set_level(KB_LOG_INFO);
}

/* Format 3: a signed store index's top-level fields (all or none), each
 * bundle's path (only ever <id>.tgz) and vmtest; its text round-trips to
 * the same bytes (what the signature covers). */
static void test_format3(void **state)
{
	const char *head = "{\"index_format\": 3, \"packer_format\": 2, \"version\": 7,"
			   " \"generated\": \"2026-06-01T00:00:00Z\", \"expires\": \"2026-07-01T00:00:00Z\","
			   " \"key_id\": \"0123456789abcdef\", \"bundles\": [";
	char *text = kb_xasprintf("%s{\"id\": \"a\", \"distro\": \"d\", \"uname\": \"u\","
				  " \"arch\": \"amd64\", \"sha256\": \"" SHA_A "\", \"size\": 1,"
				  " \"path\": \"a.tgz\", \"vmtest\": \"passed\"}]}", head);
	struct kb_index idx, back;
	char *t1, *t2, *bad;
	size_t l1, l2;
	int err;

	(void)state;
	assert_int_equal(kb_index_parse(text, strlen(text), "t", &idx), 0);
	assert_int_equal(idx.format, 3);
	assert_int_equal(idx.version, 7);
	assert_string_equal(idx.generated, "2026-06-01T00:00:00Z");
	assert_string_equal(idx.expires, "2026-07-01T00:00:00Z");
	assert_string_equal(idx.key_id, "0123456789abcdef");
	assert_string_equal(idx.v[0].vmtest, "passed");
	t1 = kb_index_text(&idx, &l1, &err);
	assert_non_null(t1);
	assert_int_equal(kb_index_parse(t1, l1, "t1", &back), 0);
	t2 = kb_index_text(&back, &l2, &err);
	assert_int_equal(l1, l2);
	assert_memory_equal(t1, t2, l1);
	assert_non_null(strstr(t1, "\"path\": \"a.tgz\""));
	kb_index_free(&idx);
	kb_index_free(&back);
	free(t1);
	free(t2);
	kb_log_set_level(KB_LOG_ERROR);
	/* a path the server chose, a vmtest verdict nobody gives */
	bad = kb_xasprintf("%s{\"id\": \"a\", \"distro\": \"d\", \"uname\": \"u\", \"arch\": \"amd64\","
			   " \"sha256\": \"" SHA_A "\", \"size\": 1, \"path\": \"../etc/x.tgz\"}]}", head);
	assert_int_equal(parse(bad), -KB_EPARSE);
	free(bad);
	bad = kb_xasprintf("%s{\"id\": \"a\", \"distro\": \"d\", \"uname\": \"u\", \"arch\": \"amd64\","
			   " \"sha256\": \"" SHA_A "\", \"size\": 1, \"vmtest\": \"maybe\"}]}", head);
	assert_int_equal(parse(bad), -KB_EPARSE);
	free(bad);
	/* the alias is only ever <distro>/<arch>/bundle-<uname>.tgz */
	bad = kb_xasprintf("%s{\"id\": \"a\", \"distro\": \"d\", \"uname\": \"u\", \"arch\": \"amd64\","
			   " \"sha256\": \"" SHA_A "\", \"size\": 1, \"alias\": \"d/amd64/bundle-u.tgz\"}]}", head);
	assert_int_equal(kb_index_parse(bad, strlen(bad), "t", &idx), 0);
	assert_string_equal(idx.v[0].alias, "d/amd64/bundle-u.tgz");
	kb_index_free(&idx);
	free(bad);
	bad = kb_xasprintf("%s{\"id\": \"a\", \"distro\": \"d\", \"uname\": \"u\", \"arch\": \"amd64\","
			   " \"sha256\": \"" SHA_A "\", \"size\": 1, \"alias\": \"../../etc/x.tgz\"}]}", head);
	assert_int_equal(parse(bad), -KB_EPARSE);
	free(bad);
	/* some of the signed fields only; a version of 0; a bad key id */
	assert_int_equal(parse("{\"index_format\": 3, \"packer_format\": 1, \"version\": 3, \"bundles\": []}"),
			 -KB_EPARSE);
	assert_int_equal(parse("{\"index_format\": 3, \"packer_format\": 1, \"version\": 0,"
			       " \"generated\": \"2026-06-01T00:00:00Z\", \"expires\": \"2026-07-01T00:00:00Z\","
			       " \"key_id\": \"0123456789abcdef\", \"bundles\": []}"), -KB_EPARSE);
	assert_int_equal(parse("{\"index_format\": 3, \"packer_format\": 1, \"version\": 1,"
			       " \"generated\": \"2026-06-01T00:00:00Z\", \"expires\": \"2026-07-01T00:00:00Z\","
			       " \"key_id\": \"0123456789ABCDEF\", \"bundles\": []}"), -KB_EPARSE);
	kb_log_set_level(KB_LOG_INFO);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_unsafe_ids),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_sidecar),
		cmocka_unit_test(test_manifest_id),
		cmocka_unit_test(test_big_index),
		cmocka_unit_test(test_format2),
		cmocka_unit_test(test_format3),
	};

	kb_log_set_level(KB_LOG_ERROR + (getenv("KB_TEST_VERBOSE") ? 3 : 0));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
