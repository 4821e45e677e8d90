#!/usr/bin/env bash
# test_vmtest_debian — for both real Debian releases of the e2e mirror (6.1
# and 6.12): crawl, manifest, pack, then vmtest under TCG boots each
# kernel and loads the built-in test module. The run passes, the JUnit file
# is valid and names each kernel, the JSON report agrees; a second run
# (--latest) takes the newest kernel only, its module from the cache.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_debian_fetch
kb_log "fixtures ready: ${SECONDS} s"
vmtest_pipeline

vmtest() {
	"$KBUNDLE" vmtest --all --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
		--accel tcg --timeout 150 -j 2 "$@"
}
vmtest --json "$KB_TMP/r.json" --junit "$KB_TMP/r.xml" >"$KB_TMP/out.txt" ||
	{ cat "$KB_TMP/out.txt"; cat "$KB_TMP/r.json" 2>/dev/null; kb_die "vmtest failed"; }
cat "$KB_TMP/out.txt"
xmllint --noout "$KB_TMP/r.xml" || kb_die "the JUnit file is not well-formed XML"
python3 "$KB_SRC/tests/e2e/schema_check.py" vmtest "$KB_TMP/r.json" || kb_die "r.json does not fit docs/schema/vmtest.json"
for rel in "$KB_REL_A" "$KB_REL_B"; do
	grep -q "<testsuite name=\"debian $rel\"" "$KB_TMP/r.xml" || kb_die "JUnit names no suite for $rel"
	grep -q "classname=\"vmtest.debian.$rel\" name=\"kbundle_test\"" "$KB_TMP/r.xml" ||
		kb_die "JUnit has no test case kbundle_test for $rel"
	for chk in build vermagic boot insmod loaded selftest rmmod oops warning taint; do
		st=$(vmtest_check "$KB_TMP/r.json" "$rel" kbundle_test $chk)
		[ "${st%%$'\t'*}" = pass ] || kb_die "$rel: check $chk is not pass: $st"
	done
	grep -q "^$rel .*kbundle_test *pass" "$KB_TMP/out.txt" || kb_die "the summary has no pass line for $rel"
done
grep -q '<failure' "$KB_TMP/r.xml" && kb_die "JUnit reports a failure"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["passed"] is True; assert len(r["kernels"]) == 2; assert all(k["guest_release"] == k["release"] for k in r["kernels"])' "$KB_TMP/r.json" ||
	kb_die "the JSON report does not say both kernels booted and passed"
# The console logs are kept per run.
ls "$VM_WD"/reports/vmtest-*/*.log >/dev/null || kb_die "no console logs in the work directory"

# Again, the newest kernel only (--latest: 6.12 over 6.1): the module
# comes from the cache, no bundle is extracted, nothing is rebuilt.
vmtest -v --distro debian --latest >"$KB_TMP/out2.txt" 2>"$KB_TMP/err2.txt" ||
	{ cat "$KB_TMP/out2.txt" "$KB_TMP/err2.txt"; kb_die "the second vmtest failed"; }
cat "$KB_TMP/out2.txt"
grep -q 'building' "$KB_TMP/err2.txt" && kb_die "the second run rebuilt a cached module"
grep -q "^$KB_REL_B .*pass" "$KB_TMP/out2.txt" || kb_die "--latest did not test $KB_REL_B"
grep -q "^$KB_REL_A " "$KB_TMP/out2.txt" && kb_die "--latest also tested $KB_REL_A"
echo ok
