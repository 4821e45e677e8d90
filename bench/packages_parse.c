/* packages_parse.c — benchmark: parse the full Debian 12 main amd64 Packages
 * index (≈63,000 stanzas, ≈50 MB) with the crawler's streaming parser and
 * recogniser, beside `grep -c '^Package:'` on the same file in the same run.
 *
 * Input: argv[1] if given (any compression kb_stream reads), else apt's own
 * copy in /var/lib/apt/lists/, else Packages.xz from the apt-sources mirror.
 * It is decompressed once into a temp file so both sides read plain text
 * from the page cache. Each side runs 5 times; the best time counts. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/lib/clock.h"
#include "crawler/apt_packages.h"
#include "crawler/recognise_deb.h"
#include "lib/apt_sources.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/stream.h"

#define KB_BENCH_RUNS 5

struct kb_bench_count {
	size_t stanzas, kernel;
};

/* What the crawler does per stanza: name, then the recogniser. */
static int kb_bench_cb(void *ctx, const struct kb_apt_stanza *st)
{
	struct kb_bench_count *c = ctx;
	struct kb_str name = kb_apt_stanza_get(st, "Package");
	struct kb_deb_match m;

	c->stanzas++;
	if (kb_str_startswith(name, "linux-") && kb_recognise_debian(name, &m))
		c->kernel++;
	return 0;
}

static int kb_bench_decompress(const char *src, const char *dst, uint64_t *bytes)
{
	struct kb_stream *s = NULL;
	FILE *f = fopen(dst, "w");
	char *buf = kb_xmalloc(1 << 20);
	ssize_t r;
	int err;

	err = f ? kb_stream_open(src, 1ull << 32, NULL, &s) : -1;
	while (!err && (r = kb_stream_read(s, buf, 1 << 20)) != 0) {
		if (r < 0 || fwrite(buf, 1, (size_t)r, f) != (size_t)r)
			err = r < 0 ? (int)r : -1;
	}
	if (!err)
		*bytes = kb_stream_total(s);
	kb_stream_close(s);
	if (f && fclose(f) != 0)
		err = -1;
	free(buf);
	return err;
}

/* Find (or fetch) a Packages index; *tmp_fetched is set when it was fetched. */
static char *kb_bench_source(int argc, char **argv, char *fetched, bool *tmp_fetched)
{
	glob_t g;
	char *mirror, *url;

	*tmp_fetched = false;
	if (argc > 1)
		return kb_xstrdup(argv[1]);
	if (glob("/var/lib/apt/lists/*_dists_bookworm_main_binary-amd64_Packages*", 0, NULL, &g) == 0) {
		char *p = kb_xstrdup(g.gl_pathv[0]);

		globfree(&g);
		return p;
	}
	mirror = kb_apt_sources_mirror(NULL, "bookworm");
	if (!mirror)
		return NULL;
	url = kb_xasprintf("%s/dists/bookworm/main/binary-amd64/Packages.xz", mirror);
	free(mirror);
	if (kb_http_get_file(url, fetched, NULL, NULL, NULL) != 0) {
		fprintf(stderr, "packages_parse: cannot fetch the index from the apt-sources mirror\n");
		free(url);
		return NULL;
	}
	free(url);
	*tmp_fetched = true;
	return kb_xstrdup(fetched);
}

int main(int argc, char **argv)
{
	char plain[] = "/tmp/kb-bench-packages-XXXXXX", fetched[] = "/tmp/kb-bench-fetched-XXXXXX";
	double best_parse = 1e9, best_grep = 1e9;
	struct kb_bench_count c = { 0 };
	uint64_t bytes = 0;
	bool was_fetched;
	char *src;
	int fd, rc = 1;
	long grep_count = -1;

	kb_log_set_level(KB_LOG_WARN);
	fd = mkstemp(plain);
	if (fd < 0 || close(fd) != 0)
		return 1;
	fd = mkstemp(fetched);
	if (fd < 0 || close(fd) != 0)
		goto out;
	src = kb_bench_source(argc, argv, fetched, &was_fetched);
	if (!src) {
		printf("packages_parse: skipped: no bookworm Packages index found or fetched\n");
		rc = 0;
		goto out;
	}
	if (kb_bench_decompress(src, plain, &bytes) != 0) {
		fprintf(stderr, "packages_parse: cannot decompress %s\n", src);
		free(src);
		goto out;
	}
	free(src);
	for (int i = 0; i < KB_BENCH_RUNS; i++) {
		struct kb_stream *s = NULL;
		double t0 = kb_now(), dt;

		memset(&c, 0, sizeof(c));
		if (kb_stream_open(plain, 1ull << 32, NULL, &s) != 0 ||
		    kb_apt_packages_parse(s, plain, NULL, kb_bench_cb, &c) != 0) {
			kb_stream_close(s);
			fprintf(stderr, "packages_parse: parse failed\n");
			goto out;
		}
		kb_stream_close(s);
		dt = kb_now() - t0;
		best_parse = dt < best_parse ? dt : best_parse;
	}
	for (int i = 0; i < KB_BENCH_RUNS; i++) {
		const char *av[] = { "grep", "-c", "^Package:", plain, NULL };
		struct kb_proc_result r = { 0 };
		double t0 = kb_now(), dt;

		if (kb_proc_run(av, NULL, &r) != 0) {
			free(r.output);
			fprintf(stderr, "packages_parse: grep failed\n");
			goto out;
		}
		dt = kb_now() - t0;
		grep_count = strtol(r.output ? r.output : "-1", NULL, 10);
		free(r.output);
		best_grep = dt < best_grep ? dt : best_grep;
	}
	printf("input            %.1f MB, %zu stanzas (grep counts %ld), %zu kernel packages\n",
	       (double)bytes / 1e6, c.stanzas, grep_count, c.kernel);
	printf("kbundle parser   %.3f s  %7.1f MB/s  %9.0f stanzas/s\n", best_parse,
	       (double)bytes / 1e6 / best_parse, (double)c.stanzas / best_parse);
	printf("grep -c          %.3f s  %7.1f MB/s  (baseline, incl. fork+exec)\n", best_grep,
	       (double)bytes / 1e6 / best_grep);
	printf("ratio            %.2fx grep's time (target: within 3x)\n", best_parse / best_grep);
	rc = (long)c.stanzas == grep_count ? 0 : 1;
	if (rc)
		fprintf(stderr, "packages_parse: stanza count differs from grep's\n");
out:
	unlink(plain);
	unlink(fetched);
	return rc;
}
