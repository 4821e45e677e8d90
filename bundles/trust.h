/* trust.h — what `kbundle fetch` believes of a store: its index.json only
 * when index.json.sig is an Ed25519 signature of those very bytes by one of
 * the trusted keys (--key, the config file's trusted_keys), the index has
 * not expired, and its version is not below the highest this user has seen
 * for that store (kept in the user's state directory, so a server cannot
 * roll readers back to an older signed index, or freeze them on one). */
#ifndef KB_TRUST_H
#define KB_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundles/index.h"

struct kb_key;

struct kb_trust {
	struct kb_key **keys;
	size_t n;
	bool insecure;		/* --insecure-no-signature: believe anything (said loudly) */
	char *state_dir;	/* where the versions seen per store are kept */
};

/* state_dir NULL: $XDG_STATE_HOME/kbundle, else ~/.local/state/kbundle. */
void kb_trust_init(struct kb_trust *t, const char *state_dir);
void kb_trust_free(struct kb_trust *t);
/* Trust the public key in path. 0 or the error kb_key_load logged. */
int kb_trust_add_key(struct kb_trust *t, const char *path);

/* text (len bytes, the index as downloaded, parsed into idx) and its
 * signature sig (siglen bytes; NULL: the server had none) from store (for
 * messages and the version record). Checked in order: a signature is there
 * and is 64 bytes; the index is format 3 and signed (version, key_id); its
 * key is trusted; the signature verifies; it has not expired (now); its
 * version is not below the highest seen for store, which is then raised to
 * it. 0; -KB_EBADSIG, -KB_ESTALE (expired or rolled back), -KB_EUSAGE (no
 * trusted key), -errno; each logged naming what failed. With t->insecure,
 * 0 after a warning. */
/* True when sig is a good signature of text by the trusted key idx names:
 * the one check a reader repeats, without a message, when it may have read
 * index.json and index.json.sig across a publish (one of each). */
bool kb_trust_sig_ok(const struct kb_trust *t, const char *text, size_t len,
		     const unsigned char *sig, size_t siglen, const struct kb_index *idx);
int kb_trust_check(struct kb_trust *t, const char *store, const char *text, size_t len,
		   const unsigned char *sig, size_t siglen, const struct kb_index *idx,
		   int64_t now);

#endif
