#!/usr/bin/env bash
# test_fetch_signed — the signed store index (issue 15), with bundles made by
# store_fixture.py, published by `kbundle publish --sign-key` and served by
# nginx on 127.0.0.1:
#   * openssl (the stock tool) verifies index.json.sig as the README shows;
#     the index carries format 3, version, generated, expires, key_id and
#     per bundle path and vmtest; a second publish raises the version;
#   * fetch --key extracts; the config file's trusted_keys works alike;
#   * refused, exit 1, each with its own message and nothing in -o or the
#     extract directory: a flipped byte in a bundle, an edited index entry,
#     the wrong key, no signature, a malformed signature, an expired index,
#     a rollback to an older signed index, an endless index.json;
#   * no trusted key at all is exit 2 saying how to give one;
#     --insecure-no-signature says so on stderr;
#   * key rotation: an index signed by the new key is accepted with
#     --key old --key new; with the old key out of the trusted set, an index
#     signed by it is refused;
#   * fresh, private extraction: the tree is 0700 and stamped; fetch again
#     keeps it; --extract-cache extracts under $XDG_CACHE_HOME; the issue's
#     attack — a planted directory holding the wanted BUNDLE_CHECKSUM, a
#     BUNDLE_BUILD_DIR and a Makefile — is refused (another user's; this
#     user's without the stamp; a stamped tree others may enter), and so are
#     a planted symlink as DIR and another user's symlink or directory on
#     the way to it in a sticky shared directory; nothing of the planted tree
#     is printed;
#   * the stable alias <distro>/<arch>/bundle-<uname>.tgz is listed in the
#     signed index, and the README's four-line recipe (curl, openssl, grep |
#     sha256sum -c, tar), run as written, fetches, checks and extracts it;
#     with the alias's bytes changed on the server, it stops at sha256sum;
#   * readers fetching during back-to-back publishes never fail.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need python3 nginx curl openssl
fx() { python3 "$KB_SRC/tests/e2e/store_fixture.py" "$@"; }
export KBUNDLE_HTTP_BACKOFF_MS=50
rel=9.9.9-sig-amd64

wd=$KB_TMP/wd
id=$(fx workdir "$wd" signed "$rel")
"$KBUNDLE" -q key generate -o "$KB_TMP/old" >/dev/null
"$KBUNDLE" -q key generate -o "$KB_TMP/new" >/dev/null
srv=$KB_TMP/srv
pub=$srv/pub
"$KBUNDLE" -q publish --workdir "$wd" --to "$pub" --sign-key "$KB_TMP/old" || kb_die "publish failed"
# the stock tool, as the README shows it
openssl pkeyutl -verify -pubin -inkey "$KB_TMP/old.pub" -rawin -in "$pub/index.json" \
	-sigfile "$pub/index.json.sig" >/dev/null || kb_die "openssl does not verify index.json.sig"
kid=$(openssl pkey -pubin -in "$KB_TMP/old.pub" -outform DER | tail -c 32 | sha256sum | cut -c1-16)
python3 - "$pub/index.json" "$id" "$kid" <<'PY' || kb_die "the signed index: $(cat "$pub/index.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["index_format"] == 3 and j["version"] == 1 and j["key_id"] == sys.argv[3], j
assert j["generated"] < j["expires"], j
b = j["bundles"][0]
assert b["id"] == sys.argv[2] and b["path"] == sys.argv[2] + ".tgz" and b["vmtest"] == "untested", b
PY
cp -a "$pub" "$srv/v1"   # version 1, for the rollback
"$KBUNDLE" -q publish --workdir "$wd" --to "$pub" --sign-key "$KB_TMP/old" || kb_die "second publish failed"
grep -q '"version": 2,' "$pub/index.json" || kb_die "the second publish did not raise the version"
kb_log "signed index: version 1 then 2, key $kid, verified by openssl pkeyutl"

# a copy of pub at $srv/NAME, changed by the caller
copy() { rm -rf "$srv/$1"; cp -a "$pub" "$srv/$1"; }
copy flip
python3 -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 0xff; open(p, "wb").write(b)' \
	"$srv/flip/$id.tgz"
copy edit
sed -i "s/\"uname\": \"$rel\"/\"uname\": \"9.9.9-other-amd64\"/" "$srv/edit/index.json"
sed -i "s/\"uname\": \"9.9.9-other-amd64\"/\"uname\": \"$rel\"/; s/\"size\": \([0-9]*\)/\"size\": 1\1/" \
	"$srv/edit/index.json"
# (signatures/<sha256>.sig, the copy a reader caught mid-publish uses, gone too)
copy nosig
rm -r "$srv/nosig/index.json.sig" "$srv/nosig/signatures"
copy badsig
head -c 63 "$pub/index.json.sig" >"$srv/badsig/index.json.sig"
rm -r "$srv/badsig/signatures"
# a reader that reads index.json.sig of the next publish: the index's own
# signatures/<sha256>.sig fits
copy midpub
cp "$srv/v1/index.json.sig" "$srv/midpub/index.json.sig"
mkdir -p "$wd-exp"; cp -a "$wd/bundles" "$wd-exp/"
"$KBUNDLE" -q publish --workdir "$wd-exp" --to "$srv/expired" --sign-key "$KB_TMP/old" --expires 0
"$KBUNDLE" -q publish --workdir "$wd" --to "$srv/rotated" --sign-key "$KB_TMP/new"
"$KBUNDLE" -q publish --workdir "$wd" --to "$srv/oldonly" --sign-key "$KB_TMP/old"

kb_nginx_start "$srv"
url=$KB_NGINX_URL
echo '*/index.json * endless' >"$KB_TMP/rules"
kb_faultproxy_start "$url" "$KB_TMP/rules"
endless=$KB_PROXY_URL/pub

o=$(kb_fast_tmpdir)
bd=$("$KBUNDLE" -q fetch --key "$KB_TMP/old.pub" --uname "$rel" --arch amd64 --from "$url/pub" \
	-o "$o/dl" --extract "$o/kb") || kb_die "signed fetch failed"
[ "$bd" = "$o/kb/usr/src/h" ] && [ -f "$bd/Makefile" ] || kb_die "signed fetch printed '$bd'"
# the config file's trusted_keys, relative to the file
mkdir -p "$XDG_CONFIG_HOME/kbundle"
cp "$KB_TMP/old.pub" "$XDG_CONFIG_HOME/kbundle/store.pub"
echo 'trusted_keys: [store.pub]' >"$XDG_CONFIG_HOME/kbundle/config.yml"
"$KBUNDLE" -q fetch --uname "$rel" --arch amd64 --from "$url/pub" -o "$o/dl2" ||
	kb_die "fetch with the config file's trusted_keys failed"
mv "$XDG_CONFIG_HOME/kbundle/config.yml" "$KB_TMP/other.yml"
cp "$KB_TMP/old.pub" "$KB_TMP/store.pub"
"$KBUNDLE" -q fetch --config "$KB_TMP/other.yml" --uname "$rel" --arch amd64 --from "$url/pub" \
	-o "$o/dl3" || kb_die "fetch with --config FILE's trusted_keys failed"
rc=0
"$KBUNDLE" -q fetch --config "$KB_TMP/none.yml" --uname "$rel" --from "$url/pub" -o "$o/dl4" \
	2>"$KB_TMP/err" || rc=$?
[ $rc -eq 2 ] && grep -q "$KB_TMP/none.yml: no such file" "$KB_TMP/err" ||
	kb_die "--config of a missing file: exit $rc, $(cat "$KB_TMP/err")"
"$KBUNDLE" -q fetch --key "$KB_TMP/old.pub" --uname "$rel" --arch amd64 --from "$url/midpub" \
	-o "$o/dl-mid" || kb_die "an index.json.sig of another publish was not recovered from signatures/"
kb_log "fetch --key and trusted_keys: verified and extracted; mid-publish signature recovered"

# refused FROM PATTERN KEY... — exit 1, PATTERN on stderr, nothing written
refused() {
	local from=$1 pat=$2 rc=0 d
	shift 2
	d=$(kb_fast_tmpdir)
	timeout 60 "$KBUNDLE" fetch "$@" --uname "$rel" --arch amd64 --from "$from" -o "$d/dl" \
		--extract "$d/kb" >"$d/out" 2>"$d/err" || rc=$?
	[ $rc = 1 ] || { cat "$d/err"; kb_die "$from: exit $rc, want 1"; }
	grep -q -- "$pat" "$d/err" || { cat "$d/err"; kb_die "$from: no '$pat'"; }
	[ ! -s "$d/out" ] || kb_die "$from: printed $(cat "$d/out")"
	[ -z "$(ls -A "$d/dl" 2>/dev/null)" ] && [ ! -e "$d/kb" ] ||
		kb_die "$from: left $(ls -AR "$d")"
	kb_log "refused: $(grep -m1 error "$d/err")"
}
old=(--key "$KB_TMP/old.pub")
refused "$url/flip" "does not match the index" "${old[@]}"
refused "$url/edit" "signature does not verify with key $kid" "${old[@]}"
refused "$url/pub" "signed by key $kid, which is not trusted" --key "$KB_TMP/new.pub"
refused "$url/nosig" "index.json.sig: no signature" "${old[@]}"
refused "$url/badsig" "malformed signature (63 bytes" "${old[@]}"
refused "$url/expired" "index.json: expired at" "${old[@]}"
# version 2 was seen at $url/pub; version 1 served there now is a rollback
rm -rf "$srv/pub.2" && mv "$pub" "$srv/pub.2" && cp -a "$srv/v1" "$pub"
refused "$url/pub" "version 1 is older than version 2 already seen for this store" "${old[@]}"
rm -rf "$pub" && mv "$srv/pub.2" "$pub"
refused "$endless" "larger than" "${old[@]}"
grep -q 'endless' "$KB_TMP/rules.log" || kb_die "the endless index.json was not asked for"

# no trusted key: a usage error saying how to give one
rc=0
"$KBUNDLE" fetch --uname "$rel" --arch amd64 --from "$url/pub" -o "$o/dl3" 2>"$KB_TMP/nokey.err" || rc=$?
[ $rc = 2 ] && grep -q "no trusted key: give --key FILE.pub" "$KB_TMP/nokey.err" ||
	{ cat "$KB_TMP/nokey.err"; kb_die "no trusted key: exit $rc"; }
"$KBUNDLE" fetch --insecure-no-signature --uname "$rel" --arch amd64 --from "$url/nosig" \
	-o "$o/dl4" 2>"$KB_TMP/insecure.err" || kb_die "--insecure-no-signature failed"
grep -q "NOT VERIFIED (--insecure-no-signature)" "$KB_TMP/insecure.err" ||
	kb_die "--insecure-no-signature is not loud: $(cat "$KB_TMP/insecure.err")"

# key rotation: old and new trusted, the new key's index is accepted; the
# old key removed, its index is refused
"$KBUNDLE" -q fetch --key "$KB_TMP/old.pub" --key "$KB_TMP/new.pub" --uname "$rel" --arch amd64 \
	--from "$url/rotated" -o "$o/dl5" || kb_die "rotation: --key old --key new refused the new key's index"
nid=$(openssl pkey -pubin -in "$KB_TMP/new.pub" -outform DER | tail -c 32 | sha256sum | cut -c1-16)
refused "$url/oldonly" "signed by key $kid, which is not trusted (trusted: $nid)" --key "$KB_TMP/new.pub"
kb_log "rotation: the new key's index accepted beside the old; the old key's refused once it is dropped"

# --- fresh, private extraction
[ "$(stat -c %a "$o/kb")" = 700 ] || kb_die "the extracted tree is mode $(stat -c %a "$o/kb"), want 700"
grep -qx "sha256 $(sha256sum "$pub/$id.tgz" | cut -c1-64)" "$o/kb/.kbundle-extracted" ||
	kb_die "the stamp does not name the signed sha256: $(cat "$o/kb/.kbundle-extracted")"
bd2=$("$KBUNDLE" fetch "${old[@]}" --uname "$rel" --arch amd64 --from "$url/pub" -o "$o/dl" \
	--extract "$o/kb" 2>"$KB_TMP/again.err") || { cat "$KB_TMP/again.err"; kb_die "fetch again failed"; }
[ "$bd2" = "$bd" ] && grep -q "already extracted there (stamp and owner checked)" "$KB_TMP/again.err" ||
	kb_die "the stamped tree was not kept: $(cat "$KB_TMP/again.err")"
bd3=$("$KBUNDLE" -q fetch "${old[@]}" --uname "$rel" --arch amd64 --from "$url/pub" -o "$o/dl" \
	--extract-cache) || kb_die "--extract-cache failed"
[ "$bd3" = "$XDG_CACHE_HOME/kbundle/trees/$id/usr/src/h" ] || kb_die "--extract-cache printed $bd3"
[ "$(stat -c %a "$XDG_CACHE_HOME/kbundle/trees")" = 700 ] || kb_die "the cache root is not 0700"

# plant D — the issue's attack: D holds what an extraction of the wanted
# bundle holds, and a Makefile that would run as root
plant() {
	mkdir -p "$1/usr/src/h"
	printf '%s' "$id" >"$1/BUNDLE_CHECKSUM"
	printf usr/src/h >"$1/BUNDLE_BUILD_DIR"
	printf 'all:\n\ttouch %s/PWNED\n' "$KB_TMP" >"$1/usr/src/h/Makefile"
}
# planted FROM-DIR PATTERN — fetch --extract FROM-DIR is refused, exit 1,
# PATTERN on stderr, nothing on stdout, the planted tree untouched
planted() {
	local x=$1 pat=$2 rc=0
	"$KBUNDLE" fetch "${old[@]}" --uname "$rel" --arch amd64 --from "$url/pub" -o "$o/dl" \
		--extract "$x" >"$KB_TMP/pl.out" 2>"$KB_TMP/pl.err" || rc=$?
	[ $rc = 1 ] || { cat "$KB_TMP/pl.err"; kb_die "planted $x: exit $rc, want 1"; }
	grep -qF -- "$pat" "$KB_TMP/pl.err" || { cat "$KB_TMP/pl.err"; kb_die "planted $x: no '$pat'"; }
	[ ! -s "$KB_TMP/pl.out" ] || kb_die "planted $x: printed $(cat "$KB_TMP/pl.out")"
	[ ! -e "$KB_TMP/PWNED" ] || kb_die "the planted Makefile ran"
	kb_log "planted: refused: $(grep -m1 error "$KB_TMP/pl.err")"
}
shared=$KB_TMP/shared   # a /tmp of its own: sticky, anyone may write
mkdir -p "$shared" && chmod 1777 "$shared"
other=65534             # nobody
plant "$shared/kb-other" && chown -R "$other" "$shared/kb-other"
planted "$shared/kb-other" "made by another user (uid $other)"
plant "$shared/kb-mine" && chmod 700 "$shared/kb-mine"
planted "$shared/kb-mine" "no stamp of a kbundle extraction"
cp -a "$o/kb" "$shared/kb-open" && chmod 755 "$shared/kb-open"
planted "$shared/kb-open" "others may enter it (mode 0755, not 0700)"
plant "$KB_TMP/target" && ln -s "$KB_TMP/target" "$shared/kb-link"
planted "$shared/kb-link" "a symlink: refused"
mkdir -p "$KB_TMP/elsewhere" && ln -s "$KB_TMP/elsewhere" "$shared/parent-link" &&
	chown -h "$other" "$shared/parent-link"
planted "$shared/parent-link/kb" "a symlink of another user (uid $other) on the way"
mkdir -p "$shared/parent-dir" && chown "$other" "$shared/parent-dir"
planted "$shared/parent-dir/kb" "belongs to another user (uid $other), in a directory anyone may write"
[ -z "$(ls -A "$KB_TMP/elsewhere")" ] && [ ! -e "$shared/parent-dir/kb" ] ||
	kb_die "something was extracted through a planted path"

# --- the alias, and the README's recipe as written
alias=debian/amd64/bundle-$rel.tgz
grep -q "\"alias\": \"$alias\"" "$pub/index.json" || kb_die "the signed index does not list $alias"
cmp -s "$pub/$alias" "$pub/$id.tgz" || kb_die "$alias is not the bundle"
(cd "$pub/debian/amd64" && sha256sum -c --quiet "bundle-$rel.tgz.sha256") || kb_die "the alias sidecar does not check"
recipe=$KB_TMP/recipe.sh
awk '/^```sh$/ { n = 0; buf = ""; on = 1; next }
     on && /^```$/ { on = 0; if (buf ~ /SHA256SUMS.sig/) { printf "%s", buf; exit } next }
     on { buf = buf $0 "\n" }' "$KB_SRC/README.md" >"$recipe"
[ "$(wc -l <"$recipe")" = 4 ] || kb_die "the README's recipe is not four lines: $(cat "$recipe")"
run_recipe() { # DIR URL — the recipe in DIR, the way a product runs it
	mkdir -p "$1"
	(cd "$1" && URL=$2 KEY=$KB_TMP/old.pub R=$rel A=debian/amd64 bash -e "$recipe") >"$1.log" 2>&1
}
run_recipe "$KB_TMP/r1" "$url/pub" || { cat "$KB_TMP/r1.log"; kb_die "the README's recipe failed"; }
[ "$(cat "$KB_TMP/r1/kb/BUNDLE_CHECKSUM")" = "$id" ] && [ -f "$KB_TMP/r1/kb/usr/src/h/Makefile" ] ||
	kb_die "the recipe did not extract the bundle"
copy aliasflip
rm "$srv/aliasflip/$alias" && cp "$srv/flip/$id.tgz" "$srv/aliasflip/$alias"
run_recipe "$KB_TMP/r2" "$url/aliasflip" && kb_die "the recipe took a changed alias"
grep -q "FAILED" "$KB_TMP/r2.log" && [ ! -e "$KB_TMP/r2/kb" ] ||
	{ cat "$KB_TMP/r2.log"; kb_die "the recipe did not stop at sha256sum"; }
kb_log "README recipe: $(tr '\n' ' ' <"$KB_TMP/r1.log")"

# readers during back-to-back publishes to the directory: each sees a
# consistent signed index (signatures/<sha256>.sig when index.json.sig is
# already the next one's)
(for _ in 1 2 3 4 5 6 7 8; do "$KBUNDLE" -q publish --workdir "$wd" --to "$pub" --sign-key "$KB_TMP/old" || exit 1; done) &
pubpid=$!
n=0
while kill -0 $pubpid 2>/dev/null; do
	"$KBUNDLE" -q fetch "${old[@]}" --uname "$rel" --arch amd64 --from "$url/pub" -o "$o/dl-race" \
		2>"$KB_TMP/race.err" || { cat "$KB_TMP/race.err"; kb_die "a reader during a publish failed"; }
	n=$((n + 1))
done
wait $pubpid || kb_die "a publish in the loop failed"
kb_log "$n fetches during 8 publishes to the directory: each saw a consistent signed index"
echo ok
