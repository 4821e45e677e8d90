#!/usr/bin/env bash
# bench/sweep.sh — the release-wide proof as a rate: vmtest boots kernels of
# all four Debian releases with the built-in test module, each built with
# its kernel's own compiler (host or build root), from a warm cache, -j 2;
# reported as kernels per minute beside a baseline measured in the same run:
# the bare boots of the same kernels (packaged vmlinuz, busybox-only
# initramfs that powers off) two at a time, as a ratio.
#
# Default: the four kernels of tests/e2e/releases_lib.sh (Debian 11 5.10,
# 12 6.1, 13 6.12, trixie-backports 7.x) on a local signed mirror.
# KB_BENCH_SWEEP=1: every Debian amd64 kernel the archive has now: the
# shipped lists are crawled again (upstreams debian-11 … debian-14, the
# mirror apt uses) into ${KB_BENCH_SWEEP_WORKDIR:-$KB_TEST_CACHE/sweep-work}
# and grouped into a fresh manifest there, because the archive withdraws
# kernels (security updates replace their predecessors); several GB of
# kernel images on the first run, which warms that directory.
# KB_BENCH_SWEEP_RELEASE (a --release regex) narrows it. Build roots are the
# shared cached ones.
set -euo pipefail
KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
. "$KB_SRC/tests/e2e/toolchain_lib.sh"
. "$KB_SRC/tests/e2e/releases_lib.sh"
vmtest_need
kb_need cpio bc mmdebstrap bwrap

now() { date +%s.%N; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

if [ -n "${KB_BENCH_SWEEP:-}" ]; then
	ups=$KB_SRC/upstreams
	wd=${KB_BENCH_SWEEP_WORKDIR:-$KB_TEST_CACHE/sweep-work}
	man=$wd/manifest.yml
	mkdir -p "$wd/lists" "$KB_TEST_CACHE/toolchain-work/toolchains"
	for u in debian-11 debian-12 debian-13 debian-14; do
		[ -e "$wd/lists/$u.list" ] || cp "$KB_SRC/lists/$u.list" "$wd/lists/"
	done
	"$KBUNDLE" -q crawl --upstreams "$ups" --lists "$wd/lists" --workdir "$wd" \
		debian-11 debian-12 debian-13 debian-14 || kb_die "crawl of the four Debian upstreams failed"
	"$KBUNDLE" -q manifest --upstreams "$ups" --lists "$wd/lists" --manifest "$man" ||
		kb_die "manifest of the four Debian upstreams failed"
	[ -e "$wd/toolchains" ] || ln -s "$KB_TEST_CACHE/toolchain-work/toolchains" "$wd/toolchains"
	sel=(--distro debian --arch amd64 ${KB_BENCH_SWEEP_RELEASE:+--release "$KB_BENCH_SWEEP_RELEASE"})
	what="every Debian amd64 kernel of manifest.yml${KB_BENCH_SWEEP_RELEASE:+ matching $KB_BENCH_SWEEP_RELEASE}"
else
	releases_pipeline >/dev/null 2>&1
	man=$RL_MAN ups=$RL_UPS wd=$RL_WD sel=()
	what="Debian 11, 12, 13 and 7.x backports, one kernel each (KB_BENCH_SWEEP=1: all)"
fi
vmtest() {
	"$KBUNDLE" -q vmtest --all --manifest "$man" --upstreams "$ups" --workdir "$wd" --accel tcg \
		--timeout 300 -j 2 "${sel[@]}" "$@"
}

# Warm up: bundles packed, images fetched, modules built and cached, roots made.
vmtest --json "$KB_TMP/warm.json" >/dev/null || true
t0=$(now)
rc=0
vmtest --json "$KB_TMP/r.json" >"$KB_TMP/out.txt" || rc=$?
t=$(echo "$(now) - $t0" | bc)
read -r n pass < <(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
ok = [k for k in r["kernels"] if all(all(c["status"] == "pass" for c in m["checks"].values()) for m in k["modules"])]
print(len(r["kernels"]), len(ok))' "$KB_TMP/r.json")

# The baseline: the same kernels' bare boots, two at a time.
ir=$KB_TMP/bare
mkdir -p "$ir/bin" "$ir/dev" "$ir/proc"
cp /bin/busybox "$ir/bin/" && ln -sf busybox "$ir/bin/sh"
printf '#!/bin/sh\n/bin/busybox poweroff -f\n' >"$ir/init" && chmod +x "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet >"$KB_TMP/bare.cpio")
bare() {
	timeout 300 qemu-system-x86_64 -accel tcg -cpu max -m 256 -nodefaults -no-reboot \
		-display none -serial null -kernel "$1" -initrd "$KB_TMP/bare.cpio" \
		-append "console=ttyS0 panic=-1 quiet" >/dev/null 2>&1
}
export -f bare
export KB_TMP
t0=$(now)
ls "$wd"/cache/kernels/*/vmlinuz | xargs -P 2 -I{} bash -c 'bare {}'
tb=$(echo "$(now) - $t0" | bc)
nb=$(ls "$wd"/cache/kernels/*/vmlinuz | wc -l)

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work)"
echo "sweep: $what"
printf 'bare boots of the %d cached kernels, 2 at a time (baseline)  %7.2f s  %5.1f kernels/min\n' \
	"$nb" "$tb" "$(echo "$nb * 60 / $tb" | bc -l)"
printf 'vmtest -j 2, %d kernels (%d passed every check), warm cache    %7.2f s  %5.1f kernels/min  %sx the bare boots\n' \
	"$n" "$pass" "$t" "$(echo "$n * 60 / $t" | bc -l)" "$(ratio "$(echo "$t / $n" | bc -l)" "$(echo "$tb / $nb" | bc -l)")"
[ $rc -eq 0 ] || { grep -v ' pass' "$KB_TMP/out.txt" | head -20; kb_die "vmtest exited $rc"; }
