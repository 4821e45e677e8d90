/* toolchain.c — choosing the host or a build root for a compiler, and
 * making a root once with mmdebstrap. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/apt_sources.h"
#include "lib/arch.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "toolchain/toolchain_int.h"

/* Debian releases by number, and the gcc each one builds its kernels with
 * (the headers packages depend on it: linux-compiler-gcc-10-x86, gcc-12,
 * gcc-14, gcc-16-for-host). Testing (forky) moves: update its row when its
 * kernels move to a newer gcc. */
static const struct {
	const char *number, *codename;
	unsigned gcc;
} kb_tc_releases[] = {
	{ "11", "bullseye", 10 },
	{ "12", "bookworm", 12 },
	{ "13", "trixie", 14 },
	{ "14", "forky", 16 },
};
#define KB_TC_NRELEASES (sizeof(kb_tc_releases) / sizeof(kb_tc_releases[0]))

/* What a module build needs beside the compiler: make and libc headers,
 * the tools kbuild runs (bc, flex, bison), the libraries the kbuild host
 * programs link (libelf, libssl), kmod, and pahole (dwarves), which kernels
 * with CONFIG_DEBUG_INFO_BTF_MODULES run when they link a module. */
static const char *const kb_tc_base_packages[] = {
	"make", "libc6-dev", "bc", "flex", "bison", "libelf-dev", "libssl-dev", "kmod", "dwarves",
};
#define KB_TC_NBASE (sizeof(kb_tc_base_packages) / sizeof(kb_tc_base_packages[0]))

/* A root's creation must finish within this; mmdebstrap took 70 s to 6 min here. */
#define KB_TC_CREATE_TIMEOUT_MS (60 * 60 * 1000)

const char *kb_toolchain_release(const char *name)
{
	if (!strncmp(name, "debian-", 7))
		name += 7;
	for (size_t i = 0; i < KB_TC_NRELEASES; i++)
		if (!strcmp(name, kb_tc_releases[i].number) || !strcmp(name, kb_tc_releases[i].codename))
			return kb_tc_releases[i].codename;
	return NULL;
}

const char *kb_toolchain_release_for(const char *spec)
{
	enum kb_cc_kind kind;
	unsigned major;

	if (kb_compiler_spec_parse(spec, &kind, &major) != 0 || kind != KB_CC_GCC)
		return NULL;
	for (size_t i = 0; i < KB_TC_NRELEASES; i++)
		if (kb_tc_releases[i].gcc == major)
			return kb_tc_releases[i].codename;
	return NULL;
}

/* Debian names cross packages by the triplet with '_' as '-'
 * (gcc-14-x86-64-linux-gnu). */
static char *kb_tc_triplet_pkg(const struct kb_arch *a)
{
	char *t = kb_xstrdup(a->triplet);

	for (char *p = t; *p; p++)
		if (*p == '_')
			*p = '-';
	return t;
}

/* The packages of a root for kind/major: comma-separated, for --include. */
char *kb_tc_packages(enum kb_cc_kind kind, unsigned major, const struct kb_arch *cross)
{
	char *s = kind == KB_CC_CLANG ? kb_xasprintf("clang-%u,llvm-%u,lld-%u", major, major, major)
				      : kb_xasprintf("gcc-%u", major);

	if (cross) {	/* clang targets every architecture; the linker and as are per triplet */
		char *tp = kb_tc_triplet_pkg(cross), *t;

		t = kind == KB_CC_CLANG ? kb_xasprintf("%s,binutils-%s", s, tp)
					: kb_xasprintf("%s,gcc-%u-%s", s, major, tp);
		free(s);
		free(tp);
		s = t;
	}

	for (size_t i = 0; i < KB_TC_NBASE; i++) {
		char *t = kb_xasprintf("%s,%s", s, kb_tc_base_packages[i]);

		free(s);
		s = t;
	}
	return s;
}

char *kb_tc_root_name(const char *release, const char *spec, const struct kb_arch *cross)
{
	enum kb_cc_kind kind = KB_CC_UNKNOWN;
	unsigned major = 0;
	char hex[KB_SHA256_HEX_LEN + 1], *pkgs, *key, *name;

	kb_compiler_spec_parse(spec, &kind, &major);
	pkgs = kb_tc_packages(kind, major, cross);
	key = kb_xasprintf("kbundle-toolchain-v1\n%s\n%s\n", release, pkgs);
	kb_sha256_buf(key, strlen(key), hex);
	name = cross ? kb_xasprintf("%s-%s-%s-%.12s", release, spec, cross->debian, hex)
		     : kb_xasprintf("%s-%s-%.12s", release, spec, hex);
	free(pkgs);
	free(key);
	return name;
}

/* Is cmd on PATH a compiler of kind/major? */
static bool kb_tc_host_has(const char *cmd, enum kb_cc_kind kind, unsigned major)
{
	const char *argv[] = { cmd, "--version", NULL };
	struct kb_proc_opts o = { .timeout_ms = 10000, .output_max = 4096 };
	struct kb_proc_result r = { 0 };
	struct kb_compiler c = { 0 };
	bool ok = false;

	if (kb_proc_run(argv, &o, &r) == 0 && r.output &&
	    kb_compiler_from_text(r.output, r.output_len, &c) == 0)
		ok = c.kind == kind && c.major == major;
	kb_compiler_free(&c);
	free(r.output);
	return ok;
}

/* Take flock op on dir/<name>.lock into *fd, saying so while waiting. */
int kb_tc_lock(const char *dir, const char *name, int op, int *fd)
{
	char *path = kb_xasprintf("%s/%s.lock", dir, name);
	int err = 0;

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0) {
		err = -errno;
		kb_error("%s: %s", path, strerror(errno));
		goto out;
	}
	if (flock(*fd, op | LOCK_NB) == 0)
		goto out;
	if (errno != EWOULDBLOCK || (op & LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -KB_ELOCKED : -errno;
		goto out;
	}
	kb_info("%s: in use by another run; waiting for it", path);
	while (flock(*fd, op) != 0) {
		if (errno != EINTR) {
			err = -errno;
			kb_error("%s: flock: %s", path, strerror(errno));
			goto out;
		}
	}
out:
	if (err && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	free(path);
	return err;
}

/* The last lines of a log, for an error message (malloc'd). */
static char *kb_tc_tail(const char *text, size_t len, int lines)
{
	size_t i = len;

	while (i > 0 && lines >= 0) {
		if (text[--i] == '\n' && i + 1 < len)
			lines--;
	}
	return kb_xstrndup(text + (i ? i + 1 : 0), len - (i ? i + 1 : 0));
}

/* mmdebstrap release into dir/name via a temp directory beside it. */
static int kb_tc_create(const char *dir, const char *name, const char *release,
			const char *spec, const struct kb_arch *cross, const char *cc)
{
	enum kb_cc_kind kind = KB_CC_UNKNOWN;
	unsigned major = 0;
	char *mirror = kb_apt_sources_mirror(NULL, release);
	/* one per attempt: a killed mmdebstrap (root mode) may leave mounts in
	 * its directory that no rm can remove, and must not block the next */
	char *tmp = kb_xasprintf("%s/.tmp-%s.%d", dir, name, (int)getpid());
	char *final = kb_path_join(dir, name);
	char *log = kb_xasprintf("%s/%s.log", dir, name), *pkgs, *include, *source = NULL;
	char *ccpath = NULL, *tail = NULL;
	struct kb_proc_opts o = { .timeout_ms = KB_TC_CREATE_TIMEOUT_MS, .output_path = log };
	struct kb_proc_result r = { 0 };
	struct timespec t0, t1;
	struct stat st;
	int err;

	kb_compiler_spec_parse(spec, &kind, &major);
	pkgs = kb_tc_packages(kind, major, cross);
	include = kb_xasprintf("--include=%s", pkgs);
	if (!mirror) {
		kb_error("toolchain %s (%s): apt has no Debian mirror configured to make a root from",
			 spec, release);
		err = -KB_ENOTFOUND;
		goto out;
	}
	source = kb_xasprintf("deb %s %s main", mirror, release);
	kb_rm_rf(tmp);
	{
		const char *argv[] = {
			"mmdebstrap", "--variant=essential", "--format=directory", include,
			"--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/doc/*",
			"--dpkgopt=path-exclude=/usr/share/locale/*", "--dpkgopt=path-exclude=/usr/share/info/*",
			release, tmp, source, NULL,
		};

		kb_info("toolchain %s: making a %s root with mmdebstrap (once; log %s)", spec, release, log);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = kb_proc_run(argv, &o, &r);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	}
	if (err) {
		tail = r.output ? kb_tc_tail(r.output, r.output_len, 5) : kb_xstrdup("");
		kb_error("toolchain %s (%s): mmdebstrap %s (%s): no root for %s; log %s\n%s", spec, release,
			 r.exit_code == 127 ? "could not run (apt-get install mmdebstrap)" : "failed",
			 kb_strerror(err), spec, log, tail);
		goto out;
	}
	ccpath = kb_xasprintf("%s/usr/bin/%s", tmp, cc);
	if (stat(ccpath, &st) != 0) {
		kb_error("toolchain %s (%s): the new root has no /usr/bin/%s", spec, release, cc);
		err = -KB_ENOTFOUND;
		goto out;
	}
	if (rename(tmp, final) != 0) {
		err = -errno;
		kb_error("%s: %s", final, strerror(errno));
		goto out;
	}
	kb_info("toolchain %s: %s root ready in %.1f s: %s", spec, release,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, final);
out:
	if (err)
		kb_rm_rf(tmp);
	free(mirror);
	free(tmp);
	free(final);
	free(log);
	free(pkgs);
	free(include);
	free(source);
	free(ccpath);
	free(tail);
	free(r.output);
	return err;
}

/* The root for release/spec under workdir: made when missing (unless
 * no_create), then held with a shared lock in tc->lock_fd. */
static int kb_tc_root(const char *workdir, const char *release, const struct kb_arch *cross,
		      bool no_create, struct kb_toolchain *tc)
{
	char *dir = kb_path_join(workdir, "toolchains");
	char *name = kb_tc_root_name(release, tc->spec, cross);
	char *root = kb_path_join(dir, name), *stamp = NULL;
	struct stat st;
	int fd = -1, err;

	err = kb_mkdir_p(dir, 0755);
	if (err) {
		kb_error("%s: cannot create: %s", dir, kb_strerror(err));
		goto out;
	}
	err = kb_tc_lock(dir, name, LOCK_SH, &fd);
	if (err)
		goto out;
	if (stat(root, &st) != 0) {
		if (no_create) {
			kb_error("toolchain %s: no %s%s%s root cached in %s (kbundle toolchain "
				 "prepare%s%s %s)", tc->spec, release, cross ? " cross-" : "",
				 cross ? cross->debian : "", dir, cross ? " --arch " : "",
				 cross ? cross->debian : "", tc->spec);
			err = -KB_ENOTFOUND;
			goto out;
		}
		/* exclusive to create; another run may have made it meanwhile */
		close(fd);
		err = kb_tc_lock(dir, name, LOCK_EX, &fd);
		if (!err && stat(root, &st) != 0)
			err = kb_tc_create(dir, name, release, tc->spec, cross, tc->cc);
		if (!err && flock(fd, LOCK_SH) != 0)
			err = -errno;
		if (err)
			goto out;
	}
	/* the stamp's mtime is the root's last use, for gc */
	stamp = kb_xasprintf("%s/%s.used", dir, name);
	kb_file_write_atomic(stamp, "", 0);
	tc->root = root;
	tc->release = kb_xstrdup(release);
	tc->lock_fd = fd;
	root = NULL;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	free(name);
	free(root);
	free(stamp);
	return err;
}

int kb_toolchain_for(const char *workdir, const char *spec, const char *release, const char *arch,
		     unsigned flags, struct kb_toolchain *tc)
{
	const struct kb_arch *cross = arch ? kb_arch_find(arch) : NULL;
	enum kb_cc_kind kind;
	unsigned major;
	const char *rel;
	int err;

	memset(tc, 0, sizeof(*tc));
	tc->lock_fd = -1;
	if (kb_compiler_spec_parse(spec, &kind, &major) != 0) {
		kb_error("toolchain: '%s' is not a compiler spec (like gcc-14 or clang-18)", spec);
		return -KB_EUSAGE;
	}
	if (arch && !cross) {
		kb_error("toolchain %s: '%s' is not an architecture kbundle knows (arm64, riscv64, "
			 "ppc64el, s390x…)", spec, arch);
		return -KB_EUSAGE;
	}
	if (cross && cross == kb_arch_find(kb_arch_host()))
		cross = NULL;
	tc->spec = kb_xstrdup(spec);
	/* clang is every target's compiler; gcc has one command per triplet */
	tc->cc = cross && kind == KB_CC_GCC ? kb_xasprintf("%s-%s", cross->triplet, spec)
					    : kb_xstrdup(spec);
	if (cross) {
		tc->arch = kb_xstrdup(cross->debian);
		tc->cross_compile = kb_xasprintf("%s-", cross->triplet);
	}
	if (!(flags & KB_TC_ROOT)) {
		if (kb_tc_host_has(tc->cc, kind, major))
			return 0;
		if (!cross && kb_tc_host_has(kb_cc_kind_name(kind), kind, major)) {
			free(tc->cc);
			tc->cc = kb_xstrdup(kb_cc_kind_name(kind));
			return 0;
		}
	}
	rel = release ? kb_toolchain_release(release) : kb_toolchain_release_for(spec);
	if (!rel) {
		if (release)
			kb_error("toolchain %s: '%s' is not a Debian release kbundle knows", spec, release);
		else
			kb_error("toolchain %s: the host has no %s and no Debian release is known to "
				 "ship it; the module is not built with another compiler", spec, tc->cc);
		err = release ? -KB_EUSAGE : -KB_ENOTFOUND;
		goto out;
	}
	err = kb_tc_root(workdir, rel, cross, flags & KB_TC_NO_CREATE, tc);
out:
	if (err)
		kb_toolchain_free(tc);
	return err;
}

void kb_toolchain_free(struct kb_toolchain *tc)
{
	free(tc->spec);
	free(tc->release);
	free(tc->root);
	free(tc->cc);
	free(tc->arch);
	free(tc->cross_compile);
	if (tc->lock_fd >= 0)
		close(tc->lock_fd);
	memset(tc, 0, sizeof(*tc));
	tc->lock_fd = -1;
}
