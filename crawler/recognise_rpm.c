/* recognise_rpm.c — kernel package names of the rpm distros.
 *
 * A name is "kernel" + flavour + part:
 *   flavour: "" (RHEL, Fedora, Amazon's default), "-uek" (Oracle), "-rt",
 *            "-64k" (RHEL aarch64), "-default" (SUSE), "6.1"/"6.12"/"5.10"
 *            (Amazon's versioned kernels), each optionally "-debug";
 *   part:    "-devel" (the build tree), "-core" or "" (the image: RHEL 8+
 *            keep vmlinuz in -core, "kernel" itself is then a meta package),
 *            "-modules-core" (boot modules split out of -core since RHEL 9.2
 *            and Fedora 37).
 * Everything else named kernel-* is refused: kernel-headers (userspace uapi
 * headers), -tools, -doc, -devel-matched (a meta package), -abi-stablelists,
 * -srpm-macros, -modules(-extra), -debuginfo, SUSE's -source and -syms, … */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crawler/recognise_rpm.h"
#include "crawler/rpmmd_primary.h"
#include "lib/error.h"

static const char *const kb_rpm_flavours[] = { "-uek", "-rt", "-64k", "-default", "" };

static const struct {
	const char *suffix;
	enum kb_kind kind;
} kb_rpm_parts[] = {
	{ "-devel", KB_KIND_DEVEL },
	{ "-core", KB_KIND_IMAGE },
	{ "", KB_KIND_IMAGE },
	{ "-modules-core", KB_KIND_MODULES },
};

/* Skip Amazon's "6.1" / "6.12" series flavour: digits and dots. */
static const char *kb_rpm_skip_series(const char *s)
{
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return s;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	return p[-1] == '.' ? s : p;
}

static int kb_rpm_parse_name(const char *name, const struct kb_rpm_recognise_opts *o,
			     enum kb_kind *kind, char *flavour, size_t fsize)
{
	const char *rest, *f = NULL;
	size_t i;
	int debug = 0;

	if (strncmp(name, "kernel", 6))
		return 0;
	rest = kb_rpm_skip_series(name + 6);
	if (rest == name + 6) {
		for (i = 0; i < sizeof(kb_rpm_flavours) / sizeof(kb_rpm_flavours[0]); i++) {
			size_t n = strlen(kb_rpm_flavours[i]);

			if (!strncmp(rest, kb_rpm_flavours[i], n) &&
			    (rest[n] == '\0' || rest[n] == '-')) {
				f = kb_rpm_flavours[i];
				rest += n;
				break;
			}
		}
	}
	if (!strncmp(rest, "-debug", 6) && (rest[6] == '\0' || rest[6] == '-')) {
		debug = 1;
		rest += 6;
	}
	if (debug && !(o && o->debug))
		return 0;
	for (i = 0; i < sizeof(kb_rpm_parts) / sizeof(kb_rpm_parts[0]); i++) {
		if (strcmp(rest, kb_rpm_parts[i].suffix))
			continue;
		*kind = kb_rpm_parts[i].kind;
		if (flavour)
			snprintf(flavour, fsize, "%s%s", f && *f ? f + 1 : "", debug ? "+debug" : "");
		return 1;
	}
	return 0;
}

int kb_rpm_kernel_name(const char *name, const struct kb_rpm_recognise_opts *o,
		       enum kb_kind *kind)
{
	return kb_rpm_parse_name(name, o, kind, NULL, 0);
}

/* The release when the package has no kernel*-uname-r provide. RHEL-like:
 * "<ver>-<rel>.<arch>", "+<flavour>" for rt/64k/debug as RHEL 9 spells it.
 * SUSE: "<ver>-<rel without its last component>-<flavour>". */
static int kb_rpm_derive_release(const struct kb_rpm_pkginfo *p, const char *flavour,
				 char *release, size_t size)
{
	const char *dot;
	int n;

	if (!strncmp(flavour, "default", 7)) {
		dot = strrchr(p->rel, '.');
		if (!dot)
			return -KB_EPARSE;
		n = snprintf(release, size, "%s-%.*s-default", p->ver, (int)(dot - p->rel), p->rel);
	} else if (flavour[0] && strcmp(flavour, "uek")) {
		n = snprintf(release, size, "%s-%s.%s+%s", p->ver, p->rel, p->arch, flavour);
	} else {
		n = snprintf(release, size, "%s-%s.%s", p->ver, p->rel, p->arch);
	}
	return n < 0 || (size_t)n >= size ? -KB_ELIMIT : 0;
}

int kb_rpm_recognise(const struct kb_rpm_pkginfo *p, const char *arch,
		     const struct kb_rpm_recognise_opts *o, enum kb_kind *kind,
		     char *release, size_t size)
{
	char flavour[32];
	const char *dot;
	int n;

	if (!kb_rpm_parse_name(p->name, o, kind, flavour, sizeof(flavour)))
		return 0;
	if (!strcmp(p->name, "kernel-devel") && !strcmp(p->arch, "noarch")) {
		/* SUSE's shared source tree, /usr/src/linux-<ver>-<rel-1>. */
		*kind = KB_KIND_HEADERS_COMMON;
		dot = strrchr(p->rel, '.');
		n = snprintf(release, size, "%s-%.*s", p->ver,
			     (int)(dot ? (size_t)(dot - p->rel) : strlen(p->rel)), p->rel);
		return n < 0 || (size_t)n >= size ? -KB_ELIMIT : 1;
	}
	if (strcmp(p->arch, arch))
		return 0;	/* another architecture's, or a noarch helper */
	if (p->uname[0]) {
		n = snprintf(release, size, "%s", p->uname);
		return n < 0 || (size_t)n >= size ? -KB_ELIMIT : 1;
	}
	n = kb_rpm_derive_release(p, flavour, release, size);
	return n ? n : 1;
}
