/* shard.h — split a selection of manifest entries over N machines (a CI
 * matrix, a Kubernetes Indexed Job) so that the N shards together do the
 * work of one run, nothing twice, and finish at about the same time.
 *
 * The partition is a function of the bundle ids and their expected costs
 * only: rendezvous hashing (each entry prefers the shards in the order of
 * a hash of its id and the shard number) with bounded loads (an entry goes
 * to the first shard of its order whose load stays under 1.03 times the
 * mean), entries taken in the order of their ids' hashes; then a shard
 * under 0.97 times the mean takes entries that rank it second. Adding 1%
 * more kernels moves well under 1% of the entries. */
#ifndef KB_SHARD_H
#define KB_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#include "manifest/manifest.h"

#define KB_SHARD_MAX 1024

struct kb_shard {
	unsigned index;		/* 1..count */
	unsigned count;		/* 0: not sharded */
};

/* "I/N" (1 <= I <= N <= KB_SHARD_MAX). -KB_EUSAGE, logged naming what, on
 * anything else. */
int kb_shard_parse(const char *text, const char *what, struct kb_shard *s);

/* From the environment when no --shard was given: KBUNDLE_SHARD=I/N, or a
 * Kubernetes Indexed Job's JOB_COMPLETION_INDEX (0-based) with
 * KBUNDLE_SHARDS=N. s->count stays 0 when neither is set. */
int kb_shard_from_env(struct kb_shard *s);

/* The expected cost of an entry in seconds of one core: its packages to
 * fetch and pack, and its architecture's boot under emulation. */
double kb_shard_cost(const struct kb_bundle_entry *e);

/* shard_of[i] (0-based) for each selected entry of m, over count shards;
 * loads[k] (optional, count long) gets each shard's summed cost. */
void kb_shard_assign(const struct kb_manifest *m, const bool *sel, unsigned count,
		     unsigned *shard_of, double *loads);

/* Keep in sel only the entries of shard s; *n becomes their count. */
void kb_shard_keep(const struct kb_manifest *m, bool *sel, const struct kb_shard *s, size_t *n);

#endif
