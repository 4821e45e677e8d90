#!/usr/bin/env bash
# test_nightly_conditional.sh — the second nightly run over an unchanged
# mirror downloads no index bytes: nginx's access log shows only the
# InRelease requests, each conditional and answered 304 with an empty body;
# the list is untouched (on another day only last_seen moves). Then the
# mirror changes and the next run sees it.
set -euo pipefail
. "$KB_SRC/tests/e2e/lib.sh"
kb_need gpgv

W=$KB_TMP
kb_mirror_debian "$W/mirror"
kb_nginx_start "$W/mirror"
kb_upstream_file "$W/up" debian-12 debian "$KB_NGINX_URL" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}"
nightly() {
	"$KBUNDLE" update --no-pack --upstreams "$W/up" --lists "$W/lists" --workdir "$W/work" \
		--manifest "$W/manifest.yml" --json "$W/summary.json" "$@"
}
field() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$W/summary.json" "$1"; }

nightly
[ -s "$W/lists/debian-12.list" ] || kb_die "first run wrote no list"
cp "$W/lists/debian-12.list" "$W/first.list"
cp "$W/manifest.yml" "$W/first.manifest"
[ "$(field 's["upstreams"][0]["status"]')" = updated ] || kb_die "first run: not 'updated'"
[ "$(field 's["bytes_downloaded"]')" -gt 0 ] || kb_die "first run: downloaded nothing?"

: >"$KB_NGINX_ACCESS_LOG"
nightly
cmp "$W/lists/debian-12.list" "$W/first.list" || kb_die "an unchanged mirror changed the list"
cmp "$W/manifest.yml" "$W/first.manifest" || kb_die "an unchanged mirror changed the manifest"
[ "$(field 's["upstreams"][0]["status"]')" = unchanged ] || kb_die "second run: not 'unchanged'"
[ "$(field 's["bytes_downloaded"]')" = 0 ] || kb_die "second run downloaded body bytes"
only_304() { # every request: an InRelease, conditional, answered 304 with no body
	local n bad
	cat "$KB_NGINX_ACCESS_LOG" >&2
	# log_format kb: addr [time zone] "GET path proto" status bytes "range" "if-none-match" "if-modified-since"
	n=$(wc -l <"$KB_NGINX_ACCESS_LOG")
	[ "$n" -eq ${#KB_DEBIAN_SUITES[@]} ] || kb_die "$1: $n requests, want ${#KB_DEBIAN_SUITES[@]}"
	bad=$(awk '$5 !~ /\/InRelease$/ || $7 != 304 || $8 != 0' "$KB_NGINX_ACCESS_LOG")
	[ -z "$bad" ] || kb_die "$1: requests other than InRelease -> 304 with no body: $bad"
	! grep -q '"-" "-"$' "$KB_NGINX_ACCESS_LOG" || kb_die "$1: a request without validators"
}
only_304 "second run"

# Another day, still unchanged: no index bytes either; the list changes in
# last_seen only (the 304 confirms every present package), and the day after
# is conditional again (the validators follow the rewritten list).
for d in 2099-01-01 2099-01-02; do
	: >"$KB_NGINX_ACCESS_LOG"
	nightly --date $d
	only_304 "run on $d"
	cmp <(cut -f1-10,12 "$W/lists/debian-12.list") <(cut -f1-10,12 "$W/first.list") ||
		kb_die "$d: more than last_seen changed"
	awk -F'\t' -v d=$d '!/^#/ && $12 == 1 && $11 != d { exit 1 }' "$W/lists/debian-12.list" ||
		kb_die "$d: last_seen not moved"
done

# The mirror changes: the next run fetches again and sees it.
sleep 1
kb_apt_index_remove "$W/mirror" bookworm "$KB_IMAGE_A"
: >"$KB_NGINX_ACCESS_LOG"
nightly
[ "$(field 's["upstreams"][0]["status"]')" = updated ] || kb_die "third run: not 'updated'"
grep -q 'Packages' "$KB_NGINX_ACCESS_LOG" || kb_die "third run fetched no Packages"
grep -qP "^\Q$KB_IMAGE_A\E\t.*\t0$" "$W/lists/debian-12.list" || kb_die "$KB_IMAGE_A not marked gone"

# A list edited behind kbundle's back (here: reverted) is not trusted to
# match the stored validators: the next run asks for every InRelease
# without them and rebuilds the list (the Packages indexes, unchanged since
# they were parsed, come from WORKDIR/state: test_nightly_novalidators.sh).
cp "$W/first.list" "$W/lists/debian-12.list"
: >"$KB_NGINX_ACCESS_LOG"
nightly
cat "$KB_NGINX_ACCESS_LOG" >&2
[ "$(awk '$5 ~ /\/InRelease$/ && $7 == 200' "$KB_NGINX_ACCESS_LOG" | wc -l)" -eq ${#KB_DEBIAN_SUITES[@]} ] ||
	kb_die "a reverted list was taken as up to date"
[ "$(field 's["upstreams"][0]["status"]')" = updated ] || kb_die "reverted list: not 'updated'"
grep -qP "^\Q$KB_IMAGE_A\E\t.*\t0$" "$W/lists/debian-12.list" || kb_die "$KB_IMAGE_A not marked gone after revert"
echo PASS
