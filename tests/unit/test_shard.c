/* test_shard.c — the shard partition (manifest/shard.c): N shards together
 * hold every selected entry exactly once; the partition is stable when
 * kernels are added; weighted loads stay within 10% of each other for
 * N = 16; I/N parsing and the environment (KBUNDLE_SHARD, a Kubernetes
 * Indexed Job's JOB_COMPLETION_INDEX with KBUNDLE_SHARDS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "manifest/select.h"
#include "manifest/shard.h"

#define NBASE 10000
#define NMORE 100

static const char *const arches[] = { "amd64", "amd64", "amd64", "arm64", "arm64", "riscv64",
				      "ppc64el", "s390x", "i386", "amd64" };

/* n synthetic entries: sha256-like ids, mixed architectures and package counts. */
static struct kb_manifest synth(size_t n)
{
	struct kb_manifest m = { kb_xcalloc(n, sizeof(struct kb_bundle_entry)), n };

	for (size_t i = 0; i < n; i++) {
		struct kb_bundle_entry *e = &m.v[i];
		uint64_t h = (i + 1) * 0x9e3779b97f4a7c15ull;

		snprintf(e->id, sizeof(e->id), "%016llx%048zx", (unsigned long long)h, i);
		e->arch = (char *)arches[(h >> 17) % 10];
		e->nheaders = 2 + (h >> 40) % 4;
		e->nimages = 1;
	}
	return m;
}

static void test_partition_exact(void **state)
{
	struct kb_manifest m = synth(2000);
	bool *all = kb_xcalloc(m.n, sizeof(bool)), *sel = kb_xcalloc(m.n, sizeof(bool));
	unsigned *seen = kb_xcalloc(m.n, sizeof(unsigned));
	size_t total = 0;

	(void)state;
	for (size_t i = 0; i < m.n; i++)
		all[i] = i % 7 != 3;	/* a selection, not everything */
	for (unsigned k = 1; k <= 3; k++) {
		struct kb_shard s = { k, 3 };
		size_t n = 0;

		memcpy(sel, all, m.n * sizeof(bool));
		kb_shard_keep(&m, sel, &s, &n);
		assert_true(n > 0);
		total += n;
		for (size_t i = 0; i < m.n; i++) {
			if (sel[i])
				assert_true(all[i]);	/* never outside the selection */
			seen[i] += sel[i];
		}
	}
	for (size_t i = 0; i < m.n; i++)
		assert_int_equal(seen[i], all[i] ? 1 : 0);	/* each exactly once */
	assert_int_equal(total, m.n - (m.n + 3) / 7);
	free(all);
	free(sel);
	free(seen);
	free(m.v);
}

static void test_partition_stable_balanced(void **state)
{
	struct kb_manifest big = synth(NBASE + NMORE), base = { big.v, NBASE };
	bool *sel = kb_xcalloc(big.n, sizeof(bool));
	unsigned *a = kb_xcalloc(big.n, sizeof(unsigned)), *b = kb_xcalloc(big.n, sizeof(unsigned));
	double loads[16], mean = 0, lo = 1e30, hi = 0;
	size_t moved = 0;

	(void)state;
	for (size_t i = 0; i < big.n; i++)
		sel[i] = true;
	kb_shard_assign(&base, sel, 16, a, loads);
	kb_shard_assign(&big, sel, 16, b, NULL);
	for (size_t i = 0; i < NBASE; i++)
		moved += a[i] != b[i];
	print_message("adding %d entries to %d moved %zu (%.2f%%)\n", NMORE, NBASE, moved,
		      100.0 * (double)moved / NBASE);
	assert_true(moved * 50 <= NBASE);	/* <= 2% */
	for (int k = 0; k < 16; k++) {
		mean += loads[k] / 16;
		lo = loads[k] < lo ? loads[k] : lo;
		hi = loads[k] > hi ? loads[k] : hi;
	}
	print_message("16 shards: weighted loads %.1f%% .. %.1f%% of the mean\n", 100 * lo / mean,
		      100 * hi / mean);
	assert_true(hi <= 1.10 * lo);	/* within 10% of each other */
	free(sel);
	free(a);
	free(b);
	free(big.v);
}

static void test_parse(void **state)
{
	struct kb_shard s;

	(void)state;
	kb_log_set_level(KB_LOG_ERROR + 1);
	assert_int_equal(kb_shard_parse("2/8", "--shard", &s), 0);
	assert_int_equal(s.index, 2);
	assert_int_equal(s.count, 8);
	assert_int_equal(kb_shard_parse("1/1", "--shard", &s), 0);
	static const char *const bad[] = { "0/3", "4/3", "3", "/3", "1/", "1/0", "a/b", "1/3x",
					   "-1/3", "1/99999", "", "1//3" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kb_shard_parse(bad[i], "--shard", &s), -KB_EUSAGE);
	kb_log_set_level(KB_LOG_INFO);
}

static void test_env(void **state)
{
	struct kb_shard s;

	(void)state;
	kb_log_set_level(KB_LOG_ERROR + 1);
	unsetenv("KBUNDLE_SHARD");
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("KBUNDLE_SHARDS");
	assert_int_equal(kb_shard_from_env(&s), 0);
	assert_int_equal(s.count, 0);
	setenv("JOB_COMPLETION_INDEX", "0", 1);
	assert_int_equal(kb_shard_from_env(&s), -KB_EUSAGE);	/* no count */
	setenv("KBUNDLE_SHARDS", "4", 1);
	assert_int_equal(kb_shard_from_env(&s), 0);
	assert_int_equal(s.index, 1);	/* the Job counts from 0 */
	assert_int_equal(s.count, 4);
	setenv("JOB_COMPLETION_INDEX", "4", 1);
	assert_int_equal(kb_shard_from_env(&s), -KB_EUSAGE);	/* 5/4 */
	setenv("JOB_COMPLETION_INDEX", "x", 1);
	assert_int_equal(kb_shard_from_env(&s), -KB_EUSAGE);
	setenv("KBUNDLE_SHARD", "3/5", 1);	/* wins */
	assert_int_equal(kb_shard_from_env(&s), 0);
	assert_int_equal(s.index, 3);
	unsetenv("KBUNDLE_SHARD");
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("KBUNDLE_SHARDS");
	kb_log_set_level(KB_LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partition_exact),
		cmocka_unit_test(test_partition_stable_balanced),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
