/* http_call.c — one request through libcurl's easy interface (http_call.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/http_call.h"

struct kb_call_rx {
	struct kb_http_call *c;
	int over;
};

static size_t kb_call_on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct kb_call_rx *rx = ctx;
	struct kb_http_call *c = rx->c;
	size_t len = size * n;

	if (!c->body_max)
		return len;
	if (c->body_len + len > c->body_max) {
		rx->over = 1;
		return 0;	/* curl stops: CURLE_WRITE_ERROR */
	}
	c->body = kb_xrealloc(c->body, c->body_len + len + 1);
	memcpy(c->body + c->body_len, p, len);
	c->body_len += len;
	c->body[c->body_len] = '\0';
	return len;
}

static size_t kb_call_on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct kb_call_rx *rx = ctx;
	size_t len = size * n;

	if (len > 9 && !strncasecmp(p, "location:", 9)) {
		size_t a = 9, b = len;

		while (a < b && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (b > a && (p[b - 1] == '\r' || p[b - 1] == '\n' || p[b - 1] == ' '))
			b--;
		free(rx->c->location);
		rx->c->location = kb_xstrndup(p + a, b - a);
	}
	return len;
}

int kb_http_call_run(struct kb_http_call *c, const struct kb_http_opts *opts, char **why)
{
	struct kb_http_opts o = *opts;
	struct kb_call_rx rx = { .c = c };
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	FILE *f = NULL;
	struct stat st;
	CURL *e;
	CURLcode rc;
	int err = 0;

	*why = NULL;
	c->status = 0;
	kb_http_global_init();
	kb_http_opts_defaults(&o);
	if (c->upload_path) {
		f = fopen(c->upload_path, "rb");
		if (!f || fstat(fileno(f), &st) != 0) {
			err = -errno;
			*why = kb_xasprintf("%s: %s", c->upload_path, kb_strerror(err));
			if (f)
				fclose(f);
			return err;
		}
	}
	e = curl_easy_init();
	if (!e) {
		*why = kb_xasprintf("%s %s: cannot start a transfer", c->method, c->url);
		if (f)
			fclose(f);
		return -KB_EHTTP;
	}
	for (size_t i = 0; c->headers && c->headers[i]; i++)
		hdrs = curl_slist_append(hdrs, c->headers[i]);
	kb_http_easy_policy(e, c->url, &o);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, c->follow ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, kb_call_on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &rx);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, kb_call_on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &rx);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	if (f) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READDATA, f);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
	} else if (c->upload_buf) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->upload_buf);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->upload_len);
	}
	if (!strcmp(c->method, "HEAD"))
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(c->method, "GET") && !(f && !strcmp(c->method, "PUT")))
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, c->method);
	rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &c->status);
	if (rx.over) {
		*why = kb_xasprintf("%s %s: the answer is larger than %zu bytes", c->method, c->url,
				    c->body_max);
		err = -KB_ELIMIT;
	} else if (rc != CURLE_OK) {
		*why = kb_xasprintf("%s %s: %s", c->method, c->url,
				    errbuf[0] ? errbuf : curl_easy_strerror(rc));
		err = -KB_EHTTP;
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(e);
	if (f)
		fclose(f);
	return err;
}

void kb_http_call_free(struct kb_http_call *c)
{
	free(c->body);
	free(c->location);
	c->body = c->location = NULL;
	c->body_len = 0;
}
