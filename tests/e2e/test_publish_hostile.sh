#!/usr/bin/env bash
# test_publish_hostile — `kbundle publish` into a directory that holds other
# people's files (issue 12, items 4 and 5), with small bundles made by
# store_fixture.py (no packages, no server):
#   * files named like temp files but not kbundle's (index.tmp.html,
#     backup.tmp.1) survive the sweep; kbundle's own leftover is swept;
#   * a planted `lock -> ../precious.txt` is neither followed nor truncated,
#     and publish writes no lock file into the served directory;
#   * a published bundle with one flipped byte (same size, sidecar intact) is
#     copied again by the next publish, which says so; an untouched one is
#     not read again (its sha256 is remembered under inode, size and times).
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need python3 sha256sum cmp
fx() { python3 "$KB_SRC/tests/e2e/store_fixture.py" "$@"; }

wd=$KB_TMP/wd pub=$KB_TMP/pub
mkdir -p "$wd/bundles" "$pub"
a=$(fx id a) b=$(fx id b)
fx bundle "$wd/bundles/$a.tgz" "$a" 9.9.9-a-amd64
fx bundle "$wd/bundles/$b.tgz" "$b" 9.9.9-b-amd64
fx index "$wd/bundles"

# other people's files, and a lock planted to make publish empty one
echo html >"$pub/index.tmp.html"
echo backup >"$pub/backup.tmp.1"
echo precious >"$KB_TMP/precious.txt"
ln -s ../precious.txt "$pub/lock"
# what a killed publish of ours leaves
echo partial >"$pub/.index.json.kbundle.tmp.Ab12Cd"

"$KBUNDLE" publish --workdir "$wd" --to "$pub" 2>"$KB_TMP/p1.err" ||
	{ cat "$KB_TMP/p1.err"; kb_die "publish failed"; }
[ "$(cat "$pub/index.tmp.html" 2>/dev/null)" = html ] || kb_die "publish deleted index.tmp.html"
[ "$(cat "$pub/backup.tmp.1" 2>/dev/null)" = backup ] || kb_die "publish deleted backup.tmp.1"
[ "$(cat "$KB_TMP/precious.txt")" = precious ] ||
	kb_die "publish followed the planted lock symlink and emptied precious.txt"
[ -L "$pub/lock" ] || kb_die "the planted lock symlink was replaced"
[ ! -e "$pub/.index.json.kbundle.tmp.Ab12Cd" ] || kb_die "kbundle's own leftover temp file was not swept"
extra=$(ls -A "$pub" | grep -v -x -e index.json -e index.html -e "$a.tgz" -e "$a.tgz.sha256" -e "$b.tgz" \
	-e "$b.tgz.sha256" -e index.tmp.html -e backup.tmp.1 -e lock -e SHA256SUMS -e debian || true)
[ -z "$extra" ] || kb_die "publish left files in the served directory: $extra"
kb_log "publish: other people's *.tmp.* files and the planted lock untouched, no lock file served"

# a flipped byte in a published bundle: repaired by the next publish
python3 - "$pub/$a.tgz" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(40); c = f.read(1); f.seek(40); f.write(bytes([c[0] ^ 0xff]))
PY
cmp -s "$pub/$a.tgz" "$wd/bundles/$a.tgz" && kb_die "the byte did not flip"
"$KBUNDLE" -v publish --workdir "$wd" --to "$pub" 2>"$KB_TMP/p2.err" ||
	{ cat "$KB_TMP/p2.err"; kb_die "second publish failed"; }
cmp -s "$pub/$a.tgz" "$wd/bundles/$a.tgz" ||
	{ cat "$KB_TMP/p2.err"; kb_die "re-publishing did not repair the corrupted bundle"; }
grep -q "$a.tgz: its bytes changed since it was published" "$KB_TMP/p2.err" ||
	{ cat "$KB_TMP/p2.err"; kb_die "the repair was not reported"; }
(cd "$pub" && sha256sum -c --quiet "$a.tgz.sha256" "$b.tgz.sha256") || kb_die "sidecars do not check"
# a third run reads nothing again: every published file's sha256 is remembered
"$KBUNDLE" -v publish --workdir "$wd" --to "$pub" 2>"$KB_TMP/p3.err" || kb_die "third publish failed"
grep -q "0 published bundles read to check their bytes" "$KB_TMP/p3.err" ||
	{ cat "$KB_TMP/p3.err"; kb_die "an unchanged publish hashed the bundles again"; }
grep -q "2 already there" "$KB_TMP/p3.err" || { cat "$KB_TMP/p3.err"; kb_die "third publish copied"; }
kb_log "publish: a flipped byte repaired; unchanged bundles not re-read"
echo ok
