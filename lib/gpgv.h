/* gpgv.h — check an OpenPGP signature with gpgv against one keyring: an
 * apt InRelease (clearsigned), a Release + Release.gpg pair, or an rpm-md
 * repomd.xml + repomd.xml.asc pair.
 *
 * The keyring must be a binary keyring (gpgv 2.2 does not read armored
 * .asc keyrings; `gpg --dearmor` makes one). */
#ifndef KB_GPGV_H
#define KB_GPGV_H

/* Verify a clearsigned file and write only its signed text to out (so
 * nothing outside the signature can be read by mistake). */
int kb_gpgv_verify_inline(const char *keyring, const char *signed_path, const char *out);
/* Verify a detached signature sig over data. */
int kb_gpgv_verify_detached(const char *keyring, const char *data, const char *sig);

/* Both return 0, or -KB_EBADSIG when the signature is missing, bad or made
 * by a key not in the keyring, with *why (when given) set to gpgv's own
 * message, malloc'd; other negative errors when gpgv could not run. Nothing
 * is logged: the caller names the URL. */
int kb_gpgv_verify(const char *keyring, const char *data, const char *sig, const char *out,
		   char **why);

#endif
