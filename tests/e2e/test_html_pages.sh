#!/usr/bin/env bash
# test_html_pages — the two static pages, in Debian's real headless
# Chromium (tests/e2e/browser.py drives it over the DevTools pipe and runs
# tests/e2e/page_check.js in each page):
#  - `vmtest --html` of a real run (Debian release A under TCG, the built-in
#    test module and a module that does not compile): one row, a cell per
#    test case coloured by its verdict, the failure's check and reason on
#    hover and on expand, the console log link resolves from the page;
#  - `report merge --html` of that report and a copy whose kernel name,
#    distro and a detail are hostile markup: it shows as text, no injected
#    element exists, nothing injected runs; the filters (distro, arch,
#    failing only) hide exactly the rows they should;
#  - the store's index.html after a real `publish --sign-key`: a row per
#    bundle, links to each .tgz, .sha256 and alias that resolve, filters.
# Neither page loads anything from anywhere (no src=, no remote href). A
# screenshot of each page is kept in BUILD/test-logs/.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_need chromium
shots=$(dirname "$KBUNDLE")/test-logs
mkdir -p "$shots"
kb_debian_fetch
relA="^${KB_REL_A//./\\.}\$"
vmtest_pipeline --release "$relA"

mods=$KB_TMP/mods
mkdir -p "$mods/broken"
printf '#include <linux/module.h>\nstatic int __init b_init(void) { return undeclared_thing; }\nmodule_init(b_init);\nMODULE_LICENSE("GPL");\n' >"$mods/broken/broken.c"
echo 'obj-m := broken.o' >"$mods/broken/Kbuild"
pages=$KB_TMP/pages
mkdir -p "$pages"
rc=0
"$KBUNDLE" vmtest --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
	--release "$relA" --accel tcg --timeout 150 --module "$mods/broken" \
	--json "$KB_TMP/r.json" --html "$pages/report.html" >"$KB_TMP/r.out" || rc=$?
cat "$KB_TMP/r.out"
[ $rc = 1 ] || kb_die "vmtest with a broken module: exit $rc, want 1"
[ -s "$pages/report.html" ] || kb_die "vmtest wrote no --html page"

browse() { # NAME PAGE WANT-JSON
	python3 "$KB_SRC/tests/e2e/browser.py" "file://$2" "$KB_SRC/tests/e2e/page_check.js" \
		"$shots/test_html_pages-$1.png" "$3" >"$KB_TMP/$1.check" ||
		{ cat "$KB_TMP/$1.check"; kb_die "$1: the browser checks failed"; }
	kb_log "$1: $(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["facts"]["filters"]))' "$KB_TMP/$1.check")"
	[ -s "$shots/test_html_pages-$1.png" ] || kb_die "$1: no screenshot"
}
units='["kbundle_test","broken"]'
browse report "$pages/report.html" \
	"{\"rows\":1,\"units\":$units,\"counts\":{\"pass\":1,\"fail\":1},\"failing\":1}"
grep -q 'undeclared_thing' "$pages/report.html" || kb_die "the page does not carry the compiler's error"

# The merge of the real report and a hostile copy of it: another kernel id,
# distro and arch, its name and a detail markup that would run if pasted.
hostile='<script>window.kbPwned=1</script><img src=x onerror="window.kbPwned=2">'
python3 - "$KB_TMP/r.json" "$KB_TMP/h.json" "$hostile" <<'EOP'
import copy, json, sys
r = json.load(open(sys.argv[1]))
k = copy.deepcopy(r["kernels"][0])
k["id"] = "f" * 64
k["release"] = "6.1.0-" + sys.argv[3] + "-arm64"
k["distro"] = 'deb"ian\'<b>'
k["arch"] = "arm64"
k["modules"] = [m for m in k["modules"] if m["name"] == "kbundle_test"]
k["modules"][0]["checks"]["oops"]["detail"] = "</pre>" + sys.argv[3]
r["kernels"] = [k]
json.dump(r, open(sys.argv[2], "w"))
EOP
"$KBUNDLE" -q report merge "$KB_TMP/r.json" "$KB_TMP/h.json" --html "$pages/merged.html" && rc=0 || rc=$?
[ $rc = 1 ] || kb_die "report merge: exit $rc, want 1 (a check failed)"
browse merged "$pages/merged.html" \
	"{\"rows\":2,\"units\":$units,\"counts\":{\"pass\":2,\"fail\":1,\"none\":1},\"failing\":1,\"hostile\":$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$hostile")}"

# The store: a real signed publish of the packed bundles.
"$KBUNDLE" -q key generate -o "$KB_TMP/key" >/dev/null
"$KBUNDLE" -q publish --workdir "$VM_WD" --to "$KB_TMP/store" --sign-key "$KB_TMP/key" ||
	kb_die "publish failed"
[ -s "$KB_TMP/store/index.html" ] || kb_die "publish wrote no index.html"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["bundles"]))' "$KB_TMP/store/index.json")
[ "$n" -ge 1 ] || kb_die "the store lists no bundle"
browse store "$KB_TMP/store/index.html" "{\"rows\":$n}"
python3 - "$KB_TMP/store.check" "$n" <<'EOP' || kb_die "the store page does not link every bundle, sidecar and alias"
import json, sys
links = json.load(open(sys.argv[1]))["links"]
n = int(sys.argv[2])
assert sum(l.endswith(".tgz") and "/bundle-" not in l for l in links) == n, links
assert sum(l.endswith(".tgz.sha256") and "/bundle-" not in l for l in links) == n, links
assert any("/bundle-" in l for l in links), links
EOP

for p in "$pages/report.html" "$pages/merged.html" "$KB_TMP/store/index.html"; do
	grep -qiE '(src|href|action)="?(https?:)?//' "$p" && kb_die "$p refers to a remote resource"
	grep -qiE '<(img|link|iframe|object|embed|video|audio|source)[ >]|<script [^>]*src' "$p" &&
		kb_die "$p loads something"
done
kb_log "screenshots: $shots/test_html_pages-{report,merged,store}.png"
echo ok
