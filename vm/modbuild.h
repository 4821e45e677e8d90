/* modbuild.h — the modules under test built against a bundle extracted to
 * tmpfs (by bundles/extract.h) with the kernel's own Kbuild (make -C
 * BUNDLE_BUILD_DIR M=…) and the compiler that built the kernel, each .ko's
 * vermagic checked against BUNDLE_UNAME and its .comment against
 * BUNDLE_COMPILER before anything boots. */
#ifndef KB_VM_MODBUILD_H
#define KB_VM_MODBUILD_H

#include <stdbool.h>

#include "lib/limits.h"
#include "toolchain/toolchain.h"
#include "vm/result.h"

/* An extracted bundle and the compiler its modules are built with:
 * BUNDLE_COMPILER's, from the host when it has that major version, else
 * from the build root of the Debian release that built the kernel
 * (toolchain/). make runs inside the root through bubblewrap with the
 * bundle and the module work tree bound at their own paths, so the kbuild
 * host tools of the bundle run against their own release's libc. */
struct kb_vm_buildenv {
	char *root;		/* the extracted bundle */
	char *build_dir;	/* its BUNDLE_BUILD_DIR, absolute */
	char *uname, *distro, *arch;
	char *compiler;		/* the spec ("gcc-14"); NULL: the bundle names none */
	struct kb_toolchain tc;
	bool have_tc;
	char *tc_error;		/* why no toolchain: every build fails with it */
	bool host_tools;	/* a foreign bundle's kbuild programs are this machine's */
};

/* Extract tgz to root (bundles/' safe extractor, within lim; NULL: the
 * defaults) and read its meta. 0, or the extractor's / meta reader's error
 * (logged). */
int kb_vm_buildenv_open(const char *tgz, const char *root, const struct kb_limits *lim,
			struct kb_vm_buildenv *e);
/* The compiler of the bundle tgz, from its meta files (no extraction):
 * the spec, malloc'd, or NULL when it names none. */
char *kb_vm_bundle_compiler(const char *tgz);
/* A bundle of another architecture than this machine's (its BUNDLE_ARCH)
 * builds only with this machine's kbuild programs: replace them in e's
 * private copy with those of kbuild_deb (vm/hosttools.h); NULL: none could
 * be had. Call before kb_vm_buildenv_toolchain, which otherwise fails every
 * build of a foreign bundle saying why. Nothing for a native bundle. */
void kb_vm_buildenv_hosttools(struct kb_vm_buildenv *e, const char *kbuild_deb);
/* Choose the toolchain for e->compiler (release: the Debian release of the
 * entry's upstream, e.g. "13"; NULL: the one that ships that compiler).
 * Without a compiler in the bundle (packed by kbundle before BUNDLE_COMPILER,
 * or a kernel before 4.18), the host's compiler is used and the .comment
 * check is skipped: that is said once, in the log. When the compiler
 * cannot be had, e->tc_error says so and names it; nothing is built with
 * another. For a foreign bundle the compiler is the cross compiler of that
 * version for e->arch, and make gets ARCH= and CROSS_COMPILE=. */
void kb_vm_buildenv_toolchain(struct kb_vm_buildenv *e, const char *workdir, const char *release);
void kb_vm_buildenv_free(struct kb_vm_buildenv *e);

/* The build command cmd as e runs it: for a foreign bundle built with a
 * cross compiler, with ARCH=<kbuild arch> and CROSS_COMPILE=<triplet>- (as
 * make's arguments, or through env for a command that is not make).
 * NULL-terminated; free with kb_toolchain_argv_free. */
char **kb_vm_make_argv(const struct kb_vm_buildenv *e, const char *const *cmd);

/* Copy u->src (or write the built-in test module when it is NULL) to
 * work/<u->name>, build it with e's toolchain, list the .ko files in u->kos
 * (modules.order order) and set u's build and vermagic checks (uname: the
 * kernel that will load them). Returns 0 when the checks were decided
 * (passed or not), negative only for host-side trouble. */
int kb_vm_unit_build(struct kb_vm_unit *u, const struct kb_vm_buildenv *e, const char *uname,
		     const char *work, int timeout_ms);

/* Set u's vermagic check: every .ko must be an ELF file of arch's machine,
 * class and byte order (arch: the kernel's, any spelling; NULL: not
 * checked), its vermagic must start with uname and carry arch's own word
 * (aarch64, riscv) and no other architecture's, and when compiler (a
 * spec, "gcc-14") is given, every compiler string in its .comment must have
 * that kind and major version. A module for another architecture is
 * refused here, before anything boots. */
void kb_vm_unit_vermagic(struct kb_vm_unit *u, const char *uname, const char *arch,
			 const char *compiler);

/* The lines of make's output a person needs, at most max: first those
 * that name a cause (the compiler's "error:", modpost's "ERROR:", a
 * missing compiler or file), then make's own error lines; with none, the
 * last max lines. malloc'd. */
char *kb_vm_build_errors(const char *out, int max);

#endif
