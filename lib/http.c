/* http.c — the download engine: one libcurl multi handle running many
 * transfers at once, with retries, mirror fallback, checksums and
 * conditional requests (see http.h). kb_http_get_file is a one-request run
 * of the same engine, so kbundle has a single HTTP stack. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/http.h"
#include "lib/log.h"

/* One request in flight or waiting for its next attempt. */
struct kb_http_xfer {
	struct kb_http_req *r;
	struct kb_http *h;
	struct kb_http_xfer *next;	/* waiting queue */
	CURL *easy;
	struct curl_slist *hdrs;
	FILE *f;
	char *tmp;
	struct kb_sha256 sha;
	bool hashing;
	uint64_t got, max;
	uint64_t offset;	/* resumed from here */
	bool checked;		/* the first body bytes were looked at */
	bool keep_part;		/* resume: a cut transfer is continued later */
	bool over;
	bool sent_conditional;
	int write_err;		/* -errno of a failed write of the body */
	int64_t started_ms;
	int tries;		/* attempts on the current mirror */
	long retry_after_s;	/* from the last answer; -1: none */
	int64_t not_before_ms;
	char *etag, *last_modified, *retry_after, *location;
	char errbuf[CURL_ERROR_SIZE];
};

struct kb_http {
	CURLM *multi;
	struct kb_http_opts o;
	char *state_dir;
	struct kb_http_xfer *wait_head, *wait_tail;
	long running;
	uint64_t bytes;
	unsigned queued, finished;
	uint32_t rnd;
};

enum kb_attempt { KB_ATTEMPT_OK, KB_ATTEMPT_RETRY, KB_ATTEMPT_NEXT_MIRROR, KB_ATTEMPT_FATAL };

static int64_t kb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t kb_http_random(struct kb_http *h)
{
	/* xorshift32: jitter needs spread, not secrecy. */
	h->rnd ^= h->rnd << 13;
	h->rnd ^= h->rnd >> 17;
	h->rnd ^= h->rnd << 5;
	return h->rnd;
}

static CURLcode kb_http_global_rc;

static void kb_http_global_init_once(void)
{
	kb_http_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void kb_http_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, kb_http_global_init_once);
}

int kb_http_new(struct kb_http **hp, const struct kb_http_opts *o, const char *state_dir)
{
	struct kb_http *h;

	kb_http_global_init();
	if (kb_http_global_rc != CURLE_OK)
		return -KB_EHTTP;
	h = kb_xcalloc(1, sizeof(*h));
	if (o)
		h->o = *o;
	kb_http_opts_defaults(&h->o);
	h->state_dir = state_dir ? kb_xstrdup(state_dir) : NULL;
	h->rnd = (uint32_t)kb_now_ms() ^ ((uint32_t)getpid() << 16) ^ 0x9e3779b9u;
	if (!h->rnd)
		h->rnd = 1;
	h->multi = curl_multi_init();
	if (!h->multi)
		abort();
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, h->o.max_host_conns);
	*hp = h;
	return 0;
}

uint64_t kb_http_bytes(const struct kb_http *h)
{
	return h->bytes;
}

void kb_http_req_clear(struct kb_http_req *r)
{
	free(r->etag);
	free(r->last_modified);
	free(r->why);
	r->etag = r->last_modified = r->why = NULL;
	r->err = 0;
	r->status = 0;
	r->unchanged = false;
	r->mirror = 0;
	r->attempts = 0;
	r->bytes = 0;
}

static void kb_http_enqueue(struct kb_http *h, struct kb_http_xfer *x)
{
	x->next = NULL;
	if (h->wait_tail)
		h->wait_tail->next = x;
	else
		h->wait_head = x;
	h->wait_tail = x;
}

void kb_http_add(struct kb_http *h, struct kb_http_req *r)
{
	struct kb_http_xfer *x = kb_xcalloc(1, sizeof(*x));

	kb_http_req_clear(r);
	x->r = r;
	x->h = h;
	x->retry_after_s = -1;
	r->priv = x;
	h->queued++;
	kb_http_enqueue(h, x);
}

static size_t kb_http_on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct kb_http_xfer *x = ctx;
	size_t len = size * n;

	if (!x->checked) {
		long code = 0;

		/* Asked for a range but got the whole body: start over. */
		x->checked = true;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		if (x->offset && code == 200) {
			if (fflush(x->f) != 0 || ftruncate(fileno(x->f), 0) != 0 ||
			    fseek(x->f, 0, SEEK_SET) != 0)
				return 0;
			x->offset = 0;
			x->got = 0;
			if (x->hashing) {
				char junk[KB_SHA256_HEX_LEN + 1];

				kb_sha256_final(&x->sha, junk);
				kb_sha256_init(&x->sha);
			}
		}
	}
	if (x->max && x->got + len > x->max) {
		x->over = true;
		return 0;
	}
	x->got += len;
	x->r->bytes += len;
	x->h->bytes += len;
	if (x->hashing)
		kb_sha256_update(&x->sha, p, len);
	if (fwrite(p, 1, len, x->f) != len) {
		x->write_err = errno ? -errno : -EIO;	/* ENOSPC: say so, not "HTTP 200" */
		return 0;
	}
	return len;
}

/* Keep a header's value (trimmed) when the line is "name: value". */
static void kb_http_take_header(const char *line, size_t len, const char *name, char **dst)
{
	size_t nl = strlen(name);

	if (len <= nl + 1 || strncasecmp(line, name, nl) || line[nl] != ':')
		return;
	line += nl + 1;
	len -= nl + 1;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
		len--;
	free(*dst);
	*dst = kb_xstrndup(line, len);
}

static size_t kb_http_on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct kb_http_xfer *x = ctx;
	size_t len = size * n;

	if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* A new response (after a redirect or 100): forget the last one's. */
		free(x->etag);
		free(x->last_modified);
		free(x->retry_after);
		free(x->location);
		x->etag = x->last_modified = x->retry_after = x->location = NULL;
	}
	kb_http_take_header(p, len, "ETag", &x->etag);
	kb_http_take_header(p, len, "Last-Modified", &x->last_modified);
	kb_http_take_header(p, len, "Retry-After", &x->retry_after);
	kb_http_take_header(p, len, "Location", &x->location);
	return len;
}

/* Start the next attempt of x on its current mirror. */
static int kb_http_start(struct kb_http *h, struct kb_http_xfer *x)
{
	struct kb_http_req *r = x->r;
	const char *url = r->urls[r->mirror];
	struct kb_http_validators v = { 0 };
	uint64_t max = r->max_bytes ? r->max_bytes : h->o.max_bytes;
	struct stat st;

	x->tmp = kb_xasprintf("%s.part", r->dest);
	x->offset = 0;
	if (r->resume && stat(x->tmp, &st) == 0 && st.st_size > 0)
		x->offset = (uint64_t)st.st_size;
	x->f = fopen(x->tmp, x->offset ? "a+" : "w");
	if (!x->f)
		return -errno;
	x->got = x->offset;
	x->checked = false;
	x->over = false;
	x->max = max;
	x->hashing = r->sha256 != NULL;
	if (x->hashing) {
		kb_sha256_init(&x->sha);
		if (x->offset) {
			/* The part already on disk counts for the checksum. */
			char buf[65536];
			size_t got;

			rewind(x->f);
			while ((got = fread(buf, 1, sizeof(buf), x->f)) > 0)
				kb_sha256_update(&x->sha, buf, got);
			fseek(x->f, 0, SEEK_END);
		}
	}
	x->errbuf[0] = '\0';
	x->write_err = 0;
	x->started_ms = kb_now_ms();
	x->sent_conditional = false;
	if (r->conditional && h->state_dir &&
	    !kb_http_validators_load(h->state_dir, url, r->state_tag, &v)) {
		char *line;

		if (v.etag) {
			line = kb_xasprintf("If-None-Match: %s", v.etag);
			x->hdrs = curl_slist_append(x->hdrs, line);
			free(line);
		}
		if (v.last_modified) {
			line = kb_xasprintf("If-Modified-Since: %s", v.last_modified);
			x->hdrs = curl_slist_append(x->hdrs, line);
			free(line);
		}
		x->sent_conditional = true;
		kb_http_validators_free(&v);
	}
	x->easy = curl_easy_init();
	if (!x->easy)
		abort();
	kb_http_easy_policy(x->easy, url, &h->o);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(x->easy, CURLOPT_PIPEWAIT, 1L);
	if (max && !x->offset)
		curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	if (x->offset)
		curl_easy_setopt(x->easy, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)x->offset);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, kb_http_on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, kb_http_on_header);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	if (x->hdrs)
		curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs);
	r->attempts++;
	kb_debug("GET %s%s (attempt %d)", url, x->sent_conditional ? " [conditional]" : "",
		 x->tries + 1);
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK)
		abort();
	h->running++;
	return 0;
}

/* Undo what kb_http_start set up; the temp file goes unless it was renamed. */
static void kb_http_attempt_cleanup(struct kb_http *h, struct kb_http_xfer *x)
{
	if (x->easy) {
		curl_multi_remove_handle(h->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		h->running--;
	}
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	if (x->f)
		fclose(x->f);
	x->f = NULL;
	if (x->hashing) {
		char junk[KB_SHA256_HEX_LEN + 1];

		kb_sha256_final(&x->sha, junk);	/* frees the context */
		x->hashing = false;
	}
	if (x->tmp && !x->keep_part)
		unlink(x->tmp);
	x->keep_part = false;
	free(x->tmp);
	x->tmp = NULL;
}

static void kb_http_note(struct kb_http_xfer *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void kb_http_note(struct kb_http_xfer *x, const char *fmt, ...)
{
	struct kb_http_req *r = x->r;
	char msg[512];
	va_list ap;
	char *s;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kb_debug("%s: %s", r->urls[r->mirror], msg);
	s = kb_xasprintf("%s%s%s: %s", r->why ? r->why : "", r->why ? "; " : "",
			 r->urls[r->mirror], msg);
	free(r->why);
	r->why = s;
}

/* Judge a finished body: size, checksum, the caller's check; then rename. */
static enum kb_attempt kb_http_accept(struct kb_http_xfer *x)
{
	struct kb_http_req *r = x->r;
	char hex[KB_SHA256_HEX_LEN + 1];
	int err;

	if (fflush(x->f) != 0 || fclose(x->f) != 0) {
		x->f = NULL;
		r->err = -errno;
		kb_http_note(x, "writing %s: %s", x->tmp, strerror(errno));
		return KB_ATTEMPT_FATAL;
	}
	x->f = NULL;
	if (r->size && x->got != r->size) {
		r->err = -KB_ECHECKSUM;
		kb_http_note(x, "size mismatch (want %llu, got %llu)",
			     (unsigned long long)r->size, (unsigned long long)x->got);
		return KB_ATTEMPT_RETRY;
	}
	if (x->hashing) {
		kb_sha256_final(&x->sha, hex);
		x->hashing = false;
		if (strcmp(hex, r->sha256)) {
			r->err = -KB_ECHECKSUM;
			kb_http_note(x, "sha256 mismatch (want %s, got %s)", r->sha256, hex);
			return KB_ATTEMPT_RETRY;
		}
	}
	if (r->verify) {
		char *why = NULL;

		err = r->verify(r, x->tmp, r->ctx, &why);
		if (err) {
			r->err = err;
			kb_http_note(x, "%s", why ? why : kb_strerror(err));
			free(why);
			/* A bad signature or a stale index is what this mirror
			 * serves: asking it again would get the same. */
			return KB_ATTEMPT_NEXT_MIRROR;
		}
		free(why);
	}
	if (rename(x->tmp, r->dest) != 0) {
		r->err = -errno;
		kb_http_note(x, "rename to %s: %s", r->dest, strerror(errno));
		return KB_ATTEMPT_FATAL;
	}
	r->err = 0;
	return KB_ATTEMPT_OK;
}

static enum kb_attempt kb_http_judge(struct kb_http *h, struct kb_http_xfer *x, CURLcode rc)
{
	struct kb_http_req *r = x->r;
	long st = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &st);
	r->status = st;
	x->retry_after_s = -1;
	if ((x->over || rc == CURLE_FILESIZE_EXCEEDED) && r->size && x->max == r->size) {
		/* Longer than the signed metadata says: a file caught mid-sync,
		 * like a checksum mismatch — worth another try. */
		r->err = -KB_ECHECKSUM;
		kb_http_note(x, "size mismatch (larger than the %llu bytes expected)",
			     (unsigned long long)r->size);
		return KB_ATTEMPT_RETRY;
	}
	if (x->over || rc == CURLE_FILESIZE_EXCEEDED) {
		r->err = -KB_ELIMIT;
		kb_http_note(x, "larger than %llu bytes", (unsigned long long)x->max);
		return KB_ATTEMPT_NEXT_MIRROR;
	}
	if (x->write_err) {
		r->err = x->write_err;
		kb_http_note(x, "writing %s: %s", x->tmp, strerror(-x->write_err));
		return KB_ATTEMPT_FATAL;
	}
	if (rc == CURLE_UNSUPPORTED_PROTOCOL && x->location) {
		/* a redirect to file://, gopher://, or from https to http */
		r->err = -KB_EHTTP;
		kb_http_note(x, "HTTP %ld redirect to %s refused: only http and https are followed, "
			     "and never from https to http", st, x->location);
		return KB_ATTEMPT_NEXT_MIRROR;
	}
	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
		/* another try meets the same certificate */
		r->err = -KB_EHTTP;
		kb_http_note(x, "%s (a private CA? name its certificate in CURL_CA_BUNDLE)",
			     x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		return KB_ATTEMPT_NEXT_MIRROR;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		r->err = -KB_EHTTP;
		x->keep_part = r->resume;
		if (kb_now_ms() - x->started_ms >= h->o.max_time_s * 1000 - 500)
			kb_http_note(x, "not done after %ld s, %llu bytes in (the deadline: --max-time)",
				     h->o.max_time_s, (unsigned long long)x->got);
		else
			kb_http_note(x, "%s (under %ld bytes/s for %ld s: --speed-limit, --speed-time)",
				     x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc),
				     h->o.low_speed_limit, h->o.low_speed_time_s);
		return KB_ATTEMPT_RETRY;
	}
	if (rc != CURLE_OK) {
		r->err = -KB_EHTTP;
		x->keep_part = r->resume;
		kb_http_note(x, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		/* Timeouts, resets, short bodies, refused connections: all may pass. */
		return KB_ATTEMPT_RETRY;
	}
	if (st == 304 && x->sent_conditional) {
		r->err = 0;
		r->unchanged = true;
		return KB_ATTEMPT_OK;
	}
	if (st >= 200 && st < 300) {
		free(r->etag);
		free(r->last_modified);
		r->etag = x->etag ? kb_xstrdup(x->etag) : NULL;
		r->last_modified = x->last_modified ? kb_xstrdup(x->last_modified) : NULL;
		return kb_http_accept(x);
	}
	r->err = st == 404 || st == 410 ? -KB_ENOTFOUND : -KB_EHTTP;
	kb_http_note(x, "HTTP %ld", st);
	if (st == 416 && x->offset)
		return KB_ATTEMPT_RETRY;	/* the part is whole or no prefix: start over */
	if (st == 429 || st == 408 || st >= 500) {
		long secs;

		if (x->retry_after && !kb_http_retry_after_parse(x->retry_after, time(NULL), &secs))
			x->retry_after_s = secs < h->o.retry_after_cap_s ? secs : h->o.retry_after_cap_s;
		return KB_ATTEMPT_RETRY;
	}
	return KB_ATTEMPT_NEXT_MIRROR;
}

static void kb_http_finish(struct kb_http *h, struct kb_http_xfer *x)
{
	struct kb_http_req *r = x->r;

	kb_http_attempt_cleanup(h, x);
	free(x->etag);
	free(x->last_modified);
	free(x->retry_after);
	free(x->location);
	r->priv = NULL;
	free(x);
	h->finished++;
	if (h->queued > 1)	/* one file (kb_http_get_file): its caller reports */
		kb_progress("downloading: %u/%u files, %.1f MiB", h->finished, h->queued,
			    (double)h->bytes / (1024 * 1024));
	if (r->done)
		r->done(r, r->ctx);	/* may queue more requests */
}

/* An attempt ended: finish the request, or schedule its next attempt. */
static void kb_http_settle(struct kb_http *h, struct kb_http_xfer *x, CURLcode rc)
{
	struct kb_http_req *r = x->r;
	enum kb_attempt a = kb_http_judge(h, x, rc);
	long delay;

	kb_http_attempt_cleanup(h, x);
	if (a == KB_ATTEMPT_RETRY && x->tries >= h->o.retries)
		a = KB_ATTEMPT_NEXT_MIRROR;
	if (a == KB_ATTEMPT_NEXT_MIRROR && r->mirror + 1 < r->nurls) {
		r->mirror++;
		x->tries = 0;
		x->not_before_ms = 0;
		kb_http_enqueue(h, x);
		return;
	}
	if (a != KB_ATTEMPT_RETRY) {
		kb_http_finish(h, x);
		return;
	}
	delay = kb_http_backoff_ms(x->tries, h->o.backoff_base_ms, h->o.backoff_cap_ms,
				   kb_http_random(h));
	if (x->retry_after_s >= 0 && x->retry_after_s * 1000 > delay)
		delay = x->retry_after_s * 1000;
	x->tries++;
	x->not_before_ms = kb_now_ms() + delay;
	kb_debug("%s: retrying in %ld ms", r->urls[r->mirror], delay);
	kb_http_enqueue(h, x);
}

/* Start what is due; returns ms until the next waiting attempt is (or -1). */
static long kb_http_start_due(struct kb_http *h)
{
	struct kb_http_xfer *x, *prev = NULL, *next;
	int64_t now = kb_now_ms();
	long wait = -1;

	for (x = h->wait_head; x; x = next) {
		next = x->next;
		if (h->running >= h->o.max_parallel)
			return -1;	/* wait for a running transfer to finish */
		if (x->not_before_ms > now) {
			long d = (long)(x->not_before_ms - now);

			if (wait < 0 || d < wait)
				wait = d;
			prev = x;
			continue;
		}
		if (prev)
			prev->next = next;
		else
			h->wait_head = next;
		if (h->wait_tail == x)
			h->wait_tail = prev;
		x->next = NULL;
		x->r->err = kb_http_start(h, x);
		if (x->r->err) {
			kb_http_note(x, "cannot start: %s", kb_strerror(x->r->err));
			kb_http_attempt_cleanup(h, x);
			kb_http_finish(h, x);
			/* The callback may have queued more: restart the walk. */
			return 0;
		}
	}
	return wait;
}

int kb_http_run(struct kb_http *h)
{
	long wait = kb_http_start_due(h);

	while (h->wait_head || h->running) {
		int still = 0, msgs;
		CURLMsg *m;

		if (curl_multi_perform(h->multi, &still) != CURLM_OK)
			return -KB_EHTTP;
		while ((m = curl_multi_info_read(h->multi, &msgs))) {
			struct kb_http_xfer *x = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			kb_http_settle(h, x, m->data.result);
		}
		/* After settling: a retry just scheduled decides how long to sleep. */
		wait = kb_http_start_due(h);
		if (!h->running && !h->wait_head)
			break;
		if (wait < 0 || wait > 1000)
			wait = 1000;
		if (curl_multi_poll(h->multi, NULL, 0, (int)wait, NULL) != CURLM_OK)
			return -KB_EHTTP;
		wait = kb_http_start_due(h);
	}
	kb_progress_done();
	return 0;
}

void kb_http_free(struct kb_http *h)
{
	if (!h)
		return;
	while (h->wait_head) {
		struct kb_http_xfer *x = h->wait_head;

		h->wait_head = x->next;
		kb_http_attempt_cleanup(h, x);
		free(x->etag);
		free(x->last_modified);
		free(x->retry_after);
		free(x->location);
		x->r->priv = NULL;
		free(x);
	}
	curl_multi_cleanup(h->multi);
	free(h->state_dir);
	free(h);
}

int kb_http_state_commit(struct kb_http *h, const struct kb_http_req *r, const char *tag)
{
	struct kb_http_validators v = { r->etag, r->last_modified }, none = { 0 };
	const char *url = r->urls[r->mirror];
	bool moved = strcmp(tag ? tag : "", r->state_tag ? r->state_tag : "") != 0;
	int err = 0;

	if (!h->state_dir || r->err)
		return 0;
	if (r->unchanged) {
		/* Still valid: carry the stored validators over to the new key. */
		if (!moved)
			return 0;
		err = kb_http_validators_load(h->state_dir, url, r->state_tag, &v);
		if (!err)
			err = kb_http_validators_save(h->state_dir, url, tag, &v);
		kb_http_validators_free(&v);
	} else {
		err = kb_http_validators_save(h->state_dir, url, tag, &v);
	}
	if (!err && moved)
		err = kb_http_validators_save(h->state_dir, url, r->state_tag, &none);
	return err == -KB_ENOTFOUND ? 0 : err;
}

int kb_http_get_file(const char *url, const char *dest, const struct kb_http_opts *opts,
		     long *status, char **why)
{
	const char *urls[] = { url };
	struct kb_http_req r = { .urls = urls, .nurls = 1, .dest = dest };
	struct kb_http *h = NULL;
	int err;

	r.resume = opts && opts->resume;
	err = kb_http_new(&h, opts, NULL);
	if (err)
		goto out;
	kb_http_add(h, &r);
	err = kb_http_run(h);
	if (!err)
		err = r.err;
out:
	if (status)
		*status = r.status;
	if (why) {
		*why = err ? r.why : NULL;
		if (err)
			r.why = NULL;
	}
	kb_http_req_clear(&r);
	kb_http_free(h);
	return err;
}

void kb_http_easy_policy(void *easy, const char *url, const struct kb_http_opts *o)
{
	const char *ca = getenv("CURL_CA_BUNDLE");

	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, kb_http_redirect_protocols(url));
	/* The curl tool's variable: a private mirror's own CA, no system change. */
	if (ca && *ca)
		curl_easy_setopt(easy, CURLOPT_CAINFO, ca);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT, o->max_time_s);
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_limit);
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, o->low_speed_time_s);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "kbundle/" KB_VERSION);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
}
