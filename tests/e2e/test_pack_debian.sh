#!/usr/bin/env bash
# test_pack_debian — for each real Debian release of the e2e mirror: crawl,
# manifest, pack; extract each bundle on tmpfs and build a module against it
# (vermagic starts with BUNDLE_UNAME; nothing in the tree leaves it). Packing
# again packs nothing and downloads nothing; packing from scratch with the
# cache kept gives the same bytes and downloads nothing.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
kb_need nginx make gcc modinfo python3

kb_pipeline debian
wd=$KB_WORKDIR
pack() { "$KBUNDLE" pack --all --manifest "$KB_MANIFEST" --upstreams "$KB_UPSTREAMS" --workdir "$wd" -j 2 "$@"; }

pack
scratch=$(kb_fast_tmpdir)
declare -A sums
for rel in "$KB_REL_A" "$KB_REL_B"; do
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	pack_check_bundle "$wd/bundles/$id.tgz" "$rel" "$id" "$scratch/$id"
	sums[$rel]=$(kb_sha256 "$wd/bundles/$id.tgz")
done
"$KBUNDLE" cache list --workdir "$wd" --manifest "$KB_MANIFEST" >"$KB_TMP/cache.txt"
grep -q '^6 objects' "$KB_TMP/cache.txt" || { cat "$KB_TMP/cache.txt"; kb_die "cache list"; }

# Again: nothing downloaded, nothing packed.
gets=$(grep -c '"GET /pool/' "$KB_NGINX_ACCESS_LOG")
pack -v 2>"$KB_TMP/pack2.log"
grep -q ' 0 packed, 2 already packed, 0 failed; 0 packages downloaded' "$KB_TMP/pack2.log" ||
	{ cat "$KB_TMP/pack2.log"; kb_die "the second run packed or downloaded again"; }
[ "$(grep -c '"GET /pool/' "$KB_NGINX_ACCESS_LOG")" = "$gets" ] || kb_die "the second run downloaded"

# From scratch with the cache kept: the same bytes, still no download.
rm -rf "$wd/bundles" "$wd/cache/bundles"
pack
for rel in "$KB_REL_A" "$KB_REL_B"; do
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	[ "$(kb_sha256 "$wd/bundles/$id.tgz")" = "${sums[$rel]}" ] || kb_die "$rel: packing twice gave different bytes"
done
[ "$(grep -c '"GET /pool/' "$KB_NGINX_ACCESS_LOG")" = "$gets" ] || kb_die "re-packing downloaded"

# gc keeps what the manifest needs and drops the rest
echo junk >"$wd/cache/objects/00/$(printf '0%.0s' $(seq 64))" 2>/dev/null ||
	{ mkdir -p "$wd/cache/objects/00" && echo junk >"$wd/cache/objects/00/$(printf '0%.0s' $(seq 64))"; }
"$KBUNDLE" cache gc --workdir "$wd" --manifest "$KB_MANIFEST" | grep -q '^removed 1 objects'
"$KBUNDLE" cache list --workdir "$wd" --manifest "$KB_MANIFEST" | grep -q '^6 objects'
echo ok
