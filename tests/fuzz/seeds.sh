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

# YAML: the repository's own upstream files and manifest.
for f in "$top"/upstreams/*.yml "$top"/manifest.yml; do
	[ -f "$f" ] || continue
	head -c 100000 "$f" | seed yaml_doc "repo-$(basename "$f")"
	case $f in */upstreams/*) cp "$f" "$out/yaml_doc/" ; mkdir -p "$out/upstream"; cp "$f" "$out/upstream/" ;; esac
	case $f in */manifest.yml) mkdir -p "$out/manifest"; head -c 100000 "$f" >"$out/manifest/real" ;; esac
done
touch "$out/.done"
