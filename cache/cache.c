/* cache.c — the content-addressed package store and the work directory
 * lock (see cache.h). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cache.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/pool.h"

char *kb_cache_dir(const char *workdir, const char *area)
{
	return kb_xasprintf("%s/cache/%s", workdir, area);
}

void kb_cache_view(struct kb_cache *c, const char *workdir)
{
	memset(c, 0, sizeof(*c));
	c->lock.fd = -1;
	c->workdir = kb_xstrdup(workdir);
	c->objects = kb_cache_dir(workdir, "objects");
	c->stamps = kb_cache_dir(workdir, "bundles");
}

int kb_cache_open(struct kb_cache *c, const char *workdir)
{
	int err = 0;

	kb_cache_view(c, workdir);
	if ((err = kb_mkdir_p(c->objects, 0755)) || (err = kb_mkdir_p(c->stamps, 0755))) {
		kb_error("%s: %s", workdir, kb_strerror(err));
		goto out;
	}
	err = kb_lock_wait(&c->lock, workdir, "pack");
out:
	if (err)
		kb_cache_close(c);
	return err;
}

void kb_cache_close(struct kb_cache *c)
{
	kb_lock_release(&c->lock);
	free(c->workdir);
	free(c->objects);
	free(c->stamps);
	memset(c, 0, sizeof(*c));
	c->lock.fd = -1;
}

char *kb_cache_object_path(const struct kb_cache *c, const char *sha256)
{
	return kb_xasprintf("%s/%.2s/%s", c->objects, sha256, sha256);
}

/* Does the file at path hold exactly f's bytes? -KB_ECHECKSUM (logged with
 * what), -KB_ENOTFOUND when absent. */
static int kb_cache_verify(const char *path, const struct kb_cache_fetch *f, const char *what)
{
	char got[KB_SHA256_HEX_LEN + 1];
	uint64_t size = 0;
	int err = kb_sha256_file(path, got, &size);

	if (err == -ENOENT)
		return -KB_ENOTFOUND;
	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		return err;
	}
	if (size != f->size) {
		kb_error("%s: size mismatch (want %" PRIu64 ", got %" PRIu64 ")", what, f->size, size);
		return -KB_ECHECKSUM;
	}
	if (strcmp(got, f->sha256) != 0) {
		kb_error("%s: sha256 mismatch (want %s, got %s)", what, f->sha256, got);
		return -KB_ECHECKSUM;
	}
	return 0;
}

struct kb_fetch_set {
	const struct kb_limits *limits;
	struct kb_cache_fetch *v;
	size_t *todo;		/* indices of the distinct packages */
};

static void kb_cache_fetch_one(void *ctx, size_t i)
{
	struct kb_fetch_set *set = ctx;
	struct kb_cache_fetch *f = &set->v[set->todo[i]];
	struct kb_http_opts ho = { .retries = 2, .resume = 1, .max_bytes = f->size };
	char *dl = kb_xasprintf("%s.dl", f->object);
	size_t nmirrors = f->mirrors ? f->mirrors->n : 0;
	int err;

	kb_http_opts_limits(&ho, set->limits);

	err = kb_cache_verify(f->object, f, f->object);
	if (err != -KB_ENOTFOUND) {
		if (!err)
			goto out;
		/* a damaged object is no object */
		unlink(f->object);
	}
	err = -KB_ENOTFOUND;
	if (!nmirrors)
		kb_error("%s: not in the cache and no mirror to fetch %s from", f->name, f->path);
	f->gone = nmirrors > 0;
	for (size_t m = 0; m < nmirrors; m++) {
		char *url = kb_xasprintf("%s/%s", f->mirrors->v[m], f->path);
		long status = 0;

		kb_debug("downloading %s", url);
		err = kb_http_get_file(url, dl, &ho, &status, NULL);
		if (err) {
			f->gone = f->gone && (status == 404 || status == 410);
			/* a path may be relative to any of the upstream's mirrors
			 * (bookworm-security's pool is on the security mirror), so
			 * only the last one's failure is an error */
			kb_log(m + 1 < nmirrors ? KB_LOG_DEBUG
			       : f->gone && f->fallback ? KB_LOG_INFO : KB_LOG_ERROR,
			       "%s: download failed: %s (HTTP %ld)", url, kb_strerror(err), status);
		} else {
			f->gone = false;	/* a mirror had a file: a wrong one */
			err = kb_cache_verify(dl, f, url);
			if (!err && rename(dl, f->object) != 0) {
				err = -errno;
				kb_error("%s: %s", f->object, strerror(errno));
			}
		}
		unlink(dl);
		free(url);
		if (!err) {
			f->downloaded = true;
			f->gone = false;
			break;
		}
	}
out:
	f->err = err;
	free(dl);
}

int kb_cache_fetch_all(struct kb_cache *c, struct kb_cache_fetch *v, size_t n, int jobs)
{
	struct kb_fetch_set set = { .limits = c->limits, .v = v, .todo = kb_xcalloc(n ? n : 1, sizeof(size_t)) };
	size_t *dup_of = kb_xcalloc(n ? n : 1, sizeof(size_t)), ntodo = 0;
	int err = 0;

	kb_http_global_init();
	for (size_t i = 0; i < n; i++) {
		char *dir;

		v[i].object = kb_cache_object_path(c, v[i].sha256);
		dup_of[i] = i;
		/* the same package twice (shared by bundles) is fetched once */
		for (size_t k = 0; k < ntodo; k++)
			if (!strcmp(v[set.todo[k]].sha256, v[i].sha256))
				dup_of[i] = set.todo[k];
		if (dup_of[i] != i)
			continue;
		set.todo[ntodo++] = i;
		dir = kb_xasprintf("%s/%.2s", c->objects, v[i].sha256);
		v[i].err = kb_mkdir_p(dir, 0755);
		free(dir);
	}
	kb_pool_run(ntodo, jobs, kb_cache_fetch_one, &set);
	for (size_t i = 0; i < n; i++) {
		if (dup_of[i] != i) {
			v[i].err = v[dup_of[i]].err;
			v[i].gone = v[dup_of[i]].gone;
		}
		if (!err)
			err = v[i].err;
	}
	free(dup_of);
	free(set.todo);
	return err;
}

static char *kb_cache_stamp_path(const struct kb_cache *c, const char *id, int format)
{
	return kb_xasprintf("%s/%s.f%d", c->stamps, id, format);
}

bool kb_cache_bundle_done(const struct kb_cache *c, const char *id, int format,
			  const char *sha256, uint64_t size)
{
	char *path = kb_cache_stamp_path(c, id, format), *want = kb_xasprintf("%s %" PRIu64 "\n", sha256, size);
	char *buf = NULL;
	size_t len;
	bool done = kb_file_read(path, 256, &buf, &len) == 0 && strcmp(buf, want) == 0;

	free(buf);
	free(want);
	free(path);
	return done;
}

int kb_cache_bundle_stamp(const struct kb_cache *c, const char *id, int format,
			  const char *sha256, uint64_t size)
{
	char *path = kb_cache_stamp_path(c, id, format), *text = kb_xasprintf("%s %" PRIu64 "\n", sha256, size);
	int err = kb_file_write_atomic(path, text, strlen(text));

	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	free(text);
	free(path);
	return err;
}

void kb_cache_sweep(const struct kb_cache *c)
{
	kb_atomic_sweep(c->stamps);
}

/* Call fn for every file under objects/<aa>/. */
static void kb_cache_walk(const struct kb_cache *c,
			  void (*fn)(void *ctx, const char *path, const char *name, uint64_t size),
			  void *ctx)
{
	DIR *top = opendir(c->objects);
	struct dirent *a;

	if (!top)
		return;
	while ((a = readdir(top))) {
		char *sub;
		DIR *d;
		struct dirent *o;

		if (a->d_name[0] == '.')
			continue;
		sub = kb_path_join(c->objects, a->d_name);
		d = opendir(sub);
		while (d && (o = readdir(d))) {
			char *p;
			struct stat st;

			if (o->d_name[0] == '.')
				continue;
			p = kb_path_join(sub, o->d_name);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
				fn(ctx, p, o->d_name, (uint64_t)st.st_size);
			free(p);
		}
		if (d)
			closedir(d);
		free(sub);
	}
	closedir(top);
}

struct kb_cache_list_ctx {
	struct kb_cache_object *v;
	size_t n;
};

static void kb_cache_list_one(void *ctx, const char *path, const char *name, uint64_t size)
{
	struct kb_cache_list_ctx *w = ctx;

	(void)path;
	w->v = kb_xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
	w->v[w->n++] = (struct kb_cache_object){ .name = kb_xstrdup(name), .size = size };
}

int kb_cache_list(const struct kb_cache *c, struct kb_cache_object **v, size_t *n)
{
	struct kb_cache_list_ctx w = { 0 };

	kb_cache_walk(c, kb_cache_list_one, &w);
	*v = w.v;
	*n = w.n;
	return 0;
}

void kb_cache_objects_free(struct kb_cache_object *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

struct kb_cache_gc_ctx {
	const struct kb_strv *wanted;
	bool dry_run;
	uint64_t bytes;
	size_t count;
};

static void kb_cache_gc_one(void *ctx, const char *path, const char *name, uint64_t size)
{
	struct kb_cache_gc_ctx *w = ctx;
	char sha[KB_SHA256_HEX_LEN + 1];

	/* partial downloads are <sha256>.dl.part: kept while the sha is needed */
	snprintf(sha, sizeof(sha), "%s", name);
	if (kb_sha256_valid(sha) && kb_strv_has(w->wanted, sha))
		return;
	kb_info("%s %s (%" PRIu64 " bytes)", w->dry_run ? "would remove" : "removing", path, size);
	if (w->dry_run || unlink(path) == 0) {
		w->bytes += size;
		w->count++;
	}
}

int kb_cache_gc(const struct kb_cache *c, const struct kb_strv *wanted, bool dry_run,
		uint64_t *freed, size_t *removed)
{
	struct kb_cache_gc_ctx w = { .wanted = wanted, .dry_run = dry_run };

	kb_cache_walk(c, kb_cache_gc_one, &w);
	*freed = w.bytes;
	*removed = w.count;
	return 0;
}
