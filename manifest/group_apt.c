/* group_apt.c — grouping rules for the apt family: Debian and Ubuntu.
 *
 * Debian:  linux-headers-<rel>            (anchor, arch)
 *          + the -common[-rt] package its Depends names, at the version named
 *          + the newest linux-kbuild-<series> (11, 12) or linux-kbuild-<abi>
 *            (13, 14) its Depends allows
 *          image: linux-image-<rel> (signed), else linux-image-<rel>-unsigned;
 *          7.x: the linux-binary-<rel> and linux-modules-<rel> that
 *          linux-image-<rel> depends on
 *          Not taken: linux-base-<rel> (13's 7.x, 14), which the headers and
 *          the image depend on: it holds System.map, config and
 *          modules.builtin under usr/lib/modules/<rel>/, no file of the
 *          header tree and nothing the kernel needs to boot.
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

/* Add the package rel names, with the others that satisfy rel as its
 * alternates; say which one is missing otherwise. */
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
	kb_group_add_picked(g, p, rel->name, &how);
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

static bool kb_debian_is_binary(struct kb_str name, const struct kb_pkg *h)
{
	(void)h;
	return kb_str_startswith(name, "linux-binary-");
}

static bool kb_debian_is_modules(struct kb_str name, const struct kb_pkg *h)
{
	(void)h;
	return kb_str_startswith(name, "linux-modules-");
}

/* *out = the package of kind that img's Depends names (7.x: linux-image-<rel>
 * is a small package that depends on the kernel and its modules), NULL when
 * its Depends names none or the list lacks it. <0 when Depends does not
 * parse (recorded as the reason). */
static int kb_debian_image_dep(struct kb_group *g, const struct kb_pkg *img, enum kb_kind kind,
			       bool (*match)(struct kb_str, const struct kb_pkg *),
			       const struct kb_pkg **out)
{
	struct kb_relation rel;
	const struct kb_group_pick how = { .kind = kind, .arch = img->arch, .rel = &rel,
					   .prefer_version = img->version };
	int r = kb_apt_dep(g, img, match, &rel);

	*out = r > 0 ? kb_group_pick(g, rel.name, &how) : NULL;
	return r < 0 ? r : 0;
}

/* The image: linux-image-<rel> (signed), else its -unsigned twin; when
 * that one's Depends names a linux-binary-<rel> (Debian 7.x), the kernel is
 * there and its modules are in the linux-modules-<rel> it names too, so
 * those two are the VM stage's packages instead. */
static int kb_debian_images(struct kb_group *g, const struct kb_pkg *h)
{
	static const char *const suffixes[] = { "", "-unsigned" };
	const struct kb_group_pick how = { .kind = KB_KIND_IMAGE, .arch = h->arch,
					   .prefer_version = h->version };
	const struct kb_pkg *img = NULL, *bin = NULL, *mods = NULL;
	int r;

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]) && !img; i++) {
		char name[512];

		snprintf(name, sizeof(name), "linux-image-%s%s", h->release, suffixes[i]);
		img = kb_group_pick(g, kb_str_c(name), &how);
	}
	if (!img)
		return 0;
	if ((r = kb_debian_image_dep(g, img, KB_KIND_IMAGE, kb_debian_is_binary, &bin)) ||
	    (bin && (r = kb_debian_image_dep(g, img, KB_KIND_MODULES, kb_debian_is_modules, &mods))))
		return r;
	kb_group_add_image(g, bin ? bin : img);
	if (mods)
		kb_group_add_image(g, mods);
	return 0;
}

static int kb_debian_complete(struct kb_group *g, const struct kb_pkg *h)
{
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
	return kb_debian_images(g, h);
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
