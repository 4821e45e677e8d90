#!/usr/bin/env bash
# test_rpm_conditional.sh — incremental crawls of rpm-md upstreams.
#
# An upstream of two repositories (repomd.xml signed) on nginx:
# the second nightly run over the unchanged mirror downloads no index bytes
# (nginx's access log shows only the repomd.xml requests, each conditional
# and answered 304 with no body; no .asc, no primary), the list is byte-
# identical on the same date and only last_seen moves on a later one. A
# repository republished with createrepo_c is seen by the next run.
# Then tests/e2e/faultproxy.py in front of nginx: a truncated primary is
# retried and recovers; a persistent failure falls back to the next mirror
# where there is one, and otherwise leaves that upstream's list
# byte-for-byte as it was and the crawl exits 3 (another upstream succeeded).
# Last, the same mirror behind nginx without validators: crawling by content.
set -euo pipefail
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/lib_rpm.sh"
kb_need rpmbuild createrepo_c nginx gpg gpgv python3 curl
export KBUNDLE_HTTP_STALL_S=2 KBUNDLE_HTTP_BACKOFF_MS=50
kb_rpm_build

W=$KB_TMP M=$KB_TMP/mirror
kb_rpm_repo "$M/el/x86_64/os" gz "$KB_RPM_DEVEL"
kb_rpm_sign_repomd "$M/el/x86_64/os"
kb_rpm_repo "$M/app/x86_64/os" xz "$KB_RPM_CORE"
kb_rpm_sign_repomd "$M/app/x86_64/os"
kb_nginx_start "$M"
KEYRING=$(kb_gpg_key)/keyring.gpg
kb_rpm_upstream_file "$W/up" el-test centos "$KB_NGINX_URL" "$KEYRING" 'el/$arch/os' 'app/$arch/os'
LIST=$W/lists/el-test.list
nightly() {
	"$KBUNDLE" update --no-pack --upstreams "$W/up" --lists "$W/lists" --workdir "$W/work" \
		--manifest "$W/manifest.yml" --json "$W/summary.json" "$@"
}
field() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$W/summary.json" "$1"; }

nightly
[ -s "$LIST" ] || kb_die "first run wrote no list"
cp "$LIST" "$W/first.list"
[ "$(field 's["upstreams"][0]["status"]')" = updated ] || kb_die "first run: not 'updated'"
[ "$(field 's["bytes_downloaded"]')" -gt 0 ] || kb_die "first run: downloaded nothing?"
grep -q 'repomd.xml.asc' "$KB_NGINX_ACCESS_LOG" || kb_die "first run: repomd.xml.asc not fetched"

only_304() { # every request: a repomd.xml, conditional, answered 304 with no body
	local n bad
	cat "$KB_NGINX_ACCESS_LOG" >&2
	# log_format kb: addr [time zone] "GET path proto" status bytes "range" "if-none-match" "if-modified-since"
	n=$(wc -l <"$KB_NGINX_ACCESS_LOG")
	[ "$n" -eq 2 ] || kb_die "$1: $n requests, want 2 (one repomd.xml per repository)"
	bad=$(awk '$5 !~ /\/repodata\/repomd\.xml$/ || $7 != 304 || $8 != 0' "$KB_NGINX_ACCESS_LOG")
	[ -z "$bad" ] || kb_die "$1: requests other than repomd.xml -> 304 with no body: $bad"
	! grep -q '"-" "-"$' "$KB_NGINX_ACCESS_LOG" || kb_die "$1: a request without validators"
}
: >"$KB_NGINX_ACCESS_LOG"
nightly
only_304 "second run"
cmp "$LIST" "$W/first.list" || kb_die "an unchanged mirror changed the list"
[ "$(field 's["upstreams"][0]["status"]')" = unchanged ] || kb_die "second run: not 'unchanged'"
[ "$(field 's["bytes_downloaded"]')" = 0 ] || kb_die "second run downloaded body bytes"

# Another day: only last_seen moves, and the day after is conditional again.
for d in 2099-01-01 2099-01-02; do
	: >"$KB_NGINX_ACCESS_LOG"
	nightly --date $d
	only_304 "run on $d"
	cmp <(cut -f1-10,12 "$LIST") <(cut -f1-10,12 "$W/first.list") || kb_die "$d: more than last_seen changed"
	awk -F'\t' -v d=$d '!/^#/ && $12 == 1 && $11 != d { exit 1 }' "$LIST" || kb_die "$d: last_seen not moved"
done

cp "$LIST" "$W/gen0.list"

# One repository is republished without kernel-core: the next run sees it.
sleep 1
rm -f "$M/app/x86_64/os/Packages/"*.rpm
createrepo_c --quiet --no-database --general-compress-type xz "$M/app/x86_64/os" >/dev/null
kb_rpm_sign_repomd "$M/app/x86_64/os"
: >"$KB_NGINX_ACCESS_LOG"
nightly --date 2099-01-03
[ "$(field 's["upstreams"][0]["status"]')" = updated ] || kb_die "republished: not 'updated'"
grep -q 'primary.xml' "$KB_NGINX_ACCESS_LOG" || kb_die "republished: no primary fetched"
awk -F'\t' '$1 == "kernel-core" && $12 == 0 { f = 1 } END { exit !f }' "$LIST" ||
	{ cat "$LIST"; kb_die "republished: kernel-core not marked gone"; }
awk -F'\t' '$1 == "kernel-devel" && $12 == 1 { f = 1 } END { exit !f }' "$LIST" ||
	{ cat "$LIST"; kb_die "republished: kernel-devel lost"; }
cp "$LIST" "$W/gen1.list"

# Faults: solo reaches the mirror only through the proxy, duo through the
# proxy then nginx (it must recover through its second mirror), ref directly.
: >"$W/rules"
python3 "$KB_SRC/tests/e2e/faultproxy.py" --upstream "$KB_NGINX_URL" --rules "$W/rules" \
	--log "$W/proxy.log" --port-file "$W/proxy.port" &
proxy_pid=$!
kb_on_exit kill "$proxy_pid"
for _ in $(seq 50); do [ -s "$W/proxy.port" ] && break; sleep 0.1; done
[ -s "$W/proxy.port" ] || kb_die "faultproxy did not start"
proxy=http://127.0.0.1:$(cat "$W/proxy.port")
kb_rpm_upstream_file "$W/fup" solo centos "$proxy" "$KEYRING" 'el/$arch/os' 'app/$arch/os'
kb_rpm_upstream_file "$W/fup" duo centos "$proxy" "$KEYRING" 'el/$arch/os' 'app/$arch/os'
sed -i "s|^mirrors: .*|mirrors: [\"$proxy\", \"$KB_NGINX_URL\"]|" "$W/fup/duo.yml"
kb_rpm_upstream_file "$W/fup" ref centos "$KB_NGINX_URL" "$KEYRING" 'el/$arch/os' 'app/$arch/os'
fault() { # NAME RULE WANT_EXIT: both start from the pre-republish list
	local rc=0
	cp "$W/gen0.list" "$W/flists/solo.list"
	cp "$W/gen0.list" "$W/flists/ref.list"
	cp "$W/gen0.list" "$W/flists/duo.list"
	# without the primaries an earlier case parsed (kept by content in the
	# state, they would spare the very downloads the faults hit)
	rm -rf "$W/fwork/state/crawl"
	printf '%s\n' "$2" >"$W/rules"
	: >"$W/proxy.log"
	"$KBUNDLE" crawl --upstreams "$W/fup" --lists "$W/flists" --workdir "$W/fwork" \
		--date 2099-01-03 2>"$W/err" || rc=$?
	[ "$rc" = "$3" ] || { cat "$W/err" >&2; kb_die "$1: exit $rc, want $3"; }
	cmp "$W/flists/ref.list" "$W/gen1.list" || kb_die "$1: ref's list is wrong"
	cmp "$W/flists/duo.list" "$W/gen1.list" || kb_die "$1: duo did not fall back to its second mirror"
	if [ "$3" = 0 ]; then
		cmp "$W/flists/solo.list" "$W/gen1.list" || kb_die "$1: solo did not recover"
	else
		cmp "$W/flists/solo.list" "$W/gen0.list" || kb_die "$1: solo's failed crawl changed its list"
	fi
	cat "$W/proxy.log" >&2
	kb_log "$1: ok ($(wc -l <"$W/proxy.log") proxied requests)"
}
mkdir -p "$W/flists"
fault truncated-once '*primary* 1 truncate' 0
[ "$(grep -c 'primary' "$W/proxy.log")" -ge 3 ] || kb_die "truncated-once: the primary was not asked again"
fault tampered-once '*primary* 1 tamper' 0
fault truncated-always '*primary* * truncate' 3
fault repomd-500-always '*/repomd.xml * 500' 3
fault asc-tampered '*/repomd.xml.asc * tamper' 3
grep -q 'signature check failed' "$W/err" || kb_die "asc-tampered: no signature error"

# By content, against nginx without validators (nginx_novalidators.conf):
# the second run downloads only the repomd.xml files (no .asc: the same bytes
# were verified before; no primary), says unchanged, keeps the list byte-
# identical; a republished repository costs its own files only.
kb_nginx_start "$M" "$KB_SRC/tests/e2e/nginx_novalidators.conf"
! curl -sSI "$KB_NGINX_URL/el/x86_64/os/repodata/repomd.xml" | grep -qi '^\(etag\|last-modified\):' ||
	kb_die "nginx still sends validators"
W=$KB_TMP/novalidators LIST=$KB_TMP/novalidators/lists/el-test.list
kb_rpm_upstream_file "$W/up" el-test centos "$KB_NGINX_URL" "$KEYRING" 'el/$arch/os' 'app/$arch/os'
fetched() { cat "$KB_NGINX_ACCESS_LOG" >&2; awk '{ print $5 }' "$KB_NGINX_ACCESS_LOG" | sort | tr '\n' ' '; }
want="/app/x86_64/os/repodata/repomd.xml /el/x86_64/os/repodata/repomd.xml "
nightly
cp "$LIST" "$W/first.list"
for d in "" 2099-01-04; do
	: >"$KB_NGINX_ACCESS_LOG"
	nightly ${d:+--date $d}
	[ "$(fetched)" = "$want" ] || kb_die "no validators, unchanged ${d:-today}: fetched $(fetched), want $want"
	[ "$(field 's["upstreams"][0]["status"]')" = unchanged ] || kb_die "no validators: not 'unchanged'"
	cmp <(cut -f1-10,12 "$LIST") <(cut -f1-10,12 "$W/first.list") || kb_die "no validators: the list changed"
	[ -n "$d" ] || cmp "$LIST" "$W/first.list" || kb_die "no validators: the list is not byte-identical"
done
# app gets kernel-core back: app's repomd.xml, .asc and primary only.
sleep 1
cp "$KB_RPM_CORE" "$M/app/x86_64/os/Packages/"
createrepo_c --quiet --no-database --general-compress-type xz "$M/app/x86_64/os" >/dev/null
kb_rpm_sign_repomd "$M/app/x86_64/os"
: >"$KB_NGINX_ACCESS_LOG"
nightly --date 2099-01-05
got=$(fetched)
[[ $got == "/app/x86_64/os/repodata/"*primary.xml*" /app/x86_64/os/repodata/repomd.xml /app/x86_64/os/repodata/repomd.xml.asc /el/x86_64/os/repodata/repomd.xml " ]] ||
	kb_die "no validators, app republished: fetched $got, want app's repomd.xml, .asc and primary and el's repomd.xml"
awk -F'\t' '$1 == "kernel-core" && $12 == 1 { f = 1 } END { exit !f }' "$LIST" ||
	{ cat "$LIST"; kb_die "no validators, republished: kernel-core not back"; }
awk -F'\t' '$1 == "kernel-devel" && $12 == 1 && $11 == "2099-01-05" { f = 1 } END { exit !f }' "$LIST" ||
	{ cat "$LIST"; kb_die "no validators, republished: kernel-devel (el, not fetched) not confirmed"; }
echo PASS
