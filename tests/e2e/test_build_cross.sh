#!/usr/bin/env bash
# test_build_cross — modules for other architectures, built on this amd64
# machine. Real Debian 13 headers for amd64, arm64 and riscv64 of one kernel
# version behind a signed mirror: crawl → manifest → pack → `kbundle build`
# of the test module for arm64 and riscv64, then:
#  - each .ko is an ELF file of its kernel's architecture, its vermagic names
#    the kernel and the architecture's word (aarch64, riscv), its .comment's
#    compiler is BUNDLE_COMPILER's, build.json names the cross compiler;
#  - the arm64 bundle is still native: its kbuild programs are aarch64 ELF
#    files, its Makefile holds nothing of the build (the .tgz is unchanged);
#  - an arm64-built module offered to the amd64 kernel, and an amd64-built
#    one offered to the arm64 kernel, are refused before anything boots,
#    naming both architectures.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/lib_cross.sh"
kb_need readelf modinfo bwrap mmdebstrap python3
[ "$(dpkg --print-architecture)" = amd64 ] || kb_skip "written for an amd64 build machine"
kb_cross_fetch arm64 riscv64
REL_ARM=$KB_X_REL_arm64 REL_RV=$KB_X_REL_riscv64 REL_X86=$KB_D13_REL

mirror=$KB_TMP/mirror ups=$KB_TMP/upstreams lists=$KB_TMP/lists wd=$KB_TMP/work man=$KB_TMP/manifest.yml
_kb_mirror_from_picks "$mirror" "$KB_X_PICKS"
kb_nginx_start "$mirror"
KB_UPSTREAM_RELEASE=13 KB_UPSTREAM_ARCHS="amd64, arm64, riscv64" \
	kb_upstream_file "$ups" debian-13-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" trixie-security
"$KBUNDLE" -q crawl --upstreams "$ups" --lists "$lists" --workdir "$wd"
"$KBUNDLE" -q manifest --upstreams "$ups" --lists "$lists" -o "$man"
n=$(python3 -c 'import sys, yaml; print(len(yaml.safe_load(open(sys.argv[1]))["bundles"]))' "$man")
[ "$n" -eq 3 ] || kb_die "manifest: $n bundles, want 3 (amd64, arm64, riscv64)"
# the shared, key-addressed build roots (made once)
mkdir -p "$wd" "$KB_TEST_CACHE/toolchain-work/toolchains"
ln -sfn "$KB_TEST_CACHE/toolchain-work/toolchains" "$wd/toolchains"
"$KBUNDLE" -q pack --manifest "$man" --upstreams "$ups" --workdir "$wd" -j 2
bundle() { echo "$wd/bundles/$(pack_index_id "$wd/bundles/index.json" "$1").tgz"; }
tgz_arm=$(bundle "$REL_ARM")
[ -f "$tgz_arm" ] || kb_die "no arm64 bundle packed"
sum_arm=$(kb_sha256 "$tgz_arm")

mod=$KB_TMP/mod
kb_test_module "$mod"
out=$KB_TMP/out
t0=$SECONDS
"$KBUNDLE" build --manifest "$man" --upstreams "$ups" --workdir "$wd" --module "$mod" \
	--release "-(arm64|riscv64)\$" -o "$out" >"$KB_TMP/build.out" 2>"$KB_TMP/build.err" ||
	{ cat "$KB_TMP/build.out" "$KB_TMP/build.err" >&2; kb_die "kbundle build (arm64, riscv64) failed"; }
kb_log "cross builds: $((SECONDS - t0)) s"
grep -q "kbuild files taken from this machine's (amd64) package" "$KB_TMP/build.err" ||
	kb_die "the log does not say the host tools came from the amd64 kbuild package"

# check_ko ARCH REL MACHINE WORD TRIPLET
check_ko() {
	local arch=$1 rel=$2 machine=$3 word=$4 trip=$5 ko=$out/$1/$2/kbtest.ko vm cc
	[ -f "$ko" ] || kb_die "$arch: no $ko ($(ls -R "$out"))"
	readelf -h "$ko" | grep -q "Machine: *$machine" ||
		kb_die "$arch: kbtest.ko is not for $machine: $(readelf -h "$ko" | grep Machine)"
	vm=$(modinfo -F vermagic "$ko")
	[[ $vm == "$rel "* ]] || kb_die "$arch: vermagic '$vm' does not start with $rel"
	[[ " $vm " == *" $word "* ]] || kb_die "$arch: vermagic '$vm' lacks '$word'"
	cc=$(tar -xzOf "$(bundle "$rel")" BUNDLE_COMPILER)
	[ "$cc" = gcc-14 ] || kb_die "$arch: BUNDLE_COMPILER is '$cc', want gcc-14"
	readelf -p .comment "$ko" | grep -q "GCC: (Debian 14\." ||
		kb_die "$arch: .comment is not Debian's gcc 14: $(readelf -p .comment "$ko")"
	! readelf -p .comment "$ko" | grep -q "GCC: (Debian 12\." ||
		kb_die "$arch: .comment holds the host's gcc 12"
	python3 - "$out/$arch/$rel/build.json" "$trip-gcc-14" "$arch" <<'PY' || kb_die "$arch: build.json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["cc"] == sys.argv[2] and j["compiler"] == "gcc-14" and j["arch"] == sys.argv[3], j
assert j["passed"] and j["modules"][0]["file"] == "kbtest.ko", j
PY
	kb_log "$arch: $(readelf -h "$ko" | awk -F': *' '/Machine/ { print $2 }'), vermagic '$vm'"
}
check_ko arm64 "$REL_ARM" AArch64 aarch64 aarch64-linux-gnu
check_ko riscv64 "$REL_RV" RISC-V riscv riscv64-linux-gnu

# The arm64 bundle, extracted on its own, is still native.
[ "$(kb_sha256 "$tgz_arm")" = "$sum_arm" ] || kb_die "the build changed the arm64 bundle"
nat=$(kb_fast_tmpdir)
tar -xzf "$tgz_arm" -C "$nat"
bd=$nat/$(cat "$nat/BUNDLE_BUILD_DIR")
for f in scripts/basic/fixdep scripts/mod/modpost.real-lsb-64 scripts/genksyms/genksyms; do
	[ -f "$bd/$f" ] || f=${f%.real-lsb-64}
	readelf -h "$bd/$f" | grep -q 'Machine: *AArch64' ||
		kb_die "the arm64 bundle's $f is not an aarch64 program: $(readelf -h "$bd/$f" | grep Machine)"
done
for f in "$bd/Makefile" "$bd/.kernelvariables"; do
	[ -f "$f" ] || continue
	! grep -nE "x86_64-linux-gnu|ARCH *= *x86|$KB_TMP|/dev/shm|toolchains|linux-kbuild-.*amd64" "$f" ||
		kb_die "${f#"$nat"/}: a cross-build leftover"
done
grep -q '^override ARCH = arm64' "$bd/Makefile" "$bd/.kernelvariables" 2>/dev/null ||
	kb_die "the arm64 bundle's Makefile does not say ARCH arm64"

# Modules of the wrong architecture, offered by a DKMS tree whose MAKE[0]
# only copies a ready .ko, are refused before anything boots.
"$KBUNDLE" -q build --manifest "$man" --upstreams "$ups" --workdir "$wd" --module "$mod" \
	--release "^${REL_X86//+/\\+}\$" -o "$KB_TMP/out86" >/dev/null 2>"$KB_TMP/b86.err" ||
	{ cat "$KB_TMP/b86.err" >&2; kb_die "kbundle build (amd64) failed"; }
# offer FROM_KO REL WANT_MSG
offer() {
	local d=$KB_TMP/offer-$2 rc=0
	mkdir -p "$d"
	cp "$1" "$d/ready.ko"
	cat >"$d/dkms.conf" <<'EOF'
PACKAGE_NAME=kbtest
PACKAGE_VERSION=1
BUILT_MODULE_NAME[0]=kbtest
DEST_MODULE_LOCATION[0]=/extra
MAKE[0]="cp ready.ko kbtest.ko"
EOF
	"$KBUNDLE" build --manifest "$man" --upstreams "$ups" --workdir "$wd" --module "$d" \
		--release "^${2//+/\\+}\$" -o "$KB_TMP/offer-out" >"$d.out" 2>"$d.err" || rc=$?
	[ $rc -eq 1 ] || { cat "$d.out" "$d.err" >&2; kb_die "$2: a foreign module: exit $rc, want 1"; }
	grep -q "$3" "$d.err" || kb_die "$2: the refusal does not say '$3': $(cat "$d.err")"
	[ ! -e "$KB_TMP/offer-out/${2##*-}" ] || [ -z "$(ls -A "$KB_TMP/offer-out/"*/"$2" 2>/dev/null)" ] ||
		kb_die "$2: a refused module was written"
	kb_log "$2: $(grep -m1 -o 'kbtest.ko: built for another architecture[^(]*' "$d.err")"
}
offer "$out/arm64/$REL_ARM/kbtest.ko" "$REL_X86" \
	"kbtest.ko: built for another architecture: it is an ELF file for aarch64 .*the kernel is x86_64 (amd64): refused before boot"
offer "$KB_TMP/out86/amd64/$REL_X86/kbtest.ko" "$REL_ARM" \
	"kbtest.ko: built for another architecture: it is an ELF file for x86_64 .*the kernel is aarch64 (arm64): refused before boot"
echo ok
