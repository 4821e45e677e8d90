/* http_dav.h — writing to a WebDAV server (RFC 4918), for publishing to an
 * http(s) store: PUT a file under a temp name, then MOVE it over the real
 * one, which the server does atomically (nginx's dav module renames), so a
 * reader sees the old file or the new one. One blocking transfer each; the
 * deadline and speed limit are kb_http_opts'. */
#ifndef KB_HTTP_DAV_H
#define KB_HTTP_DAV_H

#include "lib/http.h"

/* PUT the file path to url. 0, or -KB_EHTTP (with *why, malloc'd: the URL
 * and the status or curl's reason), -errno when path cannot be read. */
int kb_dav_put_file(const char *url, const char *path, const struct kb_http_opts *o, char **why);
/* MOVE from to to (Overwrite: T). 0 or -KB_EHTTP with *why. */
int kb_dav_move(const char *from, const char *to, const struct kb_http_opts *o, char **why);
/* DELETE url; a missing one is not an error. 0 or -KB_EHTTP with *why. */
int kb_dav_delete(const char *url, const struct kb_http_opts *o, char **why);

#endif
