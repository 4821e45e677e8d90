/* run.c — the bubblewrap command line that runs a command inside a root. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/file.h"
#include "lib/log.h"
#include "toolchain/toolchain.h"

/* Host settings a build may honour (reproducible builds); the rest of the
 * environment stays outside. */
static const char *const kb_tc_env_keep[] = {
	"SOURCE_DATE_EPOCH", "KBUILD_BUILD_TIMESTAMP", "KBUILD_BUILD_USER", "KBUILD_BUILD_HOST",
};

struct kb_tc_argv {
	char **v;
	size_t n, cap;
};

static void kb_tc_push(struct kb_tc_argv *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = kb_xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = kb_xstrdup(s);
	a->v[a->n] = NULL;
}

static bool kb_tc_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* The root is bound read-only: a bind's mount point must already be in
 * it, except under the fresh /tmp, /dev and /proc. */
static void kb_tc_mount_point(const char *root, const char *path)
{
	char *in;
	struct stat st;

	if (kb_tc_under(path, "/tmp") || kb_tc_under(path, "/dev") || kb_tc_under(path, "/proc"))
		return;
	in = kb_xasprintf("%s%s", root, path);
	if (lstat(in, &st) != 0 && kb_mkdir_p(in, 0755) != 0)
		kb_warn("%s: cannot make a mount point in the root", in);
	free(in);
}

char **kb_toolchain_argv(const struct kb_toolchain *tc, const struct kb_toolchain_bind *binds,
			 size_t n, const char *cwd, const char *const *cmd)
{
	struct kb_tc_argv a = { 0 };

	if (tc->root) {
		static const char *const head[] = {
			"bwrap", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
		};

		kb_tc_push(&a, head[0]);
		kb_tc_push(&a, "--ro-bind");
		kb_tc_push(&a, tc->root);
		kb_tc_push(&a, "/");
		for (size_t i = 1; i < sizeof(head) / sizeof(head[0]); i++)
			kb_tc_push(&a, head[i]);
		for (size_t i = 0; i < n; i++) {
			kb_tc_mount_point(tc->root, binds[i].path);
			kb_tc_push(&a, binds[i].writable ? "--bind" : "--ro-bind");
			kb_tc_push(&a, binds[i].path);
			kb_tc_push(&a, binds[i].path);
		}
		kb_tc_push(&a, "--unshare-all");
		kb_tc_push(&a, "--die-with-parent");
		kb_tc_push(&a, "--clearenv");
		kb_tc_push(&a, "--setenv");
		kb_tc_push(&a, "PATH");
		kb_tc_push(&a, "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
		kb_tc_push(&a, "--setenv");
		kb_tc_push(&a, "HOME");
		kb_tc_push(&a, "/tmp");
		kb_tc_push(&a, "--setenv");
		kb_tc_push(&a, "LC_ALL");
		kb_tc_push(&a, "C");
		for (size_t i = 0; i < sizeof(kb_tc_env_keep) / sizeof(kb_tc_env_keep[0]); i++) {
			const char *v = getenv(kb_tc_env_keep[i]);

			if (!v)
				continue;
			kb_tc_push(&a, "--setenv");
			kb_tc_push(&a, kb_tc_env_keep[i]);
			kb_tc_push(&a, v);
		}
		if (cwd) {
			kb_tc_push(&a, "--chdir");
			kb_tc_push(&a, cwd);
		}
		kb_tc_push(&a, "--");
	}
	for (size_t i = 0; cmd[i]; i++)
		kb_tc_push(&a, cmd[i]);
	return a.v;
}

void kb_toolchain_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int kb_toolchain_run(const struct kb_toolchain *tc, const struct kb_toolchain_bind *binds, size_t n,
		     const char *const *cmd, const struct kb_proc_opts *opts,
		     struct kb_proc_result *res)
{
	char **argv = kb_toolchain_argv(tc, binds, n, opts ? opts->cwd : NULL, cmd);
	int err = kb_proc_run((const char *const *)argv, opts, res);

	kb_toolchain_argv_free(argv);
	return err;
}
