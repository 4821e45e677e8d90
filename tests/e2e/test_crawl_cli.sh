#!/usr/bin/env bash
# test_crawl_cli.sh — `kbundle crawl` options and exit codes, without a mirror:
# -h, usage errors (exit 2), bad upstream files (exit 2, file:line named),
# and an unreachable mirror (exit 1, URL named, the old list byte-for-byte
# unchanged, other upstreams still crawled). Mirror fixtures with real
# packages are exercised by the fixture-based crawl tests.
set -euo pipefail
: "${KBUNDLE:?}" "${TMPDIR:?}"
t=$TMPDIR/crawl-cli
mkdir -p "$t/up" "$t/lists"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # expect CODE CMD…: run, check the exit status, keep stderr in $t/err
	local want=$1 rc=0
	shift
	"$@" >"$t/out" 2>"$t/err" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$t/err" >&2; fail "'$*' exited $rc, want $want"; }
}

expect 0 "$KBUNDLE" crawl -h
grep -q -- '--upstreams DIR' "$t/out" || fail "crawl -h shows no options"
expect 2 "$KBUNDLE" crawl --no-such-option
expect 2 "$KBUNDLE" crawl --date 2026-13-45 --upstreams "$t/up"
expect 2 "$KBUNDLE" crawl --upstreams "$t/up" no-such-upstream
grep -q "no-such-upstream" "$t/err" || fail "unknown upstream not named"

# A bad upstream file is a configuration error naming file:line.
printf 'distro: debian\nfamily: apt\nrelease: "12"\nfamliy: apt\n' >"$t/up/broken.yml"
expect 2 "$KBUNDLE" crawl --upstreams "$t/up" --lists "$t/lists" --workdir "$t/wd"
grep -q "broken.yml:4: unknown key 'famliy'" "$t/err" || { cat "$t/err"; fail "no file:line"; }
rm "$t/up/broken.yml"

# A free port nobody listens on: the crawl fails, names the URL, keeps the list.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for name in a b; do
	cat >"$t/up/$name.yml" <<YML
distro: debian
family: apt
release: "12"
architectures: [amd64]
mirrors: ["http://127.0.0.1:$port/debian"]
suites: [bookworm]
components: [main]
keyring: /usr/share/keyrings/debian-archive-keyring.gpg
YML
done
old=$'#kbundle-list 1\tname\tversion\tarch\tkind\trelease\tpath\tsize\tsha256\tdepends\tfirst_seen\tlast_seen\tpresent'
printf '%s\n' "$old" >"$t/lists/a.list"
before=$(sha256sum "$t/lists/a.list")
expect 1 "$KBUNDLE" crawl --upstreams "$t/up" --lists "$t/lists" --workdir "$t/wd" --date 2026-01-02
grep -q "http://127.0.0.1:$port/debian/dists/bookworm/InRelease" "$t/err" || { cat "$t/err"; fail "URL not named"; }
[ "$(grep -c "^error: .*InRelease" "$t/err")" -eq 2 ] || { cat "$t/err"; fail "want one error per upstream"; }
[ "$(sha256sum "$t/lists/a.list")" = "$before" ] || fail "a.list changed"
[ ! -e "$t/lists/b.list" ] || fail "b.list written by a failed crawl"
[ -z "$(ls -A "$t/wd/tmp")" ] || fail "temp files left in the work directory"

# A disabled upstream is skipped unless named.
sed -i 's/^release: "12"$/release: "12"\nenabled: false/' "$t/up/a.yml" "$t/up/b.yml"
expect 0 "$KBUNDLE" crawl --upstreams "$t/up" --lists "$t/lists" --workdir "$t/wd"
expect 1 "$KBUNDLE" crawl --upstreams "$t/up" --lists "$t/lists" --workdir "$t/wd" b
echo "crawl CLI: ok"
