/* sign.c — Ed25519 through OpenSSL's EVP interface (see sign.h). The
 * private key goes straight from memory into a file created 0600 with
 * O_EXCL: it is never on stdout, in a log, or briefly world-readable. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/sign.h"

/* PEM key files are a few hundred bytes; anything much larger is not one. */
#define KB_KEY_MAX_BYTES 16384

struct kb_key {
	EVP_PKEY *pkey;
	int is_private;
	char id[KB_SIGN_KEYID_LEN + 1];
};

static const char *kb_ssl_why(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();

	ERR_clear_error();
	if (!e)
		return "no detail from OpenSSL";
	ERR_error_string_n(e, buf, sizeof(buf));
	return buf;
}

static int kb_key_set_id(struct kb_key *k)
{
	unsigned char raw[32];
	size_t n = sizeof(raw);
	char hex[KB_SHA256_HEX_LEN + 1];

	if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1 || n != sizeof(raw))
		return -KB_EPARSE;
	kb_sha256_buf(raw, n, hex);
	memcpy(k->id, hex, KB_SIGN_KEYID_LEN);
	k->id[KB_SIGN_KEYID_LEN] = '\0';
	return 0;
}

/* PEM text into a new file at path (O_EXCL, mode), fsync'd. */
static int kb_key_write_new(const char *path, mode_t mode, const char *pem, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	int err = 0;

	if (fd < 0)
		return errno == EEXIST ? -KB_EUSAGE : -errno;
	for (size_t off = 0; off < len && !err;) {
		ssize_t w = write(fd, pem + off, len - off);

		if (w < 0 && errno != EINTR)
			err = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (!err && fsync(fd) != 0)
		err = -errno;
	if (close(fd) != 0 && !err)
		err = -errno;
	if (err)
		unlink(path);
	return err;
}

/* k's PEM text (private or public) in a malloc'd buffer. */
static char *kb_key_pem(EVP_PKEY *pkey, int private_part, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!b)
		return NULL;
	if (private_part ? PEM_write_bio_PrivateKey(b, pkey, NULL, NULL, 0, NULL, NULL)
			 : PEM_write_bio_PUBKEY(b, pkey)) {
		n = BIO_get_mem_data(b, &data);
		if (n > 0) {
			out = kb_xstrndup(data, (size_t)n);
			*len = (size_t)n;
		}
	}
	BIO_free(b);
	return out;
}

int kb_key_generate(const char *path, char keyid[KB_SIGN_KEYID_LEN + 1])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	struct kb_key k = { 0 };
	char *pub = kb_xasprintf("%s.pub", path), *priv_pem = NULL, *pub_pem = NULL;
	size_t priv_len = 0, pub_len = 0;
	int err = 0;

	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &k.pkey) != 1 ||
	    kb_key_set_id(&k) != 0) {
		kb_error("%s: Ed25519 key generation failed: %s", path, kb_ssl_why());
		err = -KB_EUSAGE;
		goto out;
	}
	priv_pem = kb_key_pem(k.pkey, 1, &priv_len);
	pub_pem = kb_key_pem(k.pkey, 0, &pub_len);
	if (!priv_pem || !pub_pem) {
		kb_error("%s: cannot write the key as PEM: %s", path, kb_ssl_why());
		err = -KB_EUSAGE;
		goto out;
	}
	if (access(pub, F_OK) == 0) {
		kb_error("%s: already exists: not overwriting a key (choose another name)", pub);
		err = -KB_EUSAGE;
		goto out;
	}
	err = kb_key_write_new(path, 0600, priv_pem, priv_len);
	if (err) {
		kb_error("%s: %s", path, err == -KB_EUSAGE ?
			 "already exists: not overwriting a key (choose another name)" : kb_strerror(err));
		goto out;
	}
	err = kb_key_write_new(pub, 0644, pub_pem, pub_len);
	if (err) {
		kb_error("%s: %s", pub, err == -KB_EUSAGE ?
			 "already exists: not overwriting a key (choose another name)" : kb_strerror(err));
		unlink(path);
		goto out;
	}
	memcpy(keyid, k.id, sizeof(k.id));
out:
	if (priv_pem)
		OPENSSL_cleanse(priv_pem, priv_len);
	free(priv_pem);
	free(pub_pem);
	free(pub);
	EVP_PKEY_free(k.pkey);
	EVP_PKEY_CTX_free(ctx);
	return err;
}

int kb_key_load(const char *path, int want_private, struct kb_key **key)
{
	struct kb_key *k = kb_xcalloc(1, sizeof(*k));
	char *text = NULL;
	size_t len = 0;
	BIO *b = NULL;
	int err;

	*key = NULL;
	err = kb_file_read(path, KB_KEY_MAX_BYTES, &text, &len);
	if (err) {
		kb_error("%s: cannot read the key: %s", path, kb_strerror(err));
		goto out;
	}
	b = BIO_new_mem_buf(text, (int)len);
	if (b && strstr(text, "PRIVATE KEY-----")) {
		k->pkey = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		k->is_private = 1;
	} else if (b) {
		k->pkey = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	}
	err = -KB_EPARSE;
	if (!k->pkey)
		kb_error("%s: not a PEM key file (%s): make one with `kbundle key generate`", path,
			 kb_ssl_why());
	else if (EVP_PKEY_get_id(k->pkey) != EVP_PKEY_ED25519)
		kb_error("%s: not an Ed25519 key (kbundle signs with Ed25519 only)", path);
	else if (want_private && !k->is_private)
		kb_error("%s: a public key; signing needs the private key file", path);
	else
		err = kb_key_set_id(k);
out:
	BIO_free(b);
	if (text)
		OPENSSL_cleanse(text, len);
	free(text);
	if (err)
		kb_key_free(k);
	else
		*key = k;
	return err;
}

void kb_key_free(struct kb_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

const char *kb_key_id(const struct kb_key *key)
{
	return key->id;
}

int kb_key_sign(const struct kb_key *key, const void *buf, size_t len,
		unsigned char sig[KB_SIGN_SIG_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t n = KB_SIGN_SIG_LEN;
	int err = 0;

	if (!key->is_private || !md || EVP_DigestSignInit(md, NULL, NULL, NULL, key->pkey) != 1 ||
	    EVP_DigestSign(md, sig, &n, buf, len) != 1 || n != KB_SIGN_SIG_LEN) {
		kb_error("key %s: signing failed: %s", key->id, kb_ssl_why());
		err = -KB_EUSAGE;
	}
	EVP_MD_CTX_free(md);
	return err;
}

int kb_key_verify(const struct kb_key *key, const void *buf, size_t len,
		  const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && siglen == KB_SIGN_SIG_LEN &&
		 EVP_DigestVerifyInit(md, NULL, NULL, NULL, key->pkey) == 1 &&
		 EVP_DigestVerify(md, sig, siglen, buf, len) == 1;

	ERR_clear_error();
	EVP_MD_CTX_free(md);
	return ok ? 0 : -KB_EBADSIG;
}
