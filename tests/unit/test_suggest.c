/* test_suggest.c — unit tests for "did you mean" (lib/suggest.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/suggest.h"

static void names_of(struct kb_strv *v, const char *const *names)
{
	for (; *names; names++)
		kb_strv_push(v, *names);
}

static void test_nearest(void **state)
{
	static const char *const ups[] = { "debian-11", "debian-12", "debian-13", "ubuntu-24.04",
					   NULL };
	static const char *const cmds[] = { "crawl", "pack", "publish", "vmtest", NULL };
	struct kb_strv u = { 0 }, c = { 0 };

	(void)state;
	names_of(&u, ups);
	names_of(&c, cmds);
	assert_string_equal(kb_suggest_nearest("debian12", &u), "debian-12");
	assert_string_equal(kb_suggest_nearest("Debian-13", &u), "debian-13");
	assert_string_equal(kb_suggest_nearest("ubuntu-24.4", &u), "ubuntu-24.04");
	assert_null(kb_suggest_nearest("fedora-43", &u));
	assert_string_equal(kb_suggest_nearest("pak", &c), "pack");
	assert_string_equal(kb_suggest_nearest("vmtset", &c), "vmtest");
	assert_null(kb_suggest_nearest("x", &c));	/* one letter is no typo of anything */
	assert_null(kb_suggest_nearest("", &c));
	kb_strv_free(&u);
	kb_strv_free(&c);
}

static void test_text(void **state)
{
	static const char *const arches[] = { "arm64", "amd64", "amd64", NULL };
	struct kb_strv a = { 0 }, none = { 0 };
	char *t;

	(void)state;
	names_of(&a, arches);
	t = kb_suggest_text("amd46", &a);
	assert_string_equal(t, "did you mean amd64? valid: amd64, arm64");
	free(t);
	t = kb_suggest_text("s390x", &a);
	assert_string_equal(t, "valid: amd64, arm64");
	free(t);
	t = kb_suggest_text("s390x", &none);
	assert_string_equal(t, "none are known");
	free(t);
	kb_strv_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nearest),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
