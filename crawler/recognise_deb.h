/* recognise_deb.h — which Debian/Ubuntu binary package names are kernel
 * packages kbundle tracks, and which kernel release each belongs to.
 *
 * Recognised (ABI = X.Y.Z-N, or X.Y.Z+tag as in Debian's 6.12.107+deb12 and
 * 6.12.115+deb13.1):
 *   debian  linux-headers-<abi>-<flavour>          headers         <abi>-<flavour>
 *           linux-headers-<abi>-common[-rt]        headers-common  <abi>
 *           linux-kbuild-<series>                  kbuild          <series> (5.10, 6.1: Debian 11, 12)
 *           linux-kbuild-<abi>                     kbuild          <abi> (6.12.118+deb13: Debian 13, 14)
 *           linux-image-<abi>-<flavour>[-unsigned] image           <abi>-<flavour>
 *           linux-binary-<abi>-<flavour>           image           <abi>-<flavour> (7.x: the kernel)
 *           linux-modules-<abi>-<flavour>          modules         <abi>-<flavour> (7.x: its modules)
 *             (these two only with a +tag ABI: Debian never had linux-modules-6.1.0-47-amd64)
 *   ubuntu  linux-headers-<abi>-<flavour>          headers         <abi>-<flavour>
 *           linux-headers-<abi>                    headers-common  <abi>
 *           linux-<variant>-headers-<abi>          headers-common  <abi>
 *           linux-image[-unsigned]-<abi>-<flavour> image           <abi>-<flavour>
 *           linux-modules-<abi>-<flavour>          modules         <abi>-<flavour>
 *
 * Never: meta packages without an ABI (linux-headers-amd64,
 * linux-headers-6.12-amd64, linux-image-generic, linux-base-amd64), -dbg/-dbgsym, signed
 * templates, linux-binary-unsigned-*, linux-base and Debian 13's
 * linux-base-<abi>-<flavour> (the headers depend on it, but it holds only
 * usr/lib/modules/<rel>/{config,System.map,modules.builtin*,modules.order}:
 * nothing a module build reads), linux-source*, linux-doc*, linux-libc-dev, linux-tools*,
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
