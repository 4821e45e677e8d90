/* group_rpm.c — grouping rules for the rpm-md family.
 *
 * RHEL-like (CentOS Stream, AlmaLinux, Rocky, Fedora, Oracle, Amazon):
 *   <flavour>-devel                       (anchor: the whole build tree)
 *   image: <flavour>-core, else <flavour> (RHEL 8+ keep vmlinuz in -core and
 *          make <flavour> a meta package; RHEL 7, Amazon and UEK6 keep it in
 *          <flavour> itself), of the same kernel release;
 *          plus <flavour>-modules-core when the list has it (RHEL 9.2+ and
 *          Fedora 37+ moved the boot modules there).
 *   <flavour> is the devel name without "-devel": kernel, kernel-rt,
 *   kernel-uek, kernel6.12, …
 * SUSE (openSUSE, SLES):
 *   kernel-<flavour>-devel                (anchor, arch: the -obj tree)
 *   + kernel-devel (noarch: the shared source tree) of the same version,
 *     which the -obj tree's Makefile includes — required;
 *   image: kernel-<flavour> of the same version.
 * Images are matched on the kernel release (uname -r), which the crawler
 * read from the packages' own kernel-uname-r provides, so a kernel-core
 * rebuilt with another release never joins the wrong bundle. */
#include <stdio.h>
#include <string.h>

#include "lib/vercmp.h"
#include "manifest/group.h"

/* The first package named name, of kind, for h's arch and kernel release
 * (the list is sorted by name, newest first: the newest wins). */
static const struct kb_pkg *kb_rpm_find(const struct kb_group *g, const char *name,
					enum kb_kind kind, const struct kb_pkg *h,
					bool same_version)
{
	for (size_t i = 0; i < kb_group_count(g); i++) {
		const struct kb_pkg *p = kb_group_at(g, i);

		if (p->kind != kind || strcmp(p->name, name) || strcmp(p->arch, h->arch))
			continue;
		if (same_version ? !strcmp(p->version, h->version) : !strcmp(p->release, h->release))
			return p;
	}
	return NULL;
}

/* "kernel-rt-devel" → "kernel-rt" into buf; 0 when name does not end in -devel. */
static int kb_rpm_flavour(const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);

	if (n < 7 || strcmp(name + n - 6, "-devel") || n - 6 >= size)
		return 0;
	memcpy(buf, name, n - 6);
	buf[n - 6] = '\0';
	return 1;
}

static int kb_rhel_complete(struct kb_group *g, const struct kb_pkg *h)
{
	char flavour[256], name[300];
	const struct kb_pkg *img, *mods;

	if (!kb_rpm_flavour(h->name, flavour, sizeof(flavour)))
		return kb_group_incomplete(g, "%s: not a -devel package", h->name);
	snprintf(name, sizeof(name), "%s-core", flavour);
	img = kb_rpm_find(g, name, KB_KIND_IMAGE, h, false);
	if (!img)
		img = kb_rpm_find(g, flavour, KB_KIND_IMAGE, h, false);
	if (!img)
		return 0;	/* headers alone still make a bundle; vmtest skips it */
	kb_group_add_image(g, img);
	snprintf(name, sizeof(name), "%s-modules-core", flavour);
	mods = kb_rpm_find(g, name, KB_KIND_MODULES, h, false);
	if (mods)
		kb_group_add_image(g, mods);
	return 0;
}

static int kb_suse_complete(struct kb_group *g, const struct kb_pkg *h)
{
	char flavour[256];
	const struct kb_pkg *src = NULL, *img;

	if (!kb_rpm_flavour(h->name, flavour, sizeof(flavour)))
		return kb_group_incomplete(g, "%s: not a -devel package", h->name);
	for (size_t i = 0; i < kb_group_count(g) && !src; i++) {
		const struct kb_pkg *p = kb_group_at(g, i);

		if (p->kind == KB_KIND_HEADERS_COMMON && !strcmp(p->name, "kernel-devel") &&
		    !strcmp(p->arch, "noarch") && !strcmp(p->version, h->version))
			src = p;
	}
	if (!src)
		return kb_group_incomplete(g, "%s needs kernel-devel (noarch) %s, which is not in "
					   "the list", h->name, h->version);
	kb_group_add_header(g, src);
	img = kb_rpm_find(g, flavour, KB_KIND_IMAGE, h, true);
	if (img)
		kb_group_add_image(g, img);
	return 0;
}

const struct kb_group_rule kb_group_rule_rhel = {
	.name = "rhel",
	.family = KB_FAMILY_RPMMD,
	.anchor = KB_KIND_DEVEL,
	.complete = kb_rhel_complete,
};

const struct kb_group_rule kb_group_rule_suse = {
	.name = "suse",
	.family = KB_FAMILY_RPMMD,
	.anchor = KB_KIND_DEVEL,
	.complete = kb_suse_complete,
};

const struct kb_group_family kb_group_family_rpmmd = {
	.rules = (const struct kb_group_rule *const[]){ &kb_group_rule_rhel, &kb_group_rule_suse, NULL },
};
