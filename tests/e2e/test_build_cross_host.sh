#!/usr/bin/env bash
# test_build_cross_host — a cross-build with the host's own cross compiler.
# Debian 12's 6.1 kernel (lib.sh's release A, built by gcc-12: the host's
# major version) for arm64, its headers real from the mirror beside the
# amd64 ones: crawl → manifest → pack → `kbundle build` of the test module.
# The cross compiler is the host's aarch64-linux-gnu-gcc-12 (no build root:
# build.json says "host"), the host tools are the amd64 linux-kbuild-6.1,
# and the .ko is an aarch64 ELF file whose vermagic names the kernel and
# aarch64 and whose .comment is gcc 12's.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/toolchain_lib.sh"
. "$KB_SRC/tests/e2e/lib_cross.sh"
kb_need readelf modinfo aarch64-linux-gnu-gcc-12 python3
[ "$(dpkg --print-architecture)" = amd64 ] || kb_skip "written for an amd64 build machine"
kb_cross12_fetch
suite=$(awk -F'\t' -v h="$KB_HDR_A" '$2 == h { print $1; exit }' "$KB_DEB_PICKS")
kb_cross_pipeline "$KB_X12_PICKS" 12 "$suite"
mod=$KB_TMP/mod out=$KB_TMP/out
kb_test_module "$mod"
"$KBUNDLE" build --manifest "$X_MAN" --upstreams "$X_UPS" --workdir "$X_WD" --module "$mod" \
	--arch arm64 -o "$out" >"$KB_TMP/build.out" 2>"$KB_TMP/build.err" ||
	{ cat "$KB_TMP/build.out" "$KB_TMP/build.err" >&2; kb_die "kbundle build --arch arm64 failed"; }
grep -q "building with aarch64-linux-gnu-gcc-12 from the host" "$KB_TMP/build.err" ||
	kb_die "not built with the host's cross compiler: $(cat "$KB_TMP/build.err")"
ko=$out/arm64/$KB_X12_REL/kbtest.ko
[ -f "$ko" ] || kb_die "no $ko"
readelf -h "$ko" | grep -q 'Machine: *AArch64' || kb_die "kbtest.ko is not an aarch64 ELF file"
vm=$(modinfo -F vermagic "$ko")
[[ $vm == "$KB_X12_REL "* && " $vm " == *" aarch64 "* ]] || kb_die "vermagic '$vm'"
readelf -p .comment "$ko" | grep -q "GCC: (Debian 12\." || kb_die ".comment is not gcc 12's"
[ "$(tar -xzOf "$(kb_cross_bundle "$KB_X12_REL")" BUNDLE_COMPILER)" = gcc-12 ] ||
	kb_die "BUNDLE_COMPILER is not gcc-12"
python3 - "$out/arm64/$KB_X12_REL/build.json" <<'PY' || kb_die "build.json: $(cat "$out/arm64/$KB_X12_REL/build.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["cc"] == "aarch64-linux-gnu-gcc-12" and j["toolchain"] == "host" and j["arch"] == "arm64", j
PY
kb_log "$KB_X12_REL: aarch64-linux-gnu-gcc-12 on the host, vermagic '$vm'"
echo ok
