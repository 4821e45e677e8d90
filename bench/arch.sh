#!/usr/bin/env bash
# bench/arch.sh — `kbundle vmtest` (boot, load and unload of the test
# module, cached) of the newest Debian 13 kernel of each architecture and
# flavour vmtest boots (amd64, arm64, arm64-16k, riscv64), all under TCG,
# beside a bare `qemu-system-<arch> -kernel … -initrd …` boot of the same
# packaged kernel with the same machine to a busybox poweroff, measured in
# the same run (ratio). Target: <= 1.3x the bare boot on each. Each figure
# is the median of $KB_BENCH_REPEAT runs (default 3).
# ppc64el and s390x: Debian 13 has no 6.12 image of them on the mirror, so
# their rows are the newest trixie-backports kernels (7.2.11+deb13-*) of a
# real crawl of debian-13 (the repo's upstreams/, the mirror apt uses) in
# ${KB_BENCH_ARCH_WORKDIR:-$KB_TEST_CACHE/arch-work}, made on the first run.
set -euo pipefail
KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/bench/lib/timing.sh"
. "$KB_SRC/tests/e2e/lib_cross.sh"
. "$KB_SRC/tests/e2e/lib_archvm.sh"
kb_need nginx qemu-system-x86_64 qemu-system-aarch64 qemu-system-riscv64 cpio bc bwrap mmdebstrap
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || kb_skip "no static /bin/busybox (busybox-static)"
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"
flavours=(amd64 arm64 arm64-16k riscv64)
kb_archvm_fetch "${flavours[@]}"
repeat=${KB_BENCH_REPEAT:-3}

mirror=$KB_TMP/mirror ups=$KB_TMP/upstreams lists=$KB_TMP/lists wd=$KB_TMP/work man=$KB_TMP/manifest.yml
_kb_mirror_from_picks "$mirror" "$KB_AV_PICKS"
kb_nginx_start "$mirror"
KB_UPSTREAM_RELEASE=13 KB_UPSTREAM_ARCHS="amd64, arm64, riscv64" \
	kb_upstream_file "$ups" debian-13-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" trixie trixie-security
mkdir -p "$wd" "$KB_TEST_CACHE/toolchain-work/toolchains"
ln -sfn "$KB_TEST_CACHE/toolchain-work/toolchains" "$wd/toolchains"
{
	"$KBUNDLE" -q crawl --upstreams "$ups" --lists "$lists" --workdir "$wd"
	"$KBUNDLE" -q manifest --upstreams "$ups" --lists "$lists" -o "$man"
	"$KBUNDLE" -q pack --all --manifest "$man" --upstreams "$ups" --workdir "$wd" -j 2
} >/dev/null 2>&1 || kb_die "crawl, manifest or pack failed"

vmtest() {
	"$KBUNDLE" -q vmtest --all --manifest "$man" --upstreams "$ups" --workdir "$wd" --accel tcg \
		--timeout 300 "$@"
}
# The machine of each architecture, as vm/arch_vm.c boots it.
qemu_of() {
	case $1 in
	amd64) echo "qemu-system-x86_64 -cpu max" ;;
	arm64) echo "qemu-system-aarch64 -machine virt -cpu max,pauth-impdef=on" ;;
	riscv64) echo "qemu-system-riscv64 -machine virt -cpu rv64 -bios default" ;;
	ppc64el) local m=pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
		echo "qemu-system-ppc64 -machine $m -cpu power9" ;;
	s390x) echo "qemu-system-s390x -machine s390-ccw-virtio -cpu qemu" ;;
	esac
}
console_of() {
	case $1 in arm64) echo ttyAMA0 ;; ppc64el) echo hvc0 ;; s390x) echo ttysclp0 ;; *) echo ttyS0 ;; esac
}
# bare ARCH KERNEL INITRD — the packaged kernel, busybox only, /init powers off
bare() {
	timeout 300 $(qemu_of "$1") -accel tcg -m 256 -smp 1 -nodefaults -no-user-config -no-reboot \
		-display none -serial "file:$KB_TMP/bare.log" -monitor none -kernel "$2" -initrd "$3" \
		-append "console=$(console_of "$1") panic=-1 quiet"
	grep -q KB-BARE-OK "$KB_TMP/bare.log"
}
# initrd ARCH [BUSYBOX] — a busybox-only initramfs with that architecture's
# busybox (BUSYBOX, or the picked busybox-static's)
initrd() {
	local a=$1 ir=$KB_TMP/bare-$1 bb=${2:-}
	if [ -n "$bb" ]; then :; elif [ "$a" = amd64 ]; then bb=/bin/busybox; else
		bb=$(awk -F'\t' -v a="$a" '$2 == "busybox-static" && $4 == a { print $8 }' "$KB_AV_PICKS")
		mkdir -p "$ir.deb" && dpkg-deb -x "$bb" "$ir.deb" && bb=$ir.deb/usr/bin/busybox
	fi
	mkdir -p "$ir/bin" "$ir/dev" "$ir/proc"
	cp "$bb" "$ir/bin/busybox" && chmod +x "$ir/bin/busybox" && ln -sf busybox "$ir/bin/sh"
	printf '#!/bin/sh\n/bin/busybox echo KB-BARE-OK\n/bin/busybox poweroff -f\n' >"$ir/init"
	chmod +x "$ir/init"
	(cd "$ir" && find . | cpio -o -H newc --quiet >"$ir.cpio")
	echo "$ir.cpio"
}

# Warm up: bundles, kernels, busyboxes and modules in the caches.
vmtest -j 2 >/dev/null 2>&1 || kb_die "the warm-up vmtest run failed"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work); TCG"
printf '%-26s %9s %9s %7s\n' KERNEL "BARE (s)" "VMTEST" RATIO
for f in "${flavours[@]}"; do
	a=${f%%-*} rel=$KB_D13_ABI-$f
	k=$(dirname "$(grep -lx "$rel" "$wd"/cache/kernels/*/release)")/vmlinuz
	[ -f "$k" ] || kb_die "no cached kernel for $rel"
	ir=$(initrd "$a")
	t_bare=$(timeit bare "$a" "$k" "$ir")
	t_vm=$(timeit vmtest --arch "$a" --release "^${rel//+/\\+}\$")
	printf '%-26s %9.2f %9.2f %6sx  (target <= 1.3x)\n' "$rel" "$t_bare" "$t_vm" "$(ratio "$t_vm" "$t_bare")"
done

# ppc64el and s390x from the real crawl (see the top).
kb_need qemu-system-ppc64 qemu-system-s390x readelf
aw=${KB_BENCH_ARCH_WORKDIR:-$KB_TEST_CACHE/arch-work}
mkdir -p "$aw/lists"
ln -sfn "$KB_TEST_CACHE/toolchain-work/toolchains" "$aw/toolchains"
if [ ! -s "$aw/manifest.yml" ]; then
	cp "$KB_SRC/lists/debian-13.list" "$aw/lists/"
	{
		"$KBUNDLE" -q crawl --upstreams "$KB_SRC/upstreams" --lists "$aw/lists" --workdir "$aw" debian-13
		"$KBUNDLE" -q manifest --upstreams "$KB_SRC/upstreams" --lists "$aw/lists" \
			--manifest "$aw/manifest.yml"
	} >/dev/null 2>&1 || kb_die "crawl or manifest of debian-13 in $aw failed"
fi
avm() {
	"$KBUNDLE" -q vmtest --all --manifest "$aw/manifest.yml" --upstreams "$KB_SRC/upstreams" \
		--workdir "$aw" --accel tcg --timeout 300 "$@"
}
# ARCH:ELF-MACHINE:RELEASE (the machine as readelf names it, to find the busybox)
for f in ppc64el:PowerPC64:7.2.11+deb13-powerpc64le ppc64el:PowerPC64:7.2.11+deb13-powerpc64le-64k \
	"s390x:IBM S/390:7.2.11+deb13-s390x"; do
	IFS=: read -r a m rel <<<"$f"
	sel=(--arch "$a" --release "^${rel//+/\\+}\$")
	avm "${sel[@]}" >/dev/null 2>&1 || kb_die "$rel: the warm-up vmtest run failed"
	k=$(dirname "$(grep -lx "$rel" "$aw"/cache/kernels/*/release)")/vmlinuz
	[ -f "$k" ] || kb_die "no cached kernel for $rel in $aw"
	bb=
	for b in "$aw"/cache/busybox/*/busybox; do
		if readelf -h "$b" 2>/dev/null | grep -q "Machine: *$m"; then bb=$b; fi
	done
	[ -n "$bb" ] || kb_die "no $a busybox in $aw/cache/busybox"
	ir=$(initrd "$a" "$bb")
	t_bare=$(timeit bare "$a" "$k" "$ir")
	t_vm=$(timeit avm "${sel[@]}")
	printf '%-26s %9.2f %9.2f %6sx  (target <= 1.3x)\n' "$rel" "$t_bare" "$t_vm" "$(ratio "$t_vm" "$t_bare")"
done
