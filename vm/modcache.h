/* modcache.h — built modules kept per (bundle bytes, module source), in
 * WORKDIR/cache/modules/<key>/: a second vmtest of the same bundle skips the
 * bundle extraction and the Kbuild run (~3 s of a ~5 s run under TCG).
 * Only successful builds are kept, so a failure is always rebuilt and its
 * compiler errors shown. */
#ifndef KB_VM_MODCACHE_H
#define KB_VM_MODCACHE_H

#include "vm/result.h"

/* The cache key of unit u built against the bundle whose file has sha256
 * bundle_sha (hex): over the unit's name and every file of its source
 * (the built-in module's text when u->src is NULL). malloc'd, or NULL when
 * the source cannot be read (then the unit is simply built). */
char *kb_vm_modcache_key(const struct kb_vm_unit *u, const char *bundle_sha);

/* On a hit, fill u->kos and u->build_dir from the cache, mark the build
 * passed and set *uname (malloc'd) to the release it was built for. */
bool kb_vm_modcache_get(const char *cache_dir, const char *key, struct kb_vm_unit *u,
			char **uname);
/* Keep a unit that built (its .ko files and check.sh), atomically. */
int kb_vm_modcache_put(const char *cache_dir, const char *key, const struct kb_vm_unit *u,
		       const char *uname);

#endif
