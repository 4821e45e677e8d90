/* build.h — `kbundle build`'s core: modules built for CI and products with
 * the compiler that built each selected kernel (the same build as vmtest's,
 * vm/modbuild.h), the .ko files written under OUTDIR/<arch>/<uname>/ with a
 * build.json beside them, and OUTDIR/build.json listing every kernel. */
#ifndef KB_VM_BUILD_H
#define KB_VM_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/limits.h"
#include "manifest/select.h"

struct kb_build_opts {
	const char *manifest;	/* manifest.yml */
	const char *upstreams;	/* upstreams/ (mirrors for packing missing bundles) */
	const char *workdir;	/* .kbundle */
	struct kb_select sel;	/* which manifest entries (x86-64 ones: the host's tools) */
	const char *const *modules;	/* --module DIR… (at least one) */
	size_t nmodules;
	const char *outdir;	/* -o OUTDIR */
	int jobs;		/* builds at once */
	int build_timeout_s;	/* per module build */
	const struct kb_limits *limits;	/* on outside data; NULL: the defaults */
};

void kb_build_opts_init(struct kb_build_opts *o);

/* 0 when the run happened (*passed: every module of every kernel built and
 * passed its vermagic and .comment checks); -KB_EUSAGE for bad options,
 * selections or modules (logged); other errors when nothing could be built
 * or OUTDIR could not be written. Each kernel's directory is replaced
 * whole, atomically, and only when all its modules built. */
int kb_build_run(const struct kb_build_opts *o, bool *passed);

#endif
