/* gpgv.c — signature checks through the gpgv binary (via kb_proc_run, argv
 * only): gpgv is the verifier apt itself uses, and it trusts exactly the
 * keyring it is given, nothing from ~/.gnupg. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/gpgv.h"
#include "lib/proc.h"

#define KB_GPGV_TIMEOUT_MS 60000

/* gpgv reads a keyring name without a '/' from ~/.gnupg: make it a path. */
static char *kb_keyring_arg(const char *keyring)
{
	return strchr(keyring, '/') ? kb_xstrdup(keyring) : kb_xasprintf("./%s", keyring);
}

static char *kb_gpgv_message(const struct kb_proc_result *res)
{
	size_t n;
	char *m;

	if (!res->output || !res->output_len)
		return kb_xstrdup("gpgv failed without a message");
	/* one line for the log: lines joined by "; ", runs of blanks squeezed */
	m = kb_xmalloc(res->output_len * 2 + 1);
	n = 0;
	for (size_t i = 0; i < res->output_len; i++) {
		char c = res->output[i];

		if (c == '\n' || c == '\r') {
			if (n && m[n - 1] != ' ')
				m[n++] = ';';
			c = ' ';
		}
		if ((c == ' ' || c == '\t') && (!n || m[n - 1] == ' '))
			continue;
		m[n++] = c == '\t' ? ' ' : c;
	}
	while (n && (m[n - 1] == ' ' || m[n - 1] == ';'))
		n--;
	m[n] = '\0';
	return m;
}

int kb_gpgv_verify(const char *keyring, const char *data, const char *sig, const char *out,
		   char **why)
{
	struct kb_proc_opts o = { .timeout_ms = KB_GPGV_TIMEOUT_MS };
	struct kb_proc_result res = { 0 };
	char *kr = kb_keyring_arg(keyring);
	const char *argv[10];
	size_t i = 0;
	int err;

	if (why)
		*why = NULL;
	if (access(keyring, R_OK) != 0) {
		err = -errno;
		if (why)
			*why = kb_xasprintf("keyring %s: %s", keyring, strerror(errno));
		goto out;
	}
	argv[i++] = "gpgv";
	argv[i++] = "--quiet";
	argv[i++] = "--keyring";
	argv[i++] = kr;
	if (out) {
		unlink(out);	/* gpgv will not overwrite */
		argv[i++] = "--output";
		argv[i++] = out;
	}
	if (sig)
		argv[i++] = sig;
	argv[i++] = data;
	argv[i] = NULL;
	err = kb_proc_run(argv, &o, &res);
	if (err == -KB_ESUBPROC) {
		err = -KB_EBADSIG;
		if (why)
			*why = kb_gpgv_message(&res);
		if (out)
			unlink(out);
	} else if (err && why) {
		*why = kb_xasprintf("cannot run gpgv: %s", kb_strerror(err));
	}
out:
	free(res.output);
	free(kr);
	return err;
}

int kb_gpgv_verify_inline(const char *keyring, const char *signed_path, const char *out)
{
	return kb_gpgv_verify(keyring, signed_path, NULL, out, NULL);
}

int kb_gpgv_verify_detached(const char *keyring, const char *data, const char *sig)
{
	return kb_gpgv_verify(keyring, data, sig, NULL, NULL);
}
