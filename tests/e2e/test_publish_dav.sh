#!/usr/bin/env bash
# test_publish_dav — `kbundle publish --to URL` to a WebDAV store: nginx's
# dav module on 127.0.0.1 (PUT and MOVE), read back over plain HTTP:
#   * the signed index, its signature (checked with openssl), the bundle,
#     its sidecar, the alias and SHA256SUMS are served, no temp file is
#     left, and fetch --key reads the store;
#   * a publish that fails half-way (the server refuses the second, larger
#     bundle: 413) exits 1 and leaves the old signed index, byte for byte,
#     with every bundle it names there;
#   * readers fetching while publishes run always get a consistent signed
#     index (index.json and index.json.sig are two files: a reader caught
#     between them takes signatures/<sha256 of the index>.sig).
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need python3 nginx curl openssl
fx() { python3 "$KB_SRC/tests/e2e/store_fixture.py" "$@"; }
export KBUNDLE_HTTP_BACKOFF_MS=50
rel=9.9.9-dav-amd64

wd=$KB_TMP/wd
a=$(fx workdir "$wd" dav-a "$rel")
"$KBUNDLE" -q key generate -o "$KB_TMP/k" >/dev/null
srv=$KB_TMP/srv
mkdir -p "$srv/dav"
cat >"$KB_TMP/dav.conf" <<'CONF'
location /dav/ {
	dav_methods PUT DELETE MOVE;
	create_full_put_path on;
	dav_access user:rw group:r all:r;
	client_max_body_size 100k;
}
CONF
kb_nginx_start "$srv" "$KB_TMP/dav.conf"
url=$KB_NGINX_URL/dav

"$KBUNDLE" publish --workdir "$wd" --to "$url" --sign-key "$KB_TMP/k" 2>"$KB_TMP/p1.err" ||
	{ cat "$KB_TMP/p1.err"; kb_die "publish to WebDAV failed"; }
for f in index.json index.json.sig index.html "$a.tgz" "$a.tgz.sha256" SHA256SUMS SHA256SUMS.sig \
	"debian/amd64/bundle-$rel.tgz" "debian/amd64/bundle-$rel.tgz.sha256"; do
	[ -f "$srv/dav/$f" ] || kb_die "publish to WebDAV did not put $f: $(ls -AR "$srv/dav")"
done
cmp -s "$srv/dav/$a.tgz" "$wd/bundles/$a.tgz" && cmp -s "$srv/dav/debian/amd64/bundle-$rel.tgz" "$wd/bundles/$a.tgz" ||
	kb_die "the bundle or its alias differs on the server"
[ -z "$(find "$srv/dav" -name '*.kbundle.tmp.*')" ] || kb_die "temp files left: $(find "$srv/dav" -name '*.tmp*')"
grep -q '"MOVE /dav/.index.json.kbundle.tmp' "$KB_NGINX_ACCESS_LOG" || kb_die "index.json was not MOVEd into place"
openssl pkeyutl -verify -pubin -inkey "$KB_TMP/k.pub" -rawin -in "$srv/dav/index.json" \
	-sigfile "$srv/dav/index.json.sig" >/dev/null || kb_die "openssl does not verify the WebDAV index"
o=$(kb_fast_tmpdir)
"$KBUNDLE" -q fetch --key "$KB_TMP/k.pub" --uname "$rel" --arch amd64 --from "$url" -o "$o/dl" \
	--extract "$o/kb" >/dev/null || kb_die "fetch from the WebDAV store failed"
kb_log "publish to WebDAV: PUT + MOVE, signed, fetched back"

# half-way: the second bundle is over the server's body limit
b=$(fx id dav-b)
head -c 300000 /dev/urandom >"$wd/bundles/$b.tgz"
fx index "$wd/bundles"
cp "$srv/dav/index.json" "$KB_TMP/index.before"
rc=0
"$KBUNDLE" publish --workdir "$wd" --to "$url" --sign-key "$KB_TMP/k" 2>"$KB_TMP/p2.err" || rc=$?
[ $rc = 1 ] || { cat "$KB_TMP/p2.err"; kb_die "a publish the server refuses half-way: exit $rc, want 1"; }
grep -q "HTTP 413" "$KB_TMP/p2.err" || { cat "$KB_TMP/p2.err"; kb_die "the server's refusal is not named"; }
cmp -s "$srv/dav/index.json" "$KB_TMP/index.before" || kb_die "the failed publish changed index.json"
python3 - "$srv/dav" <<'PY' || kb_die "the index names a missing or different bundle after the failed publish"
import hashlib, json, os, sys
d = sys.argv[1]
for b in json.load(open(os.path.join(d, "index.json")))["bundles"]:
    assert hashlib.sha256(open(os.path.join(d, b["path"]), "rb").read()).hexdigest() == b["sha256"], b
PY
"$KBUNDLE" -q fetch --key "$KB_TMP/k.pub" --uname "$rel" --arch amd64 --from "$url" -o "$o/dl2" ||
	kb_die "the store is unreadable after the failed publish"
[ -z "$(find "$srv/dav" -name '*.kbundle.tmp.*')" ] || kb_die "the failed publish left temp files"
kb_log "a publish refused half-way (HTTP 413): the old signed index stays, every bundle it names there"

# readers during publishes: every fetch sees a consistent signed index
rm "$wd/bundles/$b.tgz" "$wd/bundles/$b.tgz.sha256"
fx index "$wd/bundles"
(for _ in 1 2 3 4 5 6; do "$KBUNDLE" -q publish --workdir "$wd" --to "$url" --sign-key "$KB_TMP/k" || exit 1; done) &
pubpid=$!
n=0
while kill -0 $pubpid 2>/dev/null; do
	"$KBUNDLE" -q fetch --key "$KB_TMP/k.pub" --uname "$rel" --arch amd64 --from "$url" \
		-o "$o/dl3" 2>"$KB_TMP/reader.err" || { cat "$KB_TMP/reader.err"; kb_die "a reader during a publish failed"; }
	n=$((n + 1))
done
wait $pubpid || kb_die "a publish in the loop failed"
grep -q '"version": 7,' "$srv/dav/index.json" || kb_die "six more publishes did not reach version 7"
kb_log "$n fetches during 6 publishes: each saw a consistent signed index"
echo ok
