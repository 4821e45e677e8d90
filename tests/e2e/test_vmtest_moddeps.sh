#!/usr/bin/env bash
# test_vmtest_moddeps — modules that need other modules, on both real Debian
# 12 kernels (6.1: plain .ko; 6.12: .ko.xz), in one boot each:
#  - tests/modules/vdep calls videodev's exports: it loads only because
#    videodev.ko (and mc.ko, which videodev needs) come from the kernel's
#    own image package, decompressed, dependencies first;
#  - the initramfs holds those modules only, not the kernel's thousands.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_debian_fetch
kb_log "fixtures ready: ${SECONDS} s"
vmtest_pipeline

rc=0
"$KBUNDLE" -v vmtest --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
	--accel tcg --timeout 150 -j 2 --keep \
	--module "$KB_SRC/tests/modules/vdep" \
	--json "$KB_TMP/r.json" --junit "$KB_TMP/r.xml" >"$KB_TMP/out.txt" 2>"$KB_TMP/err.txt" || rc=$?
cat "$KB_TMP/out.txt"
[ $rc = 0 ] || { cat "$KB_TMP/err.txt"; cat "$KB_TMP/r.json"; kb_die "vmtest: exit $rc, want 0"; }
xmllint --noout "$KB_TMP/r.xml"
for rel in "$KB_REL_A" "$KB_REL_B"; do
	for chk in build vermagic boot insmod loaded selftest rmmod oops warning taint; do
		st=$(vmtest_check "$KB_TMP/r.json" "$rel" vdep $chk)
		[ "${st%%$'\t'*}" = pass ] || kb_die "$rel: vdep: check $chk is not pass: $st"
	done
done
# The kernel's own videodev and what it needs went in; nothing else of the
# kernel's. Each initramfs is listed with its size.
tree=$(sed -n 's/.*keeping the work tree \(.*\)$/\1/p' "$KB_TMP/err.txt" | head -n 1)
[ -d "$tree" ] || kb_die "no kept work tree in the log"
kb_on_exit rm -rf "$tree"
for rd in "$tree"/k*/initrd.cpio; do
	ks=$(cpio -it <"$rd" 2>/dev/null | grep '^k/' | LC_ALL=C sort | tr '\n' ' ')
	kb_log "$rd: $(stat -c %s "$rd") bytes; kernel modules: $ks"
	[ "$ks" = "k/mc.ko k/videodev.ko " ] || kb_die "$rd: the kernel's modules in the initramfs: '$ks'"
done
echo ok
