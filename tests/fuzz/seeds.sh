#!/usr/bin/env bash
# tests/fuzz/seeds.sh DIR — build seed corpora from REAL files into DIR/<target>/:
# apt's own indexes (/var/lib/apt/lists), real packages fetched with
# `apt-get download` into $KB_TEST_CACHE, packages and repositories made by
# dpkg-deb, rpmbuild and createrepo_c, and the repository's YAML files. Seeds
# are cut small (a fuzzer mutates small inputs faster); large real files are
# never committed. Missing tools only mean fewer seeds.
set -eu  # no pipefail: `head` cutting a pipe short is intended here
out=${1:?usage: seeds.sh DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${KB_TEST_CACHE:-/var/cache/kbundle-tests}
lists=/var/lib/apt/lists
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
have() { command -v "$1" >/dev/null 2>&1; }
seed() { mkdir -p "$out/$1"; cat >"$out/$1/$2"; }

# Real Debian indexes: the InRelease files apt fetched, and Packages cut to a
# few stanzas (kernel headers among them) so each seed stays small.
packages_text() {
	for f in "$lists"/*_Packages*; do
		[ -f "$f" ] || continue
		case $f in
		*.lz4) have lz4 && lz4 -dc "$f" ;; *.xz) xz -dc "$f" ;; *.gz) gzip -dc "$f" ;;
		*.zst) zstd -dc "$f" ;; *) cat "$f" ;;
		esac
	done 2>/dev/null || true
}
packages_text | awk -v RS= -v ORS='\n\n' '/Package: linux-(headers-|image-[0-9]|kbuild)/ || NR <= 4' |
	head -c 400000 >"$work/packages" || true
if [ -s "$work/packages" ]; then
	split -l 120 -a 3 "$work/packages" "$work/pk."
	n=0
	for p in "$work"/pk.*; do
		n=$((n + 1)); [ $n -le 24 ] || break
		seed packages "real-$n" <"$p"
	done
fi
for f in "$lists"/*_InRelease "$lists"/*_Release; do
	[ -f "$f" ] || continue
	# signed text as is, and the part the parser reads once gpgv is done
	seed release "real-${f##*_dists_}" <"$f"
	sed -n '/^Hash: /,/^-----BEGIN PGP SIGNATURE/p' "$f" | sed '1,2d;$d' |
		head -c 60000 | seed release "body-${f##*_dists_}"
done

# Compressed streams: a real compressed index as apt has it, and the same
# small text through every compressor the reader supports.
for f in "$lists"/*_Packages.*; do
	[ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 200000 ] && seed stream "real-${f##*_dists_}" <"$f"
done
head -c 20000 "$work/packages" >"$work/text" 2>/dev/null || echo "Package: x" >"$work/text"
seed stream plain <"$work/text"
gzip -9c "$work/text" | seed stream text.gz
xz -c "$work/text" | seed stream text.xz
bzip2 -c "$work/text" | seed stream text.bz2
have zstd && zstd -qc "$work/text" | seed stream text.zst
have lz4 && lz4 -qc "$work/text" | seed stream text.lz4

# Packages: small real ones from the archive (shared cache, under a lock), and
# tiny ones built here with each of dpkg-deb's compressors.
if have apt-get && mkdir -p "$cache/debs" 2>/dev/null; then
	(
		flock 9
		cd "$cache/debs"
		for p in netbase sensible-utils; do
			ls "$p"_*.deb >/dev/null 2>&1 || apt-get download -q "$p" >/dev/null 2>&1 || true
		done
	) 9>"$cache/.lock"
	mkdir -p "$out/deb"
	for d in "$cache"/debs/netbase_*.deb "$cache"/debs/sensible-utils_*.deb; do
		[ -f "$d" ] && cp "$d" "$out/deb/"
	done
fi
if have dpkg-deb; then
	mkdir -p "$work/pkg/DEBIAN" "$work/pkg/usr/src/linux-headers-1.0/include" "$out/deb"
	printf 'Package: kb-seed\nVersion: 1.0\nArchitecture: all\nMaintainer: k <k@b>\nDescription: seed\n' \
		>"$work/pkg/DEBIAN/control"
	echo '#define X 1' >"$work/pkg/usr/src/linux-headers-1.0/include/x.h"
	ln -s include/x.h "$work/pkg/usr/src/linux-headers-1.0/link.h"
	for z in xz gzip zstd none; do
		dpkg-deb -Z"$z" --root-owner-group -b "$work/pkg" "$out/deb/made-$z.deb" >/dev/null 2>&1 || true
	done
fi

# Package lists and a manifest made from the real kernel-header stanzas: the
# names, versions, paths, sizes and sha256s of the archive's packages.
awk -v RS= -F'\n' '/Package: linux-headers-/ {
	for (i = 1; i <= NF; i++) { split($i, kv, ": "); f[kv[1]] = kv[2] }
	print f["Package"] "\t" f["Version"] "\t" f["Architecture"] "\theaders\t" \
		substr(f["Package"], 15) "\t" f["Filename"] "\t" f["Size"] "\t" f["SHA256"] "\t" \
		"\t2025-01-01\t2025-02-01\t1"
}' "$work/packages" | sort | head -n 30 >"$work/list"
if [ -s "$work/list" ]; then
	{
		printf '#kbundle-list 1\tname\tversion\tarch\tkind\trelease\tpath\tsize\tsha256\tdepends\tfirst_seen\tlast_seen\tpresent\n'
		cat "$work/list"
	} | seed pkglist real
	# format 2 (entries name their family) and format 1 (the family comes
	# from the distro), which is still read
	for format in 2 1; do
		{
			echo "format: kbundle-manifest $format"
			echo 'bundles:'
			head -n 3 "$work/list" | while IFS=$'\t' read -r name ver arch kind rel path size sha rest; do
				id=$(printf 'kbundle-bundle-v1\n%s\n' "$sha" | sha256sum | cut -c1-64)
				printf -- '- id: %s\n  distro: debian\n' "$id"
				[ "$format" = 1 ] || printf '  family: apt\n'
				printf '  upstream: debian-12\n  release: %s\n' "$rel"
				printf '  arch: %s\n  version: "%s"\n  headers:\n' "$arch" "$ver"
				printf '  - name: %s\n    version: "%s"\n    arch: %s\n    kind: headers\n' "$name" "$ver" "$arch"
				printf '    path: %s\n    size: %s\n    sha256: %s\n  images: []\n' "$path" "$size" "$sha"
			done
		} | seed manifest "real$format"
	done
fi

# rpm-md: the committed createrepo_c fixture, and a fresh repository of one
# rpm built here with rpmbuild, indexed by createrepo_c.
# BTF in each form a kernel image carries it (tests/fixtures/btf/make-fixture.sh).
for f in elf-with-btf image-raw image-gz bzimage-xz; do
	[ -f "$top/tests/fixtures/btf/$f" ] && seed btf_kernel "$f" <"$top/tests/fixtures/btf/$f"
done
# BPF objects: each sample of tests/bpf built CO-RE-free against libbpf's
# and this machine's uapi headers (the fuzzer mutates ELF, not C).
if have clang && [ -f /usr/include/bpf/bpf_helpers.h ]; then
	mkdir -p "$work/uapi" && ln -sfn /usr/include "$work/uapi/uapi"	# <uapi/linux/bpf.h>
	for f in "$top"/tests/bpf/*.bpf.c; do
		b=$(basename "$f" .bpf.c)
		[ "$b" = task_core ] && continue
		clang -target bpf -O2 -g -DKBUNDLE_BPF_CORE=0 -D__TARGET_ARCH_x86 \
			-I"$work/uapi" -I/usr/include/x86_64-linux-gnu -c "$f" -o "$work/$b.o" 2>/dev/null && seed bpfobj "$b" <"$work/$b.o"
	done
fi
for f in "$top"/tests/fixtures/rpmmd/repodata/repomd.xml; do [ -f "$f" ] && seed repomd fixture <"$f"; done
for f in "$top"/tests/fixtures/rpmmd/repodata/primary.xml.gz; do
	[ -f "$f" ] || continue
	seed primary fixture.gz <"$f"
	gzip -dc "$f" | seed primary fixture.xml
done
if have rpmbuild && have createrepo_c; then
	mkdir -p "$work/rpm/SPECS" "$work/repo"
	cat >"$work/rpm/SPECS/kb.spec" <<'SPEC'
Name: kernel-devel
Version: 5.14.0
Release: 427.el9
Summary: seed
License: GPL-2.0-only
BuildArch: x86_64
Provides: kernel-devel-uname-r = 5.14.0-427.el9.x86_64
Requires: kernel-core >= 5.14.0
%description
seed
%install
mkdir -p %{buildroot}/usr/src/kernels/5.14.0-427.el9.x86_64/include
echo '#define X 1' > %{buildroot}/usr/src/kernels/5.14.0-427.el9.x86_64/include/x.h
%files
/usr/src/kernels/5.14.0-427.el9.x86_64
SPEC
	if rpmbuild -bb --quiet --define "_topdir $work/rpm" --define "_build_id_links none" \
		"$work/rpm/SPECS/kb.spec" >/dev/null 2>&1; then
		find "$work/rpm/RPMS" -name '*.rpm' -exec cp {} "$work/repo/" \;
		mkdir -p "$out/rpm" && cp "$work"/repo/*.rpm "$out/rpm/"
		if createrepo_c -q "$work/repo" >/dev/null 2>&1; then
			seed repomd made <"$work/repo/repodata/repomd.xml"
			for p in "$work"/repo/repodata/*primary.xml*; do
				seed primary "made-${p##*.}" <"$p"
				case $p in *.zst) zstd -dcq "$p" ;; *.gz) gzip -dc "$p" ;; *.xz) xz -dc "$p" ;; esac |
					seed primary made.xml
			done
		fi
	fi
fi

# Bundles as fetch reads them: a small header tree as .tgz, .tar.xz and .tar.
mkdir -p "$work/tree/usr/src/linux-headers-1.0/include/linux" "$out/tgz"
echo '#define KB 1' >"$work/tree/usr/src/linux-headers-1.0/include/linux/kb.h"
ln -s ../include "$work/tree/usr/src/linux-headers-1.0/include/linux/up"
printf 'debian' >"$work/tree/BUNDLE_DISTRO"
tar --sort=name --owner=0 --group=0 -C "$work/tree" -czf "$out/tgz/bundle.tgz" .
tar --owner=0 --group=0 -C "$work/tree" -cJf "$out/tgz/bundle.tar.xz" .
tar --owner=0 --group=0 -C "$work/tree" -cf "$out/tgz/bundle.tar" .

# YAML: the repository's own upstream files and manifest.
for f in "$top"/upstreams/*.yml "$top"/manifest.yml; do
	[ -f "$f" ] || continue
	head -c 100000 "$f" | seed yaml_doc "repo-$(basename "$f")"
	case $f in */upstreams/*) cp "$f" "$out/yaml_doc/" ; mkdir -p "$out/upstream"; cp "$f" "$out/upstream/" ;; esac
	case $f in */manifest.yml) mkdir -p "$out/manifest"; head -c 100000 "$f" >"$out/manifest/real" ;; esac
done
# Console logs: the real ones the golden cases parse (kbundle vmtest's serial
# logs of a Debian kernel: pass, oops, WARN, timeout, panic, wrong kernel),
# their nonce replaced by fuzz_console's; a case with a private port's
# bytes (result) goes in as result NUL console, as fuzz_console splits it.
fuzz_nonce=0123456789abcdef0123456789abcdef
for f in "$top"/tests/golden/console/*/console.log; do
	[ -f "$f" ] || continue
	c=${f%/console.log}
	n=$(sed -n 's/.*--nonce \([0-9a-f]*\).*/\1/p' "$c/args")
	{
		if [ -f "$c/result" ]; then
			sed "s/${n:-none}/$fuzz_nonce/g" "$c/result"
			printf '\0'
		fi
		sed "s/${n:-none}/$fuzz_nonce/g" "$f"
	} | seed console "${c##*/}"
done

# Kernel images: the real vmlinuz of a cached Debian image package, cut to
# its first 64 KiB (the real boot header, a truncated payload), and a small
# bzImage made of that real boot header and a payload the unpacker accepts:
# an ELF with a PVH entry note (built by gcc) compressed with xz, its size
# appended as the kernel's build does. Both go in as they are and inside a
# .deb (boot/vmlinuz-<release>) and an .rpm (lib/modules/<release>/vmlinuz),
# gzip'd and with a small xz dictionary: a large one costs the fuzzer more
# per input than the parsing does.
img=$(ls "$cache"/debs/linux-image-*-amd64-unsigned_*.deb 2>/dev/null | head -n 1)
if [ -n "$img" ] && have dpkg-deb && have python3 && have gcc && have xz; then
	rel=6.1.0-57-amd64
	mkdir -p "$work/kimg" "$out/kernel_image"
	dpkg-deb --fsys-tarfile "$img" | tar -xO --wildcards './boot/vmlinuz-*' >"$work/kimg/vmlinuz" || true
	if [ -s "$work/kimg/vmlinuz" ]; then
		head -c 65536 "$work/kimg/vmlinuz" | seed kernel_image real-vmlinuz-head
		cat >"$work/kimg/pvh.S" <<'ASM'
	.section .note.Xen, "a"
	.balign 4
	.long 4, 4, 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long 0x1000000
	.text
	.globl _start
_start:	hlt
ASM
		gcc -nostdlib -static -Wl,-n -Wl,--build-id=none -o "$work/kimg/pvh.elf" "$work/kimg/pvh.S" &&
			xz -c --check=crc32 --lzma2=dict=64KiB "$work/kimg/pvh.elf" >"$work/kimg/pvh.xz" &&
			python3 - "$work/kimg" <<'PY' && seed kernel_image made-bzimage <"$work/kimg/bzImage"
import struct, sys
d = sys.argv[1]
hdr = open(d + "/vmlinuz", "rb").read()
setup = (hdr[0x1f1] or 4) + 1
elf = open(d + "/pvh.elf", "rb").read()
payload = open(d + "/pvh.xz", "rb").read() + struct.pack("<I", len(elf))
b = bytearray(hdr[:setup * 512])
struct.pack_into("<II", b, 0x248, 0, len(payload))
open(d + "/bzImage", "wb").write(bytes(b) + payload)
PY
	fi
	if [ -s "$work/kimg/bzImage" ]; then
		mkdir -p "$work/kimg/deb/DEBIAN" "$work/kimg/deb/boot"
		cp "$work/kimg/bzImage" "$work/kimg/deb/boot/vmlinuz-$rel"
		printf 'Package: linux-image-%s\nVersion: 1.0\nArchitecture: amd64\nMaintainer: k <k@b>\nDescription: seed\n' \
			"$rel" >"$work/kimg/deb/DEBIAN/control"
		dpkg-deb -Zgzip --root-owner-group -b "$work/kimg/deb" "$out/kernel_image/image.deb" >/dev/null 2>&1 || true
	fi
	if [ -s "$work/kimg/bzImage" ] && have rpmbuild; then
		mkdir -p "$work/kimg/rpm/SPECS"
		cat >"$work/kimg/rpm/SPECS/k.spec" <<SPEC
Name: kernel-core
Version: 6.1.0
Release: 57
Summary: seed
License: GPL-2.0-only
BuildArch: x86_64
%description
seed
%install
mkdir -p %{buildroot}/lib/modules/$rel
cp $work/kimg/bzImage %{buildroot}/lib/modules/$rel/vmlinuz
%files
/lib/modules/$rel/vmlinuz
SPEC
		rpmbuild -bb --quiet --define "_topdir $work/kimg/rpm" --define "_build_id_links none" \
			--define "__os_install_post %{nil}" --define "_binary_payload w6.gzdio" "$work/kimg/rpm/SPECS/k.spec" >/dev/null 2>&1 &&
			find "$work/kimg/rpm/RPMS" -name '*.rpm' -exec cp {} "$out/kernel_image/image.rpm" \;
	fi
fi
# dkms.conf: the repository's own DKMS test tree, and v4l2loopback's as
# Debian ships it (an if..fi guard in it), when the cache has the package.
mkdir -p "$out/dkms_conf"
cp "$top/tests/modules/kbpair/dkms.conf" "$out/dkms_conf/kbpair"
for d in "$cache"/debs/v4l2loopback-dkms_*.deb; do
	[ -f "$d" ] && have dpkg-deb || continue
	dpkg-deb --fsys-tarfile "$d" | tar -xO --wildcards '*/dkms.conf' >"$out/dkms_conf/v4l2loopback" || true
done
# Compiler facts: the compiler lines of real headers packages' .config and
# autoconf.h (the first byte 0 picks the config parser).
if have dpkg-deb; then
	for f in "$cache"/debs/linux-headers-*-amd64_*.deb; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .deb)
		dpkg-deb --fsys-tarfile "$f" | tar -xO --wildcards '*/.config' 2>/dev/null |
			grep -E 'CC_|GCC|CLANG' | { printf '\0'; cat; } | seed compiler "$n.config" || true
		dpkg-deb --fsys-tarfile "$f" | tar -xO --wildcards '*/autoconf.h' 2>/dev/null |
			grep -E 'CC_|GCC|CLANG' | { printf '\0'; cat; } | seed compiler "$n.autoconf.h" || true
	done
fi
have gcc && gcc --version | { printf '\1'; cat; } | seed compiler host-gcc.text
# Real ELF files for the module ELF reader: the host's C runtime objects
# (relocatables, like a .ko) and other architectures' kbuild programs.
for f in /usr/lib/x86_64-linux-gnu/crt1.o /usr/lib/x86_64-linux-gnu/crti.o; do
	[ -f "$f" ] && seed modinfo "${f##*/}" <"$f"
done
if have dpkg-deb; then
	for f in "$cache"/debs/linux-kbuild-*_arm64.deb "$cache"/debs/linux-kbuild-*_riscv64.deb; do
		[ -f "$f" ] || continue
		dpkg-deb --fsys-tarfile "$f" | tar -xO --wildcards '*/scripts/basic/fixdep' 2>/dev/null |
			seed modinfo "fixdep-$(basename "${f##*_}" .deb)" || true
	done
fi
ln -sfn deb "$out/deb_tree"	# the packer reads the same packages
ln -sfn tgz "$out/extract"	# the extractor reads the same bundles
sha256sum <"$0" | cut -d" " -f1 >"$out/.done"	# remade when this script changes
