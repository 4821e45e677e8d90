/* http_dav.c — WebDAV PUT, MOVE and DELETE (http_dav.h) as single calls
 * (http_call.h). No redirects are followed: a store that moves must be
 * given its new URL. */
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/http_call.h"
#include "lib/http_dav.h"

static int kb_dav_call(struct kb_http_call *c, const struct kb_http_opts *o, char **why)
{
	int err = kb_http_call_run(c, o, why);

	if (!err && c->status == 404 && !strcmp(c->method, "DELETE"))
		err = 0;
	else if (!err && (c->status < 200 || c->status > 299)) {
		*why = kb_xasprintf("%s %s: HTTP %ld (does the server allow WebDAV %s here?)",
				    c->method, c->url, c->status, c->method);
		err = -KB_EHTTP;
	}
	kb_http_call_free(c);
	return err;
}

int kb_dav_put_file(const char *url, const char *path, const struct kb_http_opts *o, char **why)
{
	struct kb_http_call c = { .method = "PUT", .url = url, .upload_path = path };

	return kb_dav_call(&c, o, why);
}

int kb_dav_move(const char *from, const char *to, const struct kb_http_opts *o, char **why)
{
	char *dest = kb_xasprintf("Destination: %s", to);
	const char *const hdrs[] = { dest, NULL };
	struct kb_http_call c = { .method = "MOVE", .url = from, .headers = hdrs };
	int err = kb_dav_call(&c, o, why);

	free(dest);
	return err;
}

int kb_dav_delete(const char *url, const struct kb_http_opts *o, char **why)
{
	struct kb_http_call c = { .method = "DELETE", .url = url };

	return kb_dav_call(&c, o, why);
}
