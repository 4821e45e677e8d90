#!/usr/bin/env bash
# test_nightly_novalidators.sh — crawling by content against a signed apt
# mirror whose nginx sends no ETag and no Last-Modified (as many real
# mirrors, proxies and CDNs do): the second run downloads only the InRelease
# files (nginx's access log), reports the upstream unchanged and leaves the
# list byte-identical. A suite re-signed over the same indexes costs its
# InRelease only; a suite whose index changed costs that suite's index only.
set -euo pipefail
. "$KB_SRC/tests/e2e/lib.sh"
kb_need gpgv curl

W=$KB_TMP
kb_mirror_debian "$W/mirror"
kb_nginx_start "$W/mirror" "$KB_SRC/tests/e2e/nginx_novalidators.conf"
sa=${KB_DEBIAN_SUITES[0]} sb=${KB_DEBIAN_SUITES[1]}
hdrs=$(curl -sSI "$KB_NGINX_URL/dists/$sa/InRelease")
! grep -qi '^\(etag\|last-modified\):' <<<"$hdrs" || kb_die "nginx still sends validators: $hdrs"
kb_upstream_file "$W/up" debian-12 debian "$KB_NGINX_URL" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}"
nightly() {
	: >"$KB_NGINX_ACCESS_LOG"
	"$KBUNDLE" update --no-pack --upstreams "$W/up" --lists "$W/lists" --workdir "$W/work" \
		--manifest "$W/manifest.yml" --json "$W/summary.json" "$@"
	cat "$KB_NGINX_ACCESS_LOG" >&2
}
field() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$W/summary.json" "$1"; }
# log_format kb: addr [time zone] "GET path proto" status bytes …; $5 = path
fetched() { awk '{ print $5 }' "$KB_NGINX_ACCESS_LOG" | sort; }
inrelease_bytes() { # the body bytes of the InRelease files of the suites given
	local s n=0
	for s in "$@"; do n=$((n + $(stat -c %s "$W/mirror/dists/$s/InRelease"))); done
	echo $n
}

nightly
[ "$(field 's["upstreams"][0]["status"]')" = updated ] || kb_die "first run: not 'updated'"
grep -q '/Packages' "$KB_NGINX_ACCESS_LOG" || kb_die "first run fetched no Packages"
cp "$W/lists/debian-12.list" "$W/first.list"
cp "$W/manifest.yml" "$W/first.manifest"

# 1. Unchanged: the InRelease files alone, "unchanged", the list as it was.
nightly
want=$(printf '/dists/%s/InRelease\n' "${KB_DEBIAN_SUITES[@]}" | sort)
[ "$(fetched)" = "$want" ] || kb_die "unchanged mirror: fetched $(fetched | tr '\n' ' '), want the InRelease files alone"
! awk '$7 != 200' "$KB_NGINX_ACCESS_LOG" | grep -q . || kb_die "unchanged mirror: a request not answered 200"
[ "$(field 's["upstreams"][0]["status"]')" = unchanged ] || kb_die "unchanged mirror: not 'unchanged'"
[ "$(field 's["bytes_downloaded"]')" = "$(inrelease_bytes "${KB_DEBIAN_SUITES[@]}")" ] ||
	kb_die "unchanged mirror: $(field 's["bytes_downloaded"]') bytes, want the InRelease files' $(inrelease_bytes "${KB_DEBIAN_SUITES[@]}")"
cmp "$W/lists/debian-12.list" "$W/first.list" || kb_die "an unchanged mirror changed the list"
cmp "$W/manifest.yml" "$W/first.manifest" || kb_die "an unchanged mirror changed the manifest"

# Another day: only last_seen moves, and the day after is by content again
# (the stored heads follow the rewritten list).
for d in 2099-01-01 2099-01-02; do
	nightly --date $d
	[ "$(fetched)" = "$want" ] || kb_die "$d: fetched $(fetched | tr '\n' ' ')"
	[ "$(field 's["upstreams"][0]["status"]')" = unchanged ] || kb_die "$d: not 'unchanged'"
	cmp <(cut -f1-10,12 "$W/lists/debian-12.list") <(cut -f1-10,12 "$W/first.list") ||
		kb_die "$d: more than last_seen changed"
done
cp "$W/lists/debian-12.list" "$W/day2.list"

# 2. One suite re-signed over the same indexes (a new Date): its InRelease
# is new, its Packages index is not fetched again, the list is the same.
sleep 1
kb_apt_release "$W/mirror" "$sb"
nightly --date 2099-01-02
[ "$(fetched)" = "$want" ] || kb_die "re-signed $sb: fetched $(fetched | tr '\n' ' '), want the InRelease files alone"
cmp "$W/lists/debian-12.list" "$W/day2.list" || kb_die "re-signed $sb: the list changed"

# 3. One suite's index changed: that index and the InRelease files only.
sleep 1
kb_apt_index_remove "$W/mirror" "$sa" "$KB_IMAGE_A"
nightly --date 2099-01-03
[ "$(field 's["upstreams"][0]["status"]')" = updated ] || kb_die "changed $sa: not 'updated'"
fetched | grep -v '/InRelease$' >"$W/indexes" || true
[ "$(wc -l <"$W/indexes")" -eq 1 ] && grep -q "^/dists/$sa/main/binary-amd64/Packages" "$W/indexes" ||
	kb_die "changed $sa: fetched $(tr '\n' ' ' <"$W/indexes"), want $sa's Packages index alone"
grep -qP "^\Q$KB_IMAGE_A\E\t.*\t0$" "$W/lists/debian-12.list" || kb_die "$KB_IMAGE_A not marked gone"
grep -qP "^\Q$KB_IMAGE_B\E\t.*\t2099-01-03\t1$" "$W/lists/debian-12.list" ||
	kb_die "$KB_IMAGE_B (from $sb's index, not fetched) not confirmed present today"

# 4. A list reverted behind kbundle's back is rebuilt, not trusted: the
# InRelease files are compared again under the new tag (none matches), and
# the indexes, unchanged, still come from the state.
cp "$W/first.list" "$W/lists/debian-12.list"
nightly --date 2099-01-04
[ "$(field 's["upstreams"][0]["status"]')" = updated ] || kb_die "reverted list: not 'updated'"
grep -qP "^\Q$KB_IMAGE_A\E\t.*\t0$" "$W/lists/debian-12.list" || kb_die "$KB_IMAGE_A not marked gone after revert"
echo PASS
