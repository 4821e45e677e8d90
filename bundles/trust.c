/* trust.c — the trusted keys and the checks a downloaded store index must
 * pass (trust.h). The highest version seen per store is one small file per
 * store URL, updated under flock(), so two fetches at once cannot lower it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "bundles/trust.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/sign.h"

#define KB_TRUST_MAX_KEYS 64

/* $XDG_STATE_HOME/kbundle if that is absolute, else ~/.local/state/kbundle;
 * NULL without a home. */
static char *kb_trust_state_dir(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (x && x[0] == '/')
		return kb_xasprintf("%s/kbundle", x);
	if (home && home[0] == '/')
		return kb_xasprintf("%s/.local/state/kbundle", home);
	return NULL;
}

void kb_trust_init(struct kb_trust *t, const char *state_dir)
{
	memset(t, 0, sizeof(*t));
	t->state_dir = state_dir ? kb_xstrdup(state_dir) : kb_trust_state_dir();
}

void kb_trust_free(struct kb_trust *t)
{
	for (size_t i = 0; i < t->n; i++)
		kb_key_free(t->keys[i]);
	free(t->keys);
	free(t->state_dir);
	memset(t, 0, sizeof(*t));
}

int kb_trust_add_key(struct kb_trust *t, const char *path)
{
	struct kb_key *k;
	int err;

	if (t->n == KB_TRUST_MAX_KEYS) {
		kb_error("%s: more than %d trusted keys", path, KB_TRUST_MAX_KEYS);
		return -KB_ELIMIT;
	}
	err = kb_key_load(path, 0, &k);
	if (err)
		return err;
	t->keys = kb_xrealloc(t->keys, (t->n + 1) * sizeof(*t->keys));
	t->keys[t->n++] = k;
	kb_debug("%s: trusted key %s", path, kb_key_id(k));
	return 0;
}

static const struct kb_key *kb_trust_key(const struct kb_trust *t, const char *id)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(kb_key_id(t->keys[i]), id))
			return t->keys[i];
	return NULL;
}

bool kb_trust_sig_ok(const struct kb_trust *t, const char *text, size_t len,
		     const unsigned char *sig, size_t siglen, const struct kb_index *idx)
{
	const struct kb_key *k = idx->version ? kb_trust_key(t, idx->key_id) : NULL;

	return k && sig && kb_key_verify(k, text, len, sig, siglen) == 0;
}

/* The record of store: state_dir/stores/<sha256 of the URL>. */
static char *kb_trust_record_path(const struct kb_trust *t, const char *store)
{
	char hex[KB_SHA256_HEX_LEN + 1];

	kb_sha256_buf(store, strlen(store), hex);
	return kb_xasprintf("%s/stores/%.32s", t->state_dir, hex);
}

/* Refuse version below the highest seen for store; else raise the record. */
static int kb_trust_rollback(const struct kb_trust *t, const char *store, uint64_t version)
{
	char *path = NULL, *dir = NULL, buf[64 + 4096], *line = NULL;
	uint64_t seen = 0;
	ssize_t n = 0;
	int fd = -1, err = 0;

	if (!t->state_dir) {
		kb_error("%s: no state directory for the versions seen (set HOME or XDG_STATE_HOME)",
			 store);
		return -KB_EUSAGE;
	}
	path = kb_trust_record_path(t, store);
	dir = kb_path_join(t->state_dir, "stores");
	err = kb_mkdir_p(dir, 0700);
	if (!err && (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		err = -errno;
	if (!err && flock(fd, LOCK_EX) != 0)
		err = -errno;
	if (!err && (n = pread(fd, buf, sizeof(buf) - 1, 0)) < 0)
		err = -errno;
	if (err) {
		kb_error("%s: %s", path ? path : dir, kb_strerror(err));
		goto out;
	}
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && sscanf(buf, "%" SCNu64, &seen) != 1) {
		kb_error("%s: not a version record (remove it to trust the store afresh)", path);
		err = -KB_EPARSE;
		goto out;
	}
	if (version < seen) {
		kb_error("%s/index.json: version %" PRIu64 " is older than version %" PRIu64
			 " already seen for this store (%s): refused, a rollback to an older "
			 "signed index", store, version, seen, path);
		err = -KB_ESTALE;
		goto out;
	}
	if (version == seen)
		goto out;
	line = kb_xasprintf("%" PRIu64 " %s\n", version, store);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, line, strlen(line), 0) != (ssize_t)strlen(line) ||
	    fsync(fd) != 0) {
		err = -errno;
		kb_error("%s: %s", path, kb_strerror(err));
	}
out:
	if (fd >= 0)
		close(fd);
	free(line);
	free(path);
	free(dir);
	return err;
}

/* The trusted keys' ids, for a message (malloc'd). */
static char *kb_trust_ids(const struct kb_trust *t)
{
	char *s = kb_xstrdup("");

	for (size_t i = 0; i < t->n; i++) {
		char *n = kb_xasprintf("%s%s%s", s, i ? ", " : "", kb_key_id(t->keys[i]));

		free(s);
		s = n;
	}
	return s;
}

int kb_trust_check(struct kb_trust *t, const char *store, const char *text, size_t len,
		   const unsigned char *sig, size_t siglen, const struct kb_index *idx,
		   int64_t now)
{
	char now_s[KB_INDEX_TIME_LEN + 1];
	const struct kb_key *k;
	int64_t expires = 0;
	char *ids = NULL;
	int err = -KB_EBADSIG;

	if (t->insecure) {
		kb_warn("%s/index.json: NOT VERIFIED (--insecure-no-signature): whoever controls "
			"the server or the network decides what you build against", store);
		return 0;
	}
	if (!t->n) {
		kb_error("%s: no trusted key: give --key FILE.pub (the store's public key), list it "
			 "in trusted_keys of the config file, or accept an unsigned store with "
			 "--insecure-no-signature", store);
		return -KB_EUSAGE;
	}
	ids = kb_trust_ids(t);
	kb_index_time_fmt(now, now_s);
	if (!sig)
		kb_error("%s/index.json.sig: no signature: the store is not signed (publish with "
			 "--sign-key): refused", store);
	else if (siglen != KB_SIGN_SIG_LEN)
		kb_error("%s/index.json.sig: malformed signature (%zu bytes; an Ed25519 signature "
			 "is %d raw bytes): refused", store, siglen, KB_SIGN_SIG_LEN);
	else if (!idx->version)
		kb_error("%s/index.json: signed, but carries no version and key_id (index format "
			 "%lld; 3 is needed): refused", store, (long long)idx->format);
	else if (!(k = kb_trust_key(t, idx->key_id)))
		kb_error("%s/index.json: signed by key %s, which is not trusted (trusted: %s): "
			 "refused", store, idx->key_id, ids);
	else if (kb_key_verify(k, text, len, sig, siglen) != 0)
		kb_error("%s/index.json.sig: the signature does not verify with key %s: the index "
			 "was changed after signing, or signed by another key: refused", store,
			 idx->key_id);
	else if (kb_index_time_parse(idx->expires, &expires) != 0 || expires <= now) {
		kb_error("%s/index.json: expired at %s (generated %s, now %s): refused; the "
			 "publisher must publish again", store, idx->expires, idx->generated, now_s);
		err = -KB_ESTALE;
	} else {
		err = kb_trust_rollback(t, store, idx->version);
		if (!err)
			kb_info("%s/index.json: version %" PRIu64 ", signed by key %s, valid until %s",
				store, idx->version, idx->key_id, idx->expires);
	}
	free(ids);
	return err;
}
