/* group_apt.c — grouping rules for the apt family: Debian and Ubuntu.
 *
 * Debian:  linux-headers-<rel>            (anchor, arch)
 *          + the -common[-rt] package its Depends names, at the version named
 *          + the newest linux-kbuild-<series> its Depends allows
 *          image: linux-image-<rel> (signed), else linux-image-<rel>-unsigned
 * Ubuntu:  linux-headers-<rel>            (anchor, flavour)
 *          + the all-arch headers its Depends names (linux-headers-<abi>,
 *            linux-<variant>-headers-<abi>), at the same version if there
 *          image: linux-image-<rel> (signed), else linux-image-unsigned-<rel>;
 *          plus linux-modules-<rel>
 *
 * The signed image is preferred because it is the one a default install
 * boots (Debian's linux-image-amd64 and Ubuntu's linux-image-generic depend
 * on it); its vmlinuz and modules are otherwise those of the unsigned build,
 * so either proves the headers. The choice depends only on the list, never
 * on its order. */
#include <stdio.h>
#include <string.h>

#include "lib/error.h"
#include "lib/vercmp.h"
#include "manifest/group.h"

static bool kb_str_has(struct kb_str s, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= s.n; i++)
		if (!memcmp(s.p + i, needle, n))
			return true;
	return false;
}

/* The first atom of p's Depends that match() accepts: 1 found, 0 none,
 * -KB_EPARSE (recorded as the reason) when the field does not parse. */
static int kb_apt_dep(struct kb_group *g, const struct kb_pkg *p,
		      bool (*match)(struct kb_str name, const struct kb_pkg *p),
		      struct kb_relation *out)
{
	struct kb_str rest = kb_str_c(p->depends ? p->depends : "");
	struct kb_relation rel;
	int r;

	while ((r = kb_relation_next(&rest, &rel)) > 0)
		if (match(rel.name, p)) {
			*out = rel;
			return 1;
		}
	if (r < 0)
		return kb_group_incomplete(g, "%s: cannot parse Depends \"%s\"", p->name, p->depends);
	return 0;
}

/* "name (>= version)" for messages */
static void kb_apt_rel_text(const struct kb_relation *rel, char *buf, size_t n)
{
	if (rel->op == KB_REL_ANY)
		snprintf(buf, n, KB_STR_FMT, KB_STR_ARG(rel->name));
	else
		snprintf(buf, n, KB_STR_FMT " (%s " KB_STR_FMT ")", KB_STR_ARG(rel->name),
			 kb_relop_str(rel->op), KB_STR_ARG(rel->version));
}

/* Add the package rel names; say which one is missing otherwise. */
static int kb_apt_take(struct kb_group *g, const struct kb_pkg *h, const struct kb_relation *rel,
		       enum kb_kind kind, const char *prefer)
{
	const struct kb_group_pick how = {
		.kind = kind, .arch = h->arch, .rel = rel, .prefer_version = prefer,
	};
	const struct kb_pkg *p = kb_group_pick(g, rel->name, &how);
	char want[512];

	if (!p) {
		kb_apt_rel_text(rel, want, sizeof(want));
		return kb_group_incomplete(g, "%s needs %s, which is not in the list", h->name, want);
	}
	kb_group_add_header(g, p);
	return 0;
}

/* An image package name: prefix, the kernel release, suffix. */
struct kb_apt_name {
	const char *prefix, *suffix;
};

/* The first of names that the list has, at the headers' version if it can
 * be, else the newest. */
static void kb_apt_image(struct kb_group *g, const struct kb_pkg *h, enum kb_kind kind,
			 const struct kb_apt_name *names)
{
	const struct kb_group_pick how = { .kind = kind, .arch = h->arch,
					   .prefer_version = h->version };

	for (; names->prefix; names++) {
		char name[512];
		const struct kb_pkg *p;

		snprintf(name, sizeof(name), "%s%s%s", names->prefix, h->release, names->suffix);
		p = kb_group_pick(g, kb_str_c(name), &how);
		if (p) {
			kb_group_add_image(g, p);
			return;
		}
	}
}

static bool kb_debian_is_common(struct kb_str name, const struct kb_pkg *h)
{
	(void)h;
	return kb_str_startswith(name, "linux-headers-") && kb_str_has(name, "-common");
}

static bool kb_debian_is_kbuild(struct kb_str name, const struct kb_pkg *h)
{
	(void)h;
	return kb_str_startswith(name, "linux-kbuild-");
}

static int kb_debian_complete(struct kb_group *g, const struct kb_pkg *h)
{
	static const struct kb_apt_name images[] = {
		{ "linux-image-", "" }, { "linux-image-", "-unsigned" }, { NULL, NULL },
	};
	struct kb_relation common, kbuild;
	int r;

	if ((r = kb_apt_dep(g, h, kb_debian_is_common, &common)) <= 0)
		return r ? r : kb_group_incomplete(g, "%s: Depends names no -common headers package",
						   h->name);
	if ((r = kb_apt_dep(g, h, kb_debian_is_kbuild, &kbuild)) <= 0)
		return r ? r : kb_group_incomplete(g, "%s: Depends names no linux-kbuild package",
						   h->name);
	if ((r = kb_apt_take(g, h, &common, KB_KIND_HEADERS_COMMON, h->version)) ||
	    (r = kb_apt_take(g, h, &kbuild, KB_KIND_KBUILD, NULL)))
		return r;
	kb_apt_image(g, h, KB_KIND_IMAGE, images);
	return 0;
}

/* linux-headers-<abi> or linux-<variant>-headers-<abi>, not the flavour
 * package itself */
static bool kb_ubuntu_is_common(struct kb_str name, const struct kb_pkg *h)
{
	if (kb_str_eq(name, h->name))
		return false;
	return kb_str_startswith(name, "linux-headers-") ||
	       (kb_str_startswith(name, "linux-") && kb_str_has(name, "-headers-"));
}

/* Without Depends (lists from hand-made repositories), the all-arch package
 * of the same version whose release (the ABI) prefixes ours, the longest. */
static const struct kb_pkg *kb_ubuntu_common_by_release(const struct kb_group *g,
							const struct kb_pkg *h)
{
	const struct kb_pkg *best = NULL;
	size_t rl = strlen(h->release);

	for (size_t i = 0; i < kb_group_count(g); i++) {
		const struct kb_pkg *p = kb_group_at(g, i);
		size_t n = strlen(p->release);

		if (p->kind != KB_KIND_HEADERS_COMMON || strcmp(p->version, h->version) ||
		    (strcmp(p->arch, "all") && strcmp(p->arch, h->arch)))
			continue;
		if (n == 0 || n >= rl || strncmp(h->release, p->release, n) || h->release[n] != '-')
			continue;
		if (!best || n > strlen(best->release))
			best = p;	/* ties keep the first, in name order */
	}
	return best;
}

static int kb_ubuntu_complete(struct kb_group *g, const struct kb_pkg *h)
{
	static const struct kb_apt_name images[] = {
		{ "linux-image-", "" }, { "linux-image-unsigned-", "" }, { NULL, NULL },
	};
	static const struct kb_apt_name modules[] = { { "linux-modules-", "" }, { NULL, NULL } };
	struct kb_relation common;
	const struct kb_pkg *p;
	int r;

	r = kb_apt_dep(g, h, kb_ubuntu_is_common, &common);
	if (r < 0)
		return r;
	if (r > 0) {
		if ((r = kb_apt_take(g, h, &common, KB_KIND_HEADERS_COMMON, h->version)))
			return r;
	} else {
		p = kb_ubuntu_common_by_release(g, h);
		if (!p)
			return kb_group_incomplete(g, "%s: no all-arch headers package of version %s",
						   h->name, h->version);
		kb_group_add_header(g, p);
	}
	kb_apt_image(g, h, KB_KIND_IMAGE, images);
	kb_apt_image(g, h, KB_KIND_MODULES, modules);
	return 0;
}

const struct kb_group_rule kb_group_rule_debian = {
	.name = "debian",
	.family = KB_FAMILY_APT,
	.anchor = KB_KIND_HEADERS,
	.complete = kb_debian_complete,
};

const struct kb_group_rule kb_group_rule_ubuntu = {
	.name = "ubuntu",
	.family = KB_FAMILY_APT,
	.anchor = KB_KIND_HEADERS,
	.complete = kb_ubuntu_complete,
};

const struct kb_group_family kb_group_family_apt = {
	.rules = (const struct kb_group_rule *const[]){ &kb_group_rule_debian,
							&kb_group_rule_ubuntu, NULL },
};
