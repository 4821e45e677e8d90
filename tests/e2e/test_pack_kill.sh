#!/usr/bin/env bash
# test_pack_kill — kill -9 during a pack, twice (mid-download, mid-tarball),
# then run again: the download resumes with a Range request, the bundle is
# correct, and nothing half-written is left or visible.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
kb_need nginx make gcc modinfo python3

kb_pipeline debian
# pack from a second, slow server on the same mirror, so a kill lands mid-download
echo 'limit_rate 3m;' >"$KB_TMP/slow.conf"
kb_nginx_start "$KB_MIRROR" "$KB_TMP/slow.conf"
sed -i "s|^mirrors: .*|mirrors: [\"$KB_NGINX_URL\"]|" "$KB_UPSTREAMS/$KB_UPSTREAM.yml"
ups=$KB_UPSTREAMS wd=$KB_TMP/packwd
rel_re="^${KB_REL_A}\$"
pack_bg() {
	"$KBUNDLE" pack --all --manifest "$KB_MANIFEST" --upstreams "$ups" --workdir "$wd" \
		--release "$rel_re" -j 2 >>"$KB_TMP/pack.log" 2>&1 &
	pid=$!
}
wait_for() { # FIND-ARGS… — until find prints something (or 60 s)
	local i
	for i in $(seq 600); do
		[ -n "$(find "$wd" "$@" 2>/dev/null | head -n 1)" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
no_partial_objects() { # every visible object is whole
	local f
	for f in $(find "$wd/cache/objects" -type f ! -name '*.part' ! -name '*.dl'); do
		[ "$(kb_sha256 "$f")" = "$(basename "$f")" ] || kb_die "partial object visible: $f"
	done
}

# 1: mid-download
pack_bg
wait_for -name '*.dl.part' -size +100k || kb_die "no download in progress to interrupt"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
kb_log "killed mid-download: $(find "$wd" -name '*.part' | wc -l) partial download(s)"
no_partial_objects
! ls "$wd"/bundles/*.tgz >/dev/null 2>&1 || kb_die "a bundle appeared after the first kill"

# 2: mid-tarball
pack_bg
wait_for -path '*/bundles/*.tmp.*' || kb_die "never saw the bundle being written"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
kb_log "killed mid-tarball: $(find "$wd/bundles" -name '*.tmp.*' | wc -l) temp file(s) left"
no_partial_objects
! ls "$wd"/bundles/*.tgz >/dev/null 2>&1 || kb_die "a bundle was visible before it was complete"

# 3: to the end
"$KBUNDLE" pack --manifest "$KB_MANIFEST" --upstreams "$ups" --workdir "$wd" --release "$rel_re"
grep -q '"Range' "$KB_NGINX_ACCESS_LOG" || grep -qE '"bytes=[0-9]+-"' "$KB_NGINX_ACCESS_LOG" ||
	kb_die "the interrupted download was not resumed with a Range request"
id=$(pack_index_id "$wd/bundles/index.json" "$KB_REL_A")
(cd "$wd/bundles" && sha256sum -c --quiet "$id.tgz.sha256")
gzip -t "$wd/bundles/$id.tgz"
[ "$(tar -xzOf "$wd/bundles/$id.tgz" BUNDLE_UNAME)" = "$KB_REL_A" ] || kb_die "wrong bundle"
left=$(find "$wd" -name '*.tmp.*' -o -name '*.part' -o -name '*.dl')
[ -z "$left" ] || kb_die "leftovers: $left"
no_partial_objects
scratch=$(kb_fast_tmpdir)
vm=$(pack_build_module "$wd/bundles/$id.tgz" "$scratch/m")
case "$vm" in "$KB_REL_A "*) ;; *) kb_die "vermagic '$vm' does not start with $KB_REL_A" ;; esac

# Two runs at once on one work directory: one waits for the other's lock,
# then finds the bundle packed; both succeed and the bundle is whole.
sum=$(kb_sha256 "$wd/bundles/$id.tgz")
rm -rf "$wd/bundles" "$wd/cache/bundles"
for n in 1 2; do
	"$KBUNDLE" pack --manifest "$KB_MANIFEST" --upstreams "$ups" --workdir "$wd" --release "$rel_re" \
		>"$KB_TMP/both$n.log" 2>&1 &
	eval "p$n=\$!"
done
wait "$p1" || kb_die "the first of two concurrent runs failed: $(cat "$KB_TMP/both1.log")"
wait "$p2" || kb_die "the second of two concurrent runs failed: $(cat "$KB_TMP/both2.log")"
grep -q ' 1 packed, 0 already packed' "$KB_TMP/both1.log" "$KB_TMP/both2.log" || kb_die "neither run packed"
grep -q ' 0 packed, 1 already packed' "$KB_TMP/both1.log" "$KB_TMP/both2.log" || kb_die "both runs packed"
[ "$(kb_sha256 "$wd/bundles/$id.tgz")" = "$sum" ] || kb_die "concurrent runs changed the bundle's bytes"
echo ok
