/* shard.c — the stable, cost-balanced partition of a selection. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "manifest/shard.h"

#define KB_SHARD_SLACK 1.03	/* a shard's load may reach 1.03 times the mean */
#define KB_SHARD_FLOOR 0.97	/* and is topped up to 0.97 times it */

int kb_shard_parse(const char *text, const char *what, struct kb_shard *s)
{
	char *end = NULL;
	unsigned long i, n;

	errno = 0;
	i = strtoul(text, &end, 10);
	if (!errno && end != text && *end == '/' && end[1] >= '0' && end[1] <= '9') {
		const char *p = end + 1;

		n = strtoul(p, &end, 10);
		if (!errno && !*end && i >= 1 && n >= 1 && i <= n && n <= KB_SHARD_MAX) {
			s->index = (unsigned)i;
			s->count = (unsigned)n;
			return 0;
		}
	}
	kb_error("%s '%s': want I/N, the I-th of N shards (1 <= I <= N <= %d), e.g. 2/8", what,
		 text, KB_SHARD_MAX);
	return -KB_EUSAGE;
}

int kb_shard_from_env(struct kb_shard *s)
{
	const char *v = getenv("KBUNDLE_SHARD");
	const char *idx = getenv("JOB_COMPLETION_INDEX"), *cnt = getenv("KBUNDLE_SHARDS");
	char *text;
	int err;

	s->index = s->count = 0;
	if (v && *v)
		return kb_shard_parse(v, "KBUNDLE_SHARD", s);
	if (!idx || !*idx)
		return 0;
	if (!cnt || !*cnt) {
		kb_error("JOB_COMPLETION_INDEX=%s is set, but KBUNDLE_SHARDS (the Job's completions) "
			 "is not: set it to the number of shards", idx);
		return -KB_EUSAGE;
	}
	/* the Job counts from 0, --shard from 1 */
	text = kb_xasprintf("%llu/%s", strtoull(idx, NULL, 10) + 1, cnt);
	err = strspn(idx, "0123456789") == strlen(idx) ?
		      kb_shard_parse(text, "JOB_COMPLETION_INDEX + 1 / KBUNDLE_SHARDS", s) :
		      (kb_error("JOB_COMPLETION_INDEX '%s' is not a number", idx), -KB_EUSAGE);
	free(text);
	return err;
}

/* Seconds of one core, from this machine's runs: packing is about 0.8 s a
 * package (bench/pack.sh); a boot with a module under TCG about 2.5 s for
 * x86 (bench/vmtest.sh) and several times that for the architectures QEMU
 * emulates less quickly (bench/arch.sh). */
double kb_shard_cost(const struct kb_bundle_entry *e)
{
	static const struct {
		const char *arch;
		double boot_s;
	} boots[] = {
		{ "amd64", 2.5 }, { "i386", 2.5 }, { "arm64", 6.0 }, { "armhf", 6.0 },
		{ "armel", 6.0 }, { "riscv64", 10.0 }, { "ppc64el", 12.0 }, { "s390x", 12.0 },
	};
	double boot = 8.0;

	for (size_t i = 0; i < sizeof(boots) / sizeof(boots[0]); i++)
		if (!strcmp(e->arch, boots[i].arch))
			boot = boots[i].boot_s;
	return boot + 0.8 * (double)(e->nheaders + e->nimages);
}

/* splitmix64's finaliser: a stable mix of 64 bits. */
static uint64_t kb_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The id's first 16 hex digits (ids are sha256s; a short or odd id still
 * gets a stable value from all its bytes). */
static uint64_t kb_id_key(const char *id)
{
	uint64_t k = 0;

	for (const char *p = id; *p; p++)
		k = kb_mix(k ^ (unsigned char)*p);
	return k;
}

struct kb_shard_item {
	uint64_t key;
	size_t i;
	double cost;
	unsigned shard, second;	/* where it went; its second choice */
};

static int kb_item_cmp(const void *a, const void *b)
{
	const struct kb_shard_item *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->i > y->i) - (x->i < y->i);
}

void kb_shard_assign(const struct kb_manifest *m, const bool *sel, unsigned count,
		     unsigned *shard_of, double *loads)
{
	struct kb_shard_item *it = kb_xcalloc(m->n ? m->n : 1, sizeof(*it));
	double *load = kb_xcalloc(count, sizeof(*load)), total = 0, mean, cap;
	uint64_t *score = kb_xcalloc(count, sizeof(*score));
	bool *tried = kb_xcalloc(count, sizeof(*tried));
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++)
		if (sel[i]) {
			it[n].key = kb_id_key(m->v[i].id);
			it[n].i = i;
			it[n].cost = kb_shard_cost(&m->v[i]);
			total += it[n++].cost;
		}
	qsort(it, n, sizeof(*it), kb_item_cmp);
	mean = total / count;
	cap = KB_SHARD_SLACK * mean;
	/* 1. each entry to the first shard of its preference order that
	 *    stays under the cap (nearly always the first or second) */
	for (size_t k = 0; k < n; k++) {
		unsigned best = 0, least = 0, rank;
		bool found = false;

		for (unsigned s = 0; s < count; s++) {
			score[s] = kb_mix(it[k].key ^ kb_mix(s));
			tried[s] = false;
			if (load[s] < load[least])
				least = s;
		}
		it[k].second = count;
		for (rank = 0; rank < count && !found; rank++) {
			best = count;
			for (unsigned s = 0; s < count; s++)
				if (!tried[s] && (best == count || score[s] > score[best]))
					best = s;
			tried[best] = true;
			if (rank == 1)
				it[k].second = best;
			found = load[best] + it[k].cost <= cap;
		}
		if (rank < 2 && count > 1) {	/* note the second choice too */
			unsigned second = count;

			for (unsigned s = 0; s < count; s++)
				if (!tried[s] && (second == count || score[s] > score[second]))
					second = s;
			it[k].second = second;
		}
		if (!found)
			best = least;
		load[best] += it[k].cost;
		it[k].shard = best;
	}
	/* 2. fill each shard under the floor with entries that rank it second,
	 *    from shards that stay at or over the mean without them */
	for (unsigned s = 0; s < count; s++)
		for (size_t k = 0; k < n && load[s] < KB_SHARD_FLOOR * mean; k++) {
			unsigned o = it[k].shard;

			if (o != s && it[k].second == s && load[o] - it[k].cost >= mean) {
				load[o] -= it[k].cost;
				load[s] += it[k].cost;
				it[k].shard = s;
			}
		}
	for (size_t k = 0; k < n; k++)
		shard_of[it[k].i] = it[k].shard;
	if (loads)
		memcpy(loads, load, count * sizeof(*load));
	free(tried);
	free(score);
	free(load);
	free(it);
}

void kb_shard_keep(const struct kb_manifest *m, bool *sel, const struct kb_shard *s, size_t *n)
{
	unsigned *shard_of;

	if (!s->count)
		return;
	shard_of = kb_xcalloc(m->n ? m->n : 1, sizeof(*shard_of));
	kb_shard_assign(m, sel, s->count, shard_of, NULL);
	*n = 0;
	for (size_t i = 0; i < m->n; i++) {
		sel[i] = sel[i] && shard_of[i] == s->index - 1;
		*n += sel[i];
	}
	free(shard_of);
}
