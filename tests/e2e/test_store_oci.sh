#!/usr/bin/env bash
# test_store_oci — an OCI registry as a store: Debian's docker-registry on
# 127.0.0.1, and skopeo for interop:
#   * publish --to oci://HOST/REPO --sign-key: skopeo lists the tags (the
#     uname's and "index") and copies the bundle artefact kbundle pushed to
#     an OCI layout, where its layer is the bundle, byte for byte;
#   * skopeo copies both artefacts to another repository, and kbundle fetch
#     --key --extract reads them there; the wrong key is refused;
#   * a publish whose second bundle the registry cannot store (its storage
#     a 2 MiB tmpfs, when this user may mount one) exits 1 and leaves the
#     old signed index, every bundle it names there.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need python3 docker-registry skopeo curl
fx() { python3 "$KB_SRC/tests/e2e/store_fixture.py" "$@"; }
export KBUNDLE_HTTP_BACKOFF_MS=50
rel=9.9.9-oci-amd64

# registry_start DATA-DIR — docker-registry on a free loopback port ($reg)
registry_start() {
	local port i
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$KB_TMP/registry.yml" <<YML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $1 }
http: { addr: "127.0.0.1:$port" }
YML
	docker-registry serve "$KB_TMP/registry.yml" >>"$KB_TMP/registry.log" 2>&1 &
	regpid=$!
	kb_on_exit kill $regpid
	for i in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
	curl -sf "http://127.0.0.1:$port/v2/" >/dev/null || { cat "$KB_TMP/registry.log"; kb_die "docker-registry did not start"; }
	reg=127.0.0.1:$port
}

wd=$KB_TMP/wd
a=$(fx workdir "$wd" oci-a "$rel")
"$KBUNDLE" -q key generate -o "$KB_TMP/k" >/dev/null
"$KBUNDLE" -q key generate -o "$KB_TMP/other" >/dev/null
registry_start "$KB_TMP/registry"
"$KBUNDLE" -q publish --workdir "$wd" --to "oci://$reg/kb" --sign-key "$KB_TMP/k" ||
	kb_die "publish to the registry failed"

skopeo list-tags --tls-verify=false "docker://$reg/kb" >"$KB_TMP/tags.json" || kb_die "skopeo list-tags failed"
python3 - "$KB_TMP/tags.json" "$rel" <<'PY' || kb_die "skopeo lists $(cat "$KB_TMP/tags.json")"
import json, sys
assert sorted(json.load(open(sys.argv[1]))["Tags"]) == sorted(["index", sys.argv[2]])
PY
skopeo copy -q --src-tls-verify=false "docker://$reg/kb:$rel" "oci:$KB_TMP/layout:b" ||
	kb_die "skopeo copy of the bundle artefact failed"
sha=$(sha256sum "$wd/bundles/$a.tgz" | cut -c1-64)
cmp -s "$KB_TMP/layout/blobs/sha256/$sha" "$wd/bundles/$a.tgz" || kb_die "the copied layer is not the bundle"
python3 - "$KB_TMP/layout" "$a" "$rel" <<'PY' || kb_die "the artefact's manifest lacks its annotations"
import json, os, sys
d, bid, rel = sys.argv[1:]
ix = json.load(open(os.path.join(d, "index.json")))
m = json.load(open(os.path.join(d, "blobs", *ix["manifests"][0]["digest"].split(":"))))
assert m["artifactType"] == "application/vnd.kbundle.bundle.v1", m
a = m["annotations"]
assert a["io.kbundle.id"] == bid and a["io.kbundle.uname"] == rel and a["io.kbundle.arch"] == "amd64", a
PY
kb_log "skopeo lists the tags and copies the bundle artefact kbundle pushed"

for t in index "$rel"; do
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$reg/kb:$t" "docker://$reg/copy:$t" ||
		kb_die "skopeo copy $t to another repository failed"
done
o=$(kb_fast_tmpdir)
bd=$("$KBUNDLE" -q fetch --key "$KB_TMP/k.pub" --uname "$rel" --arch amd64 --from "oci://$reg/copy" \
	-o "$o/dl" --extract "$o/kb") || kb_die "fetch of what skopeo put there failed"
[ -f "$bd/Makefile" ] && cmp -s "$o/dl/$a.tgz" "$wd/bundles/$a.tgz" || kb_die "fetch from the registry: wrong bundle"
(cd "$o/dl" && sha256sum -c --quiet "$a.tgz.sha256") || kb_die "the written sidecar does not check"
rc=0
"$KBUNDLE" fetch --key "$KB_TMP/other.pub" --uname "$rel" --arch amd64 --from "oci://$reg/kb" \
	-o "$o/dl2" 2>"$KB_TMP/wrong.err" || rc=$?
[ $rc = 1 ] && grep -q "which is not trusted" "$KB_TMP/wrong.err" ||
	{ cat "$KB_TMP/wrong.err"; kb_die "the wrong key: exit $rc"; }
kb_log "kbundle fetches what skopeo copied; the wrong key is refused"

# half-way: the registry cannot store the second bundle
small=$KB_TMP/small
mkdir -p "$small"
if mount -t tmpfs -o size=2m tmpfs "$small" 2>/dev/null; then
	kb_on_exit umount "$small"
	kill $regpid
	wait $regpid 2>/dev/null || true
	registry_start "$small"
	"$KBUNDLE" -q publish --workdir "$wd" --to "oci://$reg/kb" --sign-key "$KB_TMP/k" ||
		kb_die "publish to the small registry failed"
	b=$(fx id oci-b)
	head -c 3000000 /dev/urandom >"$wd/bundles/$b.tgz"
	fx index "$wd/bundles"
	rc=0
	"$KBUNDLE" publish --workdir "$wd" --to "oci://$reg/kb" --sign-key "$KB_TMP/k" 2>"$KB_TMP/half.err" || rc=$?
	[ $rc = 1 ] || { cat "$KB_TMP/half.err"; kb_die "a publish the registry fails half-way: exit $rc, want 1"; }
	"$KBUNDLE" -v fetch --key "$KB_TMP/k.pub" --uname "$rel" --arch amd64 --from "oci://$reg/kb" \
		-o "$o/dl3" 2>"$KB_TMP/after.err" || { cat "$KB_TMP/after.err"; kb_die "the store is unreadable after the failed publish"; }
	grep -q "version 1, signed" "$KB_TMP/after.err" || kb_die "the failed publish changed the index: $(cat "$KB_TMP/after.err")"
	kb_log "a publish the registry failed half-way: $(grep -m1 error "$KB_TMP/half.err" | cut -c1-160); the old index stays"
else
	kb_log "cannot mount a tmpfs here: the half-way registry failure is not run"
fi
echo ok
