/* oci.h — an OCI registry as a bundle store (OCI distribution spec, over
 * lib/http_call): `oci://HOST[:PORT]/REPO`. Each bundle is an artefact of
 * its own (artifactType KB_OCI_BUNDLE_TYPE, the empty config, one layer:
 * the .tgz, whose digest is the bundle's sha256; annotations with uname,
 * distro, arch and id), tagged with its uname; the signed index is one
 * artefact too, tagged "index", its layers index.json, index.json.sig,
 * SHA256SUMS and SHA256SUMS.sig (each named by its title annotation), so
 * the index and its signature change together, in the one manifest PUT.
 * Loopback hosts are spoken to over http, every other one over https. */
#ifndef KB_OCI_H
#define KB_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "bundles/index.h"
#include "lib/http.h"

#define KB_OCI_BUNDLE_TYPE "application/vnd.kbundle.bundle.v1"
#define KB_OCI_INDEX_TYPE "application/vnd.kbundle.index.v1"
#define KB_OCI_INDEX_TAG "index"
#define KB_OCI_MAX_LAYERS 8
#define KB_OCI_MANIFEST_MAX (1u << 20)

struct kb_oci {
	char *ref;	/* oci://HOST/REPO, for messages */
	char *api;	/* http(s)://HOST/v2/REPO */
	struct kb_http_opts http;
};

struct kb_oci_layer {
	char name[64];			/* its title annotation */
	char sha256[KB_SHA256_HEX_LEN + 1];
	uint64_t size;
};

/* url: oci://HOST/REPO. 0, or -KB_EUSAGE (logged) when it is not one. */
int kb_oci_open(struct kb_oci *r, const char *url, const struct kb_limits *lim);
void kb_oci_close(struct kb_oci *r);
/* The tag of a bundle: its uname, with what a tag may not hold as '_'. */
void kb_oci_tag(const char *uname, char tag[129]);

/* Push a blob (a file, or bytes) unless the registry has it. 0 or an error, logged. */
int kb_oci_blob_push_file(struct kb_oci *r, const char *path, const char *sha256, uint64_t size);
int kb_oci_blob_push_buf(struct kb_oci *r, const void *buf, size_t len,
			 char sha256[KB_SHA256_HEX_LEN + 1]);
/* Blob sha256 into dest (at most max bytes, checked against the digest).
 * 0, -KB_ENOTFOUND, -KB_ECHECKSUM, -KB_ELIMIT, -KB_EHTTP; logged. */
int kb_oci_blob_get(struct kb_oci *r, const char *sha256, const char *dest, uint64_t max);

/* PUT an artefact manifest under tag: artifact_type, the empty config, the
 * layers (media type layer_type for each), annotations (key, value pairs,
 * NULL-terminated; NULL: none). */
int kb_oci_artifact_put(struct kb_oci *r, const char *tag, const char *artifact_type,
			const char *layer_type, const struct kb_oci_layer *layers, size_t n,
			const char *const *annotations);
/* The layers of the artefact tagged tag (at most KB_OCI_MAX_LAYERS).
 * -KB_ENOTFOUND (not logged) when there is none; -KB_EPARSE on a manifest
 * that is not one; logged. */
int kb_oci_artifact_get(struct kb_oci *r, const char *tag, struct kb_oci_layer *layers,
			size_t *n);
/* Parse a manifest's text into layers (the fuzz target's entry). */
int kb_oci_manifest_parse(const char *text, size_t len, const char *name,
			  struct kb_oci_layer *layers, size_t *n);

#endif
