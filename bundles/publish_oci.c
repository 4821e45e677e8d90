/* publish_oci.c — an OCI registry as a store (publish_store.h, oci.h).
 * Each bundle goes up as its own artefact (blob, then manifest, tagged
 * with its uname); the files publish.c puts last (SHA256SUMS, index.json
 * and their signatures) are only pushed as blobs, and become visible
 * together when commit PUTs the one manifest tagged "index" naming them:
 * the index and its signature cannot disagree, and the manifest never
 * names a missing blob. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundles/bundle_path.h"
#include "bundles/publish_store.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

#define KB_OCI_FILE_TYPE "application/vnd.kbundle.file.v1"
#define KB_OCI_TGZ_TYPE "application/vnd.oci.image.layer.v1.tar+gzip"

static int kb_pub_oci_open(struct kb_pub_store *s)
{
	int err = kb_oci_open(&s->oci, s->to, NULL);

	s->oci.http = s->http;	/* the command's deadline */
	return err;
}

static int kb_pub_oci_read_index(struct kb_pub_store *s)
{
	struct kb_oci_layer layers[KB_OCI_MAX_LAYERS];
	char tmp[] = "/tmp/kbundle-oci-index.XXXXXX", *buf = NULL;
	size_t n = 0, len;
	int fd, err = kb_oci_artifact_get(&s->oci, KB_OCI_INDEX_TAG, layers, &n);

	if (err == -KB_ENOTFOUND)
		return 0;	/* a new store */
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(layers[i].name, "index.json") != 0)
			continue;
		if ((fd = mkstemp(tmp)) < 0)
			return -KB_EUSAGE;
		close(fd);
		err = kb_oci_blob_get(&s->oci, layers[i].sha256, tmp, KB_INDEX_MAX_BYTES);
		if (!err && (err = kb_file_read(tmp, KB_INDEX_MAX_BYTES, &buf, &len)) == 0)
			err = kb_index_parse(buf, len, s->to, &s->old);
		unlink(tmp);
		free(buf);
		return err;
	}
	kb_error("%s:%s: no index.json layer", s->to, KB_OCI_INDEX_TAG);
	return -KB_EPARSE;
}

static int kb_pub_oci_present(struct kb_pub_store *s, const struct kb_index_entry *e)
{
	return kb_pub_store_in_index(s, e);
}

static int kb_pub_oci_put_bundle(struct kb_pub_store *s, const struct kb_index_entry *e)
{
	const char *const ann[] = { "io.kbundle.uname", e->uname, "io.kbundle.distro", e->distro,
				    "io.kbundle.arch", e->arch, "io.kbundle.id", e->id, NULL };
	struct kb_oci_layer l = { .size = e->size };
	char *src, *title = kb_bundle_path(NULL, e->id), tag[129];
	int err = kb_pub_store_local(s, e, &src);

	snprintf(l.name, sizeof(l.name), "%s", title);
	memcpy(l.sha256, e->sha256, sizeof(l.sha256));
	kb_oci_tag(e->uname, tag);
	if (!err)
		err = kb_oci_blob_push_file(&s->oci, src, e->sha256, e->size);
	if (!err)
		err = kb_oci_artifact_put(&s->oci, tag, KB_OCI_BUNDLE_TYPE, KB_OCI_TGZ_TYPE, &l, 1, ann);
	free(src);
	free(title);
	return err;
}

static int kb_pub_oci_put_buf(struct kb_pub_store *s, const char *name, const void *buf,
			      size_t len)
{
	struct kb_oci_layer *l;
	size_t i;
	int err;

	if (strchr(name, '/'))
		return 0;	/* signatures/…: the manifest keeps index and signature together */
	for (i = 0; i < s->nlayers && strcmp(s->layers[i].name, name); i++)
		;
	if (i == KB_OCI_MAX_LAYERS)
		return -KB_ELIMIT;
	l = &s->layers[i];
	err = kb_oci_blob_push_buf(&s->oci, buf, len, l->sha256);
	if (err)
		return err;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->size = len;
	if (i == s->nlayers)
		s->nlayers++;
	return 0;
}

static int kb_pub_oci_remove(struct kb_pub_store *s, const char *name)
{
	for (size_t i = 0; i < s->nlayers; i++)
		if (!strcmp(s->layers[i].name, name)) {
			s->layers[i] = s->layers[--s->nlayers];
			break;
		}
	return 0;
}

static int kb_pub_oci_commit(struct kb_pub_store *s)
{
	return kb_oci_artifact_put(&s->oci, KB_OCI_INDEX_TAG, KB_OCI_INDEX_TYPE, KB_OCI_FILE_TYPE,
				   s->layers, s->nlayers, NULL);
}

static void kb_pub_oci_close(struct kb_pub_store *s)
{
	kb_oci_close(&s->oci);
}

const struct kb_pub_ops kb_pub_oci_ops = {
	.open = kb_pub_oci_open,
	.read_index = kb_pub_oci_read_index,
	.present = kb_pub_oci_present,
	.put_bundle = kb_pub_oci_put_bundle,
	.put_buf = kb_pub_oci_put_buf,
	.remove = kb_pub_oci_remove,
	.commit = kb_pub_oci_commit,
	.close = kb_pub_oci_close,
};
