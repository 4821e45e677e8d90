#!/usr/bin/env bash
# test_limits_pack.sh — the archive limits on real packages: `kbundle pack`
# of the real Debian kernel headers (thousands of entries, ~70 MB unpacked)
# with --max-entries, --max-path or --max-unpacked-size set below what they
# hold refuses, names the package, the entry and the flag, and writes no
# bundle and no index. (The index limits are in test_limits.)
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx

kb_pipeline debian	# mirror, nginx, upstream file, crawl, manifest (lib.sh)
n=0
refused() { # refused FLAG VALUE PATTERN
	n=$((n + 1))
	local wd=$KB_TMP/wd$n rc=0
	"$KBUNDLE" pack --all --manifest "$KB_MANIFEST" --upstreams "$KB_UPSTREAMS" --workdir "$wd" \
		--release "^$KB_REL_A\$" "$1" "$2" >"$KB_TMP/out" 2>"$KB_TMP/err" || rc=$?
	[ $rc -eq 1 ] || { cat "$KB_TMP/err"; kb_die "pack $1 $2: exit $rc, want 1"; }
	grep -qE -- "$3" "$KB_TMP/err" || { cat "$KB_TMP/err"; kb_die "pack $1 $2: no error matching '$3'"; }
	! ls "$wd"/bundles/*.tgz "$wd/bundles/index.json" 2>/dev/null || kb_die "pack $1 $2 wrote a bundle"
	kb_log "refused: $1 $2 — $(grep -m1 -E -- "$3" "$KB_TMP/err")"
}
refused --max-entries 500 'linux-headers-.*: entry .*: too many entries \(--max-entries\)'
refused --max-path 40 'linux-headers-.*: entry .*: path too long \(--max-path\)'
refused --max-unpacked-size 2M 'linux-headers-.*(larger than the size limit|more than 2097152 bytes decompressed) \(--max-unpacked-size\)'
echo "pack limits: every one refused with its flag named, no bundle written"
