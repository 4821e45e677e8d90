#!/usr/bin/env bash
# bench/vmtest.sh — how long `kbundle vmtest` takes for one cached Debian
# kernel under TCG, beside a bare `qemu-system-x86_64 -kernel … -initrd …`
# boot of the same kernel to poweroff with a busybox-only initramfs, measured
# in the same run (ratio); and -j 2 against -j 1 over the e2e mirror's
# kernels. Targets: <= 5 s per kernel, <= 1.3x the bare boot, -j2 <= 0.6x -j1.
# Each figure is the median of $KB_BENCH_REPEAT runs (default 3).
set -euo pipefail
KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/bench/lib/timing.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_need cpio bc
kb_debian_fetch
vmtest_pipeline >/dev/null 2>&1
repeat=${KB_BENCH_REPEAT:-3}

vmtest() {
	"$KBUNDLE" -q vmtest --all --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
		--accel tcg --timeout 300 "$@"
}
relA="^${KB_REL_A//./\\.}\$"

# Warm up: bundles, kernels and modules in the work directory's caches.
vmtest -j 2 >/dev/null
kdir=$(dirname "$(ls "$VM_WD"/cache/kernels/*/release | xargs grep -lx "$KB_REL_A")")
[ -f "$kdir/vmlinuz" ] || kb_die "no cached vmlinuz for $KB_REL_A"

# The bare boot: the packaged vmlinuz, busybox only, /init powers off.
ir=$KB_TMP/bare
mkdir -p "$ir/bin" "$ir/dev" "$ir/proc"
cp /bin/busybox "$ir/bin/" && ln -sf busybox "$ir/bin/sh"
printf '#!/bin/sh\n/bin/busybox poweroff -f\n' >"$ir/init" && chmod +x "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet >"$KB_TMP/bare.cpio")
bare() {
	timeout 300 qemu-system-x86_64 -accel tcg -cpu max -m 256 -nodefaults -no-reboot \
		-display none -serial "file:$KB_TMP/bare.log" -kernel "$1" -initrd "$KB_TMP/bare.cpio" \
		-append "console=ttyS0 panic=-1 quiet"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work)"
t_bare=$(timeit bare "$kdir/vmlinuz")
t_pvh=$( [ -f "$kdir/vmlinux" ] && timeit bare "$kdir/vmlinux" || echo 0)
t_vm=$(timeit vmtest --release "$relA")
rm -rf "$VM_WD/cache/modules"
t_cold=$(timeit sh -c 'rm -rf "$0/cache/modules" && "$@"' "$VM_WD" "$KBUNDLE" -q vmtest --all \
	--manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" --accel tcg --release "$relA")
printf 'bare boot, packaged vmlinuz (baseline)       %6.2f s\n' "$t_bare"
printf 'bare boot, PVH vmlinux as vmtest boots it    %6.2f s\n' "$t_pvh"
printf 'vmtest, 1 kernel, cached module              %6.2f s  %sx bare  (target <= 5 s, <= 1.3x)\n' \
	"$t_vm" "$(ratio "$t_vm" "$t_bare")"
printf 'vmtest, 1 kernel, module built (no cache)    %6.2f s  %sx bare\n' "$t_cold" "$(ratio "$t_cold" "$t_bare")"
[ "$t_pvh" = 0 ] || printf 'vmtest, cached, over the same PVH boot        %6.2f s  %sx (what vmtest adds: build check, initramfs, insmod/rmmod)\n' \
	"$(echo "$t_vm - $t_pvh" | bc)" "$(ratio "$t_vm" "$t_pvh")"

n=$(grep -c '"id":' "$VM_WD/bundles/index.json")
t_j1=$(timeit vmtest -j 1)
t_j2=$(timeit vmtest -j 2)
printf 'vmtest, %d kernels, -j 1 (baseline)          %6.2f s\n' "$n" "$t_j1"
printf 'vmtest, %d kernels, -j 2                     %6.2f s  %sx -j 1  (target <= 0.6x)\n' \
	"$n" "$t_j2" "$(ratio "$t_j2" "$t_j1")"
