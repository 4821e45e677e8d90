/* error.h — kbundle's one error convention.
 *
 * Functions return 0 on success or a negative error: a negative errno, or a
 * negative project code from the enum below (all above 1024). The message
 * that names the failing URL, file or line is reported once, where the error
 * is handled; kb_strerror() gives the generic text for either kind. */
#ifndef KB_ERROR_H
#define KB_ERROR_H

enum kb_error {
	KB_ERR_BASE = 1024,
	KB_EBADSIG,	/* signature missing or did not verify */
	KB_ECHECKSUM,	/* size or sha256 mismatch */
	KB_EPARSE,	/* malformed input */
	KB_ELIMIT,	/* input exceeds a resource limit */
	KB_EUNSAFE,	/* archive entry escapes its root or is forbidden */
	KB_EHTTP,	/* HTTP transfer failed */
	KB_ENOTFOUND,	/* not in the index, manifest or cache */
	KB_ELOCKED,	/* work directory locked by another run */
	KB_EUSAGE,	/* bad arguments or configuration */
	KB_ESUBPROC,	/* a subprocess failed */
	KB_ESTALE,	/* older than what was already accepted */
	KB_ERR_MAX
};

const char *kb_strerror(int err);

#endif
