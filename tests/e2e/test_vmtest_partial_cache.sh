#!/usr/bin/env bash
# test_vmtest_partial_cache — issue 11's crash: vmtest over several kernels
# when the cache holds the image packages of some and not of the others (a
# partly warm cache, as after a CI cache restore). Release A's image is put
# in the work directory's cache by hand, B's is not: vmtest must download
# B's (and only B's) from the mirror, boot both kernels and pass, with no
# sanitizer report (the run is built with ASan).
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_debian_fetch
kb_log "fixtures ready: ${SECONDS} s"
vmtest_pipeline

# pack fetched header packages only: no image is cached yet.
image_a=$(vmtest_deb "$KB_IMAGE_A")
image_b=$(vmtest_deb "$KB_IMAGE_B")
[ -f "$image_a" ] && [ -f "$image_b" ] || kb_die "no cached $KB_IMAGE_A or $KB_IMAGE_B"
sha_a=$(kb_sha256 "$image_a")
sha_b=$(kb_sha256 "$image_b")
[ ! -e "$VM_WD/cache/objects/${sha_a:0:2}/$sha_a" ] || kb_die "pack cached an image package"
[ ! -e "$VM_WD/cache/objects/${sha_b:0:2}/$sha_b" ] || kb_die "pack cached an image package"
mkdir -p "$VM_WD/cache/objects/${sha_a:0:2}"
cp "$image_a" "$VM_WD/cache/objects/${sha_a:0:2}/$sha_a"
path_a=$(awk -F'\t' -v n="$KB_IMAGE_A" '$2 == n { print $7; exit }' "$KB_DEB_PICKS")
path_b=$(awk -F'\t' -v n="$KB_IMAGE_B" '$2 == n { print $7; exit }' "$KB_DEB_PICKS")
: >"$KB_NGINX_ACCESS_LOG"

rc=0
"$KBUNDLE" vmtest --all --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
	--accel tcg --timeout 150 -j 2 --json "$KB_TMP/r.json" >"$KB_TMP/out.txt" 2>"$KB_TMP/err.txt" || rc=$?
cat "$KB_TMP/out.txt" "$KB_TMP/err.txt"
[ $rc = 0 ] || kb_die "vmtest with half of the images cached: exit $rc, want 0"
grep -qE 'AddressSanitizer|runtime error|malloc\(\)' "$KB_TMP/err.txt" && kb_die "a sanitizer or malloc report"
for rel in "$KB_REL_A" "$KB_REL_B"; do
	st=$(vmtest_check "$KB_TMP/r.json" "$rel" kbundle_test boot)
	[[ $st == pass* ]] || kb_die "$rel did not boot: $st"
	st=$(vmtest_check "$KB_TMP/r.json" "$rel" kbundle_test insmod)
	[[ $st == pass* ]] || kb_die "$rel: insmod: $st"
done
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["passed"] is True; assert len(r["kernels"]) == 2; assert all(k["guest_release"] == k["release"] for k in r["kernels"])' "$KB_TMP/r.json" ||
	kb_die "the JSON report does not say both kernels booted and passed"
# B's image came from the mirror into the cache, A's from the cache alone.
cmp "$image_b" "$VM_WD/cache/objects/${sha_b:0:2}/$sha_b" || kb_die "B's image is not in the cache"
grep -qF "GET /$path_b " "$KB_NGINX_ACCESS_LOG" || kb_die "B's image was not downloaded"
grep -qF "GET /$path_a " "$KB_NGINX_ACCESS_LOG" && kb_die "A's image was downloaded although cached"
echo ok
