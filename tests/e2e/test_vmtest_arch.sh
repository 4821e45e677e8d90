#!/usr/bin/env bash
# test_vmtest_arch — Debian 13 kernels of other architectures, proven the
# way amd64 ones are. Real arm64 (4k and 16k pages) and riscv64 packages
# of one kernel (headers, kbuild, image) and each architecture's
# busybox-static behind a signed mirror: crawl → manifest → pack → vmtest,
# which cross-builds the test module, boots the arm64 kernels in
# qemu-system-aarch64 (both at once, -j 2) and the riscv64 one in
# qemu-system-riscv64 (OpenSBI) under TCG, loads and unloads it with no
# oops. Then:
#  - --arch takes the kernel's spelling (aarch64) as well as Debian's;
#  - the reports (table, JSON, JUnit) name the architecture and tcg, and no
#    KVM probe ran for a foreign guest;
#  - the guest's busybox is the architecture's own, from busybox-static in
#    the mirror (an aarch64 / RISC-V ELF file in the work directory's cache),
#    and a second run finds it there without reading the indexes again;
#  - without busybox-static in the mirror the kernel fails, saying so.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/lib_cross.sh"
. "$KB_SRC/tests/e2e/lib_archvm.sh"
kb_need nginx qemu-system-aarch64 qemu-system-riscv64 readelf bwrap mmdebstrap python3 xmllint
[ "$(dpkg --print-architecture)" = amd64 ] || kb_skip "written for an amd64 build machine"
kb_archvm_fetch arm64 arm64-16k riscv64
REL_ARM=$KB_AV_REL_arm64 REL_16K=$KB_AV_REL_arm64_16k REL_RV=$KB_AV_REL_riscv64

mirror=$KB_TMP/mirror ups=$KB_TMP/upstreams lists=$KB_TMP/lists wd=$KB_TMP/work man=$KB_TMP/manifest.yml
_kb_mirror_from_picks "$mirror" "$KB_AV_PICKS"
kb_nginx_start "$mirror"
KB_UPSTREAM_RELEASE=13 KB_UPSTREAM_ARCHS="amd64, arm64, riscv64" \
	kb_upstream_file "$ups" debian-13-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" trixie trixie-security
"$KBUNDLE" -q crawl --upstreams "$ups" --lists "$lists" --workdir "$wd"
"$KBUNDLE" -q manifest --upstreams "$ups" --lists "$lists" -o "$man"
mkdir -p "$wd" "$KB_TEST_CACHE/toolchain-work/toolchains"
ln -sfn "$KB_TEST_CACHE/toolchain-work/toolchains" "$wd/toolchains"
"$KBUNDLE" -q pack --all --manifest "$man" --upstreams "$ups" --workdir "$wd" -j 2

# boot SPELLING ARCH ELF_MACHINE REL… — vmtest the newest kernel of each
# flavour of one architecture: the RELs, one per flavour
boot() {
	local spell=$1 arch=$2 machine=$3 o=$KB_TMP/$2 t0=$SECONDS bb f rel
	shift 3
	"$KBUNDLE" vmtest --manifest "$man" --upstreams "$ups" --workdir "$wd" --arch "$spell" \
		--latest -j 2 --json "$o.json" --junit "$o.xml" >"$o.out" 2>"$o.err" ||
		{ cat "$o.out" "$o.err" >&2; kb_die "$arch: vmtest failed"; }
	kb_log "$arch: build, boot and load of $# kernels in $((SECONDS - t0)) s"
	for rel in "$@"; do
		grep -q "^$rel .* $arch *tcg *kbundle_test *pass" "$o.out" ||
			{ cat "$o.out" >&2; kb_die "$rel: the table does not show $arch, tcg and a pass"; }
	done
	! grep -q "KVM: probing" "$o.err" || kb_die "$arch: a KVM probe ran for a foreign guest"
	python3 - "$o.json" "$arch" "$@" <<'PY' || kb_die "$arch: the JSON report"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["passed"], j
assert sorted(k["release"] for k in j["kernels"]) == sorted(sys.argv[3:]), j["kernels"]
for k in j["kernels"]:
    assert k["guest_release"] == k["release"], k
    assert k["arch"] == sys.argv[2] and k["accel"] == "tcg", k
    checks = {c: v["status"] for c, v in k["modules"][0]["checks"].items()}
    for c in ("build", "vermagic", "boot", "insmod", "loaded", "rmmod", "oops"):
        assert checks.get(c) == "pass", (k["release"], c, checks)
PY
	[ "$(xmllint --xpath "string(//testsuite[1]/properties/property[@name='arch']/@value)" "$o.xml")" = "$arch" ] ||
		kb_die "$arch: the JUnit report does not name the architecture"
	# the guest's busybox: busybox-static of its architecture, from the mirror
	bb= f=
	for f in $(find "$wd/cache/busybox" -type f -name busybox); do
		! readelf -h "$f" | grep -q "Machine: *$machine" || bb=$f
	done
	[ -n "$bb" ] || kb_die "$arch: no $machine busybox in $wd/cache/busybox"
	grep -q "busybox-static_.*_$arch.deb" "$KB_NGINX_ACCESS_LOG" ||
		kb_die "$arch: busybox-static was not fetched from the mirror"
}
boot aarch64 arm64 AArch64 "$REL_ARM" "$REL_16K"
boot riscv64 riscv64 RISC-V "$REL_RV"

# A second run has its busybox in the cache: no index is read again.
: >"$KB_NGINX_ACCESS_LOG"
"$KBUNDLE" -q vmtest --manifest "$man" --upstreams "$ups" --workdir "$wd" --arch arm64 --latest \
	--release -arm64\$ >"$KB_TMP/again.out" 2>&1 || { cat "$KB_TMP/again.out" >&2; kb_die "second run failed"; }
! grep -q "Packages\|InRelease" "$KB_NGINX_ACCESS_LOG" ||
	kb_die "the second run read the indexes again: $(cat "$KB_NGINX_ACCESS_LOG")"

# A mirror without busybox-static: the foreign guest has nothing to run.
# That is a failure naming the package and the upstream, and nothing boots.
kb_apt_index_remove "$mirror" trixie busybox-static
rm -rf "$wd/cache/busybox"
if "$KBUNDLE" vmtest --manifest "$man" --upstreams "$ups" --workdir "$wd" --arch riscv64 --latest \
	>"$KB_TMP/nobb.out" 2>"$KB_TMP/nobb.err"; then
	kb_die "vmtest passed without a busybox-static for riscv64"
fi
grep -q "^$REL_RV .* riscv64 .*FAIL.*no busybox-static for riscv64 from upstream debian-13-e2e" \
	"$KB_TMP/nobb.out" || { cat "$KB_TMP/nobb.out" "$KB_TMP/nobb.err" >&2; kb_die "no busybox-static: not said"; }
grep -q "no busybox-static for riscv64 in the signed indexes" "$KB_TMP/nobb.err" ||
	kb_die "no busybox-static: the log does not say where it was looked for"
kb_log "arm64 (4k, 16k) and riscv64: built, booted under TCG, loaded and unloaded"
