/* http_call.h — one blocking HTTP request with what a registry or WebDAV
 * server needs and lib/http.h's download engine does not offer: any method,
 * request headers, a body from a file or memory, the answer's body in
 * memory (capped) and its Location and Docker-Content-Digest headers. The
 * deadline and speed limit are kb_http_opts'; http and https only. */
#ifndef KB_HTTP_CALL_H
#define KB_HTTP_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/http.h"

struct kb_http_call {
	/* in */
	const char *method;		/* GET, HEAD, PUT, POST, MOVE, DELETE */
	const char *url;
	const char *const *headers;	/* "Name: value", NULL-terminated; NULL: none */
	const char *upload_path;	/* the body from this file, or… */
	const void *upload_buf;		/* …from memory (upload_len bytes) */
	size_t upload_len;
	bool follow;			/* follow redirects (kb_http_redirect_protocols) */
	size_t body_max;		/* keep the answer's body up to this; 0: discard */
	/* out */
	long status;
	char *body;			/* NUL-terminated, body_len bytes */
	size_t body_len;
	char *location;			/* the Location header, or NULL */
};

/* 0 when an answer came (any status: the caller judges it); -KB_EHTTP
 * when none did, -KB_ELIMIT past body_max, -errno when upload_path cannot
 * be read; *why (malloc'd) says what, naming the method and URL. */
int kb_http_call_run(struct kb_http_call *c, const struct kb_http_opts *o, char **why);
void kb_http_call_free(struct kb_http_call *c);

#endif
