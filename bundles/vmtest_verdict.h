/* vmtest_verdict.h — what the last `kbundle vmtest` of a bundle found, kept
 * beside it in WORKDIR/bundles/ as <id>.vmtest: one line, "passed SHA256"
 * or "failed SHA256", the bundle's bytes it was about. The index (bundle.c,
 * and vmtest's own rewrite) lists it as the entry's vmtest; publish carries
 * it into the store's signed index, where fetch shows it. A verdict on
 * other bytes than the bundle's (a repack) counts as untested. */
#ifndef KB_VMTEST_VERDICT_H
#define KB_VMTEST_VERDICT_H

#include <stdbool.h>

#include "bundles/index.h"

/* Record the verdict on bundle id of dir (its sha256 read from the file),
 * atomically. Errors logged. */
int kb_vmtest_verdict_put(const char *dir, const char *id, bool passed);
/* x->vmtest from what dir holds for x->id and x->sha256 ("untested" when
 * nothing matches). */
void kb_vmtest_verdict_index(const char *dir, struct kb_index_entry *x);
/* Rewrite dir/index.json with every entry's verdict (atomically); nothing
 * when there is no index. Errors logged. */
int kb_vmtest_verdict_refresh(const char *dir);

#endif
