#!/usr/bin/env bash
# bench/btf.sh — a kernel's BTF, from its image package to the .btf file,
# for one real kernel each of Debian 11 (5.10), 12 (6.1) and 13 (6.12):
# `kbundle btf extract --image` (the deb's data.tar read until the kernel,
# its payload decompressed in memory, libelf, libbpf's check) beside the
# shell way in the same run: `dpkg-deb --fsys-tarfile | tar -x` of the
# vmlinuz, the kernel's own scripts/extract-vmlinux, `objcopy --dump-section
# .BTF=…`. Both on tmpfs, best of 3 (these machines are noisy), and both
# must give the same bytes. Target: ratio <= 0.5.
#
# Debian's headers packages do not ship scripts/extract-vmlinux; it comes
# from linux-source-6.1 (the script is the same in 5.10 and 6.12 but for
# comments), downloaded once and kept in $KB_TEST_CACHE/bench-btf/.
set -euo pipefail
export KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
export KBUNDLE=${KBUNDLE:-$KB_SRC/build/kbundle}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
. "$KB_SRC/tests/e2e/toolchain_lib.sh"
. "$KB_SRC/tests/e2e/releases_lib.sh"
kb_need nginx dpkg-deb apt-ftparchive python3 objcopy xz bc

# the kernel's own extract-vmlinux, once
xv=$KB_TEST_CACHE/bench-btf/extract-vmlinux
if [ ! -x "$xv" ]; then
	mkdir -p "${xv%/*}"
	d=$(mktemp -d "${xv%/*}/.dl.XXXXXX")
	chmod 755 "$d"
	(cd "$d" && apt-get download -q=2 -o APT::Sandbox::User=root linux-source-6.1) >&2 ||
		kb_die "apt-get download linux-source-6.1 failed (extract-vmlinux comes from it)"
	dpkg-deb --fsys-tarfile "$d"/linux-source-6.1_*.deb | tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$d" --wildcards '*/scripts/extract-vmlinux'
	f=$(find "$d" -path '*/scripts/extract-vmlinux' | head -n 1)
	[ -n "$f" ] || kb_die "no scripts/extract-vmlinux in linux-source-6.1"
	install -m 0755 "$f" "$xv.$$" && mv -f "$xv.$$" "$xv"
	rm -rf "$d"
fi

releases_pipeline >/dev/null
image_of() { awk -F'\t' -v r="$1" '$5 == "image" && $6 == r { print $8; exit }' "$KB_TMP/picks.tsv"; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
TIMEFORMAT='%R'
shell_way() { # DIR PKG RELEASE
	(cd "$1" && dpkg-deb --fsys-tarfile "$2" | tar -x "./boot/vmlinuz-$3" &&
		"$xv" "boot/vmlinuz-$3" >vmlinux && objcopy --dump-section .BTF=shell.btf vmlinux /dev/null)
}
printf '%-26s %10s %10s %8s %9s\n' kernel "shell (s)" "kbundle (s)" ratio "BTF bytes"
worst=0
for rel in "$REL11" "$KB_REL_A" "$KB_D13_REL"; do
	pkg=$(image_of "$rel")
	[ -f "$pkg" ] || kb_die "$rel: no image package in the picks"
	sh_t=() kb_t=()
	for try in 1 2 3; do
		d=$(kb_fast_tmpdir)
		sh_t+=("$( { time shell_way "$d" "$pkg" "$rel" >/dev/null 2>&1; } 2>&1 )")
		k=$(kb_fast_tmpdir)
		kb_t+=("$( { time "$KBUNDLE" -q btf extract --image "$pkg" -o "$k/kb.btf"; } 2>&1 )")
		cmp -s "$d/shell.btf" "$k/kb.btf" || kb_die "$rel: kbundle's BTF differs from objcopy's"
		size=$(stat -c %s "$k/kb.btf")
		rm -rf "$d" "$k"
	done
	s=$(best "${sh_t[@]}") k=$(best "${kb_t[@]}")
	r=$(echo "$k / $s" | bc -l)
	printf '%-26s %10s %10s %7.2fx %9s\n' "$rel" "$s" "$k" "$r" "$size"
	[ "$(echo "$r > $worst" | bc -l)" = 1 ] && worst=$r
done
printf 'ratio kbundle/shell, worst of the three: %.2fx (target <= 0.5x)\n' "$worst"
