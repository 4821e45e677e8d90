/* http.h — downloads through libcurl.
 *
 * A download goes to a temp file beside dest and is renamed into place only
 * when complete, so dest is never half-written. Callers verify the checksum
 * from signed metadata before using what they got. */
#ifndef KB_HTTP_H
#define KB_HTTP_H

#include <stdint.h>

struct kb_http_opts {
	long connect_timeout_s;	/* 0: 15 */
	long low_speed_time_s;	/* abort when under 1 KiB/s this long; 0: 30 */
	uint64_t max_bytes;	/* refuse bodies larger than this (0: no limit) */
	int retries;		/* extra attempts on timeouts, resets and 5xx; 0: none */
	/* Keep dest.part after a failed attempt or run, and continue it with
	 * a Range request next time (a server that ignores Range restarts it). */
	int resume;
};

/* libcurl's global setup; call once before downloading from threads. */
void kb_http_global_init(void);

/* Fetch url into dest. Returns 0, -KB_ENOTFOUND on 404/410, -KB_EHTTP on
 * other failures, -KB_ELIMIT past max_bytes. The failure, with the URL, is
 * logged at debug level only: the caller reports it once, in context. The
 * HTTP status (or 0) goes to *status when given. */
int kb_http_get_file(const char *url, const char *dest, const struct kb_http_opts *opts,
		     long *status);

#endif
