/* oci.c — the registry side of an OCI store (oci.h): blobs pushed with a
 * POST then a PUT of the whole body (the spec's monolithic upload), the
 * manifest PUT last; read back with GET, every blob checked against its
 * digest. Manifests are read as JSON through lib/yaml_doc, under limits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundles/oci.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/http_call.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/yaml_doc.h"

#define KB_OCI_MANIFEST_TYPE "application/vnd.oci.image.manifest.v1+json"
#define KB_OCI_EMPTY_TYPE "application/vnd.oci.empty.v1+json"
#define KB_OCI_EMPTY_SHA "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define KB_OCI_TITLE "org.opencontainers.image.title"

int kb_oci_open(struct kb_oci *r, const char *url, const struct kb_limits *lim)
{
	const char *host = url + 6, *slash;
	int loop;

	memset(r, 0, sizeof(*r));
	if (strncmp(url, "oci://", 6) != 0 || !(slash = strchr(host, '/')) || slash == host ||
	    !slash[1] || slash[strlen(slash) - 1] == '/') {
		kb_error("%s: not oci://HOST/REPO", url);
		return -KB_EUSAGE;
	}
	loop = !strncmp(host, "127.", 4) || !strncmp(host, "localhost", 9) || !strncmp(host, "[::1]", 5);
	r->ref = kb_xstrdup(url);
	r->api = kb_xasprintf("%s://%.*s/v2%s", loop ? "http" : "https", (int)(slash - host), host,
			      slash);
	kb_http_opts_limits(&r->http, lim);
	return 0;
}

void kb_oci_close(struct kb_oci *r)
{
	free(r->ref);
	free(r->api);
	memset(r, 0, sizeof(*r));
}

void kb_oci_tag(const char *uname, char tag[129])
{
	size_t i = 0;

	for (; uname[i] && i < 128; i++)
		tag[i] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
				uname[i]) ? uname[i] : '_';
	tag[i] = '\0';
	if (tag[0] == '.' || tag[0] == '-')
		tag[0] = '_';
}

/* One call; an answer other than want (or want2) is an error naming it. */
static int kb_oci_call(struct kb_oci *r, struct kb_http_call *c, long want, long want2)
{
	char *why = NULL;
	int err = kb_http_call_run(c, &r->http, &why);

	if (!err && c->status != want && c->status != want2) {
		why = kb_xasprintf("%s %s: HTTP %ld%s%.200s", c->method, c->url, c->status,
				   c->body ? ": " : "", c->body ? c->body : "");
		err = c->status == 404 ? -KB_ENOTFOUND : -KB_EHTTP;
	}
	if (err && err != -KB_ENOTFOUND)
		kb_error("%s: %s", r->ref, kb_log_esc(why));
	free(why);
	return err;
}

static int kb_oci_blob_has(struct kb_oci *r, const char *sha256)
{
	char *url = kb_xasprintf("%s/blobs/sha256:%s", r->api, sha256);
	struct kb_http_call c = { .method = "HEAD", .url = url, .follow = true };
	char *why = NULL;
	int has = kb_http_call_run(&c, &r->http, &why) == 0 && c.status == 200;

	kb_http_call_free(&c);
	free(why);
	free(url);
	return has;
}

/* POST an upload, then PUT the body (from path, or buf) to its Location. */
static int kb_oci_blob_push(struct kb_oci *r, const char *path, const void *buf, size_t len,
			    const char *sha256)
{
	static const char *const octet[] = { "Content-Type: application/octet-stream", NULL };
	char *url = kb_xasprintf("%s/blobs/uploads/", r->api), *put = NULL, *origin = NULL;
	struct kb_http_call post = { .method = "POST", .url = url, .upload_buf = "", .body_max = 4096 };
	struct kb_http_call c = { .method = "PUT", .headers = octet, .upload_path = path,
				  .upload_buf = path ? NULL : buf, .upload_len = len, .body_max = 4096 };
	int err;

	if (kb_oci_blob_has(r, sha256)) {
		free(url);
		return 0;
	}
	err = kb_oci_call(r, &post, 202, 202);
	if (!err && !post.location) {
		kb_error("%s: POST %s: no Location for the upload", r->ref, url);
		err = -KB_EHTTP;
	}
	if (!err) {
		/* Location may be a path on the registry's origin */
		origin = kb_xstrndup(r->api, (size_t)(strstr(r->api, "/v2/") - r->api));
		put = kb_xasprintf("%s%s%sdigest=sha256:%s", post.location[0] == '/' ? origin : "",
				   post.location, strchr(post.location, '?') ? "&" : "?", sha256);
		c.url = put;
		err = kb_oci_call(r, &c, 201, 204);
	}
	kb_http_call_free(&post);
	kb_http_call_free(&c);
	free(origin);
	free(put);
	free(url);
	return err;
}

int kb_oci_blob_push_file(struct kb_oci *r, const char *path, const char *sha256, uint64_t size)
{
	(void)size;
	return kb_oci_blob_push(r, path, NULL, 0, sha256);
}

int kb_oci_blob_push_buf(struct kb_oci *r, const void *buf, size_t len,
			 char sha256[KB_SHA256_HEX_LEN + 1])
{
	kb_sha256_buf(buf, len, sha256);
	return kb_oci_blob_push(r, NULL, buf, len, sha256);
}

int kb_oci_blob_get(struct kb_oci *r, const char *sha256, const char *dest, uint64_t max)
{
	char *url = kb_xasprintf("%s/blobs/sha256:%s", r->api, sha256), *why = NULL;
	char got[KB_SHA256_HEX_LEN + 1];
	struct kb_http_opts ho = r->http;
	long status = 0;
	uint64_t size = 0;
	int err;

	ho.max_bytes = max;
	ho.retries = 2;
	err = kb_http_get_file(url, dest, &ho, &status, &why);
	if (err == -KB_ENOTFOUND)
		kb_error("%s: blob sha256:%s not found (HTTP %ld)", r->ref, sha256, status);
	else if (err == -KB_ELIMIT)
		kb_error("%s: blob sha256:%s larger than %llu bytes", r->ref, sha256,
			 (unsigned long long)max);
	else if (err)
		kb_error("%s", why ? kb_log_esc(why) : kb_strerror(err));
	else if (kb_sha256_file(dest, got, &size) != 0 || strcmp(got, sha256) != 0) {
		kb_error("%s: blob sha256:%s has other bytes (sha256 %s): refused", r->ref, sha256, got);
		err = -KB_ECHECKSUM;
	}
	free(why);
	free(url);
	return err;
}

static void kb_oci_desc(struct kb_json *j, const char *key, const char *type, const char *sha256,
			uint64_t size, const char *title)
{
	char *digest = kb_xasprintf("sha256:%s", sha256);

	kb_json_obj_begin(j, key);
	kb_json_str(j, "mediaType", type);
	kb_json_str(j, "digest", digest);
	kb_json_uint(j, "size", size);
	if (title) {
		kb_json_obj_begin(j, "annotations");
		kb_json_str(j, KB_OCI_TITLE, title);
		kb_json_obj_end(j);
	}
	kb_json_obj_end(j);
	free(digest);
}

int kb_oci_artifact_put(struct kb_oci *r, const char *tag, const char *artifact_type,
			const char *layer_type, const struct kb_oci_layer *layers, size_t n,
			const char *const *annotations)
{
	static const char *const hdrs[] = { "Content-Type: " KB_OCI_MANIFEST_TYPE, NULL };
	char *url = kb_xasprintf("%s/manifests/%s", r->api, tag), *text;
	char empty_sha[KB_SHA256_HEX_LEN + 1];
	struct kb_http_call c = { .method = "PUT", .url = url, .headers = hdrs, .body_max = 4096 };
	struct kb_json j;
	size_t len;
	int err = kb_oci_blob_push_buf(r, "{}", 2, empty_sha);

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_int(&j, "schemaVersion", 2);
	kb_json_str(&j, "mediaType", KB_OCI_MANIFEST_TYPE);
	kb_json_str(&j, "artifactType", artifact_type);
	kb_oci_desc(&j, "config", KB_OCI_EMPTY_TYPE, KB_OCI_EMPTY_SHA, 2, NULL);
	kb_json_arr_begin(&j, "layers");
	for (size_t i = 0; i < n; i++)
		kb_oci_desc(&j, NULL, layer_type, layers[i].sha256, layers[i].size, layers[i].name);
	kb_json_arr_end(&j);
	if (annotations) {
		kb_json_obj_begin(&j, "annotations");
		for (size_t i = 0; annotations[i]; i += 2)
			kb_json_str(&j, annotations[i], annotations[i + 1]);
		kb_json_obj_end(&j);
	}
	kb_json_obj_end(&j);
	text = kb_json_finish(&j, &len, &err);
	if (!err) {
		c.upload_buf = text;
		c.upload_len = len;
		err = kb_oci_call(r, &c, 201, 201);
	}
	kb_http_call_free(&c);
	free(text);
	free(url);
	return err;
}

int kb_oci_manifest_parse(const char *text, size_t len, const char *name,
			  struct kb_oci_layer *layers, size_t *n)
{
	const struct kb_yaml_limits lim = { .max_depth = 8, .max_nodes = 4096 };
	struct kb_ynode *root = NULL;
	const struct kb_ynode *list;
	int err;

	*n = 0;
	err = kb_yaml_parse(text, len, name, &lim, &root);
	if (err)
		return err;
	list = root->type == KB_Y_MAP ? kb_ymap_get(root, "layers") : NULL;
	if (!list || list->type != KB_Y_SEQ || list->n > KB_OCI_MAX_LAYERS) {
		kb_error("%s: not an artefact manifest with at most %d layers", name, KB_OCI_MAX_LAYERS);
		err = -KB_EPARSE;
		goto out;
	}
	for (size_t i = 0; i < list->n; i++) {
		const struct kb_ynode *l = list->items[i], *ann;
		const char *digest = kb_ymap_str(l, "digest"), *size = kb_ymap_str(l, "size");
		const char *title = NULL;
		char *end = NULL;

		ann = l->type == KB_Y_MAP ? kb_ymap_get(l, "annotations") : NULL;
		if (ann && ann->type == KB_Y_MAP)
			title = kb_ymap_str(ann, KB_OCI_TITLE);
		if (!digest || strncmp(digest, "sha256:", 7) || !kb_sha256_valid(digest + 7) || !size ||
		    !title || !title[0] || strlen(title) >= sizeof(layers[0].name)) {
			kb_error("%s:%d: a layer without a sha256 digest, size or title", name, l->line);
			err = -KB_EPARSE;
			goto out;
		}
		layers[*n].size = strtoull(size, &end, 10);
		if (!*size || *end) {
			kb_error("%s:%d: layer size '%.20s' is not a number", name, l->line, kb_log_esc(size));
			err = -KB_EPARSE;
			goto out;
		}
		snprintf(layers[*n].name, sizeof(layers[0].name), "%s", title);
		memcpy(layers[*n].sha256, digest + 7, KB_SHA256_HEX_LEN + 1);
		(*n)++;
	}
out:
	kb_yaml_free(root);
	return err;
}

int kb_oci_artifact_get(struct kb_oci *r, const char *tag, struct kb_oci_layer *layers,
			size_t *n)
{
	static const char *const hdrs[] = { "Accept: " KB_OCI_MANIFEST_TYPE, NULL };
	char *url = kb_xasprintf("%s/manifests/%s", r->api, tag);
	struct kb_http_call c = { .method = "GET", .url = url, .headers = hdrs, .follow = true,
				  .body_max = KB_OCI_MANIFEST_MAX };
	int err = kb_oci_call(r, &c, 200, 200);

	*n = 0;
	if (!err)
		err = kb_oci_manifest_parse(c.body ? c.body : "", c.body_len, url, layers, n);
	kb_http_call_free(&c);
	free(url);
	return err;
}
