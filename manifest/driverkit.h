/* driverkit.h — the manifest as falco kernel-crawler's JSON (driverkit's
 * input): `kbundle manifest --format driverkit`. */
#ifndef KB_DRIVERKIT_H
#define KB_DRIVERKIT_H

#include <stddef.h>

#include "manifest/manifest.h"

/* One object keyed by kernel-crawler's distro names, each an array of
 * {kernelversion, kernelrelease, target, headers: [URL…]}; the URLs are the
 * header packages under their upstream's mirror (ups: the upstream files).
 * Entries of distros driverkit has no target for are left out (a warning).
 * malloc'd text, or NULL with *err (logged). */
struct kb_upstream_set;
char *kb_driverkit_json(const struct kb_manifest *m, const struct kb_upstream_set *ups,
			size_t *len, int *err);

#endif
