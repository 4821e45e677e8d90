/* proc.c — fork/exec (or fork and call) with a pipe, a deadline and a process-group kill; the
 * child dies with kbundle (PR_SET_PDEATHSIG), and its group is killed by
 * the TERM/INT/HUP handler of lib/cleanup.c. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/proc.h"

static long long kb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the child runs: a program (argv), or fn(ctx) in the forked copy. */
struct kb_proc_what {
	const char *const *argv;
	void (*fn)(void *ctx);
	void *ctx;
};

static void kb_proc_child(const struct kb_proc_what *w, const struct kb_proc_opts *o, int out_fd,
			  pid_t parent)
{
	int in_fd;

	/* kbundle's handlers are not the child's; and a killed kbundle
	 * (even by SIGKILL) takes the child with it. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(127);
	in_fd = open(o->stdin_path ? o->stdin_path : "/dev/null", O_RDONLY);
	setpgid(0, 0);
	if (in_fd < 0 || dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(127);
	if (o->cwd && chdir(o->cwd) != 0)
		_exit(127);
	if (w->fn) {
		w->fn(w->ctx);
		_exit(0);
	}
	execvp(w->argv[0], (char *const *)w->argv);
	_exit(127);
}

static int kb_proc_start(const struct kb_proc_what *w, const struct kb_proc_opts *opts,
			 struct kb_proc_result *res)
{
	static const struct kb_proc_opts defaults;
	const struct kb_proc_opts *o = opts ? opts : &defaults;
	size_t max = o->output_max ? o->output_max : 64 * 1024;
	struct kb_proc_result r = { 0 };
	long long deadline = o->timeout_ms ? kb_now_ms() + o->timeout_ms : 0;
	int pipefd[2] = { -1, -1 }, copy_fd = -1, status = 0, err = 0, slot;
	pid_t pid, self = getpid();

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -errno;
	if (o->output_path) {
		copy_fd = open(o->output_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (copy_fd < 0) {
			err = -errno;
			goto out;
		}
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0)
		kb_proc_child(w, o, pipefd[1], self);
	setpgid(pid, pid);	/* both sides: the group exists before anyone kills it */
	slot = kb_cleanup_child_add(pid);
	close(pipefd[1]);
	pipefd[1] = -1;
	r.output = kb_xmalloc(max + 1);
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		int wait_ms = -1;
		char buf[8192];
		ssize_t n;

		if (deadline) {
			long long left = deadline - kb_now_ms();

			if (left <= 0) {
				r.timed_out = 1;
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				break;
			}
			wait_ms = (int)(left > 1000 ? 1000 : left);
		}
		if (poll(&p, 1, wait_ms) < 0 && errno != EINTR)
			break;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (copy_fd >= 0 && write(copy_fd, buf, (size_t)n) != n)
			err = -EIO;
		if (r.output_len < max) {
			size_t take = (size_t)n < max - r.output_len ? (size_t)n : max - r.output_len;

			memcpy(r.output + r.output_len, buf, take);
			r.output_len += take;
		}
	}
	r.output[r.output_len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* The child's own children (qemu helpers, make's jobs) share its group. */
	kill(-pid, SIGKILL);
	kb_cleanup_child_del(slot);
	r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (!err)
		err = r.timed_out ? -ETIMEDOUT : r.exit_code ? -KB_ESUBPROC : 0;
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (copy_fd >= 0)
		close(copy_fd);
	if (res)
		*res = r;
	else
		free(r.output);
	return err;
}

int kb_proc_run(const char *const argv[], const struct kb_proc_opts *opts,
		struct kb_proc_result *res)
{
	const struct kb_proc_what w = { .argv = argv };

	return kb_proc_start(&w, opts, res);
}

int kb_proc_call(void (*fn)(void *ctx), void *ctx, const struct kb_proc_opts *opts,
		 struct kb_proc_result *res)
{
	const struct kb_proc_what w = { .fn = fn, .ctx = ctx };

	return kb_proc_start(&w, opts, res);
}

bool kb_proc_have(const char *name)
{
	const char *path = getenv("PATH");
	bool found = false;
	char *dirs, *save = NULL;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	dirs = kb_xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *exe = kb_path_join(*d ? d : ".", name);

		found = access(exe, X_OK) == 0;
		free(exe);
	}
	free(dirs);
	return found;
}
