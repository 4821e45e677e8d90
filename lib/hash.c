/* hash.c — SHA-256 over OpenSSL EVP. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/hash.h"

void kb_sha256_init(struct kb_sha256 *h)
{
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL))
		abort();
}

void kb_sha256_update(struct kb_sha256 *h, const void *buf, size_t n)
{
	EVP_DigestUpdate(h->ctx, buf, n);
}

void kb_sha256_final(struct kb_sha256 *h, char hex[KB_SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_DigestFinal_ex(h->ctx, md, &len);
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	for (unsigned int i = 0; i < len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * len] = '\0';
}

void kb_sha256_buf(const void *buf, size_t n, char hex[KB_SHA256_HEX_LEN + 1])
{
	struct kb_sha256 h;

	kb_sha256_init(&h);
	kb_sha256_update(&h, buf, n);
	kb_sha256_final(&h, hex);
}

int kb_sha256_file(const char *path, char hex[KB_SHA256_HEX_LEN + 1], uint64_t *size)
{
	struct kb_sha256 h;
	char buf[1 << 16];
	uint64_t total = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	kb_sha256_init(&h);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		kb_sha256_update(&h, buf, (size_t)r);
		total += (uint64_t)r;
	}
	kb_sha256_final(&h, hex);
	close(fd);
	if (size)
		*size = total;
	return err;
}

int kb_sha256_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == KB_SHA256_HEX_LEN;
}
