/* rpm.c — librpm for the header, libarchive for the payload. librpm keeps
 * global state (macros, the log), so header reading is serialized; payload
 * decompression, the slow part, runs in parallel in the callers' threads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <rpm/header.h>
#include <rpm/rpmkeyring.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmts.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/rpm.h"

#define KB_RPM_PGPHASHALGO_SHA256 8

struct kb_rpm {
	const char *name;
	int fd;
	struct archive *a;
	struct kb_sha256 h;
	bool hashing;
	char want[KB_SHA256_HEX_LEN + 1];	/* payload digest, "" when the header has none */
	char compressor[16];
	unsigned char buf[1 << 16];
};

static pthread_mutex_t kb_rpm_lock = PTHREAD_MUTEX_INITIALIZER;
static int kb_rpm_ready;

bool kb_rpm_file_is_rpm(const char *path)
{
	static const unsigned char lead[4] = { 0xed, 0xab, 0xee, 0xdb };
	unsigned char buf[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool yes;

	if (fd < 0)
		return false;
	yes = read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) && !memcmp(buf, lead, sizeof(lead));
	close(fd);
	return yes;
}

static la_ssize_t kb_rpm_read(struct archive *a, void *ctx, const void **out)
{
	struct kb_rpm *r = ctx;
	ssize_t n;

	(void)a;
	do
		n = read(r->fd, r->buf, sizeof(r->buf));
	while (n < 0 && errno == EINTR);
	if (n > 0)
		kb_sha256_update(&r->h, r->buf, (size_t)n);
	*out = r->buf;
	return n;
}

static int kb_rpm_keyring(const char *key, const char *name, rpmKeyring *out)
{
	rpmKeyring kr = rpmKeyringNew();
	uint8_t *pkt = NULL;
	size_t len = 0;
	rpmPubkey pk = NULL;
	int err = 0;

	*out = kr;
	if (!key)
		return 0;	/* an empty keyring: librpm must not load the host's */
	if (pgpReadPkts(key, &pkt, &len) != PGPARMOR_PUBKEY || !(pk = rpmPubkeyNew(pkt, len)) ||
	    rpmKeyringAddKey(kr, pk) < 0) {
		kb_error("%s: %s is not an armored OpenPGP public key", name, key);
		err = -KB_EUSAGE;
	}
	rpmPubkeyFree(pk);
	free(pkt);
	return err;
}

/* The header part, under the lock. Leaves fd at the payload. */
static int kb_rpm_header(struct kb_rpm *r, const char *path, const struct kb_rpm_opts *o)
{
	rpmts ts = NULL;
	rpmKeyring kr = NULL;
	Header h = NULL;
	FD_t fd = NULL;
	rpmRC rc;
	const char *s;
	off_t off;
	int err;

	pthread_mutex_lock(&kb_rpm_lock);
	if (!kb_rpm_ready) {
		rpmlogSetMask(RPMLOG_UPTO(RPMLOG_EMERG));	/* we report, once */
		if (rpmReadConfigFiles(NULL, NULL) != 0) {
			kb_error("librpm: cannot read its configuration");
			err = -KB_EUSAGE;
			goto out;
		}
		kb_rpm_ready = 1;
	}
	ts = rpmtsCreate();
	err = kb_rpm_keyring(o ? o->key : NULL, r->name, &kr);
	if (err)
		goto out;
	rpmtsSetKeyring(ts, kr);
	rpmtsSetVSFlags(ts, o && o->key ? RPMVSF_DEFAULT : RPMVSF_MASK_NOSIGNATURES);
	fd = Fopen(path, "r.ufdio");
	if (!fd || Ferror(fd)) {
		err = errno ? -errno : -EIO;
		kb_error("%s: %s: %s", r->name, path, Fstrerror(fd));
		goto out;
	}
	rc = rpmReadPackageFile(ts, fd, r->name, &h);
	if (rc == RPMRC_NOKEY || rc == RPMRC_NOTTRUSTED ||
	    (rc == RPMRC_OK && o && o->key && !headerIsEntry(h, RPMTAG_RSAHEADER) &&
	     !headerIsEntry(h, RPMTAG_DSAHEADER))) {
		kb_error("%s: %s", r->name, rc == RPMRC_OK ? "not signed: refused (a key was given)" :
			 "signed by a key other than the one given: refused");
		err = -KB_EBADSIG;
		goto out;
	}
	if (rc != RPMRC_OK) {
		kb_error("%s: not a readable rpm (bad or truncated header, or a digest mismatch)",
			 r->name);
		err = rc == RPMRC_FAIL && o && o->key ? -KB_EBADSIG : -KB_EPARSE;
		goto out;
	}
	s = headerGetString(h, RPMTAG_PAYLOADFORMAT);
	if (s && strcmp(s, "cpio")) {
		kb_error("%s: payload format '%s' is not cpio", r->name, s);
		err = -KB_EPARSE;
		goto out;
	}
	s = headerGetString(h, RPMTAG_PAYLOADCOMPRESSOR);
	snprintf(r->compressor, sizeof(r->compressor), "%s", s ? s : "gzip");
	if (strcmp(r->compressor, "gzip") && strcmp(r->compressor, "xz") &&
	    strcmp(r->compressor, "zstd") && strcmp(r->compressor, "bzip2") &&
	    strcmp(r->compressor, "lzma")) {
		kb_error("%s: payload compressor '%s' is not supported", r->name, r->compressor);
		err = -KB_EPARSE;
		goto out;
	}
	if (headerGetNumber(h, RPMTAG_PAYLOADDIGESTALGO) == KB_RPM_PGPHASHALGO_SHA256 &&
	    (s = headerGetString(h, RPMTAG_PAYLOADDIGEST)) && kb_sha256_valid(s))
		memcpy(r->want, s, sizeof(r->want));
	else if (o && o->key) {
		kb_error("%s: no sha256 payload digest: its payload cannot be verified", r->name);
		err = -KB_EBADSIG;
		goto out;
	}
	off = Ftell(fd);
	if (off <= 0 || lseek(r->fd, off, SEEK_SET) != off) {
		kb_error("%s: cannot find the payload", r->name);
		err = -KB_EPARSE;
	}
out:
	headerFree(h);
	if (fd)
		Fclose(fd);
	rpmKeyringFree(kr);
	rpmtsFree(ts);
	pthread_mutex_unlock(&kb_rpm_lock);
	return err;
}

int kb_rpm_open(const char *path, const char *name, const struct kb_rpm_opts *o,
		struct kb_rpm **out)
{
	struct kb_rpm *r = kb_xcalloc(1, sizeof(*r));
	int err;

	r->name = name;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		err = -errno;
		kb_error("%s: %s: %s", name, path, strerror(errno));
		goto out;
	}
	err = kb_rpm_header(r, path, o);
	if (err)
		goto out;
	kb_sha256_init(&r->h);
	r->hashing = true;
	r->a = archive_read_new();
	archive_read_support_filter_all(r->a);
	archive_read_support_format_cpio(r->a);
	if (archive_read_open(r->a, r, NULL, kb_rpm_read, NULL) != ARCHIVE_OK) {
		kb_error("%s: payload (%s) is not a readable cpio archive: %s", name, r->compressor,
			 archive_error_string(r->a) ?: "truncated");
		err = -KB_EPARSE;
	}
out:
	if (err) {
		kb_rpm_close(r);
		return err;
	}
	*out = r;
	return 0;
}

struct archive *kb_rpm_payload(struct kb_rpm *r)
{
	return r->a;
}

const char *kb_rpm_compressor(const struct kb_rpm *r)
{
	return r->compressor;
}

int kb_rpm_finish(struct kb_rpm *r)
{
	char got[KB_SHA256_HEX_LEN + 1];
	const void *p;

	while (kb_rpm_read(r->a, r, &p) > 0)
		;	/* the digest covers the payload to the end of the file */
	kb_sha256_final(&r->h, got);
	r->hashing = false;
	if (r->want[0] && strcmp(got, r->want)) {
		kb_error("%s: payload sha256 mismatch (want %s, got %s)", r->name, r->want, got);
		return -KB_ECHECKSUM;
	}
	return 0;
}

void kb_rpm_close(struct kb_rpm *r)
{
	char hex[KB_SHA256_HEX_LEN + 1];

	if (!r)
		return;
	if (r->hashing)
		kb_sha256_final(&r->h, hex);	/* frees the context */
	if (r->a)
		archive_read_free(r->a);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}
