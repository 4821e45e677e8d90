#!/usr/bin/env bash
# test_pack_ubuntu — the Ubuntu-layout mirror (flavour trees of relative
# symlinks into the all-arch package): crawl, manifest, pack; each bundle is
# self-contained and builds a module whose vermagic starts with BUNDLE_UNAME.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
kb_need nginx make gcc modinfo python3

kb_pipeline ubuntu
wd=$KB_WORKDIR
"$KBUNDLE" pack --all --manifest "$KB_MANIFEST" --upstreams "$KB_UPSTREAMS" --workdir "$wd" -j 2
scratch=$(kb_fast_tmpdir)
for rel in "$KB_UREL_A" "$KB_UREL_B"; do
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	[ "$(tar -xzOf "$wd/bundles/$id.tgz" BUNDLE_DISTRO)" = ubuntu ] || kb_die "$rel: BUNDLE_DISTRO"
	pack_check_bundle "$wd/bundles/$id.tgz" "$rel" "$id" "$scratch/$id"
done
# nothing from the all-arch tree is referenced: it is not in the bundle at all
id=$(pack_index_id "$wd/bundles/index.json" "$KB_UREL_A")
! tar -tzf "$wd/bundles/$id.tgz" | grep -q "^usr/src/$KB_UINDEP_A/" || kb_die "the all-arch tree was packed beside the flavour"
echo ok
