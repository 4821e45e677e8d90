#!/usr/bin/env bash
# test_nightly_lock.sh — two `kbundle update` started together on one work
# directory: one runs, the other exits at once (status 1) naming the holder;
# afterwards the state is consistent (list and manifest whole, no temp files)
# and a later run takes the lock again.
set -euo pipefail
. "$KB_SRC/tests/e2e/lib.sh"
kb_need gpgv python3

W=$KB_TMP
kb_mirror_debian "$W/mirror"
kb_nginx_start "$W/mirror"
# The proxy slows every Packages download down, so the first run surely
# still holds the lock when the second starts.
: >"$W/rules"
echo '*/Packages* * stall 2' >"$W/rules"
export KBUNDLE_HTTP_STALL_S=10
python3 "$KB_SRC/tests/e2e/faultproxy.py" --upstream "$KB_NGINX_URL" --rules "$W/rules" \
	--log "$W/proxy.log" --port-file "$W/proxy.port" &
kb_on_exit kill $!
for _ in $(seq 50); do [ -s "$W/proxy.port" ] && break; sleep 0.1; done
# stall 2 sends 1 KiB, waits 2 s, closes: a short body, retried; let the
# second attempt through.
echo '*/Packages* 1 stall 2' >"$W/rules"
kb_upstream_file "$W/up" debian-12 debian "http://127.0.0.1:$(cat "$W/proxy.port")" "$KB_KEYRING" \
	"${KB_DEBIAN_SUITES[@]}"
nightly() {
	exec "$KBUNDLE" update --no-pack --upstreams "$W/up" --lists "$W/lists" --workdir "$W/work" \
		--manifest "$W/manifest.yml" --json "$W/summary-$1.json"
}
rc1=0 rc2=0
(nightly 1 >"$W/out1" 2>"$W/err1") &
p1=$!
for _ in $(seq 100); do [ -s "$W/work/lock" ] && break; sleep 0.05; done
start=$(date +%s%N)
(nightly 2 >"$W/out2" 2>"$W/err2") || rc2=$?
took=$((($(date +%s%N) - start) / 1000000))
wait "$p1" || rc1=$?
cat "$W/err1" "$W/err2" >&2
[ "$rc1" -eq 0 ] || kb_die "the first run failed ($rc1)"
[ "$rc2" -eq 1 ] || kb_die "the second run exited $rc2, want 1"
grep -q "is locked by pid $p1 (kbundle update" "$W/err2" || kb_die "the refusal does not name the holder"
[ "$took" -lt 2000 ] || kb_die "the second run took ${took} ms to give up"
[ ! -e "$W/summary-2.json" ] || kb_die "the refused run wrote a summary"
# State is consistent: a whole list and manifest, no temp files left.
head -n 1 "$W/lists/debian-12.list" | grep -q '^#kbundle-list 1' || kb_die "list header missing"
grep -q "$KB_HDR_A" "$W/lists/debian-12.list" || kb_die "list lacks $KB_HDR_A"
[ -s "$W/manifest.yml" ] || kb_die "no manifest"
left=$(find "$W/lists" "$W/work" "$W" -maxdepth 1 -name '*.tmp*' -o -maxdepth 1 -name '*.part' | head -n 5)
[ -z "$left" ] || kb_die "temp files left: $left"
[ -z "$(find "$W/work/tmp" -mindepth 1 2>/dev/null | head -n 1)" ] || kb_die "work/tmp not cleaned"
# The lock is free again.
: >"$W/rules"
(nightly 3 >/dev/null 2>&1) || kb_die "a later run could not take the lock"
echo PASS
