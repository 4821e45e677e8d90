/* http_dav.c — WebDAV PUT, MOVE and DELETE through libcurl's easy
 * interface (http_dav.h). No redirects are followed: a store that moves
 * must be given its new URL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/http_dav.h"

static size_t kb_dav_discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* One request: method on url, the body from f (NULL: none), extra header h. */
static int kb_dav_call(const char *method, const char *url, FILE *f, curl_off_t size,
		       const char *h, const struct kb_http_opts *opts, char **why)
{
	struct kb_http_opts o = *opts;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	CURL *c;
	CURLcode rc;
	long status = 0;
	int err = 0;

	*why = NULL;
	kb_http_global_init();
	kb_http_opts_defaults(&o);
	c = curl_easy_init();
	if (!c) {
		*why = kb_xasprintf("%s: cannot start a transfer", url);
		return -KB_EHTTP;
	}
	if (h)
		hdrs = curl_slist_append(hdrs, h);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o.max_time_s);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_limit);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o.low_speed_time_s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kbundle/" KB_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, kb_dav_discard);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (f) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READDATA, f);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, size);
	} else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		*why = kb_xasprintf("%s %s: %s", method, url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		err = -KB_EHTTP;
	} else if (status == 404 && !strcmp(method, "DELETE")) {
		err = 0;
	} else if (status < 200 || status > 299) {
		*why = kb_xasprintf("%s %s: HTTP %ld (does the server allow WebDAV %s here?)", method,
				    url, status, method);
		err = -KB_EHTTP;
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return err;
}

int kb_dav_put_file(const char *url, const char *path, const struct kb_http_opts *o, char **why)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	int err;

	*why = NULL;
	if (!f || fstat(fileno(f), &st) != 0) {
		err = -errno;
		if (f)
			fclose(f);
		return err;
	}
	err = kb_dav_call("PUT", url, f, (curl_off_t)st.st_size, NULL, o, why);
	fclose(f);
	return err;
}

int kb_dav_move(const char *from, const char *to, const struct kb_http_opts *o, char **why)
{
	char *dest = kb_xasprintf("Destination: %s", to);
	int err = kb_dav_call("MOVE", from, NULL, 0, dest, o, why);

	free(dest);
	return err;
}

int kb_dav_delete(const char *url, const struct kb_http_opts *o, char **why)
{
	return kb_dav_call("DELETE", url, NULL, 0, NULL, o, why);
}
