/* shard_plan.c — benchmark planning a sharded run (issue 16).
 *
 * Writes a manifest of 10,000 entries (three header packages and one image
 * each, eight architectures), then, best of 3 runs: loads it (the baseline:
 * what every command does first) and partitions its selection over 16
 * shards (manifest/shard.c). Prints both and the ratio. Target: load and
 * partition together within 0.2 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "lib/error.h"
#include "lib/file.h"
#include "manifest/manifest.h"
#include "manifest/select.h"
#include "manifest/shard.h"

#define N 10000
#define RUNS 3

static void pkg(struct kb_mpkg *p, const char *name, const char *arch, enum kb_kind kind,
		unsigned long long h)
{
	p->name = kb_xstrdup(name);
	p->version = kb_xstrdup("6.1.192-3");
	p->arch = kb_xstrdup(arch);
	p->kind = kind;
	p->path = kb_xasprintf("pool/main/l/linux/%s_6.1.192-3_%s.deb", name, arch);
	p->size = 1000000 + h % 9000000;
	snprintf(p->sha256, sizeof(p->sha256), "%016llx%048llx", h, h * 31);
}

int main(void)
{
	static const char *const arches[] = { "amd64", "arm64", "riscv64", "ppc64el",
					      "s390x", "i386", "armhf", "amd64" };
	struct kb_manifest m = { kb_xcalloc(N, sizeof(struct kb_bundle_entry)), N };
	char path[] = "/tmp/kb-shard-bench-XXXXXX";
	double best_load = 1e9, best_part = 1e9;
	int fd = mkstemp(path);

	if (fd < 0)
		return 1;
	close(fd);
	for (size_t i = 0; i < N; i++) {
		struct kb_bundle_entry *e = &m.v[i];
		const char *a = arches[i % 8];
		unsigned long long h = (i + 1) * 0x9e3779b97f4a7c15ull;
		char name[96];

		e->distro = kb_xstrdup("debian");
		e->family = KB_FAMILY_APT;
		e->upstream = kb_xstrdup("debian-12");
		e->release = kb_xasprintf("6.1.0-%zu-%s", i, a);
		e->arch = kb_xstrdup(a);
		e->version = kb_xstrdup("6.1.192-3");
		e->nheaders = 3;
		e->headers = kb_xcalloc(3, sizeof(*e->headers));
		snprintf(name, sizeof(name), "linux-headers-%s", e->release);
		pkg(&e->headers[0], name, a, KB_KIND_HEADERS, h);
		snprintf(name, sizeof(name), "linux-headers-6.1.0-%zu-common", i);
		pkg(&e->headers[1], name, "all", KB_KIND_HEADERS_COMMON, h ^ 1);
		pkg(&e->headers[2], "linux-kbuild-6.1", a, KB_KIND_KBUILD, h ^ 2);
		e->nimages = 1;
		e->images = kb_xcalloc(1, sizeof(*e->images));
		snprintf(name, sizeof(name), "linux-image-%s", e->release);
		pkg(&e->images[0], name, a, KB_KIND_IMAGE, h ^ 3);
		kb_bundle_id(e);
	}
	if (kb_manifest_write(path, &m)) {
		fprintf(stderr, "shard_plan: could not write %s\n", path);
		return 1;
	}
	kb_manifest_free(&m);
	for (int r = 0; r < RUNS; r++) {
		struct kb_manifest l = { 0 };
		bool *sel;
		unsigned *shard_of;
		size_t n = 0;
		double t0 = kb_now(), t1;

		if (kb_manifest_load(path, NULL, &l)) {
			fprintf(stderr, "shard_plan: could not load %s\n", path);
			return 1;
		}
		t1 = kb_now();
		best_load = t1 - t0 < best_load ? t1 - t0 : best_load;
		sel = kb_xcalloc(l.n, sizeof(*sel));
		shard_of = kb_xcalloc(l.n, sizeof(*shard_of));
		t0 = kb_now();
		kb_select_entries(&l, &(struct kb_select){ 0 }, sel, &n);
		kb_shard_assign(&l, sel, 16, shard_of, NULL);
		t1 = kb_now();
		best_part = t1 - t0 < best_part ? t1 - t0 : best_part;
		free(sel);
		free(shard_of);
		kb_manifest_free(&l);
	}
	unlink(path);
	printf("manifest of %d entries, best of %d runs:\n", N, RUNS);
	printf("  load manifest.yml (baseline)          %7.3f s\n", best_load);
	printf("  select + partition over 16 shards     %7.3f s  %.2fx the load\n", best_part,
	       best_part / best_load);
	printf("  together                              %7.3f s  (target <= 0.2 s)\n",
	       best_load + best_part);
	return 0;
}
