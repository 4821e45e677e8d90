#!/usr/bin/env bash
# test_manifest.sh — `kbundle manifest` as a user runs it: help and usage
# errors, a manifest from hand-written lists (an incomplete release is a
# warning, not a failure), the same bytes twice, the committed manifest.yml
# matching the committed lists, and failures that leave the previous
# manifest byte-for-byte untouched.
set -euo pipefail
: "${KBUNDLE:?} ${KB_SRC:?} ${TMPDIR:?}"

t=$TMPDIR/manifest
mkdir -p "$t/upstreams" "$t/lists"
fail() { echo "FAIL: $*" >&2; exit 1; }

# help on stdout, exit 0; a bad option is a usage error
"$KBUNDLE" manifest -h | grep -q '^usage: kbundle manifest' || fail "-h"
rc=0; "$KBUNDLE" manifest --no-such-option 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "bad option gave $rc, want 2"
rc=0; "$KBUNDLE" manifest stray-argument 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "stray argument gave $rc, want 2"

cat >"$t/upstreams/debian-12.yml" <<'EOF'
distro: debian
family: apt
release: "12"
enabled: true
architectures: [amd64]
mirrors: [apt-sources]
suites: [bookworm]
components: [main]
keyring: none
EOF

sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
row() { # name version arch kind release depends
	printf '%s\t%s\t%s\t%s\t%s\tpool/main/l/linux/%s_%s_%s.deb\t1234\t%s\t%s\t2026-11-20\t2026-11-24\t1\n' \
		"$1" "$2" "$3" "$4" "$5" "$1" "$2" "$3" "$(sha "$1_$2_$3")" "$6"
}
{
	printf '#kbundle-list 1\tname\tversion\tarch\tkind\trelease\tpath\tsize\tsha256\tdepends\tfirst_seen\tlast_seen\tpresent\n'
	row linux-headers-6.1.0-47-amd64 6.1.170-3 amd64 headers 6.1.0-47-amd64 \
		'linux-headers-6.1.0-47-common (= 6.1.170-3), linux-kbuild-6.1 (>= 6.1.170-3)'
	row linux-headers-6.1.0-47-common 6.1.170-3 all headers-common 6.1.0-47 ''
	row linux-headers-6.1.0-48-amd64 6.1.171-1 amd64 headers 6.1.0-48-amd64 \
		'linux-headers-6.1.0-48-common (= 6.1.171-1), linux-kbuild-6.1 (>= 6.1.171-1)'
	row linux-headers-6.1.0-48-common 6.1.171-1 all headers-common 6.1.0-48 ''
	row linux-image-6.1.0-47-amd64 6.1.170-3 amd64 image 6.1.0-47-amd64 ''
	row linux-kbuild-6.1 6.1.170-3 amd64 kbuild 6.1 ''
} >"$t/lists/debian-12.list"

# 6.1.0-48 needs a newer kbuild than the list has: left out, with a warning
"$KBUNDLE" manifest --upstreams "$t/upstreams" --lists "$t/lists" -o "$t/m.yml" 2>"$t/err" ||
	{ cat "$t/err"; fail "manifest failed"; }
grep -q '6.1.0-48-amd64 amd64 (6.1.171-1) left out: .*linux-kbuild-6.1 (>= 6.1.171-1)' "$t/err" ||
	{ cat "$t/err"; fail "no warning for the incomplete release"; }
[ "$(grep -c '^- id: ' "$t/m.yml")" -eq 1 ] || fail "want one bundle"
head -n 1 "$t/m.yml" | grep -qx 'format: kbundle-manifest 2' || fail "format line"
grep -q 'release: 6.1.0-47-amd64' "$t/m.yml" || fail "6.1.0-47-amd64 missing"
"$KBUNDLE" -q manifest --upstreams "$t/upstreams" --lists "$t/lists" -o "$t/m2.yml" 2>/dev/null
cmp "$t/m.yml" "$t/m2.yml" || fail "two runs differ"

# the committed manifest is what the committed lists give
if [ -f "$KB_SRC/manifest.yml" ] && compgen -G "$KB_SRC/lists/*.list" >/dev/null; then
	"$KBUNDLE" -q manifest --upstreams "$KB_SRC/upstreams" --lists "$KB_SRC/lists" \
		-o "$t/real.yml"
	cmp "$t/real.yml" "$KB_SRC/manifest.yml" ||
		fail "manifest.yml is stale: run ./kbundle manifest and commit it"
fi

# failures: exit 1 (2 for configuration), previous manifest untouched
cp "$t/m.yml" "$t/before.yml"
printf 'not a list\n' >"$t/lists/debian-12.list"
rc=0; "$KBUNDLE" manifest --upstreams "$t/upstreams" --lists "$t/lists" -o "$t/m.yml" \
	2>"$t/err" || rc=$?
[ $rc -eq 1 ] || fail "malformed list gave $rc, want 1"
grep -q 'debian-12.list:1:' "$t/err" || { cat "$t/err"; fail "error does not name file:line"; }
cmp "$t/m.yml" "$t/before.yml" || fail "manifest changed after a failure"

rm "$t/lists/debian-12.list"
printf '#kbundle-list 1\tname\tversion\tarch\tkind\trelease\tpath\tsize\tsha256\tdepends\tfirst_seen\tlast_seen\tpresent\n' \
	>"$t/lists/orphan.list"
rc=0; "$KBUNDLE" manifest --upstreams "$t/upstreams" --lists "$t/lists" -o "$t/m.yml" \
	2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "list without upstream file gave $rc, want 2"
cmp "$t/m.yml" "$t/before.yml" || fail "manifest changed after a failure"

rm "$t/lists/orphan.list"
rc=0; "$KBUNDLE" manifest --upstreams "$t/upstreams" --lists "$t/lists" \
	-o "$t/no/such/dir/m.yml" 2>/dev/null || rc=$?
[ $rc -eq 1 ] || fail "unwritable output gave $rc, want 1"
rc=0; "$KBUNDLE" manifest --upstreams "$t/upstreams" --lists "$t/nonexistent" \
	-o "$t/m.yml" 2>/dev/null || rc=$?
[ $rc -eq 1 ] || fail "missing lists directory gave $rc, want 1"
cmp "$t/m.yml" "$t/before.yml" || fail "manifest changed after a failure"
echo "ok"
