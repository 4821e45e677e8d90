/* recognise_deb.h — which Debian/Ubuntu binary package names are kernel
 * packages kbundle tracks, and which kernel release each belongs to.
 *
 * Recognised (ABI = X.Y.Z-N, or X.Y.Z+tag as in Debian's 6.12.107+deb12):
 *   debian  linux-headers-<abi>-<flavour>          headers         <abi>-<flavour>
 *           linux-headers-<abi>-common[-rt]        headers-common  <abi>
 *           linux-kbuild-<series>                  kbuild          <series> (6.1, 6.12.107+deb12)
 *           linux-image-<abi>-<flavour>[-unsigned] image           <abi>-<flavour>
 *   ubuntu  linux-headers-<abi>-<flavour>          headers         <abi>-<flavour>
 *           linux-headers-<abi>                    headers-common  <abi>
 *           linux-<variant>-headers-<abi>          headers-common  <abi>
 *           linux-image[-unsigned]-<abi>-<flavour> image           <abi>-<flavour>
 *           linux-modules-<abi>-<flavour>          modules         <abi>-<flavour>
 *
 * Never: meta packages without an ABI (linux-headers-amd64,
 * linux-headers-6.12-amd64, linux-image-generic), -dbg/-dbgsym, signed
 * templates, linux-source*, linux-doc*, linux-libc-dev, linux-tools*,
 * linux-support*, linux-buildinfo*, out-of-tree module packages
 * (linux-modules-nvidia-*), and linux-modules-extra-*: bundles need only the
 * headers, and the VM stage boots with virtio drivers that are in
 * linux-modules or built in, so the extra drivers (~100 MB a release) would
 * only cost download and disk. */
#ifndef KB_RECOGNISE_DEB_H
#define KB_RECOGNISE_DEB_H

#include <stdbool.h>

#include "crawler/pkglist.h"
#include "lib/strview.h"

struct kb_deb_match {
	enum kb_kind kind;
	struct kb_str release;	/* points into the name */
};

typedef bool (*kb_deb_recogniser)(struct kb_str name, struct kb_deb_match *m);

/* The recogniser of an apt rule set ("debian", "ubuntu": the rules column of
 * crawler/distro.c), NULL if none. */
kb_deb_recogniser kb_deb_recogniser_for(const char *distro);

bool kb_recognise_debian(struct kb_str name, struct kb_deb_match *m);
bool kb_recognise_ubuntu(struct kb_str name, struct kb_deb_match *m);

#endif
