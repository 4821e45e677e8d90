#!/usr/bin/env bash
# test_pack_hostile — hostile packages built at test time (path traversal,
# absolute symlink, symlink escaping the tree, hardlink to /etc/passwd,
# device node, decompression bomb) are refused with an error naming the
# package and the entry; nothing is written outside the work directory and
# no bundle appears. A package whose bytes do not match the manifest's
# sha256 is refused, reported by URL and not kept in the cache.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx python3

mirror=$KB_TMP/mirror wd=$KB_TMP/wd ups=$KB_TMP/upstreams
outside=$KB_TMP/outside
mkdir -p "$mirror/pool" "$outside"
kinds=(traversal abslink escape hardlink device bomb)
i=0
for k in "${kinds[@]}"; do
	i=$((i + 1))
	OUTSIDE=$outside python3 "$KB_SRC/tests/e2e/hostile_deb.py" "$k" "9.9.9-$i-amd64" "$mirror/pool/$k.deb"
done
# the mismatch case: the manifest describes good.deb, the mirror serves other bytes
cp "$mirror/pool/device.deb" "$mirror/pool/good.deb"
kb_nginx_start "$mirror"
kb_upstream_file "$ups" hostile debian "$KB_NGINX_URL" none bookworm

# manifest.yml by hand: one bundle per hostile package (ids are content ids)
python3 - "$mirror" "$KB_TMP/manifest.yml" "${kinds[@]}" <<'PY'
import hashlib, os, sys
mirror, out, kinds = sys.argv[1], sys.argv[2], sys.argv[3:]
def pkg(name, path, data):
    return dict(name=name, path=path, size=len(data), sha=hashlib.sha256(data).hexdigest())
entries = []
for i, k in enumerate(kinds, 1):
    data = open(f"{mirror}/pool/{k}.deb", "rb").read()
    entries.append((f"9.9.9-{i}-amd64", pkg(f"linux-headers-9.9.9-{i}-amd64", f"pool/{k}.deb", data)))
# claims good.deb holds other bytes of the same size: a sha256 mismatch
good = bytearray(open(f"{mirror}/pool/good.deb", "rb").read())
good[-1] ^= 1
bad = pkg("linux-headers-9.9.9-99-amd64", "pool/good.deb", bytes(good))
open(f"{mirror}/../claimed.sha256", "w").write(bad["sha"])
entries.append(("9.9.9-99-amd64", bad))
with open(out, "w") as f:
    f.write('format: "kbundle-manifest 1"\nbundles:\n')
    for rel, p in entries:
        bid = hashlib.sha256(("kbundle-bundle-v1\n" + p["sha"] + "\n").encode()).hexdigest()
        f.write(f"- id: {bid}\n  distro: debian\n  upstream: hostile\n  release: {rel}\n  arch: amd64\n"
                f"  version: \"1\"\n  headers:\n  - name: {p['name']}\n    version: \"1\"\n    arch: amd64\n"
                f"    kind: headers\n    path: {p['path']}\n    size: \"{p['size']}\"\n    sha256: {p['sha']}\n"
                f"  images: []\n")
PY

pack() { "$KBUNDLE" pack --all --manifest "$KB_TMP/manifest.yml" --upstreams "$ups" --workdir "$wd" "$@"; }
expect_refused() { # RELEASE PATTERN
	local rel=$1 pat=$2 rc=0
	pack --release "^$rel\$" >"$KB_TMP/out.log" 2>&1 || rc=$?
	[ $rc -eq 1 ] || { cat "$KB_TMP/out.log"; kb_die "$rel: pack exited $rc, want 1"; }
	grep -qE "$pat" "$KB_TMP/out.log" || { cat "$KB_TMP/out.log"; kb_die "$rel: no error matching '$pat'"; }
	kb_log "$rel refused: $(grep -E "$pat" "$KB_TMP/out.log" | head -1)"
}
expect_refused 9.9.9-1-amd64 "linux-headers-9.9.9-1-amd64: entry '.*kb-evil': path contains '..'"
expect_refused 9.9.9-2-amd64 "absolute symlink 'usr/src/linux-headers-9.9.9-2-amd64/evil' -> '/etc/passwd'"
expect_refused 9.9.9-3-amd64 "linux-headers-9.9.9-3-amd64: entry '.*evil': symlink to '.*etc/passwd' leaves the tree"
expect_refused 9.9.9-4-amd64 "linux-headers-9.9.9-4-amd64: entry '.*evil': hardlink to '/etc/passwd' leaves the archive"
expect_refused 9.9.9-5-amd64 "linux-headers-9.9.9-5-amd64: entry '.*evil': device node"
expect_refused 9.9.9-6-amd64 "linux-headers-9.9.9-6-amd64: entry '.*zeros': .*decompression bomb"
expect_refused 9.9.9-99-amd64 "$KB_NGINX_URL/pool/good.deb: sha256 mismatch \\(want $(cat "$KB_TMP/claimed.sha256")"

# nothing outside the work directory, no bundle, no kept mismatch
[ -z "$(ls -A "$outside")" ] || kb_die "something was written outside the work directory"
[ ! -e "/kb-evil" ] && [ ! -e "$KB_TMP/kb-evil" ] || kb_die "the traversal wrote a file"
! ls "$wd"/bundles/*.tgz >/dev/null 2>&1 || kb_die "a bundle was written for a hostile package"
bad=$(cat "$KB_TMP/claimed.sha256")
[ ! -e "$wd/cache/objects/${bad:0:2}/$bad" ] || kb_die "the mismatching download was kept in the cache"
[ -z "$(find "$wd/cache/objects" -name '*.dl*')" ] || kb_die "a partial download was left"
# a damaged cached object is thrown away and fetched again
good=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$KB_TMP/mirror/pool/device.deb")
[ -f "$wd/cache/objects/${good:0:2}/$good" ] || kb_die "the device package was not cached"
echo garbage >"$wd/cache/objects/${good:0:2}/$good"
expect_refused 9.9.9-5-amd64 "cache/objects/${good:0:2}/$good: size mismatch"
cmp "$wd/cache/objects/${good:0:2}/$good" "$KB_TMP/mirror/pool/device.deb" || kb_die "the damaged object was not replaced"
echo ok
