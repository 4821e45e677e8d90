/* btf_pack.h — the BTF artifact of each packed bundle: the kernel's BTF,
 * from the manifest entry's image package (fetched through the package
 * cache, verified like vmtest's), written beside the bundle as <id>.btf
 * (bundles/btf_artifact.h), or <id>.btf.none saying why there is none;
 * then the index is rewritten to list them. `kbundle pack --btf` runs it;
 * `kbundle btf min-core` uses the same kernels' BTF. */
#ifndef KB_VM_BTF_PACK_H
#define KB_VM_BTF_PACK_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/entries.h"
#include "pipeline/pack_run.h"

struct kb_btf_stats {
	size_t made, present, none, failed;
};

/* For every entry i with which[i] whose bundle is packed (s: upstreams
 * loaded, cache open). 0, or the first error (each logged with its
 * kernel); a kernel without BTF is no error. */
int kb_vm_btf_entries(struct kb_entries *s, const bool *which, int jobs, struct kb_btf_stats *st);
/* For every entry i with which[i]: the min-core BTF of its kernel for the
 * BPF objects objs (bpftool gen min_core_btf), as outdir/<arch>/<uname>.btf. */
int kb_vm_btf_min_core(struct kb_entries *s, const bool *which, int jobs,
		       const char *const *objs, size_t nobjs, const char *outdir,
		       struct kb_btf_stats *st);
/* Over o's selection (manifest, upstreams, workdir, sel, jobs, limits):
 * kb_vm_btf_entries (objs NULL: after kb_pack_run), else kb_vm_btf_min_core. */
int kb_vm_btf_run(const struct kb_pack_opts *o, const char *const *objs, size_t nobjs,
		  const char *outdir, struct kb_btf_stats *st);

#endif
