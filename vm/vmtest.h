/* vmtest.h — `kbundle vmtest`'s core: for each selected bundle, build the
 * test modules against it, boot the bundle's own kernel with them in QEMU,
 * and report per kernel x module. */
#ifndef KB_VMTEST_H
#define KB_VMTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/limits.h"
#include "manifest/select.h"
#include "pipeline/preview.h"
#include "vm/result.h"

struct kb_vmtest_opts {
	const char *manifest;	/* manifest.yml */
	const char *upstreams;	/* upstreams/ (mirrors for packages not cached) */
	const char *workdir;	/* .kbundle */
	struct kb_select sel;	/* which manifest entries (of architectures vm/arch_vm.c boots) */
	/* Direct mode (no manifest): this bundle, booted with the kernel in
	 * these packages — e.g. a bundle against a kernel it does not match. */
	const char *bundle;
	const char *const *images;
	size_t nimages;
	const char *const *modules;	/* --module DIR… */
	size_t nmodules;
	const char *const *bpf_dirs;	/* --bpf DIR…: *.bpf.c programs (vm/bpfunit.h) */
	size_t nbpf_dirs;
	bool no_btf;		/* the guest hides its BTF: CO-RE objects must fail */
	bool min_core;		/* hand each BPF object its min-core BTF (btf_custom_path) */
	const char *accel;	/* auto, kvm or tcg */
	const char *json;	/* report paths, or NULL; json "-": stdout (the table goes to stderr) */
	const char *junit;
	const char *html;	/* the static HTML page (report_html.c), or NULL */
	int jobs;		/* VMs at once */
	int timeout_s;		/* per boot; 0: the architecture's (vm/arch_vm.c) */
	int build_timeout_s;	/* per module build */
	bool critical[KB_CHK_N];
	bool keep;		/* keep the tmpfs work tree (debugging) */
	bool build_only;	/* kbundle build: bundles only, no kernel image fetched */
	const struct kb_limits *limits;	/* on outside data; NULL: the defaults */
	/* Non-NULL: only say what a run would do (selected, to pack, to
	 * download) into it; nothing is written, locked or booted. */
	struct kb_preview *preview;
};

/* Defaults: every check critical, auto accelerator, 1 job, the
 * architecture's timeout. */
void kb_vmtest_opts_init(struct kb_vmtest_opts *o);

/* Read a config file (YAML): `critical: [check…]` and/or
 * `non_critical: [check…]`, `timeout: SEC`, `build_timeout: SEC`.
 * -KB_EUSAGE for unknown keys or checks (logged with file:line). */
int kb_vmtest_config_load(const char *path, struct kb_vmtest_opts *o);

/* 0 when the run happened (then *passed says whether every critical check
 * passed); -KB_EUSAGE for bad selections or options; other errors when
 * nothing could be tested. */
int kb_vmtest_run(const struct kb_vmtest_opts *o, bool *passed);

/* A fresh work tree on tmpfs (/dev/shm, else TMPDIR): module builds create
 * thousands of small files. malloc'd, NULL on failure (logged). */
char *kb_vm_tmp_root(bool keep, int *slot);

#endif
