#!/usr/bin/env bash
# test_bundle_hostile — hostile bundles that pass every per-entry (lexical)
# check, each given to every command that extracts a bundle; built by
# hostile_bundle.py, no real packages or servers needed:
#   updir-chain       d/up1 -> .., d/upN -> up{N-1}/.. (N to 15), then
#                     d/up15/tmp/KBUNDLE_VMTEST_ESCAPED: to `vmtest --bundle`,
#                     to vmtest as the bundle of a work directory's manifest
#                     entry, and to `fetch --extract`
#   hardlink-symlink  a/b/l -> ../.. then a hard link x -> a/b/l: to
#                     `fetch --extract` (and vmtest)
# (fetch reads an unsigned index here: --insecure-no-signature.)
# Each is refused, exit 1, with a message naming the entry; nothing is created
# outside the tree (no /tmp/KBUNDLE_VMTEST_ESCAPED, nothing beside the
# extract directory) and nothing half-extracted is left.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need python3 sha256sum
escaped=/tmp/KBUNDLE_VMTEST_ESCAPED
rm -f "$escaped"
[ ! -e "$escaped" ] || kb_skip "$escaped exists and cannot be removed"
# a manifest-style id: over the format tag and the (made-up) headers' sha256
hsha=$(printf 'headers\n' | sha256sum | cut -c1-64)
id=$(printf 'kbundle-bundle-v1\n%s\n' "$hsha" | sha256sum | cut -c1-64)
uname=9.9.9-hostile-amd64
mk() { python3 "$KB_SRC/tests/e2e/hostile_bundle.py" "$1" "$id" "$uname" "$2"; }
no_escape() { # WHAT — nothing escaped to the host's /tmp
	[ ! -e "$escaped" ] || { rm -f "$escaped"; kb_die "$1: $escaped was created outside the tree"; }
}

# vmtest --bundle: the kernel package is junk (nothing boots), but the bundle
# is extracted first to build the test module against it.
printf 'not a package\n' >"$KB_TMP/image.deb"
for kind in updir-chain hardlink-symlink; do
	mk "$kind" "$KB_TMP/$kind.tgz"
	rc=0
	"$KBUNDLE" vmtest --workdir "$KB_TMP/wd-direct" --bundle "$KB_TMP/$kind.tgz" \
		--image "$KB_TMP/image.deb" --accel tcg --json "$KB_TMP/$kind.json" \
		>"$KB_TMP/$kind.out" 2>"$KB_TMP/$kind.err" || rc=$?
	no_escape "vmtest --bundle $kind"
	[ $rc = 1 ] || { cat "$KB_TMP/$kind.err"; kb_die "vmtest --bundle $kind: exit $rc, want 1"; }
	case $kind in
	updir-chain) pat="entry 'd/up2': symlink leads out of the tree" ;;
	hardlink-symlink) pat="entry 'x': hard link to something other than an earlier regular file" ;;
	esac
	grep -qF "$pat" "$KB_TMP/$kind.err" || { cat "$KB_TMP/$kind.err"; kb_die "vmtest --bundle $kind: no \"$pat\""; }
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
c = r["kernels"][0]["modules"][0]["checks"]["build"]
assert c["status"] == "fail" and "could not be read" in c["detail"], c' "$KB_TMP/$kind.json" ||
		kb_die "vmtest --bundle $kind: the report does not fail the build check"
	kb_log "vmtest --bundle $kind: refused: $(grep -m1 -F "$pat" "$KB_TMP/$kind.err")"
done

# The same bundle in a work directory, as a manifest entry's packed bundle.
wd=$KB_TMP/wd
mkdir -p "$wd/bundles" "$KB_TMP/ups"
cp "$KB_TMP/updir-chain.tgz" "$wd/bundles/$id.tgz"
isha=$(kb_sha256 "$KB_TMP/image.deb")
mkdir -p "$wd/cache/objects/${isha:0:2}"
cp "$KB_TMP/image.deb" "$wd/cache/objects/${isha:0:2}/$isha"
cat >"$KB_TMP/manifest.yml" <<YML
format: kbundle-manifest 1
bundles:
- id: $id
  distro: debian
  upstream: debian-12
  release: $uname
  arch: amd64
  version: "9.9.9-1"
  headers:
  - name: linux-headers-$uname
    version: "9.9.9-1"
    arch: amd64
    kind: headers
    path: pool/main/l/linux/linux-headers-${uname}_9.9.9-1_amd64.deb
    size: 8
    sha256: $hsha
  images:
  - name: linux-image-$uname
    version: "9.9.9-1"
    arch: amd64
    kind: image
    path: pool/main/l/linux/linux-image-${uname}_9.9.9-1_amd64.deb
    size: $(stat -c %s "$KB_TMP/image.deb")
    sha256: $isha
YML
rc=0
"$KBUNDLE" vmtest --all --manifest "$KB_TMP/manifest.yml" --upstreams "$KB_TMP/ups" --workdir "$wd" \
	--accel tcg >"$KB_TMP/wd.out" 2>"$KB_TMP/wd.err" || rc=$?
no_escape "vmtest from the work directory"
[ $rc = 1 ] || { cat "$KB_TMP/wd.err"; kb_die "vmtest from the work directory: exit $rc, want 1"; }
grep -qF "entry 'd/up2': symlink leads out of the tree" "$KB_TMP/wd.err" ||
	{ cat "$KB_TMP/wd.err"; kb_die "vmtest from the work directory: not refused by name"; }
kb_log "vmtest from the work directory: refused"

# fetch --extract from a published directory: refused, nothing in -o, no
# extract directory, nothing beside it.
for kind in hardlink-symlink updir-chain; do
	pub=$KB_TMP/pub-$kind
	mkdir -p "$pub"
	cp "$KB_TMP/$kind.tgz" "$pub/$id.tgz"
	(cd "$pub" && sha256sum "$id.tgz" >"$id.tgz.sha256")
	python3 -c 'import json, os, sys
d, bid, rel = sys.argv[1:]
p = os.path.join(d, bid + ".tgz")
b = {"id": bid, "distro": "debian", "uname": rel, "arch": "amd64",
     "sha256": open(p + ".sha256").read()[:64], "size": os.path.getsize(p)}
json.dump({"packer_format": 1, "bundles": [b]}, open(os.path.join(d, "index.json"), "w"))' "$pub" "$id" "$uname"
	o=$(kb_fast_tmpdir)
	rc=0
	"$KBUNDLE" fetch --insecure-no-signature --uname "$uname" --arch amd64 --from "$pub" -o "$o/dl" --extract "$o/kb" \
		>"$KB_TMP/f-$kind.out" 2>"$KB_TMP/f-$kind.err" || rc=$?
	no_escape "fetch --extract $kind"
	[ $rc = 1 ] || { cat "$KB_TMP/f-$kind.err"; kb_die "fetch --extract $kind: exit $rc, want 1"; }
	case $kind in
	updir-chain) pat="entry 'd/up2': symlink leads out of the tree" ;;
	hardlink-symlink) pat="entry 'x': hard link to something other than an earlier regular file" ;;
	esac
	grep -qF "$pat" "$KB_TMP/f-$kind.err" || { cat "$KB_TMP/f-$kind.err"; kb_die "fetch --extract $kind: no \"$pat\""; }
	[ ! -s "$KB_TMP/f-$kind.out" ] || kb_die "fetch --extract $kind: printed $(cat "$KB_TMP/f-$kind.out")"
	[ ! -e "$o/kb" ] || kb_die "fetch --extract $kind: the extract directory exists: $(ls -la "$o/kb")"
	[ -z "$(ls -A "$o/dl" 2>/dev/null)" ] || kb_die "fetch --extract $kind: left $(ls -A "$o/dl") in -o"
	[ "$(ls -A "$o")" = dl ] || kb_die "fetch --extract $kind: left $(ls -A "$o") beside the extract directory"
	[ ! -e "$o/x" ] && [ ! -L "$o/x" ] || kb_die "fetch --extract $kind: x was created outside"
	kb_log "fetch --extract $kind: refused: $(grep -m1 -F "$pat" "$KB_TMP/f-$kind.err")"
done
echo ok
