#!/usr/bin/env bash
# test_limits.sh — each resource limit, exceeded on a signed mirror of the
# real Debian index (apt's own Packages lists on this machine), refuses
# the input with an error naming the flag and writes nothing: no list, no
# temp file. The same crawl with the default limits succeeds. Archive limits
# (--max-entries, --max-path) are covered by test_limits.c and test_hostile.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx gpgv gpg apt-ftparchive xz

# The mirror holds the real index: apt's own Packages lists here — every
# kernel stanza plus ~3 MB of the rest (xz 5.6:1, as on the real mirror) —
# and one synthetic 2000-byte line, signed with a throwaway key.
mapfile -t idx < <(apt-get indextargets --format '$(FILENAME)' 'Identifier: Packages' 2>/dev/null)
[ ${#idx[@]} -gt 0 ] || kb_skip "apt has no Packages lists here (apt-get update first)"
m=$KB_TMP/mirror
p=$m/dists/bookworm/main/binary-amd64/Packages
mkdir -p "${p%/*}"
for f in "${idx[@]}"; do /usr/lib/apt/apt-helper cat-file "$f"; done |
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
	     /(^|\n)Package: linux-(headers|kbuild|image)-/ || bulk < 3000000 { print; bulk += length($0) }' >"$p"
grep -q '^Package: linux-headers-.*-amd64$' "$p" || kb_skip "apt's lists hold no linux-headers packages"
hdr=$(grep -m1 '^Package: linux-headers-.*-amd64$' "$p" | cut -d' ' -f2)
printf 'Package: zz-long\nVersion: 1\nArchitecture: amd64\nDescription: %s\n\n' "$(head -c 2000 /dev/zero | tr '\0' x)" >>"$p"
printf 'Archive: bookworm\nComponent: main\nArchitecture: amd64\n' >"${p%/*}/Release"
KB_KEYRING=$(kb_gpg_key archive)/keyring.gpg
kb_apt_finish_suite "$m" bookworm
kb_nginx_start "$m"
mkdir -p "$KB_TMP/up"
cat >"$KB_TMP/up/deb.yml" <<YML
distro: debian
family: apt
release: "12"
architectures: [amd64]
mirrors: ["$KB_NGINX_URL"]
suites: [bookworm]
components: [main]
keyring: $KB_KEYRING
YML
n=0
crawl() { # crawl WANT_EXIT [FLAG…]: a fresh lists dir and work dir each time
	n=$((n + 1))
	local want=$1 rc=0
	shift
	lists=$KB_TMP/lists$n wd=$KB_TMP/wd$n
	mkdir -p "$lists"
	"$KBUNDLE" crawl --upstreams "$KB_TMP/up" --lists "$lists" --workdir "$wd" "$@" \
		>"$KB_TMP/out" 2>"$KB_TMP/err" || rc=$?
	[ $rc -eq "$want" ] || { cat "$KB_TMP/err"; kb_die "crawl $* exited $rc, want $want"; }
}
refused() { # refused FLAG VALUE EXIT PATTERN: exceeded, named, nothing written
	crawl "$3" "$1" "$2"
	grep -qE -- "$4" "$KB_TMP/err" || { cat "$KB_TMP/err"; kb_die "$1 $2: no error matching '$4'"; }
	[ -z "$(ls -A "$lists")" ] || kb_die "$1 $2: wrote $(ls -A "$lists")"
	[ ! -d "$wd/tmp" ] || [ -z "$(ls -A "$wd/tmp")" ] || kb_die "$1 $2: left temp files: $(ls -A "$wd/tmp")"
	kb_log "refused: $1 $2 — $(grep -m1 -E -- "$4" "$KB_TMP/err")"
}

crawl 0
[ -s "$lists/deb.list" ] || kb_die "the default limits refused the real mirror"
grep -q "^$hdr	" "$lists/deb.list" || kb_die "crawl missed $hdr"

refused --max-index-size 16K 1 'more than 16384 \(--max-index-size\)'
refused --max-index-size 1K 1 'InRelease: larger than 1024 bytes'
refused --max-unpacked-size 1M 1 'Packages.xz: decompresses to more than 1048576 bytes \(--max-unpacked-size\)'
refused --max-ratio 2 1 'Packages.xz: decompresses more than 2 times .* \(--max-ratio\)'
refused --max-line 1000 1 'line too long \(--max-line\)'
refused --max-yaml-depth 1 2 'deb.yml:[0-9]+: YAML nested deeper than 1 levels \(--max-yaml-depth\)'
# a bad value is a usage error
crawl 2 --max-ratio 0
grep -q -- "--max-ratio: '0' is not a positive number" "$KB_TMP/err" || kb_die "bad --max-ratio not named"
# other values are honoured too: above the real index (longest real line 75,649)
crawl 0 --max-line 100K --max-ratio 10
echo "limits: every one refused with its flag named, nothing written"
