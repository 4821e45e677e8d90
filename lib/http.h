/* http.h — kbundle's one way to download: many transfers at once over a
 * single libcurl multi handle.
 *
 * One engine (struct kb_http) serves every upstream of a run: a per-host
 * connection limit, HTTP/2 multiplexing where the server offers it, retries
 * with exponential back-off and jitter on timeouts, resets, 5xx and 429
 * (honouring Retry-After), a body size limit, checksum checks, falling back
 * to the next mirror, and conditional requests from validators (ETag,
 * Last-Modified) kept per URL in the work directory's state/.
 *
 * A download goes to a temp file beside dest and is renamed into place only
 * when complete and verified, so dest is never half-written. A 304 answer
 * leaves dest untouched and sets req->unchanged. */
#ifndef KB_HTTP_H
#define KB_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Each transfer's deadline and low-speed limit, from the command line
 * (--max-time, --speed-limit, --speed-time: cli/limits_opt.c). */
#define KB_HTTP_MAX_TIME_S 3600
#define KB_HTTP_SPEED_LIMIT 1024
#define KB_HTTP_SPEED_TIME_S 30

struct kb_http_opts {
	long connect_timeout_s;	/* 0: 15 */
	long max_time_s;	/* a whole attempt, redirects included; 0: KB_HTTP_MAX_TIME_S */
	long low_speed_limit;	/* bytes/s, see below; 0: KB_HTTP_SPEED_LIMIT */
	long low_speed_time_s;	/* abort when under low_speed_limit this long; 0: 30 */
	uint64_t max_bytes;	/* refuse bodies larger than this (0: no limit) */
	int retries;		/* extra attempts per mirror on transient failures */
	long max_host_conns;	/* per host; 0: 4 */
	long max_parallel;	/* transfers running at once; 0: 16 */
	long backoff_base_ms;	/* first retry delay; 0: 1000 */
	long backoff_cap_ms;	/* longest back-off; 0: 60000 */
	long retry_after_cap_s;	/* longest Retry-After honoured; 0: 120 */
	/* kb_http_get_file: keep dest.part after a failed transfer and continue
	 * it with a Range request next time (a server that ignores Range
	 * restarts it). */
	int resume;
};

/* Take the deadline and speed limit of l (NULL: the defaults) into o. */
struct kb_limits;
void kb_http_opts_limits(struct kb_http_opts *o, const struct kb_limits *l);

/* libcurl's global setup; call once before downloading from threads
 * (kb_http_new calls it too). */
void kb_http_global_init(void);

/* Fill unset (zero) fields with the defaults. KBUNDLE_HTTP_STALL_S and
 * KBUNDLE_HTTP_BACKOFF_MS override low_speed_time_s and backoff_base_ms, so
 * tests that inject stalls and errors need not wait for production timings. */
void kb_http_opts_defaults(struct kb_http_opts *o);

struct kb_http_req;
/* Check a complete body (in path) before it is renamed to dest; an error
 * (with *why, malloc'd, saying what was wrong) moves on to the next mirror.
 * (A size or sha256 mismatch, by contrast, is retried on the same mirror
 * first: a body cut short or caught mid-sync may come whole next time.) */
typedef int (*kb_http_verify_fn)(struct kb_http_req *r, const char *path, void *ctx, char **why);
typedef void (*kb_http_done_fn)(struct kb_http_req *r, void *ctx);

struct kb_http_req {
	/* in (borrowed; must outlive the transfer) */
	const char *const *urls;	/* the same file on each mirror, tried in order */
	size_t nurls;
	const char *dest;
	uint64_t max_bytes;	/* 0: the engine's limit */
	uint64_t size;		/* expected size, 0: unknown */
	const char *sha256;	/* expected hex digest, NULL: unchecked */
	bool conditional;	/* send stored validators; a 304 sets unchanged */
	bool resume;		/* continue dest.part with a Range request; keep it on a
				 * failed transfer */
	const char *state_tag;	/* mixed into the validator key (e.g. a config hash) */
	kb_http_verify_fn verify;	/* optional check on the temp file; an error retries */
	kb_http_done_fn done;	/* called once when the request has its final result */
	void *ctx;

	/* out */
	int err;		/* 0, -KB_ENOTFOUND, -KB_EHTTP, -KB_ELIMIT, -KB_ECHECKSUM, … */
	long status;		/* last HTTP status, 0 when none */
	bool unchanged;		/* 304: dest untouched */
	size_t mirror;		/* index of the URL that answered (or failed last) */
	int attempts;		/* transfers made, over all mirrors */
	uint64_t bytes;		/* body bytes received, over all attempts */
	char *etag;		/* validators of the answer, NULL when none */
	char *last_modified;
	char *why;		/* on failure: what went wrong on each mirror */

	struct kb_http_xfer *priv;
};

struct kb_http;

/* state_dir (WORKDIR/state) may be NULL: no conditional requests. */
int kb_http_new(struct kb_http **h, const struct kb_http_opts *o, const char *state_dir);
/* Queue a request; callable from a done callback while kb_http_run runs. */
void kb_http_add(struct kb_http *h, struct kb_http_req *r);
/* Run until every queued request has its result (in r->err). Returns 0, or
 * an error of the engine itself (not of a request). */
int kb_http_run(struct kb_http *h);
/* Body bytes received by all transfers so far. */
uint64_t kb_http_bytes(const struct kb_http *h);
void kb_http_free(struct kb_http *h);
/* Free a request's outputs; the request may then be queued again. */
void kb_http_req_clear(struct kb_http_req *r);

/* Store the answer's validators (r->etag, r->last_modified) for the URL that
 * answered, under tag (which replaces r->state_tag: the key moves with what
 * the validators vouch for, e.g. the list written from this index). Callers
 * commit only once they accepted what was fetched: a validator saved for an
 * index whose use then failed would make the next run skip it. */
int kb_http_state_commit(struct kb_http *h, const struct kb_http_req *r, const char *tag);

/* Fetch url into dest (a thin call into the engine). Returns 0,
 * -KB_ENOTFOUND on 404/410, -KB_EHTTP on other failures, -KB_ELIMIT past
 * max_bytes, -ENOSPC (or another -errno) when dest could not be written.
 * The failure, with the URL, is logged at debug level only: the caller
 * reports it once, in context. The HTTP status (or 0) goes to *status and
 * what went wrong (malloc'd, NULL on success; it quotes the server: escape
 * it, kb_log_esc) to *why, when given. */
int kb_http_get_file(const char *url, const char *dest, const struct kb_http_opts *opts,
		     long *status, char **why);

/* What every transfer of kbundle's has, on a libcurl easy handle (CURL *)
 * for url: http(s) only, redirects only as kb_http_redirect_protocols
 * allows, the private CA of CURL_CA_BUNDLE, o's deadline and low-speed
 * limit, the user agent, no signals. The engine above and lib/http_call.c
 * both start from it. */
void kb_http_easy_policy(void *easy, const char *url, const struct kb_http_opts *o);

/* Pure helpers, exposed for the unit tests. */

/* Retry-After: delta-seconds or an HTTP date, relative to now; never negative.
 * Returns 0, or -KB_EPARSE. */
int kb_http_retry_after_parse(const char *value, time_t now, long *secs);
/* The protocols a redirect from url may go to: "https" from https (no
 * downgrade to plain http), else "http,https"; never file://, gopher://… */
const char *kb_http_redirect_protocols(const char *url);
/* Delay before retry number attempt (0-based): min(cap, base * 2^attempt),
 * with "equal jitter" — half fixed, half drawn from rnd. */
long kb_http_backoff_ms(int attempt, long base_ms, long cap_ms, uint32_t rnd);

/* The validator store: one small file per (URL, tag) under state_dir/http/. */
struct kb_http_validators {
	char *etag;
	char *last_modified;
};
int kb_http_validators_load(const char *state_dir, const char *url, const char *tag,
			    struct kb_http_validators *v);
int kb_http_validators_save(const char *state_dir, const char *url, const char *tag,
			    const struct kb_http_validators *v);
void kb_http_validators_free(struct kb_http_validators *v);

#endif
