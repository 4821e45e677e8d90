#!/usr/bin/env bash
# test_vmtest_failures — the failures vmtest exists to catch, each reported
# with the reason a person can act on, none hanging the run:
#  - the wrong bundle: modules built against release A loaded into kernel B
#    are refused, and the report carries the kernel's own message;
#  - a module that oopses on load: a failure with the oops text;
#  - a module that hangs in its init: stopped by the host-side timeout;
#  - a module that does not compile: the compiler's error lines.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_debian_fetch
kb_log "fixtures ready: ${SECONDS} s"
relA="^${KB_REL_A//./\\.}\$"
t0=$(date +%s)
vmtest_pipeline --release "$relA"
kb_log "pipeline: $(($(date +%s) - t0)) s"

mods=$KB_TMP/mods
mkdir -p "$mods/oops" "$mods/hang" "$mods/broken"
cat >"$mods/oops/oops.c" <<'EOC'
#include <linux/module.h>
static unsigned long where;	/* 0: the module writes through a NULL pointer */
module_param(where, ulong, 0444);
static int __init kbo_init(void) { *(volatile int *)where = 1; return 0; }
static void __exit kbo_exit(void) { }
module_init(kbo_init);
module_exit(kbo_exit);
MODULE_LICENSE("GPL");
EOC
echo 'obj-m := oops.o' >"$mods/oops/Kbuild"
cat >"$mods/hang/hang.c" <<'EOC'
#include <linux/delay.h>
#include <linux/module.h>
static int __init hang_init(void) { for (;;) msleep(100); return 0; }
static void __exit hang_exit(void) { }
module_init(hang_init);
module_exit(hang_exit);
MODULE_LICENSE("GPL");
EOC
echo 'obj-m := hang.o' >"$mods/hang/Kbuild"
printf '#include <linux/module.h>\nstatic int __init b_init(void) { return undeclared_thing; }\nmodule_init(b_init);\nMODULE_LICENSE("GPL");\n' >"$mods/broken/broken.c"
echo 'obj-m := broken.o' >"$mods/broken/Kbuild"

# 1. The wrong bundle: A's bundle, B's kernel.
bundle_a=$(vmtest_bundle "$KB_REL_A")
image_b=$(vmtest_deb "$KB_IMAGE_B")
[ -f "$image_b" ] || kb_die "no cached $KB_IMAGE_B"
rc=0
"$KBUNDLE" vmtest --workdir "$VM_WD" --bundle "$bundle_a" --image "$image_b" --accel tcg \
	--timeout 150 --json "$KB_TMP/wrong.json" --junit "$KB_TMP/wrong.xml" >"$KB_TMP/wrong.out" || rc=$?
cat "$KB_TMP/wrong.out"
[ $rc = 1 ] || kb_die "the wrong bundle: exit $rc, want 1"
st=$(vmtest_check "$KB_TMP/wrong.json" "$KB_REL_A" kbundle_test vermagic)
[[ $st == fail*"want '$KB_REL_B', got '$KB_REL_A "* ]] || kb_die "vermagic: $st"
st=$(vmtest_check "$KB_TMP/wrong.json" "$KB_REL_A" kbundle_test insmod)
kb_log "insmod into the wrong kernel: $st"
[[ $st == fail* ]] || kb_die "the wrong kernel accepted the module: $st"
# The kernel's own words, from its log: a struct module layout, symbol
# version or vermagic refusal (which one depends on the kernel).
grep -qE 'kbundle_test: (disagrees about version of symbol|version magic .* should be|\.gnu\.linkonce\.this_module section size must match)' <<<"$st" ||
	kb_die "the report does not carry the kernel's message: $st"
grep -qE 'can.t insert|Invalid module format|Exec format error|invalid module format' <<<"$st" ||
	kb_die "the report does not carry insmod's error: $st"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); k=r["kernels"][0]; assert k["guest_release"]==sys.argv[2], k["guest_release"]' \
	"$KB_TMP/wrong.json" "$KB_REL_B" || kb_die "the wrong-bundle run did not boot kernel B"
xmllint --noout "$KB_TMP/wrong.xml"
grep -q '<failure message="vermagic: ' "$KB_TMP/wrong.xml" || kb_die "JUnit has no vermagic failure"
grep -q '<system-out>' "$KB_TMP/wrong.xml" || kb_die "JUnit carries no console log on failure"

# 2-4. Oops, hang and a build failure in one boot of A (the hang is last:
# the units run in order, so the others report before the timeout).
start=$(date +%s)
rc=0
"$KBUNDLE" vmtest --all --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
	--release "$relA" --accel tcg --timeout 45 \
	--module "$mods/broken" --module "$mods/oops" --module "$mods/hang" \
	--json "$KB_TMP/bad.json" --junit "$KB_TMP/bad.xml" >"$KB_TMP/bad.out" || rc=$?
took=$(($(date +%s) - start))
cat "$KB_TMP/bad.out"
[ $rc = 1 ] || kb_die "oops/hang/broken: exit $rc, want 1"
[ $took -lt 120 ] || kb_die "the run took ${took}s: the timeout did not stop the hang"
xmllint --noout "$KB_TMP/bad.xml"
check() { vmtest_check "$KB_TMP/bad.json" "$KB_REL_A" "$@"; }
st=$(check kbundle_test insmod); [[ $st == pass* ]] || kb_die "the test module failed beside the bad ones: $st"
st=$(check broken build)
[[ $st == fail*"build failed"*"error"*"undeclared_thing"* ]] || kb_die "broken: no compiler error: $st"
st=$(check oops oops)
[[ $st == fail* ]] || kb_die "oops: the oops check did not fail: $st"
grep -qE 'BUG: kernel NULL pointer dereference|Oops' <<<"$st" || kb_die "oops: no oops text: $st"
grep -q "kbo_init" <<<"$st" || kb_die "oops: the oops text does not name the function: $st"
st=$(check oops taint); [[ $st == fail*"tainted"*D* ]] || kb_die "oops: taint D not reported: $st"
st=$(check hang boot); [[ $st == fail*timeout*"insmod of hang"* ]] || kb_die "hang: no timeout: $st"
st=$(check hang insmod); [[ $st == fail*timeout* ]] || kb_die "hang: insmod not blamed: $st"
grep -q "^$KB_REL_A .*hang .*FAIL.*timeout" "$KB_TMP/bad.out" || kb_die "the summary does not say timeout"
echo ok
