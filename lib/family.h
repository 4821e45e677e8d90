/* family.h — the package families kbundle knows: how a distro publishes its
 * packages (apt: Release + Packages, .deb; rpm-md: repomd.xml + primary,
 * .rpm). The upstream files' and the manifest's `family:` value names one.
 *
 * KB_FAMILIES is the one table of families: one row each,
 *   X(ENUM, id, "name", vercmp)
 * ENUM gives KB_FAMILY_<ENUM>, "name" the `family:` value, vercmp the
 * family's package version order. Every stage builds its own dispatch table
 * from these rows, so each stage's file for a family must define
 *   crawler/  const struct kb_crawl_family kb_crawl_family_<id>;
 *   manifest/ const struct kb_group_family kb_group_family_<id>;
 *   packer/   const struct kb_pack_family  kb_pack_family_<id>;
 *   vm/       const struct kb_vm_family    kb_vm_family_<id>;
 * (a row without them does not link). Which distro is of which family is
 * crawler/distro.c's table. docs/DESIGN.md, "Adding a distro" walks through both. */
#ifndef KB_FAMILY_H
#define KB_FAMILY_H

#include "lib/vercmp.h"

#define KB_FAMILIES(X)                                  \
	X(APT, apt, "apt", kb_deb_vercmp)               \
	X(RPMMD, rpmmd, "rpm-md", kb_rpm_evrcmp)

enum kb_family {
#define KB_FAMILY_ENUM(e, id, name, vercmp) KB_FAMILY_##e,
	KB_FAMILIES(KB_FAMILY_ENUM)
#undef KB_FAMILY_ENUM
	KB_FAMILY_COUNT
};

/* The `family:` value of f ("apt", "rpm-md"). */
const char *kb_family_name(enum kb_family f);
/* name -> *f: 0, or -KB_ENOTFOUND for a name that is no family. */
int kb_family_parse(const char *name, enum kb_family *f);
/* Every family name for messages: "'apt' or 'rpm-md'" (per thread). */
const char *kb_family_names(void);
/* f's package version order: <0, 0, >0 like strcmp. */
typedef int (*kb_vercmp_fn)(const char *a, const char *b);
kb_vercmp_fn kb_family_vercmp(enum kb_family f);

#endif
