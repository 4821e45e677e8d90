#!/usr/bin/env bash
# bench/fetch.sh — `kbundle fetch --key … --extract` (signature, expiry and
# rollback checks, download, sha256, safe extraction into a fresh private
# tree) beside the shell way on the same bundle from the same nginx in the
# same run: `curl -o` of the bundle and its sidecar, `sha256sum -c`,
# `tar xzf`. Both extract to tmpfs. Each side runs 5 times; the best wall
# time counts (these machines are noisy). Target: ratio <= 1.1.
# Then the same bundle published to Debian's docker-registry on 127.0.0.1:
# `kbundle fetch --from oci://…` (index artefact, signature, the bundle
# blob checked against the signed sha256) beside `skopeo copy` of the
# bundle's artefact to an OCI layout. Target: ratio <= 1.0.
set -euo pipefail
export KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
export KBUNDLE=${KBUNDLE:-$KB_SRC/build/kbundle}
. "$KB_SRC/tests/e2e/lib.sh"
kb_need nginx curl sha256sum tar python3 docker-registry skopeo
kb_pipeline debian
wd=$KB_WORKDIR
re=$(printf '%s' "$KB_REL_A" | sed 's/[.+]/\\&/g')
"$KBUNDLE" -q pack --all --manifest "$KB_MANIFEST" --upstreams "$KB_UPSTREAMS" --workdir "$wd" \
	--release "^$re\$" -j 2
"$KBUNDLE" -q key generate -o "$KB_TMP/k" >/dev/null
pub=$KB_TMP/pub
"$KBUNDLE" -q publish --workdir "$wd" --to "$pub" --sign-key "$KB_TMP/k"
id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["bundles"][0]["id"])' "$pub/index.json")
kb_nginx_start "$pub"
url=$KB_NGINX_URL
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
TIMEFORMAT='%R'
kb_way() {
	"$KBUNDLE" -q fetch --key "$KB_TMP/k.pub" --uname "$KB_REL_A" --from "$url" -o "$1/dl" \
		--extract "$1/kb" >/dev/null
}
shell_way() {
	(cd "$1" && curl -sfo "$id.tgz" "$url/$id.tgz" && curl -sfo "$id.tgz.sha256" "$url/$id.tgz.sha256" &&
		sha256sum -c --quiet "$id.tgz.sha256" && mkdir x && tar -xzf "$id.tgz" -C x)
}
kb_t=() sh_t=()
for try in 1 2 3 4 5; do
	d=$(kb_fast_tmpdir)
	sh_t+=("$( { time shell_way "$d" >/dev/null 2>&1; } 2>&1 )")
	rm -rf "$d"
	d=$(kb_fast_tmpdir)
	kb_t+=("$( { time kb_way "$d"; } 2>&1 )")
	[ -f "$d/kb/BUNDLE_BUILD_DIR" ] || kb_die "kbundle fetch did not extract"
	rm -rf "$d"
done
s=$(best "${sh_t[@]}") k=$(best "${kb_t[@]}")
size=$(stat -c %s "$pub/$id.tgz") entries=$(tar -tzf "$pub/$id.tgz" | wc -l)
printf 'bundle %s: %d bytes, %d entries\n' "$KB_REL_A" "$size" "$entries"
printf '%-44s %8s\n' "curl -o + sha256sum -c + tar xzf (baseline)" "${s}s"
printf '%-44s %8s\n' "kbundle fetch --key --extract" "${k}s"
printf 'ratio kbundle/baseline: %.2fx (target <= 1.1x)\n' "$(echo "$k / $s" | bc -l)"

# --- OCI: kbundle fetch vs skopeo copy
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog: { level: warn }\nstorage:\n  filesystem: { rootdirectory: %s }\nhttp: { addr: "127.0.0.1:%s" }\n' \
	"$KB_TMP/registry" "$port" >"$KB_TMP/registry.yml"
docker-registry serve "$KB_TMP/registry.yml" >"$KB_TMP/registry.log" 2>&1 &
kb_on_exit kill $!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
reg=127.0.0.1:$port
"$KBUNDLE" -q publish --workdir "$wd" --to "oci://$reg/kb" --sign-key "$KB_TMP/k"
tag=$(printf '%s' "$KB_REL_A" | tr -c 'A-Za-z0-9_.\n-' _)
kb_t=() sk_t=()
for try in 1 2 3 4 5; do
	d=$(kb_fast_tmpdir)
	sk_t+=("$( { time skopeo copy -q --src-tls-verify=false "docker://$reg/kb:$tag" "oci:$d/layout:b" >/dev/null 2>&1; } 2>&1 )")
	[ -f "$d/layout/blobs/sha256/$(sha256sum "$pub/$id.tgz" | cut -c1-64)" ] || kb_die "skopeo copy did not copy the bundle"
	rm -rf "$d"
	d=$(kb_fast_tmpdir)
	kb_t+=("$( { time "$KBUNDLE" -q fetch --key "$KB_TMP/k.pub" --uname "$KB_REL_A" --from "oci://$reg/kb" -o "$d/dl" >/dev/null; } 2>&1 )")
	cmp -s "$d/dl/$id.tgz" "$pub/$id.tgz" || kb_die "kbundle fetch from the registry: wrong bytes"
	rm -rf "$d"
done
s=$(best "${sk_t[@]}") k=$(best "${kb_t[@]}")
printf '%-44s %8s\n' "skopeo copy docker:// -> oci: (baseline)" "${s}s"
printf '%-44s %8s\n' "kbundle fetch --key --from oci://" "${k}s"
printf 'ratio kbundle/baseline: %.2fx (target <= 1.0x)\n' "$(echo "$k / $s" | bc -l)"
