/* hash.h — SHA-256 through OpenSSL's EVP interface, as lowercase hex. */
#ifndef KB_HASH_H
#define KB_HASH_H

#include <stddef.h>
#include <stdint.h>

#define KB_SHA256_HEX_LEN 64

struct kb_sha256 {
	void *ctx;	/* EVP_MD_CTX */
};

void kb_sha256_init(struct kb_sha256 *h);
void kb_sha256_update(struct kb_sha256 *h, const void *buf, size_t n);
/* Writes 64 hex digits and a NUL into hex; frees the context. */
void kb_sha256_final(struct kb_sha256 *h, char hex[KB_SHA256_HEX_LEN + 1]);
void kb_sha256_buf(const void *buf, size_t n, char hex[KB_SHA256_HEX_LEN + 1]);
/* Hash a file; size (optional) receives its length. */
int kb_sha256_file(const char *path, char hex[KB_SHA256_HEX_LEN + 1], uint64_t *size);
/* True if s is exactly 64 lowercase hex digits. */
int kb_sha256_valid(const char *s);

#endif
