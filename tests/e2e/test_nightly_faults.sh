#!/usr/bin/env bash
# test_nightly_faults.sh — the nightly crawl against a mirror that breaks.
#
# tests/e2e/faultproxy.py sits in front of the signed e2e mirror. Three
# upstreams with the same suites crawl it:
#   solo  mirrors: [proxy]          — fails when the fault persists
#   duo   mirrors: [proxy, nginx]   — must recover through its second mirror
#   ref   mirrors: [nginx]          — never faulted: the expected list
# For every fault the run either recovers and writes the right list (byte-
# identical to ref's), or fails that upstream only with its previous list
# byte-for-byte intact — never a wrong or emptied list — and exits 3
# (partial) when some upstream failed, 0 when all recovered.
set -euo pipefail
. "$KB_SRC/tests/e2e/lib.sh"
kb_need gpgv python3

# Fast failure detection: stalls abort after 2 s, back-off starts at 50 ms.
export KBUNDLE_HTTP_STALL_S=2 KBUNDLE_HTTP_BACKOFF_MS=50

W=$KB_TMP
mirror=$W/mirror
kb_mirror_debian "$mirror"
kb_nginx_start "$mirror"
nginx=$KB_NGINX_URL

: >"$W/rules"
python3 "$KB_SRC/tests/e2e/faultproxy.py" --upstream "$nginx" --rules "$W/rules" \
	--log "$W/proxy.log" --port-file "$W/proxy.port" &
proxy_pid=$!
kb_on_exit kill "$proxy_pid"
for _ in $(seq 50); do [ -s "$W/proxy.port" ] && break; sleep 0.1; done
proxy=http://127.0.0.1:$(cat "$W/proxy.port")

up=$W/upstreams
upstream() { # NAME MIRROR…
	local name=$1 m
	shift
	kb_upstream_file "$up" "$name" debian "$1" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}"
	m=$(printf '"%s", ' "$@")
	sed -i "s|^mirrors: .*|mirrors: [${m%, }]|" "$up/$name.yml"
}
upstream solo "$proxy"
upstream duo "$proxy" "$nginx"
upstream ref "$nginx"

lists=$W/lists
run() { # EXPECTED_EXIT [NAME…]; runs the nightly crawl + manifest
	local want=$1 rc=0
	shift
	"$KBUNDLE" update --no-pack --upstreams "$up" --lists "$lists" --workdir "$W/work" \
		--manifest "$W/manifest.yml" --json "$W/summary.json" "$@" >"$W/out" 2>"$W/err" || rc=$?
	if [ "$rc" != "$want" ]; then
		cat "$W/out" "$W/err" >&2
		kb_die "$scenario: exit $rc, want $want"
	fi
}
same() { cmp -s "$1" "$2" || { diff "$1" "$2" >&2 || true; kb_die "$scenario: $1 differs from $2"; }; }

# Generation 0: everyone crawls a healthy mirror.
scenario=initial
run 0
for n in solo duo ref; do [ -s "$lists/$n.list" ] || kb_die "no list for $n"; done
same "$lists/solo.list" "$lists/ref.list"
cp "$mirror/dists/bookworm/InRelease" "$W/InRelease.gen0"

# Each scenario starts from generation-0 lists for solo and duo while the
# mirror has moved on (a kernel package left bookworm), so a successful crawl
# visibly changes the list and a failed one visibly keeps it.
cp "$lists/solo.list" "$W/gen0.list"
sleep 1 # Release dates have one-second resolution: make generation 1 newer
kb_apt_index_remove "$mirror" bookworm "$KB_IMAGE_A"

scenario=ref-gen1
run 0
grep -qP "^\Q$KB_IMAGE_A\E\t.*\t0$" "$lists/ref.list" || kb_die "$KB_IMAGE_A not marked gone in ref"
cp "$lists/ref.list" "$W/gen1.list"

# fault RULES_LINE EXPECT_SOLO(recover|fail) — one scenario.
fault() {
	scenario=$1
	local rule=$2 solo=$3
	cp "$W/gen0.list" "$lists/solo.list"
	cp "$W/gen0.list" "$lists/duo.list"
	# and without the indexes an earlier scenario parsed (kept by content in
	# the state, they would spare the very downloads the faults hit)
	rm -rf "$W/work/state/crawl/solo" "$W/work/state/crawl/duo"
	printf '%s\n' "$rule" >"$W/rules"
	: >"$W/proxy.log"
	if [ "$solo" = recover ]; then run 0; else run 3; fi
	if [ "$solo" = recover ]; then
		same "$lists/solo.list" "$W/gen1.list"
	else
		same "$lists/solo.list" "$W/gen0.list"
		grep -q '"name": "solo"' "$W/summary.json"
		python3 - "$W/summary.json" <<'EOF' || kb_die "$scenario: summary does not report solo failed"
import json, sys
s = json.load(open(sys.argv[1]))
st = {u["name"]: u["status"] for u in s["upstreams"]}
assert st["solo"] == "failed" and st["ref"] != "failed" and st["duo"] != "failed", st
assert s["outcome"] == "partial" and s["exit_status"] == 3
assert any(f["what"] == "solo" and f["reason"] for f in s["failures"])
EOF
	fi
	same "$lists/duo.list" "$W/gen1.list"
	same "$lists/ref.list" "$W/gen1.list"
	[ -s "$W/proxy.log" ] || kb_die "$scenario: the proxy saw no request"
	kb_log "$scenario: ok ($(wc -l <"$W/proxy.log") proxied requests)"
}

# Transient faults: retries recover, solo is updated too.
fault 500-once '*/InRelease 1 500' recover
fault 429-once '*/InRelease 1 429 1' recover
fault reset-once '*/Packages* 1 reset' recover
fault stall-once '*/Packages* 1 stall 30' recover
fault truncated-once '*/Packages* 1 truncate' recover
fault changed-between-requests "*/Packages* 1 serve $W/InRelease.gen0" recover
# Persistent faults: solo fails with its list intact, duo uses nginx.
fault 500-always '* * 500' fail
fault 429-always '*/InRelease * 429 1' fail
fault reset-always '*/InRelease * reset' fail
fault stall-always '*/Packages* * stall 30' fail
fault truncated-always '*/Packages* * truncate' fail
fault tampered-index '*/InRelease * tamper' fail
fault tampered-packages '*/Packages* * tamper' fail
fault stale-index "*/bookworm/InRelease * serve $W/InRelease.gen0" fail

# When every upstream of the run fails, the run fails: exit 1, list intact.
scenario=all-failed
cp "$W/gen0.list" "$lists/solo.list"
printf '* * 503\n' >"$W/rules"
run 1 solo
same "$lists/solo.list" "$W/gen0.list"
grep -q '"outcome": "failed"' "$W/summary.json" || kb_die "$scenario: outcome not 'failed'"
# Not on a terminal (cron): no progress lines, only log lines.
! grep -q $'\r' "$W/err" || kb_die "progress lines written to a non-terminal"

# The 429 answers were honoured: solo and duo each got one (requests 1 and 2
# of the path), and neither retried before Retry-After (1 s) had passed.
scenario=retry-after
fault 429-timing '*/InRelease 1-2 429 1' recover
python3 - "$W/proxy.log" <<'EOF' || kb_die "Retry-After was not honoured"
import sys
t = {}
for line in open(sys.argv[1]):
    ts, method, path, attempt, action, status, sent = line.rstrip("\n").split("\t")
    if path.endswith("/bookworm/InRelease") and "-updates" not in path:
        t.setdefault(path, []).append(float(ts))
for path, v in t.items():
    v.sort()
    assert len(v) >= 4, (path, v)
    assert v[2] - v[1] >= 0.95, (path, v)
EOF
echo "PASS"
