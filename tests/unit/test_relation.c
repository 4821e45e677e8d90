/* test_relation.c — unit tests for manifest/relation: Debian relation
 * fields (Depends:) and whether a version satisfies a relation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/error.h"
#include "lib/vercmp.h"
#include "manifest/relation.h"

static void test_relation_parse(void **state)
{
	struct kb_str f = kb_str_c("a (>= 1.0), b:any (= 2) | c (<< 3~), d, e (<= 4) [amd64] <!x>"
				   ", f(>>5), g (< 6)");
	struct kb_relation r;

	(void)state;
	assert_int_equal(kb_relation_next(&f, &r), 1);
	assert_true(kb_str_eq(r.name, "a") && r.op == KB_REL_GE && kb_str_eq(r.version, "1.0"));
	assert_int_equal(kb_relation_next(&f, &r), 1);
	assert_true(kb_str_eq(r.name, "b") && r.op == KB_REL_EQ && !r.alt);
	assert_int_equal(kb_relation_next(&f, &r), 1);
	assert_true(kb_str_eq(r.name, "c") && r.op == KB_REL_LT && r.alt &&
		    kb_str_eq(r.version, "3~"));
	assert_int_equal(kb_relation_next(&f, &r), 1);
	assert_true(kb_str_eq(r.name, "d") && r.op == KB_REL_ANY && !r.alt);
	assert_int_equal(kb_relation_next(&f, &r), 1);
	assert_true(kb_str_eq(r.name, "e") && r.op == KB_REL_LE);
	assert_int_equal(kb_relation_next(&f, &r), 1);
	assert_true(kb_str_eq(r.name, "f") && r.op == KB_REL_GT && kb_str_eq(r.version, "5"));
	assert_int_equal(kb_relation_next(&f, &r), 1);
	assert_true(kb_str_eq(r.name, "g") && r.op == KB_REL_LE);	/* obsolete "<" */
	assert_int_equal(kb_relation_next(&f, &r), 0);

	static const char *const bad[] = { "a (>= )", "a (~ 1)", "a (>= 1", "a,", "a | , b",
					   "(>= 1)", "a b", "a [amd64" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		f = kb_str_c(bad[i]);
		while ((rc = kb_relation_next(&f, &r)) > 0)
			;
		assert_int_equal(rc, -KB_EPARSE);
	}
	f = kb_str_c("");
	assert_int_equal(kb_relation_next(&f, &r), 0);
}

static void test_relation_satisfied(void **state)
{
	static const struct {
		const char *field, *version;
		bool ok;
	} cases[] = {
		{ "k (>= 6.1.164-1)", "6.1.164-1", true },
		{ "k (>= 6.1.164-1)", "6.1.170-3", true },
		{ "k (>= 6.1.164-1)", "6.1.158-1", false },
		{ "k (>> 6.1.164-1)", "6.1.164-1", false },
		{ "k (<< 6.12.57-1)", "6.12.57-1~bpo12+1", true },
		{ "k (<= 6.1.164-1)", "6.1.164-1", true },
		{ "k (= 6.1.164-1)", "6.1.164-1", true },
		{ "k (= 6.1.164-1)", "6.1.164-2", false },
		{ "k", "anything", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kb_str f = kb_str_c(cases[i].field);
		struct kb_relation r;

		assert_int_equal(kb_relation_next(&f, &r), 1);
		assert_int_equal(kb_relation_satisfied(&r, cases[i].version, kb_deb_vercmp),
				 cases[i].ok);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relation_parse),
		cmocka_unit_test(test_relation_satisfied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
