/* http.c — single downloads through a libcurl easy handle, with retries. */
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/http.h"
#include "lib/log.h"

struct kb_http_sink {
	FILE *f;
	CURL *c;
	uint64_t got, max, offset;
	int over, checked;
};

static size_t kb_http_write(char *p, size_t size, size_t n, void *ctx)
{
	struct kb_http_sink *s = ctx;
	size_t len = size * n;

	if (!s->checked) {
		long code = 0;

		/* asked for a range but got the whole body: start over */
		s->checked = 1;
		curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &code);
		if (s->offset && code == 200) {
			if (fflush(s->f) != 0 || ftruncate(fileno(s->f), 0) != 0)
				return 0;
			s->offset = 0;
			s->got = 0;
		}
	}
	if (s->max && s->got + len > s->max) {
		s->over = 1;
		return 0;
	}
	s->got += len;
	return fwrite(p, 1, len, s->f);
}

static void kb_http_global_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void kb_http_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, kb_http_global_init_once);
}

/* One attempt. Returns 0, or an error; *retry says whether trying again
 * could help (timeouts, resets, 5xx, 429). */
static int kb_http_once(CURL *c, const char *url, const char *tmp, const struct kb_http_opts *o,
			long *status, int *retry)
{
	struct kb_http_sink sink = { .max = o->max_bytes, .c = c };
	char errbuf[CURL_ERROR_SIZE] = "";
	struct stat st;
	CURLcode rc;
	int err = 0;

	*retry = 0;
	*status = 0;
	if (o->resume && stat(tmp, &st) == 0 && st.st_size > 0)
		sink.offset = (uint64_t)st.st_size;
	sink.got = sink.offset;
	sink.f = fopen(tmp, sink.offset ? "a" : "w");
	if (!sink.f)
		return -errno;
	curl_easy_reset(c);
	if (sink.offset)
		curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)sink.offset);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s ? o->connect_timeout_s : 15L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->low_speed_time_s ? o->low_speed_time_s : 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, kb_http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kbundle/" KB_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (fclose(sink.f) != 0 && rc == CURLE_OK)
		return -errno;
	if (sink.over) {
		kb_debug("%s: larger than %llu bytes", url, (unsigned long long)o->max_bytes);
		return -KB_ELIMIT;
	}
	if (rc != CURLE_OK) {
		kb_debug("%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		*retry = 1;
		return -KB_EHTTP;
	}
	if (*status == 416 && sink.offset) {
		/* the part is already whole, or not a prefix: start over */
		unlink(tmp);
		*retry = 1;
		return -KB_EHTTP;
	}
	if (*status == 404 || *status == 410)
		err = -KB_ENOTFOUND;
	else if (*status >= 400)
		err = -KB_EHTTP;
	*retry = *status >= 500 || *status == 429;
	if (err)
		kb_debug("%s: HTTP %ld", url, *status);
	return err;
}

int kb_http_get_file(const char *url, const char *dest, const struct kb_http_opts *opts,
		     long *status)
{
	static const struct kb_http_opts defaults;
	const struct kb_http_opts *o = opts ? opts : &defaults;
	char *tmp = kb_xasprintf("%s.part", dest);
	long code = 0;
	int err = 0, retry = 0;
	CURL *c;

	kb_http_global_init();
	c = curl_easy_init();
	if (!c)
		abort();
	for (int attempt = 0; attempt <= o->retries; attempt++) {
		if (attempt)
			sleep(1u << (attempt - 1 < 4 ? attempt - 1 : 4));
		err = kb_http_once(c, url, tmp, o, &code, &retry);
		if (!err || !retry)
			break;
	}
	if (!err && rename(tmp, dest) != 0)
		err = -errno;
	/* only a transfer cut short is worth continuing */
	if (err && !(o->resume && err == -KB_EHTTP))
		unlink(tmp);
	curl_easy_cleanup(c);
	free(tmp);
	if (status)
		*status = code;
	return err;
}
