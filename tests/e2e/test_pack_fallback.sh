#!/usr/bin/env bash
# test_pack_fallback — a signed index that lists a file the mirror does not
# have (Debian 11's security index lists linux-kbuild-5.10 5.10.262-1 for
# arm64, a 404). The e2e mirror's index gets a linux-kbuild-6.1 newer than
# the real one, whose file is not in the served tree: the manifest picks it
# and records the real one as its alternate; pack falls back to the real one,
# says so in the log and in bundle.json, names the bundle by the content id
# of what it holds, and a module builds against it. Packing again finds it
# packed (through the manifest id's link), vmtest boots it without packing,
# cache gc keeps the package it was made from. Without any file that
# satisfies the dependency, pack fails naming the dependency, the versions
# tried and their URLs, and writes no bundle.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
kb_need nginx make gcc modinfo python3 apt-ftparchive

mirror=$KB_TMP/mirror ups=$KB_TMP/upstreams lists=$KB_TMP/lists wd=$KB_TMP/wd man=$KB_TMP/manifest.yml
kb_mirror_debian "$mirror"

# The phantom: the real kbuild's stanza with a higher version and a file name
# nothing serves (and a sha256 no file has).
real_pool=$(awk -F'\t' -v n="$KB_KBUILD_A" -v v="$KB_KBUILD_VER_A" '$2 == n && $3 == v { print $7; exit }' "$KB_DEB_PICKS")
[ -n "$real_pool" ] || kb_die "no $KB_KBUILD_A $KB_KBUILD_VER_A in the picks"
ghost_ver=$KB_KBUILD_VER_A+kbfb1
ghost_pool=${real_pool%/*}/${KB_KBUILD_A}_${ghost_ver}_amd64.deb
pk=$(grep -l "^Filename: $real_pool\$" "$mirror"/dists/*/main/binary-amd64/Packages | head -n 1)
[ -n "$pk" ] || kb_die "no index lists $real_pool"
suite=$(basename "$(dirname "$(dirname "$(dirname "$pk")")")")
awk -v f="$real_pool" 'BEGIN { RS = ""; ORS = "\n\n" } index($0, "\nFilename: " f "\n")' "$pk" |
	sed -e "s|^Version: .*|Version: $ghost_ver|" -e "s|^Filename: .*|Filename: $ghost_pool|" \
	    -e "s|^SHA256: .*|SHA256: $(printf phantom | sha256sum | cut -d' ' -f1)|" \
	    -e '/^MD5sum:/d' -e '/^SHA1:/d' -e '/^SHA512:/d' >>"$pk"
kb_apt_finish_suite "$mirror" "$suite"
[ ! -e "$mirror/$ghost_pool" ] || kb_die "the phantom's file is served"

kb_nginx_start "$mirror"
kb_upstream_file "$ups" debian-12 debian "$KB_NGINX_URL" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}"
"$KBUNDLE" -q crawl --upstreams "$ups" --lists "$lists" --workdir "$wd" debian-12 || kb_die "crawl failed"
"$KBUNDLE" -q manifest --upstreams "$ups" --lists "$lists" -o "$man" || kb_die "manifest failed"

# The manifest: the phantom chosen (the newest that satisfies), the real
# file its alternate, with the dependency it satisfies.
read -r mid satisfies real_sha < <(python3 - "$man" "$KB_REL_A" "$KB_KBUILD_A" "$ghost_ver" "$KB_KBUILD_VER_A" <<'PY'
import sys, yaml
m = yaml.safe_load(open(sys.argv[1]))
e = [b for b in m["bundles"] if b["release"] == sys.argv[2]]
assert len(e) == 1, e
e = e[0]
k = [h for h in e["headers"] if h["name"] == sys.argv[3]]
assert len(k) == 1 and k[0]["version"] == sys.argv[4], k
alts = k[0]["alternates"]
assert [a["version"] for a in alts] == [sys.argv[5]], alts
assert k[0]["satisfies"].startswith(">= "), k[0]
print(e["id"], k[0]["satisfies"].replace(" ", "_"), alts[0]["sha256"])
PY
) || kb_die "the manifest does not record the alternate"
satisfies=${satisfies/_/ }
re=$(printf '%s' "$KB_REL_A" | sed 's/[.+]/\\&/g')
pack() { "$KBUNDLE" pack --manifest "$man" --upstreams "$ups" --release "^$re\$" -j 2 "$@"; }

# Pack: the fallback, said in the log
pack --workdir "$wd" 2>"$KB_TMP/pack.log" || { cat "$KB_TMP/pack.log"; kb_die "pack failed"; }
grep -q "warning: $mid ($KB_REL_A): no mirror has $KB_KBUILD_A $ghost_ver (.*HTTP 404 at $KB_NGINX_URL/$ghost_pool); packing $KB_KBUILD_A $KB_KBUILD_VER_A instead, which satisfies its dependency too ($satisfies)" \
	"$KB_TMP/pack.log" || { cat "$KB_TMP/pack.log"; kb_die "no warning naming wanted, used and why"; }
grep -q '1 packed, 0 already packed, 0 failed' "$KB_TMP/pack.log" || kb_die "not packed: $(cat "$KB_TMP/pack.log")"

# The index: the bundle's own id, linked to the manifest entry's
read -r id lmid < <(python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))["bundles"]
assert len(b) == 1, b
print(b[0]["id"], b[0].get("manifest_id"))' "$wd/bundles/index.json")
[ "$lmid" = "$mid" ] || kb_die "index.json: manifest_id '$lmid' is not the manifest's $mid"
[ "$id" != "$mid" ] || kb_die "the bundle kept the manifest's id though it holds another package"
# the content id of the packages used: the manifest's headers, the kbuild replaced
want=$(python3 - "$man" "$mid" "$real_sha" "$KB_KBUILD_A" <<'PY'
import hashlib, sys, yaml
m = yaml.safe_load(open(sys.argv[1]))
e = [b for b in m["bundles"] if b["id"] == sys.argv[2]][0]
shas = sorted(sys.argv[3] if h["name"] == sys.argv[4] else h["sha256"] for h in e["headers"])
print(hashlib.sha256(("kbundle-bundle-v1\n" + "".join(s + "\n" for s in shas)).encode()).hexdigest())
PY
)
[ "$id" = "$want" ] || kb_die "bundle id $id is not the content id of what was used ($want)"
[ -f "$wd/bundles/$mid.link" ] && [ "$(cat "$wd/bundles/$mid.link")" = "$id" ] ||
	kb_die "no link from the manifest id to the bundle"

# bundle.json: the substitution, and the packages really used
scratch=$(kb_fast_tmpdir)
pack_check_bundle "$wd/bundles/$id.tgz" "$KB_REL_A" "$id" "$scratch/check"
tar -xzOf "$wd/bundles/$id.tgz" bundle.json >"$KB_TMP/bundle.json"
python3 - "$KB_TMP/bundle.json" "$mid" "$KB_KBUILD_A" "$ghost_ver" "$KB_KBUILD_VER_A" "$real_sha" "$ghost_pool" "$KB_NGINX_URL" <<'PY' ||
import json, sys
b = json.load(open(sys.argv[1]))
_, mid, name, ghost, real, sha, ghost_pool, url = sys.argv[1:]
assert b["manifest_id"] == mid, b.get("manifest_id")
s = b["substitutions"]
assert len(s) == 1, s
s = s[0]
assert s["name"] == name and s["satisfies"].startswith(">= "), s
assert s["wanted"]["version"] == ghost and s["wanted"]["path"] == ghost_pool, s
assert "HTTP 404 at " + url + "/" + ghost_pool in s["wanted"]["why"], s
assert s["used"]["version"] == real and s["used"]["sha256"] == sha, s
k = [p for p in b["packages"] if p["name"] == name]
assert len(k) == 1 and k[0]["version"] == real and k[0]["sha256"] == sha, k
PY
	kb_die "bundle.json does not record the substitution: $(cat "$KB_TMP/bundle.json")"

# Again: found as packed through the link; nothing packed or downloaded
gets=$(grep -c '"GET /pool/' "$KB_NGINX_ACCESS_LOG")
pack --workdir "$wd" -v 2>"$KB_TMP/pack2.log"
grep -q "$KB_REL_A ($mid): already packed" "$KB_TMP/pack2.log" &&
	grep -q ' 0 packed, 1 already packed, 0 failed; 0 packages downloaded' "$KB_TMP/pack2.log" ||
	{ cat "$KB_TMP/pack2.log"; kb_die "the second run did not find the bundle packed"; }
[ "$(grep -c '"GET /pool/' "$KB_NGINX_ACCESS_LOG")" = "$gets" ] || kb_die "the second run downloaded"

# vmtest finds the same bundle (it would pack a missing one first)
if command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; then
	"$KBUNDLE" vmtest --manifest "$man" --upstreams "$ups" --workdir "$wd" --release "^$re\$" \
		--accel tcg --timeout 150 --json "$KB_TMP/vm.json" >"$KB_TMP/vm.out" 2>"$KB_TMP/vm.err" ||
		{ cat "$KB_TMP/vm.out" "$KB_TMP/vm.err"; kb_die "vmtest failed on the substituted bundle"; }
	! grep -q 'packing its bundle first' "$KB_TMP/vm.err" || kb_die "vmtest did not find the bundle packed"
	python3 -c 'import json, sys
k = json.load(open(sys.argv[1]))["kernels"]
assert len(k) == 1 and k[0]["id"] == sys.argv[2], [x.get("id") for x in k]' "$KB_TMP/vm.json" "$mid" ||
		kb_die "vmtest's report does not name the manifest entry"
	kb_log "vmtest booted $KB_REL_A with the substituted bundle"
else
	kb_log "no qemu-system-x86_64 or static busybox: vmtest part not run"
fi

# cache gc keeps the package the bundle was packed from
"$KBUNDLE" -q cache gc --workdir "$wd" --manifest "$man" || kb_die "cache gc failed"
[ -f "$wd/cache/objects/${real_sha:0:2}/$real_sha" ] || kb_die "cache gc removed the alternate used"
pack --workdir "$wd" 2>&1 | grep -q ' 0 packed, 1 already packed' || kb_die "after gc: not packed any more"

# No file satisfies the dependency: a clear error, no bundle
mv "$mirror/$real_pool" "$KB_TMP/kbuild.deb"
wd2=$KB_TMP/wd2
if pack --workdir "$wd2" 2>"$KB_TMP/fail.log"; then kb_die "pack succeeded without a kbuild"; fi
grep -qF "$mid ($KB_REL_A): cannot be packed: no mirror has a $KB_KBUILD_A that satisfies its dependency ($KB_KBUILD_A $satisfies): tried $ghost_ver: HTTP 404 at $KB_NGINX_URL/$ghost_pool; $KB_KBUILD_VER_A: HTTP 404 at $KB_NGINX_URL/$real_pool; the lists have no other version that satisfies it" \
	"$KB_TMP/fail.log" || { cat "$KB_TMP/fail.log"; kb_die "the error does not name the dependency, versions and URLs"; }
grep -q '0 packed, 0 already packed, 1 failed' "$KB_TMP/fail.log" || kb_die "not counted as failed"
! ls "$wd2/bundles/"*.tgz >/dev/null 2>&1 || kb_die "a bundle was written anyway"
! ls "$wd2/bundles/"*.link >/dev/null 2>&1 || kb_die "a link was written anyway"
mv "$KB_TMP/kbuild.deb" "$mirror/$real_pool"
echo ok
