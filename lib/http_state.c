/* http_state.c — the HTTP validator store (ETag, Last-Modified per URL),
 * the engine's defaults, and the pure retry arithmetic (Retry-After,
 * back-off) it uses.
 *
 * A validator lives in WORKDIR/state/http/<sha256(url "\n" tag)>:
 *
 *   kbundle-http-state 1
 *   url https://mirror/dists/bookworm/InRelease
 *   etag "5f3c-61a2"
 *   last-modified Sat, 09 Nov 2024 10:12:31 GMT
 *
 * Written atomically. The file is ours, but it is read back with the same
 * care as outside data: values go into request headers, so anything with
 * control characters or of silly length is refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/http.h"
#include "lib/limits.h"
#include "lib/strview.h"

#define KB_STATE_MAGIC "kbundle-http-state 1"
#define KB_STATE_MAX_VALUE 1024

static long kb_env_long(const char *name, long dflt)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return dflt;
	n = strtol(v, &end, 10);
	return *end || n <= 0 ? dflt : n;
}

void kb_http_opts_defaults(struct kb_http_opts *o)
{
	if (!o->connect_timeout_s)
		o->connect_timeout_s = 15;
	if (!o->max_time_s)
		o->max_time_s = KB_HTTP_MAX_TIME_S;
	if (!o->low_speed_limit)
		o->low_speed_limit = KB_HTTP_SPEED_LIMIT;
	if (!o->low_speed_time_s)
		o->low_speed_time_s = kb_env_long("KBUNDLE_HTTP_STALL_S", KB_HTTP_SPEED_TIME_S);
	if (!o->max_host_conns)
		o->max_host_conns = 4;
	if (!o->max_parallel)
		o->max_parallel = 16;
	if (!o->backoff_base_ms)
		o->backoff_base_ms = kb_env_long("KBUNDLE_HTTP_BACKOFF_MS", 1000);
	if (!o->backoff_cap_ms)
		o->backoff_cap_ms = 60000;
	if (!o->retry_after_cap_s)
		o->retry_after_cap_s = 120;
}

void kb_http_opts_limits(struct kb_http_opts *o, const struct kb_limits *l)
{
	l = kb_limits_or_default(l);
	o->max_time_s = l->max_time_s;
	o->low_speed_limit = l->speed_limit;
	o->low_speed_time_s = l->speed_time_s;
}

const char *kb_http_redirect_protocols(const char *url)
{
	return strncasecmp(url, "https://", 8) == 0 ? "https" : "http,https";
}

int kb_http_retry_after_parse(const char *value, time_t now, long *secs)
{
	struct kb_str s;
	time_t when;

	if (!value)
		return -KB_EPARSE;
	s = kb_str_trim(kb_str_c(value));
	if (!s.n)
		return -KB_EPARSE;
	if (s.p[0] >= '0' && s.p[0] <= '9') {
		long v = 0;

		for (size_t i = 0; i < s.n; i++) {
			if (s.p[i] < '0' || s.p[i] > '9')
				return -KB_EPARSE;
			if (v > 100000000L)	/* absurd; the caller caps it anyway */
				return -KB_EPARSE;
			v = v * 10 + (s.p[i] - '0');
		}
		*secs = v;
		return 0;
	}
	/* curl_getdate knows the three HTTP date formats (RFC 9110 5.6.7). */
	when = curl_getdate(value, NULL);
	if (when == (time_t)-1)
		return -KB_EPARSE;
	*secs = when > now ? (long)(when - now) : 0;
	return 0;
}

long kb_http_backoff_ms(int attempt, long base_ms, long cap_ms, uint32_t rnd)
{
	long d = base_ms > 0 ? base_ms : 1;

	for (int i = 0; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	/* Equal jitter: never less than half the delay (so a struggling server
	 * gets real relief), and spread so parallel clients do not retry in step. */
	return d / 2 + (long)(rnd % (uint32_t)(d / 2 + 1));
}

static char *kb_state_path(const char *state_dir, const char *url, const char *tag)
{
	char *key = kb_xasprintf("%s\n%s", url, tag ? tag : "");
	char hex[KB_SHA256_HEX_LEN + 1];
	char *p;

	kb_sha256_buf(key, strlen(key), hex);
	p = kb_xasprintf("%s/http/%s", state_dir, hex);
	free(key);
	return p;
}

static bool kb_state_value_ok(struct kb_str v)
{
	if (!v.n || v.n > KB_STATE_MAX_VALUE)
		return false;
	for (size_t i = 0; i < v.n; i++)
		if ((unsigned char)v.p[i] < 0x20 || v.p[i] == 0x7f)
			return false;
	return true;
}

void kb_http_validators_free(struct kb_http_validators *v)
{
	free(v->etag);
	free(v->last_modified);
	v->etag = v->last_modified = NULL;
}

int kb_http_validators_load(const char *state_dir, const char *url, const char *tag,
			    struct kb_http_validators *v)
{
	char *path = kb_state_path(state_dir, url, tag);
	char *buf = NULL;
	struct kb_str s, line;
	size_t len;
	int err, lineno = 0;

	v->etag = v->last_modified = NULL;
	err = kb_file_read(path, 8192, &buf, &len);
	if (err == -ENOENT)
		err = -KB_ENOTFOUND;
	if (err)
		goto out;
	s = kb_str(buf, len);
	while (s.n) {
		struct kb_str key;

		kb_str_split(&s, '\n', &line);
		if (lineno++ == 0) {
			if (!kb_str_eq(line, KB_STATE_MAGIC)) {
				err = -KB_EPARSE;
				goto out;
			}
			continue;
		}
		if (!kb_str_split(&line, ' ', &key) || !kb_state_value_ok(line)) {
			err = -KB_EPARSE;
			goto out;
		}
		if (kb_str_eq(key, "url")) {
			if (line.n != strlen(url) || memcmp(line.p, url, line.n)) {
				err = -KB_EPARSE;
				goto out;
			}
		} else if (kb_str_eq(key, "etag") && !v->etag) {
			v->etag = kb_xstrndup(line.p, line.n);
		} else if (kb_str_eq(key, "last-modified") && !v->last_modified) {
			v->last_modified = kb_xstrndup(line.p, line.n);
		} else {
			err = -KB_EPARSE;
			goto out;
		}
	}
	if (lineno == 0)
		err = -KB_EPARSE;
out:
	if (err)
		kb_http_validators_free(v);
	free(buf);
	free(path);
	return err;
}

int kb_http_validators_save(const char *state_dir, const char *url, const char *tag,
			    const struct kb_http_validators *v)
{
	char *path = kb_state_path(state_dir, url, tag);
	char *dir = kb_path_join(state_dir, "http");
	struct kb_atomic_file af;
	int err;

	if ((v->etag && !kb_state_value_ok(kb_str_c(v->etag))) ||
	    (v->last_modified && !kb_state_value_ok(kb_str_c(v->last_modified))) ||
	    !kb_state_value_ok(kb_str_c(url))) {
		err = -KB_EPARSE;
		goto out;
	}
	if (!v->etag && !v->last_modified) {
		/* Nothing to ask with: forget what we had, or the next run would
		 * send validators for a different body. */
		err = unlink(path) == 0 || errno == ENOENT ? 0 : -errno;
		goto out;
	}
	err = kb_mkdir_p(dir, 0755);
	if (err)
		goto out;
	err = kb_atomic_open(&af, path);
	if (err)
		goto out;
	kb_atomic_printf(&af, KB_STATE_MAGIC "\nurl %s\n", url);
	if (v->etag)
		kb_atomic_printf(&af, "etag %s\n", v->etag);
	if (v->last_modified)
		kb_atomic_printf(&af, "last-modified %s\n", v->last_modified);
	err = kb_atomic_commit(&af);
out:
	free(dir);
	free(path);
	return err;
}
