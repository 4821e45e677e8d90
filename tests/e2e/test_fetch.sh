#!/usr/bin/env bash
# test_fetch — publish and fetch, the way a downstream product uses kbundle:
# crawl + manifest (lib.sh's Debian pipeline), pack release A, publish to a
# directory served by nginx, then `kbundle fetch --uname A --extract DIR` and
# build a module against the printed build dir (vermagic starts with A).
# Refused, with nothing left behind: a bundle whose bytes changed on the
# server, a sidecar that disagrees, a hostile index.json (path traversal in
# an id, a bad sha256), hostile bundles that pass their checksums (a '..'
# entry, an absolute symlink, a chain of links that climbs out). An unknown
# uname is exit 1 naming it; several bundles for one uname, exit 2 listing
# them. Publishing merges: older bundles whose files are there stay listed.
# The store is signed (publish --sign-key, fetch --key; the signature checked
# with openssl too), and the mirror's other release is published, fetched and
# built against the same way; the hand-edited indexes below are read with
# --insecure-no-signature, to reach the checks under the signature.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx make gcc modinfo python3 curl

kb_pipeline debian
wd=$KB_WORKDIR
re=$(printf '%s' "$KB_REL_A" | sed 's/[.+]/\\&/g')
"$KBUNDLE" -q pack --all --manifest "$KB_MANIFEST" --upstreams "$KB_UPSTREAMS" --workdir "$wd" \
	--release "^$re\$" -j 2 || kb_die "pack $KB_REL_A failed"

# publish: bundle + sidecar + index, checkable with sha256sum -c
pub=$KB_TMP/pub
"$KBUNDLE" -q key generate -o "$KB_TMP/store" >/dev/null || kb_die "key generate failed"
key=(--key "$KB_TMP/store.pub")
"$KBUNDLE" publish --workdir "$wd" --to "$pub" --sign-key "$KB_TMP/store" || kb_die "publish failed"
openssl pkeyutl -verify -pubin -inkey "$KB_TMP/store.pub" -rawin -in "$pub/index.json" \
	-sigfile "$pub/index.json.sig" >/dev/null || kb_die "openssl does not verify index.json.sig"
id=$(python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))["bundles"]
assert len(b) == 1 and b[0]["uname"] == sys.argv[2], b
print(b[0]["id"])' "$pub/index.json" "$KB_REL_A") || kb_die "published index.json is wrong"
(cd "$pub" && sha256sum -c --quiet "$id.tgz.sha256") || kb_die "published sidecar does not check"
cmp -s "$pub/$id.tgz" "$wd/bundles/$id.tgz" || kb_die "published bundle differs from the packed one"
ls -A "$pub" | grep -v -e '^index.json$' -e '^index.json.sig$' -e "^$id.tgz" -e '^lock$' \
	-e '^SHA256SUMS$' -e '^SHA256SUMS.sig$' -e '^debian$' -e '^signatures$' -e '^index.html$' &&
	kb_die "publish left other files"
kb_nginx_start "$pub"
url=$KB_NGINX_URL

# fetch + extract + build, as in the README
scratch=$(kb_fast_tmpdir)
t0=$(date +%s.%N)
bd=$(cd "$scratch" && "$KBUNDLE" fetch "${key[@]}" --uname "$KB_REL_A" --from "$url" -o dl --extract kb) ||
	kb_die "fetch failed"
kb_log "fetch + verify + extract of $(stat -c %s "$pub/$id.tgz") bytes ($(tar -tzf "$pub/$id.tgz" | wc -l) entries) to tmpfs: $(echo "$(date +%s.%N) - $t0" | bc) s"
[ "$bd" = "$scratch/kb/$(cat "$scratch/kb/BUNDLE_BUILD_DIR")" ] || kb_die "fetch printed '$bd'"
cmp -s "$scratch/dl/$id.tgz" "$pub/$id.tgz" || kb_die "the fetched bundle differs"
(cd "$scratch/dl" && sha256sum -c --quiet "$id.tgz.sha256") || kb_die "fetched sidecar does not check"
[ "$(ls -A "$scratch/dl" | wc -l)" = 2 ] || kb_die "fetch left more than the bundle and sidecar: $(ls -A "$scratch/dl")"
[ "$(ls -A "$scratch" | sort | tr '\n' ' ')" = "dl kb " ] || kb_die "fetch left temp files: $(ls -A "$scratch")"
# the shell way, for comparison: curl, sha256sum -c, tar -x
b=$(kb_fast_tmpdir); t0=$(date +%s.%N)
(cd "$b" && curl -sfO "$url/$id.tgz" && curl -sfO "$url/$id.tgz.sha256" && sha256sum -c --quiet "$id.tgz.sha256" &&
	mkdir x && tar -xzf "$id.tgz" -C x) || kb_die "the shell way failed"
kb_log "curl + sha256sum + tar -x of the same: $(echo "$(date +%s.%N) - $t0" | bc) s"
rm -rf "$b"
# built_against BUILD_DIR MODDIR RELEASE — lib.sh's test module built in
# BUILD_DIR as a product would (make -C BUILD_DIR M=MODDIR); its vermagic
# starts with RELEASE
built_against() {
	local vm
	kb_test_module "$2"
	make -s -C "$1" M="$2" modules >"$2.log" 2>&1 ||
		{ cat "$2.log" >&2; kb_die "module build against the fetched $3 bundle failed"; }
	vm=$(modinfo -F vermagic "$2/kbtest.ko")
	case "$vm" in "$3 "*) ;; *) kb_die "vermagic '$vm' does not start with $3" ;; esac
	kb_log "module built against the fetched $3 bundle: vermagic $vm"
}
built_against "$bd" "$scratch/mod" "$KB_REL_A"

# again: nothing downloaded, the extracted tree kept; --json is JSON only
gets=$(grep -c "GET /$id.tgz " "$KB_NGINX_ACCESS_LOG")
(cd "$scratch" && "$KBUNDLE" fetch "${key[@]}" --uname "$KB_REL_A" --from "$url" -o dl --extract kb --json -v) \
	>"$KB_TMP/fetch.json" 2>"$KB_TMP/fetch.err" || { cat "$KB_TMP/fetch.err"; kb_die "second fetch failed"; }
python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert j["id"] == sys.argv[2] and j["uname"] == sys.argv[3] and j["downloaded"] is False, j
assert j["build_dir"] == sys.argv[4], j' "$KB_TMP/fetch.json" "$id" "$KB_REL_A" "$bd" ||
	kb_die "fetch --json: $(cat "$KB_TMP/fetch.json")"
[ "$(grep -c "GET /$id.tgz " "$KB_NGINX_ACCESS_LOG")" = "$gets" ] || kb_die "the second fetch downloaded again"

# a directory works as --from too, and so does the index's own name;
# --arch x86_64 is amd64
"$KBUNDLE" -q fetch "${key[@]}" --uname "$KB_REL_A" --from "$pub/index.json" --arch x86_64 -o "$KB_TMP/dl-dir" ||
	kb_die "fetch from a directory failed"
cmp -s "$KB_TMP/dl-dir/$id.tgz" "$pub/$id.tgz" || kb_die "fetch from a directory: different bytes"

# an unknown uname: exit 1, naming the uname and the index
rc=0
"$KBUNDLE" fetch "${key[@]}" --uname 9.9.9-nope --from "$url" -o "$KB_TMP/none" 2>"$KB_TMP/err" || rc=$?
[ $rc = 1 ] || kb_die "unknown uname: exit $rc, want 1"
grep -q "$url/index.json: no bundle for uname '9.9.9-nope'" "$KB_TMP/err" || kb_die "unknown uname: $(cat "$KB_TMP/err")"
[ -z "$(ls -A "$KB_TMP/none")" ] || kb_die "unknown uname left files: $(ls -A "$KB_TMP/none")"
# another architecture only: not found either
rc=0
"$KBUNDLE" -q fetch "${key[@]}" --uname "$KB_REL_A" --arch arm64 --from "$url" -o "$KB_TMP/none" 2>/dev/null || rc=$?
[ $rc = 1 ] || kb_die "--arch arm64: exit $rc, want 1"

# fetch_refused NAME DIR-SERVED-AS-PUB PATTERN — fetch from a copy of pub
# changed by the caller: exit 1, PATTERN on stderr, nothing in -o or the
# extract directory.
fetch_refused() {
	local name=$1 from=$2 pat=$3 rc=0 o
	o=$(kb_fast_tmpdir)
	"$KBUNDLE" fetch "${key[@]}" --uname "$KB_REL_A" --from "$from" -o "$o/dl" --extract "$o/kb" \
		>"$KB_TMP/$name.out" 2>"$KB_TMP/$name.err" || rc=$?
	[ $rc = 1 ] || { cat "$KB_TMP/$name.err"; kb_die "$name: exit $rc, want 1"; }
	grep -q -- "$pat" "$KB_TMP/$name.err" || { cat "$KB_TMP/$name.err"; kb_die "$name: no '$pat'"; }
	[ ! -s "$KB_TMP/$name.out" ] || kb_die "$name: printed $(cat "$KB_TMP/$name.out")"
	[ -z "$(ls -A "$o/dl" 2>/dev/null)" ] || kb_die "$name: left $(ls -A "$o/dl") in -o"
	[ ! -e "$o/kb" ] && [ -z "$(ls -A "$o")" -o "$(ls -A "$o")" = dl ] ||
		kb_die "$name: left $(ls -A "$o") beside the extract directory"
	kb_log "$name: refused: $(grep -m1 error "$KB_TMP/$name.err")"
}
# copy_pub DIR — a copy of pub (the same bundle) at DIR
copy_pub() { rm -rf "$1"; cp -a "$pub" "$1"; }
srv=$KB_TMP/srv   # served by nginx as $url/x/
mkdir -p "$srv"
ln -s "$srv" "$pub/x"

# a tampered bundle on the server: one byte changed, same size
copy_pub "$srv/tamper"; rm -f "$srv/tamper/x"
python3 -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 0xff; open(p, "wb").write(b)' \
	"$srv/tamper/$id.tgz"
fetch_refused tampered "$url/x/tamper" "does not match the index"
# the sidecar disagrees with the index
copy_pub "$srv/side"; rm -f "$srv/side/x"
printf '%064d  %s.tgz\n' 0 "$id" >"$srv/side/$id.tgz.sha256"
fetch_refused sidecar "$url/x/side" "sha256 mismatch with the index"
# hostile index.json: traversal in an id, a bad sha256; unsigned from here
key=(--insecure-no-signature)
copy_pub "$srv/trav"; rm -f "$srv/trav/x"
sed -i "s|\"id\": \"$id\"|\"id\": \"../../$id\"|" "$srv/trav/index.json"
fetch_refused traversal "$url/x/trav" "is not a safe file name"
copy_pub "$srv/badsha"; rm -f "$srv/badsha/x"
sed -i 's|"sha256": "\([0-9a-f]*\)"|"sha256": "\1zz"|' "$srv/badsha/index.json"
fetch_refused bad-sha256 "$url/x/badsha" "sha256 is not 64 lowercase hex digits"

# hostile bundles with honest checksums: the archive checks refuse them
hostile() { # NAME SPEC — a bundle of SPEC's entries, published in $srv/NAME
	local name=$1 spec=$2 d=$srv/$1
	mkdir -p "$d"
	python3 - "$d/$id.tgz" "$id" "$spec" <<'PY'
import io, sys, tarfile
out, bid, spec = sys.argv[1:]
with tarfile.open(out, "w:gz", format=tarfile.GNU_FORMAT) as t:
    def add(name, data=b"", kind=tarfile.REGTYPE, link=""):
        i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.size = len(data)
        i.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
        t.addfile(i, io.BytesIO(data) if data else None)
    add("BUNDLE_BUILD_DIR", b"usr/src/h"); add("BUNDLE_CHECKSUM", bid.encode())
    add("usr", kind=tarfile.DIRTYPE); add("usr/src", kind=tarfile.DIRTYPE)
    add("usr/src/h", kind=tarfile.DIRTYPE); add("usr/src/h/Makefile", b"all:\n")
    for e in spec.split(";"):
        name, _, link = e.partition(">")
        if link: add(name, kind=tarfile.SYMTYPE, link=link)
        else: add(name, b"x\n")
PY
	(cd "$d" && sha256sum "$id.tgz" >"$id.tgz.sha256")
	python3 -c 'import json, os, sys
d, bid, rel = sys.argv[1:]
p = os.path.join(d, bid + ".tgz")
b = {"id": bid, "distro": "debian", "uname": rel, "arch": "amd64",
     "sha256": open(p + ".sha256").read()[:64], "size": os.path.getsize(p)}
json.dump({"packer_format": 1, "bundles": [b]}, open(os.path.join(d, "index.json"), "w"))' "$d" "$id" "$KB_REL_A"
}
hostile dotdot 'usr/../../evil'
fetch_refused hostile-dotdot "$url/x/dotdot" "path contains '..'"
hostile abslink 'usr/src/h/l>/etc/passwd'
fetch_refused hostile-abslink "$url/x/abslink" "absolute symlink"
hostile chain 's>.;up>s/..'
fetch_refused hostile-chain "$url/x/chain" "symlink leads out of the tree"
[ ! -e "$KB_TMP/evil" ] && [ ! -e "$srv/evil" ] || kb_die "a hostile entry was written outside"

# several bundles for one uname: exit 2, each listed; --distro picks one
copy_pub "$KB_TMP/two"; rm -f "$KB_TMP/two/x"
python3 -c 'import json, sys
p = sys.argv[1]; j = json.load(open(p)); b = dict(j["bundles"][0])
b["id"] = "other"; b["path"] = "other.tgz"; b["distro"] = "otherdistro"; b.pop("alias")
j["bundles"].append(b)
json.dump(j, open(p, "w"))' "$KB_TMP/two/index.json"
rc=0
"$KBUNDLE" fetch "${key[@]}" --uname "$KB_REL_A" --from "$KB_TMP/two" -o "$KB_TMP/two-dl" 2>"$KB_TMP/err" || rc=$?
[ $rc = 2 ] || kb_die "two bundles for one uname: exit $rc, want 2"
grep -q "  $id  distro debian" "$KB_TMP/err" && grep -q '  other  distro otherdistro' "$KB_TMP/err" ||
	kb_die "the candidates are not listed: $(cat "$KB_TMP/err")"
"$KBUNDLE" -q fetch "${key[@]}" --uname "$KB_REL_A" --distro debian --from "$KB_TMP/two" -o "$KB_TMP/two-dl" ||
	kb_die "--distro debian did not pick the one bundle"

# publish merges: an older published bundle whose files are there stays, one
# whose files are gone is dropped; the work index's bundles stay as they are
rm -f "$pub/x"
cp "$pub/$id.tgz" "$pub/old.tgz"
sed "s/$id/old/" "$pub/$id.tgz.sha256" >"$pub/old.tgz.sha256"
python3 -c 'import json, sys
p = sys.argv[1]; j = json.load(open(p)); b = dict(j["bundles"][0]); b.pop("alias")
old = dict(b, id="old", path="old.tgz", uname="5.10.0-1-amd64")
gone = dict(b, id="gone", path="gone.tgz", uname="5.10.0-2-amd64")
j["bundles"] += [old, gone]; json.dump(j, open(p, "w"))' "$pub/index.json"
"$KBUNDLE" publish --workdir "$wd" --to "$pub" --sign-key "$KB_TMP/store" 2>"$KB_TMP/pub2.err" ||
	kb_die "second publish failed"
grep -q "bundle gone (5.10.0-2-amd64) is listed but its files are gone" "$KB_TMP/pub2.err" ||
	kb_die "no warning for the dropped bundle: $(cat "$KB_TMP/pub2.err")"
python3 -c 'import json, sys
ids = sorted(b["id"] for b in json.load(open(sys.argv[1]))["bundles"])
assert ids == sorted([sys.argv[2], "old"]), ids' "$pub/index.json" "$id" || kb_die "merged index: $(cat "$pub/index.json")"
"$KBUNDLE" -q fetch --key "$KB_TMP/store.pub" --uname 5.10.0-1-amd64 --from "$url" -o "$KB_TMP/old-dl" || kb_die "the kept bundle cannot be fetched"

# a corrupted bundle in the work directory is not published
cp -a "$wd" "$KB_TMP/wd-bad"
printf 'x' >>"$KB_TMP/wd-bad/bundles/$id.tgz"
rm -f "$pub/$id.tgz" "$pub/$id.tgz.sha256"
rc=0
"$KBUNDLE" publish --workdir "$KB_TMP/wd-bad" --to "$pub" 2>"$KB_TMP/err" || rc=$?
[ $rc = 1 ] && grep -q 'does not match the index' "$KB_TMP/err" || kb_die "a corrupt bundle was published (exit $rc)"
[ ! -e "$pub/$id.tgz" ] || kb_die "the corrupt bundle is in the published directory"
grep -q "\"$id\"" "$pub/index.json" || kb_die "the failed publish rewrote the index"

# the other release of the mirror too: packed, published signed, fetched
# with the key into the per-user cache, built against
reb=$(printf '%s' "$KB_REL_B" | sed 's/[.+]/\\&/g')
"$KBUNDLE" -q pack --all --manifest "$KB_MANIFEST" --upstreams "$KB_UPSTREAMS" --workdir "$wd" \
	--release "^$reb\$" -j 2 || kb_die "pack $KB_REL_B failed"
"$KBUNDLE" -q publish --workdir "$wd" --to "$KB_TMP/pub-b" --sign-key "$KB_TMP/store" || kb_die "publish B failed"
bdb=$("$KBUNDLE" -q fetch --key "$KB_TMP/store.pub" --uname "$KB_REL_B" --from "$KB_TMP/pub-b" \
	-o "$KB_TMP/dl-b" --extract-cache) || kb_die "fetch $KB_REL_B failed"
case $bdb in "$XDG_CACHE_HOME/kbundle/trees/"*) ;; *) kb_die "--extract-cache printed $bdb" ;; esac
built_against "$bdb" "$scratch/mod-b" "$KB_REL_B"
echo ok
