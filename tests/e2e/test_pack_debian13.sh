#!/usr/bin/env bash
# test_pack_debian13 — real Debian 13 kernels through crawl, manifest and
# pack: the newest 6.12.*+deb13 of trixie-security (linux-kbuild-<abi>, not
# -<series>) and the newest 7.x of trixie-backports (its Makefile starts with
# "KBUILD_OUTPUT=/usr/src/linux-headers-R"; its linux-image-R only depends on
# linux-binary-R, the kernel). Each bundle, extracted elsewhere, is
# self-contained: no absolute or escaping link, no absolute include, no
# /usr/src path in a Makefile, and kbuild's top Makefile runs from the
# extracted tree. (A module build needs gcc-14, the kernels' compiler: the
# build-root tests do that.) Then a bundle whose Makefile still includes an
# absolute path, and one whose KBUILD_OUTPUT names another /usr/src tree,
# are refused by the containment check, and nothing is written for them.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
kb_need nginx make python3 dpkg-deb
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"

kb_debian13_fetch
mirror=$KB_TMP/mirror ups=$KB_TMP/upstreams lists=$KB_TMP/lists wd=$KB_TMP/work man=$KB_TMP/manifest.yml
_kb_mirror_from_picks "$mirror" "$KB_D13_PICKS"
kb_nginx_start "$mirror"
KB_UPSTREAM_RELEASE=13 kb_upstream_file "$ups" debian-13-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" \
	"${KB_D13_SUITES[@]}"
"$KBUNDLE" -q crawl --upstreams "$ups" --lists "$lists" --workdir "$wd" debian-13-e2e
diff <(kb_pick_rows "$KB_D13_PICKS") <(kb_list_rows "$lists/debian-13-e2e.list") ||
	kb_die "the list is not the recognised picks (linux-base-* must not be listed)"
"$KBUNDLE" -q manifest --upstreams "$ups" --lists "$lists" -o "$man"

# The groups follow the real Depends: -common and linux-kbuild-<abi> at the
# headers' version; for 7.x the kernel is linux-binary-R, not linux-image-R.
python3 - "$man" <<'PY' || kb_die "manifest groups are wrong"
import os, sys, yaml
m = yaml.safe_load(open(sys.argv[1]))
by = {b["release"]: b for b in m["bundles"]}
e = os.environ
assert set(by) == {e["KB_D13_REL"], e["KB_D7_REL"]}, sorted(by)
for x in ("D13", "D7"):
    b = by[e[f"KB_{x}_REL"]]
    names = sorted(p["name"] for p in b["headers"])
    assert names == sorted([e[f"KB_{x}_HDR"], e[f"KB_{x}_COMMON"], e[f"KB_{x}_KBUILD"]]), names
    assert all(p["version"] == e[f"KB_{x}_VER"] for p in b["headers"]), b["headers"]
imgs = [(p["name"], p["kind"]) for p in by[e["KB_D7_REL"]]["images"]]
assert imgs == [(e["KB_D7_BINARY"], "image")], imgs
assert by[e["KB_D13_REL"]]["images"] == [], by[e["KB_D13_REL"]]["images"]
PY

"$KBUNDLE" -q pack --all --manifest "$man" --upstreams "$ups" --workdir "$wd" -j 2
scratch=$(kb_fast_tmpdir)
for rel in "$KB_D13_REL" "$KB_D7_REL"; do
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	d=$scratch/$id
	mkdir -p "$d"
	tar -xzf "$wd/bundles/$id.tgz" -C "$d"
	[ "$(cat "$d/BUNDLE_UNAME")" = "$rel" ] || kb_die "$rel: BUNDLE_UNAME is $(cat "$d/BUNDLE_UNAME")"
	bd=$d/$(cat "$d/BUNDLE_BUILD_DIR")
	[ -f "$bd/Makefile" ] && [ -f "$bd/.config" ] && [ -d "$bd/scripts" ] || kb_die "$rel: incomplete tree"
	[ -z "$(find "$d" -type l -lname '/*')" ] || kb_die "$rel: absolute symlinks"
	[ -z "$(find "$d" -xtype l)" ] || kb_die "$rel: dangling symlinks"
	find "$d" -type l | while read -r l; do
		case $(readlink -f "$l") in "$bd"/*) ;; *) kb_die "$rel: $l leaves the tree" ;; esac
	done
	! grep -rnE --include='Makefile*' --include='Kbuild*' --include='*.mk' --include='*.include' \
		'^[^#]*(^|[ =:"(])/usr/src' "$d" || kb_die "$rel: a Makefile names /usr/src"
	! grep -rnE --include='Makefile*' --include='Kbuild*' '^[[:space:]]*-?s?include[[:space:]]+/' "$d" ||
		kb_die "$rel: an absolute include"
	! grep -q '^KBUILD_OUTPUT' "$bd/Makefile" || kb_die "$rel: KBUILD_OUTPUT kept"
	# kbuild's top Makefile, read from the extracted tree, knows its kernel
	[ "$(make -s -C "$bd" kernelrelease)" = "$rel" ] || kb_die "$rel: make kernelrelease in the bundle"
	kb_log "$rel: self-contained ($(find "$d" -type f | wc -l) files)"
done

# The containment check: the 7.x headers repackaged with a Makefile that
# still includes an absolute path, or points KBUILD_OUTPUT at another tree.
hdr=$(awk -F'\t' -v n="$KB_D7_HDR" '$2 == n { print $8 }' "$KB_D13_PICKS")
evil=$KB_TMP/evil
mkdir -p "$evil/pool"
dpkg-deb -R "$hdr" "$evil/x"
mk=$evil/x/usr/src/linux-headers-$KB_D7_REL/Makefile
orig=$(cat "$mk")
printf '%s\ninclude /usr/src/kb-elsewhere/Makefile\n' "$orig" >"$mk"
dpkg-deb -b --root-owner-group -Zgzip -z1 "$evil/x" "$evil/pool/include.deb" >/dev/null
printf 'KBUILD_OUTPUT=/usr/src/linux-headers-%s-other\n%s\n' "$KB_D7_REL" "$(grep -v '^KBUILD_OUTPUT' <<<"$orig")" >"$mk"
dpkg-deb -b --root-owner-group -Zgzip -z1 "$evil/x" "$evil/pool/output.deb" >/dev/null
cp "$evil"/pool/*.deb "$mirror/pool/"
python3 - "$man" "$mirror" "$KB_TMP/evil.yml" <<'PY'
import hashlib, os, sys, yaml
man, mirror, out = sys.argv[1:]
m = yaml.safe_load(open(man))
b = [x for x in m["bundles"] if x["release"] == os.environ["KB_D7_REL"]][0]
bundles = []
for k in ("include", "output"):
    data = open(f"{mirror}/pool/{k}.deb", "rb").read()
    x = yaml.safe_load(yaml.safe_dump(b))
    h = [p for p in x["headers"] if p["kind"] == "headers"][0]
    h.update(path=f"pool/{k}.deb", size=len(data), sha256=hashlib.sha256(data).hexdigest())
    x["release"] = b["release"]
    x["version"] = f"{b['version']}.{k}"
    sums = "".join(s + "\n" for s in sorted(p["sha256"] for p in x["headers"]))
    x["id"] = hashlib.sha256(("kbundle-bundle-v1\n" + sums).encode()).hexdigest()
    bundles.append(x)
m["bundles"] = sorted(bundles, key=lambda x: x["id"])
yaml.safe_dump(m, open(out, "w"))
PY
for k in include output; do
	id=$(python3 -c 'import sys, yaml
print([b["id"] for b in yaml.safe_load(open(sys.argv[1]))["bundles"] if b["version"].endswith(sys.argv[2])][0])' "$KB_TMP/evil.yml" ".$k")
	rc=0
	"$KBUNDLE" pack --manifest "$KB_TMP/evil.yml" --upstreams "$ups" --workdir "$wd" --id "$id" \
		>"$KB_TMP/$k.log" 2>&1 || rc=$?
	[ $rc -eq 1 ] || { cat "$KB_TMP/$k.log"; kb_die "$k: pack exited $rc, want 1"; }
	case $k in
	include) pat="Makefile: includes an absolute path: include /usr/src/kb-elsewhere/Makefile" ;;
	output) pat="Makefile: names an absolute path under /usr/src: KBUILD_OUTPUT=/usr/src/linux-headers-$KB_D7_REL-other" ;;
	esac
	grep -qF "$pat" "$KB_TMP/$k.log" || { cat "$KB_TMP/$k.log"; kb_die "$k: no error '$pat'"; }
	[ ! -e "$wd/bundles/$id.tgz" ] || kb_die "$k: a refused bundle was written"
	kb_log "$k: refused: $pat"
done
echo ok
