/* busybox.h — the static busybox a guest of another architecture than the
 * host's runs: Debian's busybox-static for that architecture, from the
 * entry's upstream through the package cache (never the host's binary,
 * which the guest could not run). */
#ifndef KB_VM_BUSYBOX_H
#define KB_VM_BUSYBOX_H

#include "cache/cache.h"
#include "crawler/upstream.h"

/* Have busybox-static of arch (any spelling) from u's suites in the open
 * cache c (downloaded from mirrors, u's mirror list) and its binary
 * extracted; *path (malloc'd) is that binary. The first run reads u's
 * signed indexes for the newest version; later runs find it in the cache.
 * Errors are logged with the URL or file. */
int kb_vm_busybox_get(struct kb_cache *c, const struct kb_upstream *u,
		      const struct kb_strv *mirrors, const char *arch, char **path);

#endif
