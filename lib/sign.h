/* sign.h — Ed25519 keys and detached signatures (OpenSSL EVP), for the
 * signed store index. Keys are PEM files (PKCS#8 private, SubjectPublicKeyInfo
 * public), so `openssl pkey` reads them; a signature is the raw 64 bytes
 * Ed25519 gives over the whole file, which is what
 *   openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in FILE -sigfile FILE.sig
 * checks. A key id is the first 16 hex digits of the sha256 of the raw
 * 32-byte public key (`openssl pkey -pubin -outform DER | tail -c 32 |
 * sha256sum`). */
#ifndef KB_SIGN_H
#define KB_SIGN_H

#include <stddef.h>

#define KB_SIGN_SIG_LEN 64
#define KB_SIGN_KEYID_LEN 16

struct kb_key;	/* one public or private key */

/* Generate a key pair: path (the private key, created 0600, never over an
 * existing file) and path.pub. keyid: the new key's id. 0, or -errno,
 * -KB_EUSAGE (path exists), logged. */
int kb_key_generate(const char *path, char keyid[KB_SIGN_KEYID_LEN + 1]);
/* Read a PEM key file: a private key (want_private) or a public one; a
 * private key file also serves as a public one. 0, -KB_EPARSE (not an
 * Ed25519 key of that kind), -errno; logged, naming path. */
int kb_key_load(const char *path, int want_private, struct kb_key **key);
void kb_key_free(struct kb_key *key);
const char *kb_key_id(const struct kb_key *key);
/* sig: the signature of buf with a private key. 0 or -KB_EUSAGE, logged. */
int kb_key_sign(const struct kb_key *key, const void *buf, size_t len,
		unsigned char sig[KB_SIGN_SIG_LEN]);
/* 0 when sig (siglen bytes) is key's signature of buf, else -KB_EBADSIG
 * (not logged: the caller knows which file and key). */
int kb_key_verify(const struct kb_key *key, const void *buf, size_t len,
		  const unsigned char *sig, size_t siglen);

#endif
