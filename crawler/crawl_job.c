/* crawl_job.c — what the families' phased crawl jobs (crawl_apt_fetch.c,
 * crawl_rpmmd_fetch.c) share: failure recording, mirror URL lists, and what
 * the answers to an upstream's signed metadata mean. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "crawler/crawl.h"
#include "lib/error.h"
#include "lib/file.h"

void kb_crawl_job_fail(struct kb_crawl_job *j, int err, const char *fmt, ...)
{
	va_list ap;

	if (j->err)
		return;
	j->err = err;
	va_start(ap, fmt);
	if (vasprintf(&j->reason, fmt, ap) < 0)
		abort();
	va_end(ap);
}

char **kb_crawl_urls(char *const *bases, size_t n, size_t first, const char *leaf)
{
	char **v = kb_xcalloc(n + 1, sizeof(*v));
	size_t k = 0;

	v[k++] = kb_xasprintf("%s/%s", bases[first], leaf);
	for (size_t i = 0; i < n; i++)
		if (i != first)
			v[k++] = kb_xasprintf("%s/%s", bases[i], leaf);
	return v;
}

void kb_crawl_urls_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

enum kb_crawl_heads kb_crawl_heads_judge(struct kb_crawl_job *j, size_t n, size_t n304,
					 size_t same, bool again)
{
	/* A 304 to an unconditional request: the server lies. */
	if (again && n304) {
		kb_crawl_job_fail(j, -KB_EHTTP, "304 to an unconditional request");
		return KB_HEADS_FAILED;
	}
	/* Only a full set of 304s and identical heads vouches for the list. */
	if (n304 + same == n) {
		j->unchanged = true;
		return KB_HEADS_UNCHANGED;
	}
	/* The rest are asked again without validators: a list is made from all. */
	return n304 ? KB_HEADS_REFETCH : KB_HEADS_CHANGED;
}
