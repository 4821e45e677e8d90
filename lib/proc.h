/* proc.h — run a subprocess (gpgv, qemu, make) from an argument vector,
 * never through a shell, with a timeout and its output captured. */
#ifndef KB_PROC_H
#define KB_PROC_H

#include <stdbool.h>
#include <stddef.h>

struct kb_proc_opts {
	const char *cwd;	/* NULL: inherit */
	int timeout_ms;		/* 0: none; on expiry the process group is killed */
	size_t output_max;	/* bytes of stdout+stderr kept (0: 64 KiB); the rest is dropped */
	const char *stdin_path;	/* NULL: /dev/null */
	const char *output_path; /* also copy all output here (NULL: no file) */
};

struct kb_proc_result {
	int exit_code;		/* exit status, or 128+signal */
	int timed_out;
	char *output;		/* malloc'd, NUL-terminated stdout+stderr (may be NULL) */
	size_t output_len;
};

/* 0 when the command ran and exited 0; -KB_ESUBPROC when it exited non-zero
 * or was killed; -ETIMEDOUT on timeout; -errno when it could not start.
 * res (optional) receives the details; free res->output. */
int kb_proc_run(const char *const argv[], const struct kb_proc_opts *opts,
		struct kb_proc_result *res);

/* The same for fn(ctx), run in a forked child of this process (its
 * stdout and stderr are the output; it exits 0 after fn returns): for
 * library code that must not take kbundle down with it, such as a parser
 * that crashes on hostile input. A crash is exit_code 128+signal. */
int kb_proc_call(void (*fn)(void *ctx), void *ctx, const struct kb_proc_opts *opts,
		 struct kb_proc_result *res);

/* Is there an executable NAME in $PATH (or at NAME, when it has a '/')?
 * For "missing tool" configuration errors before any work starts. */
bool kb_proc_have(const char *name);

#endif
