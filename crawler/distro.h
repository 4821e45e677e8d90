/* distro.h — the one table of distros: each upstream `distro:` value, the
 * family its packages come in, and which of the family's rule sets names
 * and groups its kernel packages. Lower than every stage that needs it, so
 * each looks a distro up here once and dispatches on the row:
 *   crawler   the apt recognisers by rules (crawler/recognise_deb.c);
 *   manifest  the grouping rule by family and rules (manifest/group.c), and
 *             the family of entries in format 1 manifests;
 *   vm        the family of a bundle given directly (--bundle).
 * Adding a distro whose packages follow existing rules is one row in
 * distro.c (docs/DESIGN.md, "Adding a distro"). */
#ifndef KB_DISTRO_H
#define KB_DISTRO_H

#include <stddef.h>

#include "lib/family.h"

struct kb_distro {
	const char *name;	/* the `distro:` value: debian, centos, … */
	enum kb_family family;
	const char *rules;	/* the family's rule set: debian, ubuntu, rhel, suse */
};

/* The row of distro name, NULL when kbundle does not know it. */
const struct kb_distro *kb_distro_find(const char *name);
/* Every row, in table order (tests, messages). */
const struct kb_distro *kb_distros(size_t *n);
/* The names of family f's distros, ", "-separated, for messages (malloc'd). */
char *kb_distro_names(enum kb_family f);

#endif
