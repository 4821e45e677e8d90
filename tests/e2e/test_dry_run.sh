#!/usr/bin/env bash
# test_dry_run — --dry-run writes nothing, and neither does the --all guard:
# on a real work directory (the e2e Debian mirror crawled, one release
# packed and published, an unneeded object in the cache), the file trees
# of the work directory, the store and the current directory are the same
# (paths, sizes, modes, times, sha256s) before and after pack --dry-run
# (with and without a selector), vmtest --dry-run, publish --dry-run (to
# the store and to a directory that must not appear), cache gc --dry-run,
# and pack/vmtest with no selector (exit 2, saying what they would do).
# Each dry run says what a run would do, and a real run then does it; on a
# terminal (script -qc) that run draws its progress line (N/M, bytes,
# elapsed, ETA), and off one it draws none.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx python3 make qemu-system-x86_64 script
kb_debian_fetch
kb_pipeline debian
wd=$KB_WORKDIR pub=$KB_TMP/pub
common=(--manifest "$KB_MANIFEST" --upstreams "$KB_UPSTREAMS" --workdir "$wd")
re_a="^$(printf '%s' "$KB_REL_A" | sed 's/[.+]/\\&/g')\$"
# not a terminal: no progress line
"$KBUNDLE" pack "${common[@]}" --release "$re_a" 2>"$KB_TMP/pack-a.err"
! grep -q $'\r' "$KB_TMP/pack-a.err" || kb_die "pack drew a progress line on a non-terminal"
rm "$KB_TMP/pack-a.err"
"$KBUNDLE" -q publish --workdir "$wd" --to "$pub"
stale=$(printf 'stale' | sha256sum | cut -d' ' -f1)
mkdir -p "$wd/cache/objects/${stale:0:2}" && printf 'stale' >"$wd/cache/objects/${stale:0:2}/$stale"
cd "$KB_TMP"

tree() { # the state of every file and directory under the test's scratch space
	find "$KB_TMP" -path "$KB_NGINX_DIR" -prune -o -printf '%y %m %s %T@ %p\n' | LC_ALL=C sort
	find "$KB_TMP" -path "$KB_NGINX_DIR" -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
}
snap=$(mktemp -d)	# outside the tree it watches
kb_on_exit rm -rf "$snap"
tree >"$snap/before"
same() { # same WHAT: the tree is as it was
	tree >"$snap/after"
	diff "$snap/before" "$snap/after" >&2 || kb_die "$1 changed files (diff above)"
}
run() { # run WANT_EXIT PATTERN ARG…: kbundle's exit and what it says (stdout+stderr)
	local want=$1 pat=$2 rc=0
	shift 2
	"$KBUNDLE" "$@" >"$snap/out" 2>&1 || rc=$?
	[ $rc -eq "$want" ] || { cat "$snap/out"; kb_die "kbundle $*: exit $rc, want $want"; }
	grep -qE -- "$pat" "$snap/out" || kb_die "kbundle $*: no '$pat' in: $(cat "$snap/out")"
	[ "$want" -eq 0 ] || grep -q "^Add --all to go ahead" "$snap/out" || kb_die "kbundle $*: no way ahead named"
	same "kbundle $*"
}
run 0 "^would pack 2 bundles \(1 packed already\), [0-9]+ of [0-9]+ packages to download \([0-9.]+ [kMG]B\)$" \
	pack "${common[@]}" --dry-run
run 0 "^would pack 1 bundle \(1 packed already\), 0 of " pack "${common[@]}" --dry-run --release "$re_a"
run 2 "no selector given: this would pack 2 bundles \(1 packed already\)" pack "${common[@]}"
run 0 "^would boot 2 kernels: 2 bundles \(1 packed already\)" vmtest "${common[@]}" --dry-run
run 2 "no selector given: this would boot 2 kernels" vmtest "${common[@]}"
run 0 "would copy 0 bundles; 1 already there" publish --workdir "$wd" --to "$pub" --dry-run
run 0 "would copy 1 bundles; 0 already there" publish --workdir "$wd" --to "$KB_TMP/pub2" --dry-run
run 0 "^would remove 1 objects, 5 bytes$" cache gc --workdir "$wd" --manifest "$KB_MANIFEST" --dry-run
kb_log "dry runs and the --all guard: nothing written"

# the real runs do what the dry runs said
"$KBUNDLE" cache gc --workdir "$wd" --manifest "$KB_MANIFEST" | grep -qx 'removed 1 objects, 5 bytes' ||
	kb_die "cache gc did not remove the stale object"
# on a terminal (script(1) gives one): N/M, bytes, elapsed and ETA
script -qec "$(printf '%q ' "$KBUNDLE" pack "${common[@]}" --all --json "$KB_TMP/pack.json")" /dev/null \
	>"$snap/tty" || { cat "$snap/tty"; kb_die "pack --all failed"; }
grep -qaE $'\r\e\\[Kpacking 1/1, [0-9.]+ [kMG]B, [0-9]+s, ETA [0-9]+s' "$snap/tty" ||
	kb_die "pack on a terminal drew no progress line: $(cat -v "$snap/tty")"
python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["selected"] == 2 and r["packed"] == 1 and r["packed_already"] == 1, r' "$KB_TMP/pack.json" ||
	kb_die "pack --all: $(cat "$KB_TMP/pack.json")"
echo ok
