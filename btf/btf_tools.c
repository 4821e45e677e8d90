/* btf_tools.c — what is made from a kernel's BTF by the tools that own the
 * formats: bpftool (vmlinux.h, min-core BTF) and pahole (BTF from DWARF).
 * Each runs without a shell and writes a temp file beside the target,
 * renamed into place when the tool succeeded. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btf/btf.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/proc.h"

#define KB_BTF_TOOL_TIMEOUT_MS (600 * 1000)	/* pahole over a 700 MB vmlinux: minutes */

/* Run argv, whose output file is the temp file of af (argv names af->tmp
 * itself, or to_stdout sends stdout there); commit af when the tool
 * succeeded and wrote something. what names the result for messages. */
static int kb_btf_tool(const char *const *argv, struct kb_atomic_file *af, bool to_stdout,
		       const char *what)
{
	struct kb_proc_opts o = { .timeout_ms = KB_BTF_TOOL_TIMEOUT_MS };
	struct kb_proc_result r = { 0 };
	struct stat st;
	int err;

	if (to_stdout)
		o.output_path = af->tmp;
	err = kb_proc_run(argv, &o, &r);
	if (err == -KB_ESUBPROC && r.exit_code == 127 && !r.output_len)
		err = -ENOENT;	/* exec failed: kb_proc_run's child exits 127 silently */
	if (err == -ENOENT)
		kb_error("%s: %s could not run (install %s)", what, argv[0],
			 !strcmp(argv[0], "pahole") ? "dwarves" : argv[0]);
	else if (err)
		kb_error("%s: %s failed (%s): %.*s", what, argv[0], kb_strerror(err),
			 (int)(r.output_len > 2000 ? 2000 : r.output_len), r.output ? r.output : "");
	if (!err && (stat(af->tmp, &st) || !st.st_size)) {
		kb_error("%s: %s wrote nothing", what, argv[0]);
		err = -KB_ESUBPROC;
	}
	if (!err)
		err = kb_atomic_commit(af);
	else
		kb_atomic_abort(af);
	free(r.output);
	return err;
}

int kb_btf_vmlinux_h(const char *btf, const char *dir, char **h_path)
{
	char *path = kb_path_join(dir, "vmlinux.h");
	struct kb_atomic_file af = { 0 };
	struct stat st;
	int err = 0;

	*h_path = NULL;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		goto out;
	err = kb_mkdir_p(dir, 0755);
	if (!err)
		err = kb_atomic_open(&af, path);
	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		goto out;
	}
	{
		const char *argv[] = { "bpftool", "btf", "dump", "file", btf, "format", "c", NULL };

		err = kb_btf_tool(argv, &af, true, path);
	}
out:
	if (!err)
		*h_path = path;
	else
		free(path);
	return err;
}

int kb_btf_min_core(const char *btf, const char *const *objs, size_t nobjs, const char *out)
{
	const char **argv = kb_xcalloc(nobjs + 6, sizeof(*argv));
	struct kb_atomic_file af = { 0 };
	size_t n = 0;
	int err = kb_atomic_open(&af, out);

	if (err) {
		kb_error("%s: %s", out, kb_strerror(err));
		goto out;
	}
	argv[n++] = "bpftool";
	argv[n++] = "gen";
	argv[n++] = "min_core_btf";
	argv[n++] = btf;
	argv[n++] = af.tmp;
	for (size_t i = 0; i < nobjs; i++)
		argv[n++] = objs[i];
	err = kb_btf_tool(argv, &af, false, out);
out:
	free(argv);
	return err;
}

int kb_btf_from_dwarf(const char *vmlinux, const char *out)
{
	struct kb_atomic_file af = { 0 };
	char *opt = NULL;
	int err = kb_atomic_open(&af, out);

	if (err) {
		kb_error("%s: %s", out, kb_strerror(err));
		return err;
	}
	opt = kb_xasprintf("--btf_encode_detached=%s", af.tmp);
	{
		const char *argv[] = { "pahole", "-J", opt, vmlinux, NULL };

		err = kb_btf_tool(argv, &af, false, out);
	}
	free(opt);
	return err;
}
