/* btf_artifact.h — the kernel's BTF beside its bundle in WORKDIR/bundles/:
 * <id>.btf with its sha256 sidecar, or <id>.btf.none saying why the kernel
 * has none (bundle_path.h names them). The index (bundle.c) lists what is
 * there; publish copies it, fetch --btf gets it. */
#ifndef KB_BTF_ARTIFACT_H
#define KB_BTF_ARTIFACT_H

#include "bundles/index.h"

/* Copy the BTF file btf to dir/<id>.btf with its sidecar (atomically,
 * sidecar last) and drop an old <id>.btf.none. Errors logged. */
int kb_btf_artifact_put(const char *dir, const char *id, const char *btf);
/* Record that bundle id's kernel has no BTF, and why (one line, cut to
 * KB_INDEX_WHY_MAX), dropping an old <id>.btf. Errors logged. */
int kb_btf_artifact_none(const char *dir, const char *id, const char *why);
/* x's btf fields from what dir holds for x->id (nothing: left empty). */
void kb_btf_artifact_index(const char *dir, struct kb_index_entry *x);

#endif
