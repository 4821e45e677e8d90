#!/usr/bin/env bash
# test_vmtest_moddeps — modules that need other modules, and module sources
# as they come, on both real Debian 12 kernels (6.1 ships .ko, 6.12 .ko.xz),
# in one boot each:
#  - tests/modules/vdep calls videodev's exports: it loads only because
#    videodev.ko and mc.ko (which videodev needs) come from the kernel's own
#    image package, decompressed, dependencies first; the initramfs holds
#    those and no other module of the kernel's;
#  - tests/modules/kbpair is a DKMS tree (dkms.conf, two modules, the
#    first listed needing the second): built by its MAKE[0], loaded in the
#    order of their depends=;
#  - v4l2loopback-dkms, the real Debian package (the issue's case: "Unknown
#    symbol video_ioctl2" without videodev), built as dkms would and loaded
#    into the 6.1 kernel it was packaged for;
#  - tests/modules/nocc lacks its compiler: the build fails with the line
#    naming it, not make's "Error 127";
#  - a missing --module, or a directory with nothing to build, is a
#    configuration error (exit 2) before anything is packed or booted.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_need apt-get cpio
kb_debian_fetch
kb_log "fixtures ready: ${SECONDS} s"

# Configuration errors first: nothing to boot, nothing packed.
mkdir -p "$KB_TMP/empty"
for bad in /does/not/exist "$KB_TMP/empty"; do
	rc=0
	"$KBUNDLE" vmtest --all --workdir "$KB_TMP/nowd" --manifest /nonexistent/manifest.yml \
		--module "$bad" --json "$KB_TMP/bad.json" >"$KB_TMP/bad.out" 2>"$KB_TMP/bad.err" || rc=$?
	[ $rc = 2 ] || { cat "$KB_TMP/bad.out" "$KB_TMP/bad.err"; kb_die "--module $bad: exit $rc, want 2"; }
	grep -q -- "--module $bad" "$KB_TMP/bad.err" || kb_die "--module $bad: the error does not name it"
	grep -qi pass "$KB_TMP/bad.out" && kb_die "--module $bad: reported as a pass"
	[ -e "$KB_TMP/bad.json" ] && kb_die "--module $bad: a report was written"
done

# The real DKMS package, from the mirror this machine's apt uses.
mkdir -p "$KB_TEST_CACHE/debs"
(
	flock 9
	cd "$KB_TEST_CACHE/debs"
	ls v4l2loopback-dkms_*.deb >/dev/null 2>&1 || apt-get download -q v4l2loopback-dkms >/dev/null 2>&1 || true
) 9>"$KB_TEST_CACHE/.lock"
v4l=
for d in "$KB_TEST_CACHE"/debs/v4l2loopback-dkms_*.deb; do
	[ -f "$d" ] || continue
	dpkg-deb -x "$d" "$KB_TMP/v4l"
	v4l=$(dirname "$(ls "$KB_TMP"/v4l/usr/src/v4l2loopback-*/dkms.conf)")
done
[ -n "$v4l" ] || kb_log "v4l2loopback-dkms could not be downloaded: its part is not run"

vmtest_pipeline
rc=0
"$KBUNDLE" -v vmtest --all --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
	--accel tcg --timeout 200 -j 2 --keep \
	--module "$KB_SRC/tests/modules/vdep" --module "$KB_SRC/tests/modules/kbpair" \
	--module "$KB_SRC/tests/modules/nocc" ${v4l:+--module "$v4l"} \
	--json "$KB_TMP/r.json" --junit "$KB_TMP/r.xml" >"$KB_TMP/out.txt" 2>"$KB_TMP/err.txt" || rc=$?
cat "$KB_TMP/out.txt"
tree=$(sed -n 's/.*keeping the work tree \(.*\)$/\1/p' "$KB_TMP/err.txt" | head -n 1)
[ -n "$tree" ] && kb_on_exit rm -rf "$tree"
[ $rc = 1 ] || { cat "$KB_TMP/err.txt"; kb_die "vmtest: exit $rc, want 1 (nocc cannot build)"; }
xmllint --noout "$KB_TMP/r.xml"
all_pass() { # RELEASE UNIT
	local chk st
	for chk in build vermagic boot insmod loaded selftest rmmod oops warning taint; do
		st=$(vmtest_check "$KB_TMP/r.json" "$1" "$2" $chk)
		case $chk:${st%%$'\t'*} in
		*:pass | selftest:skip) ;;
		*) kb_die "$1: $2: check $chk is not pass: $st" ;;
		esac
	done
}
for rel in "$KB_REL_A" "$KB_REL_B"; do
	all_pass "$rel" kbundle_test
	all_pass "$rel" vdep
	[ "$(vmtest_check "$KB_TMP/r.json" "$rel" vdep selftest | cut -f1)" = pass ] ||
		kb_die "$rel: vdep's check.sh did not pass"
	all_pass "$rel" kbpair
	[ "$(vmtest_check "$KB_TMP/r.json" "$rel" kbpair selftest | cut -f1)" = pass ] ||
		kb_die "$rel: kbpair's check.sh did not pass"
	st=$(vmtest_check "$KB_TMP/r.json" "$rel" nocc build)
	[[ $st == fail*"build failed"*"kbundle-absent-gcc-10"* ]] || kb_die "$rel: nocc: $st"
	# the cause leads: the first line after the heading names the compiler
	first=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
for k in r["kernels"]:
    if k["release"] == sys.argv[2]:
        for m in k["modules"]:
            if m["name"] == "nocc": print(m["checks"]["build"]["detail"].split("\n")[1])' "$KB_TMP/r.json" "$rel")
	kb_log "$rel: nocc: $first"
	[[ $first == *kbundle-absent-gcc-10*@(not found|No such file or directory)* ]] ||
		kb_die "$rel: nocc: the reason does not lead with the missing compiler: $first"
	grep -q "^$rel .*nocc .*FAIL.*kbundle-absent-gcc-10" "$KB_TMP/out.txt" ||
		kb_die "$rel: the summary does not name the missing compiler"
done
if [ -n "$v4l" ]; then
	u=$(basename "$v4l" | tr -c 'A-Za-z0-9_\n-' _)
	all_pass "$KB_REL_A" "$u"
	kb_log "$KB_REL_B: v4l2loopback: $(vmtest_check "$KB_TMP/r.json" "$KB_REL_B" "$u" build | cut -c1-200)"
fi
# The kernel's own videodev and mc went in; no other module of the kernel's.
[ -d "$tree" ] || kb_die "no kept work tree in the log"
for rd in "$tree"/k*/initrd.cpio; do
	ks=$(cpio -it <"$rd" 2>/dev/null | grep '^k/' | LC_ALL=C sort | tr '\n' ' ')
	kb_log "$rd: $(stat -c %s "$rd") bytes; the kernel's modules in it: $ks"
	[ "$ks" = "k/mc.ko k/videodev.ko " ] || kb_die "$rd: the kernel's modules in the initramfs: '$ks'"
done
echo ok
