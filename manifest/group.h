/* group.h — grouping one package list into bundles, by per-distro rules.
 *
 * The core (group.c) is distro-blind: it drops duplicate packages (same
 * sha256), indexes the list by name, and makes one bundle per *anchor*
 * package (the rule's anchor kind: Debian/Ubuntu `headers`, rpm `devel`).
 * A rule's complete() adds what else the bundle needs — header packages and
 * the kernel image packages the VM stage boots — through the kb_group_*
 * helpers below, or gives up with kb_group_incomplete(), which leaves that
 * bundle out with a warning naming the release and the reason; other bundles
 * are unaffected.
 *
 * Which rule groups a distro's list: the distro's row (crawler/distro.c)
 * names its family and rule set; the family's kb_group_family_<id> (in
 * group_<family>.c, one per row of lib/family.h's KB_FAMILIES) lists its
 * rules, each named for a rule set. A distro whose packages follow an
 * existing rule set needs only its row; a new rule set is one more rule
 * in its family's file (docs/DESIGN.md, "Adding a distro").
 * Rules see the list only through kb_group_pick()/kb_group_at(), so they
 * need nothing from group.c's internals. */
#ifndef KB_GROUP_H
#define KB_GROUP_H

#include <stddef.h>

#include "crawler/pkglist.h"
#include "lib/family.h"
#include "lib/strview.h"
#include "manifest/manifest.h"
#include "manifest/relation.h"

struct kb_group;	/* one list being grouped, and the bundle being built */

struct kb_group_rule {
	const char *name;		/* the rule set (crawler/distro.h): "debian" */
	enum kb_family family;		/* its entries' family; its version order */
	enum kb_kind anchor;		/* one bundle per package of this kind */
	/* Add the rest of the bundle started by anchor (already added as a
	 * header package). 0, or kb_group_incomplete()'s return. */
	int (*complete)(struct kb_group *g, const struct kb_pkg *anchor);
};

/* A family's grouping: its rules, one per rule set. */
struct kb_group_family {
	const struct kb_group_rule *const *rules;	/* NULL-ended */
};

#define KB_GROUP_FAMILY_DECL(e, id, name, vercmp) \
	extern const struct kb_group_family kb_group_family_##id;
KB_FAMILIES(KB_GROUP_FAMILY_DECL)
#undef KB_GROUP_FAMILY_DECL

extern const struct kb_group_rule kb_group_rule_debian;	/* group_apt.c */
extern const struct kb_group_rule kb_group_rule_ubuntu;	/* group_apt.c */
extern const struct kb_group_rule kb_group_rule_rhel;	/* group_rpm.c */
extern const struct kb_group_rule kb_group_rule_suse;	/* group_rpm.c */

/* The rule serving a distro (by its row in crawler/distro.c), NULL when
 * there is none. */
const struct kb_group_rule *kb_group_rule_find(const char *distro);

/* A bundle left out because its group was incomplete. */
struct kb_group_skip {
	char *upstream;
	char *name;	/* the anchor package */
	char *version;
	char *arch;
	char *release;
	char *reason;
};

struct kb_group_skips {
	struct kb_group_skip *v;
	size_t n;
};

/* Group one list: append one entry (id set) per complete bundle to m and
 * one skip per incomplete one (each also logged as a warning). Entries are
 * unsorted and may repeat ids found in other lists; kb_manifest_build()
 * sorts and deduplicates. Never fails: incomplete groups are not errors. */
void kb_group_list(const struct kb_group_rule *rule, const char *distro, const char *upstream,
		   const struct kb_pkglist *l, struct kb_manifest *m, struct kb_group_skips *skips);
void kb_group_skips_free(struct kb_group_skips *s);

/* --- for rule files --- */

struct kb_group_pick {
	enum kb_kind kind;
	const char *arch;		/* this arch or "all"; NULL: any */
	const struct kb_relation *rel;	/* version restriction; NULL: any */
	const char *prefer_version;	/* taken when present and allowed, else the newest */
};

/* The package named name that fits how: prefer_version if there is one,
 * else the newest by the rule's family's version order (ties: lowest sha256). */
const struct kb_pkg *kb_group_pick(const struct kb_group *g, struct kb_str name,
				   const struct kb_group_pick *how);
/* All (deduplicated) packages of the list, sorted by name, newest first. */
size_t kb_group_count(const struct kb_group *g);
const struct kb_pkg *kb_group_at(const struct kb_group *g, size_t i);

void kb_group_add_header(struct kb_group *g, const struct kb_pkg *p);
/* Add p, which kb_group_pick(g, name, how) gave, as a header package that
 * a mirror may lack: when how->rel restricts the version, the manifest
 * records that restriction and, as p's alternates (newest first), every
 * other package that fits how. */
void kb_group_add_picked(struct kb_group *g, const struct kb_pkg *p, struct kb_str name,
			 const struct kb_group_pick *how);
void kb_group_add_image(struct kb_group *g, const struct kb_pkg *p);
/* Record why the bundle cannot be made; returns -KB_ENOTFOUND. */
int kb_group_incomplete(struct kb_group *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
