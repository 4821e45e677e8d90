#!/usr/bin/env bash
# test_vmtest_compiler — what vmtest does when the compiler is not the one
# at hand. The real 6.1 bundle (gcc-12, the host's) repackaged:
#  - with BUNDLE_COMPILER gcc-9, which neither the host nor any Debian
#    release kbundle knows has: the build check fails naming gcc-9, nothing
#    is built with another compiler, nothing boots;
#  - as an older packer wrote it, without BUNDLE_COMPILER (and a null
#    "compiler" in bundle.json): the host's compiler builds it, the log
#    says so, and the kernel boots and loads the module.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_debian_fetch
vmtest_pipeline --release "^${KB_REL_A//./\\.}\$"
tgz=$(vmtest_bundle "$KB_REL_A")
img=$(vmtest_deb "$KB_IMAGE_A")

# remake SRC DEST EDIT… — the bundle with its meta edited, entries sorted
# as the packer writes them (the meta files first).
remake() {
	local d
	d=$(kb_fast_tmpdir)
	tar -xzf "$1" -C "$d"
	(cd "$d" && eval "$3")
	(cd "$d" && tar --sort=name --owner=0 --group=0 -czf "$2" $(ls -A))
}

remake "$tgz" "$KB_TMP/gcc9.tgz" 'printf gcc-9 >BUNDLE_COMPILER'
rc=0
"$KBUNDLE" vmtest --workdir "$VM_WD" --bundle "$KB_TMP/gcc9.tgz" --image "$img" --accel tcg \
	--json "$KB_TMP/r9.json" >"$KB_TMP/out9.txt" 2>"$KB_TMP/err9.txt" || rc=$?
[ $rc -eq 1 ] || { cat "$KB_TMP/out9.txt" "$KB_TMP/err9.txt"; kb_die "gcc-9: vmtest exited $rc, want 1"; }
st=$(vmtest_check "$KB_TMP/r9.json" "$KB_REL_A" kbundle_test build)
[[ $st == fail*"no gcc-9 to build with"*"not built with another compiler"* ]] ||
	kb_die "gcc-9: the build check does not name the compiler wanted: $st"
st=$(vmtest_check "$KB_TMP/r9.json" "$KB_REL_A" kbundle_test boot)
[[ $st == fail*"no module built"* ]] || kb_die "gcc-9: booted anyway: $st"
grep -q "gcc-9" "$KB_TMP/err9.txt" || kb_die "gcc-9: the log does not name gcc-9"
kb_log "gcc-9: $st"

remake "$tgz" "$KB_TMP/old.tgz" 'rm BUNDLE_COMPILER && python3 -c "import json; b = json.load(open(\"bundle.json\")); b[\"compiler\"] = None; json.dump(b, open(\"bundle.json\", \"w\"))"'
"$KBUNDLE" vmtest --workdir "$VM_WD" --bundle "$KB_TMP/old.tgz" --image "$img" --accel tcg \
	--timeout 150 --json "$KB_TMP/rold.json" >"$KB_TMP/outold.txt" 2>"$KB_TMP/errold.txt" ||
	{ cat "$KB_TMP/outold.txt" "$KB_TMP/errold.txt"; kb_die "old format: vmtest failed"; }
grep -q "names no compiler (no BUNDLE_COMPILER.*building with the host's" "$KB_TMP/errold.txt" ||
	kb_die "old format: the log does not say the host's compiler is used: $(cat "$KB_TMP/errold.txt")"
for chk in build vermagic boot insmod loaded rmmod; do
	st=$(vmtest_check "$KB_TMP/rold.json" "$KB_REL_A" kbundle_test $chk)
	[ "${st%%$'\t'*}" = pass ] || kb_die "old format: $chk is not pass: $st"
done
echo ok
