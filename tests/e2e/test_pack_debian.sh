#!/usr/bin/env bash
# test_pack_debian — for each real Debian release of the e2e mirror: crawl,
# manifest, pack; extract each bundle elsewhere and build a module against
# it (vermagic starts with BUNDLE_UNAME; nothing in the tree leaves it).
# Packing again gives the same bytes, downloads nothing and packs nothing.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
kb_need nginx make gcc modinfo dpkg-deb

kb_mirror_debian "$KB_TMP/mirror"
kb_nginx_start "$KB_TMP/mirror"
ups=$KB_TMP/upstreams
kb_upstream_file "$ups" debian-12 debian "$KB_NGINX_URL" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}"
pack_lists "$KB_TMP/lists" "$ups" "$KB_DEB_PICKS"
"$KBUNDLE" manifest --upstreams "$ups" --lists "$KB_TMP/lists" -o "$KB_TMP/manifest.yml"
wd=$KB_TMP/wd
pack() { "$KBUNDLE" pack --manifest "$KB_TMP/manifest.yml" --upstreams "$ups" --workdir "$wd" -j 2 "$@"; }

pack
n=$(grep -c '"id":' "$wd/bundles/index.json")
[ "$n" -ge 2 ] || kb_die "expected a bundle per Debian release, index lists $n"
scratch=$(pack_scratch)
for rel in "$KB_REL_A" "$KB_REL_B"; do
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	tgz=$wd/bundles/$id.tgz
	[ -f "$tgz" ] || kb_die "no bundle for $rel"
	(cd "$wd/bundles" && sha256sum -c --quiet "$id.tgz.sha256")
	# the meta files: one value each, no newline
	tar -xzf "$tgz" -C "$scratch" BUNDLE_UNAME BUNDLE_CHECKSUM BUNDLE_BUILD_DIR BUNDLE_ARCH bundle.json
	[ "$(cat "$scratch/BUNDLE_UNAME")" = "$rel" ] || kb_die "BUNDLE_UNAME is not $rel"
	[ "$(cat "$scratch/BUNDLE_CHECKSUM")" = "$id" ] || kb_die "BUNDLE_CHECKSUM is not the id"
	[ "$(tail -c1 "$scratch/BUNDLE_UNAME" | od -An -c | tr -d ' ')" != '\n' ] || kb_die "BUNDLE_UNAME ends in a newline"
	grep -q '"compiler": "[^"]*gcc' "$scratch/bundle.json" || kb_die "bundle.json names no compiler"
	# self-contained: no absolute or escaping links, no absolute includes
	! tar -tvzf "$tgz" | grep -E '^l.* -> /' || kb_die "$rel: absolute symlink in the bundle"
	! tar -tvzf "$tgz" | grep -E '^[bcp]' || kb_die "$rel: device node or FIFO in the bundle"
	! tar -tvzf "$tgz" | grep -E '^-..[sS]|^-.....[sS]' || kb_die "$rel: setuid/setgid file"
	vm=$(pack_build_module "$tgz" "$scratch/$rel")
	case "$vm" in "$rel "*) ;; *) kb_die "$rel: vermagic '$vm' does not start with BUNDLE_UNAME" ;; esac
	kb_log "$rel: module built, vermagic $vm"
	sha1=$(kb_sha256 "$tgz")
	declare "sum_${rel//[^a-zA-Z0-9]/_}=$sha1"
done

# Again: the same bytes; nothing downloaded, nothing packed.
gets=$(grep -c '"GET /pool/' "$KB_NGINX_ACCESS_LOG")
pack -v 2>"$KB_TMP/pack2.log"
grep -q '0 packed, [0-9]* already packed' "$KB_TMP/pack2.log" || { cat "$KB_TMP/pack2.log"; kb_die "the second run packed again"; }
[ "$(grep -c '"GET /pool/' "$KB_NGINX_ACCESS_LOG")" = "$gets" ] || kb_die "the second run downloaded"
# Re-packing from scratch (cache kept, bundles gone) gives the same bytes.
rm -rf "$wd/bundles" "$wd/cache/bundles"
pack
for rel in "$KB_REL_A" "$KB_REL_B"; do
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	v=sum_${rel//[^a-zA-Z0-9]/_}
	[ "$(kb_sha256 "$wd/bundles/$id.tgz")" = "${!v}" ] || kb_die "$rel: packing twice gave different bytes"
done
[ "$(grep -c '"GET /pool/' "$KB_NGINX_ACCESS_LOG")" = "$gets" ] || kb_die "re-packing downloaded"
"$KBUNDLE" cache list --workdir "$wd" --manifest "$KB_TMP/manifest.yml" | tail -1 | grep -q '^6 objects'
echo ok
