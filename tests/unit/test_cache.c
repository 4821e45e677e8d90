/* test_cache.c — unit tests for cache/: the store on lib/ alone. A fetch
 * described by {sha256, size, path, mirrors} finds a verified object without
 * a mirror, drops a damaged one, reports a missing one; list returns the
 * objects and gc keeps exactly the wanted digests (and their partial
 * downloads); bundle stamps round-trip. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache/cache.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/strv.h"

/* Put text into the store as the object named sha (its own digest or not). */
static void put(const struct kb_cache *c, const char *sha, const char *suffix, const char *text)
{
	char *obj = kb_cache_object_path(c, sha), *dir = kb_xasprintf("%s/%.2s", c->objects, sha);
	char *path = kb_xasprintf("%s%s", obj, suffix);

	assert_int_equal(kb_mkdir_p(dir, 0755), 0);
	assert_int_equal(kb_file_write_atomic(path, text, strlen(text)), 0);
	free(path);
	free(dir);
	free(obj);
}

static void test_cache_fetch_and_gc(void **state)
{
	char tmpl[] = "/tmp/kb-test-cache-XXXXXX";
	char good[KB_SHA256_HEX_LEN + 1], bad[KB_SHA256_HEX_LEN + 1], gone[KB_SHA256_HEX_LEN + 1];
	struct kb_cache c;
	struct kb_strv no_mirrors = { 0 }, wanted = { 0 };
	struct kb_cache_object *objs = NULL;
	size_t nobjs = 0, removed = 0;
	uint64_t freed = 0;

	(void)state;
	kb_log_set_level(-1);
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(kb_cache_open(&c, tmpl), 0);
	kb_sha256_buf("hello", 5, good);
	kb_sha256_buf("other", 5, bad);
	kb_sha256_buf("absent", 6, gone);
	put(&c, good, "", "hello");
	put(&c, bad, "", "damaged");	/* not the bytes its name promises */
	put(&c, good, ".dl.part", "hel");

	struct kb_cache_fetch f[] = {
		{ .sha256 = good, .size = 5, .path = "pool/h.deb", .name = "h", .mirrors = &no_mirrors },
		{ .sha256 = bad, .size = 5, .path = "pool/o.deb", .name = "o", .mirrors = &no_mirrors },
		{ .sha256 = gone, .size = 6, .path = "pool/a.deb", .name = "a", .mirrors = NULL },
		{ .sha256 = good, .size = 5, .path = "pool/h.deb", .name = "h", .mirrors = &no_mirrors },
	};
	assert_int_not_equal(kb_cache_fetch_all(&c, f, 4, 2), 0);
	assert_int_equal(f[0].err, 0);
	assert_false(f[0].downloaded);
	assert_int_equal(access(f[0].object, R_OK), 0);
	assert_int_equal(f[3].err, 0);	/* the same digest twice: fetched once */
	assert_string_equal(f[3].object, f[0].object);
	assert_int_equal(f[1].err, -KB_ENOTFOUND);
	assert_int_not_equal(access(f[1].object, F_OK), 0);	/* the damaged object went */
	assert_int_equal(f[2].err, -KB_ENOTFOUND);
	for (size_t i = 0; i < 4; i++)
		free(f[i].object);

	put(&c, bad, "", "stale");	/* something no entry wants */
	assert_int_equal(kb_cache_list(&c, &objs, &nobjs), 0);
	assert_int_equal(nobjs, 3);
	kb_cache_objects_free(objs, nobjs);

	kb_strv_push(&wanted, good);
	kb_strv_sort_unique(&wanted);
	/* a dry run counts what would go and removes nothing */
	assert_int_equal(kb_cache_gc(&c, &wanted, true, &freed, &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(freed, 5);
	assert_int_equal(kb_cache_list(&c, &objs, &nobjs), 0);
	assert_int_equal(nobjs, 3);
	kb_cache_objects_free(objs, nobjs);
	assert_int_equal(kb_cache_gc(&c, &wanted, false, &freed, &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(freed, 5);
	assert_int_equal(kb_cache_list(&c, &objs, &nobjs), 0);
	assert_int_equal(nobjs, 2);	/* the good object and its partial download */
	for (size_t i = 0; i < nobjs; i++)
		assert_true(strncmp(objs[i].name, good, KB_SHA256_HEX_LEN) == 0);
	kb_cache_objects_free(objs, nobjs);
	kb_strv_free(&wanted);

	assert_false(kb_cache_bundle_done(&c, good, 3, bad, 42));
	assert_int_equal(kb_cache_bundle_stamp(&c, good, 3, bad, 42), 0);
	assert_true(kb_cache_bundle_done(&c, good, 3, bad, 42));
	assert_false(kb_cache_bundle_done(&c, good, 4, bad, 42));
	assert_false(kb_cache_bundle_done(&c, good, 3, bad, 43));
	kb_cache_close(&c);
	kb_rm_rf(tmpl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_fetch_and_gc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
