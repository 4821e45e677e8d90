/* recognise_rpm.h — which rpm packages are kernel header (devel), image and
 * boot-module packages, across RHEL and its rebuilds, Fedora, Amazon Linux,
 * Oracle Linux (UEK) and SUSE, and which kernel release each belongs to. */
#ifndef KB_RECOGNISE_RPM_H
#define KB_RECOGNISE_RPM_H

#include <stdbool.h>
#include <stddef.h>

#include "crawler/pkglist.h"

struct kb_rpm_pkginfo;

struct kb_rpm_recognise_opts {
	bool debug;		/* also the +debug kernels (kernel-debug-devel, …) */
};

/* By name alone (the primary parser's filter): 1 when name is one of the
 * kernel package names we keep, with its kind for an arch-specific build
 * (SUSE's noarch kernel-devel is told apart by kb_rpm_recognise). */
int kb_rpm_kernel_name(const char *name, const struct kb_rpm_recognise_opts *o,
		       enum kb_kind *kind);

/* A full package from primary.xml, in a repository of architecture arch:
 * 1 with kind and kernel release (uname -r; for SUSE's noarch source tree,
 * "<version>-<release without its rebuild counter>") when it is one we keep,
 * 0 when not, -KB_EPARSE when its release cannot be told. The release comes
 * from the package's own kernel*-uname-r provide when it has one. */
int kb_rpm_recognise(const struct kb_rpm_pkginfo *p, const char *arch,
		     const struct kb_rpm_recognise_opts *o, enum kb_kind *kind,
		     char *release, size_t size);

#endif
