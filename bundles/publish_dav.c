/* publish_dav.c — a WebDAV base URL as a store (publish_store.h): each file
 * is PUT under a hidden temp name beside its real one, then MOVEd over it,
 * which the server does as a rename, so a reader fetching over plain HTTP
 * sees the old file or the new one. The store's own index says what is
 * there: a bundle it lists with the same sha256 is not sent again. One
 * publisher per store at a time (WebDAV locks are not used). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundles/bundle_path.h"
#include "bundles/publish_store.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/http_dav.h"
#include "lib/log.h"

static char *kb_pub_dav_url(const struct kb_pub_store *s, const char *name)
{
	size_t n = strlen(s->to);

	return kb_xasprintf("%.*s/%s", (int)(n && s->to[n - 1] == '/' ? n - 1 : n), s->to, name);
}

static int kb_pub_dav_open(struct kb_pub_store *s)
{
	(void)s;
	return 0;
}

static int kb_pub_dav_read_index(struct kb_pub_store *s)
{
	char *url = kb_pub_dav_url(s, "index.json"), *why = NULL, *buf = NULL;
	char tmp[] = "/tmp/kbundle-dav-index.XXXXXX";
	struct kb_http_opts ho = s->http;
	int fd = mkstemp(tmp), err;
	long status = 0;
	size_t len;

	if (fd < 0) {
		err = -errno;
		kb_error("%s: %s", tmp, kb_strerror(err));
		goto out;
	}
	close(fd);
	ho.max_bytes = KB_INDEX_MAX_BYTES;
	err = kb_http_get_file(url, tmp, &ho, &status, &why);
	if (err == -KB_ENOTFOUND) {
		err = 0;	/* a new store */
		goto out;
	}
	if (err) {
		kb_error("%s: %s", url, why ? kb_log_esc(why) : kb_strerror(err));
		goto out;
	}
	err = kb_file_read(tmp, KB_INDEX_MAX_BYTES, &buf, &len);
	if (!err)
		err = kb_index_parse(buf, len, url, &s->old);
	else
		kb_error("%s: %s", url, kb_strerror(err));
out:
	unlink(tmp);
	free(buf);
	free(why);
	free(url);
	return err;
}

static int kb_pub_dav_present(struct kb_pub_store *s, const struct kb_index_entry *e)
{
	return kb_pub_store_in_index(s, e);
}

/* The file path as name: PUT to a temp name, MOVE into place. */
static int kb_pub_dav_put_file(struct kb_pub_store *s, const char *name, const char *path)
{
	const char *slash = strrchr(name, '/');
	char *tmpname = slash ? kb_xasprintf("%.*s/.%s.kbundle.tmp.%d", (int)(slash - name), name,
					     slash + 1, (int)getpid())
			      : kb_xasprintf(".%s.kbundle.tmp.%d", name, (int)getpid());
	char *tmp = kb_pub_dav_url(s, tmpname), *url = kb_pub_dav_url(s, name), *why = NULL;
	int err = kb_dav_put_file(tmp, path, &s->http, &why);

	if (!err)
		err = kb_dav_move(tmp, url, &s->http, &why);
	if (err) {
		char *ignored = NULL;

		kb_error("%s", why ? kb_log_esc(why) : kb_strerror(err));
		kb_dav_delete(tmp, &s->http, &ignored);
		free(ignored);
	}
	free(why);
	free(tmpname);
	free(tmp);
	free(url);
	return err;
}

static int kb_pub_dav_put_buf(struct kb_pub_store *s, const char *name, const void *buf,
			      size_t len)
{
	char tmp[] = "/tmp/kbundle-dav-put.XXXXXX";
	int fd = mkstemp(tmp), err = 0;

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		kb_error("%s: %s", tmp, kb_strerror(err));
	else
		err = kb_pub_dav_put_file(s, name, tmp);
	unlink(tmp);
	return err;
}

static int kb_pub_dav_put_bundle(struct kb_pub_store *s, const struct kb_index_entry *e)
{
	char *src, *name = kb_bundle_path(NULL, e->id), *side = kb_bundle_sidecar_path(NULL, e->id);
	char *line = kb_bundle_sidecar_line(e->sha256, e->id);
	int err = kb_pub_store_local(s, e, &src);

	if (!err)
		err = kb_pub_dav_put_file(s, name, src);
	if (!err)
		err = kb_pub_dav_put_buf(s, side, line, strlen(line));
	free(src);
	free(name);
	free(side);
	free(line);
	return err;
}

/* A copy: WebDAV has no links. Not sent again while the store's index
 * gives the same bundle that alias. */
static int kb_pub_dav_put_alias(struct kb_pub_store *s, const struct kb_index_entry *e)
{
	char *src;
	int err;

	for (size_t i = 0; i < s->old.n; i++)
		if (s->old.v[i].id && !strcmp(s->old.v[i].id, e->id) && s->old.v[i].alias &&
		    !strcmp(s->old.v[i].alias, e->alias))
			return 0;
	src = kb_bundle_path(s->from, e->id);
	if (access(src, R_OK) != 0) {
		/* a bundle of the old index: not in this work directory */
		kb_debug("%s: not here, alias %s left as it is", src, e->alias);
		free(src);
		return 0;
	}
	err = kb_pub_dav_put_file(s, e->alias, src);
	free(src);
	return err;
}

static int kb_pub_dav_remove(struct kb_pub_store *s, const char *name)
{
	char *url = kb_pub_dav_url(s, name), *why = NULL;
	int err = kb_dav_delete(url, &s->http, &why);

	if (err)
		kb_error("%s", why ? kb_log_esc(why) : kb_strerror(err));
	free(why);
	free(url);
	return err;
}

static void kb_pub_dav_close(struct kb_pub_store *s)
{
	(void)s;
}

const struct kb_pub_ops kb_pub_dav_ops = {
	.pages = true,
	.open = kb_pub_dav_open,
	.read_index = kb_pub_dav_read_index,
	.present = kb_pub_dav_present,
	.put_bundle = kb_pub_dav_put_bundle,
	.put_alias = kb_pub_dav_put_alias,
	.put_buf = kb_pub_dav_put_buf,
	.remove = kb_pub_dav_remove,
	.close = kb_pub_dav_close,
	.serves_files = true,
};
