#!/usr/bin/env bash
# test_pack_shared.sh — a pack run reads each header package once: three
# real Debian 13 flavours of one ABI (amd64, cloud-amd64, rt-amd64) share
# linux-kbuild-<abi>, the first two also -common (rt has -common-rt).
# Packed together (-j 2) they make the same bytes as each packed alone, and
# the run says (-v) it read 6 packages for 9 uses (3 headers, -common,
# -common-rt, kbuild).
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
kb_need nginx python3 dpkg-deb
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"

kb_debian13_fetch
# The other two flavours of KB_D13_ABI, from the same suite (once: cached).
pf=$KB_TEST_CACHE/picks/pack-shared-2-$KB_D13_ABI.tsv flavours=$KB_TMP/flavours.tsv ok=
if [ -f "$pf" ]; then
	ok=1
	while IFS=$'\t' read -r _ _ _ _ _ _ _ f; do [ -f "$f" ] && [ -f "$f.stanza" ] || ok=; done <"$pf"
fi
if [ -n "$ok" ]; then
	cp "$pf" "$flavours"
else
	_kb_d13_apt_setup
	{
		for fl in cloud-amd64 rt-amd64; do
			_kb_d13_line trixie-security "linux-headers-$KB_D13_ABI-$fl" headers "$KB_D13_ABI-$fl"
		done
		_kb_d13_line trixie-security "linux-headers-$KB_D13_ABI-common-rt" headers-common "$KB_D13_ABI"
	} >"$flavours"
	_kb_fetch_picks "$flavours"
	mkdir -p "${pf%/*}" && cp "$flavours" "$pf.$$" && mv -f "$pf.$$" "$pf"
fi
awk -F'\t' -v a="$KB_D13_HDR" -v b="$KB_D13_COMMON" -v c="$KB_D13_KBUILD" \
	'$2 == a || $2 == b || $2 == c' "$KB_D13_PICKS" >"$KB_TMP/picks.tsv"
cat "$flavours" >>"$KB_TMP/picks.tsv"
rels=("$KB_D13_REL" "$KB_D13_ABI-cloud-amd64" "$KB_D13_ABI-rt-amd64")

mirror=$KB_TMP/mirror ups=$KB_TMP/upstreams man=$KB_TMP/manifest.yml
_kb_mirror_from_picks "$mirror" "$KB_TMP/picks.tsv"
kb_nginx_start "$mirror"
KB_UPSTREAM_RELEASE=13 kb_upstream_file "$ups" debian-13-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" \
	trixie-security
"$KBUNDLE" -q crawl --upstreams "$ups" --lists "$KB_TMP/lists" --workdir "$KB_TMP/w0" debian-13-e2e
"$KBUNDLE" -q manifest --upstreams "$ups" --lists "$KB_TMP/lists" -o "$man"
[ "$(grep -c '^- id: ' "$man")" -eq 3 ] || { cat "$man"; kb_die "want 3 bundles in the manifest"; }

# Together: each package read once.
"$KBUNDLE" -v pack --all --manifest "$man" --upstreams "$ups" --workdir "$KB_TMP/all" -j 2 2>"$KB_TMP/all.log" ||
	{ cat "$KB_TMP/all.log"; kb_die "pack of the three failed"; }
grep 'header packages:' "$KB_TMP/all.log" >&2 || { cat "$KB_TMP/all.log"; kb_die "no read counter in -v"; }
grep -q 'header packages: 6 read for 9 uses' "$KB_TMP/all.log" ||
	kb_die "want 6 packages read for 9 uses: $(grep 'header packages:' "$KB_TMP/all.log")"

# Alone, one at a time: the same bytes.
for rel in "${rels[@]}"; do
	w=$KB_TMP/one-$rel
	"$KBUNDLE" -v pack --all --manifest "$man" --upstreams "$ups" --workdir "$w" -j 2 \
		--release "^${rel//+/\\+}\$" 2>"$w.log" || { cat "$w.log"; kb_die "$rel: pack alone failed"; }
	grep -q 'header packages: 3 read for 3 uses' "$w.log" || kb_die "$rel alone: $(grep 'header packages:' "$w.log")"
	id=$(pack_index_id "$KB_TMP/all/bundles/index.json" "$rel")
	[ "$id" = "$(pack_index_id "$w/bundles/index.json" "$rel")" ] || kb_die "$rel: another id alone"
	cmp "$KB_TMP/all/bundles/$id.tgz" "$w/bundles/$id.tgz" || kb_die "$rel: packed together, other bytes"
	cmp "$KB_TMP/all/bundles/$id.tgz.sha256" "$w/bundles/$id.tgz.sha256" || kb_die "$rel: other sidecar"
	kb_log "$rel: $(stat -c %s "$w/bundles/$id.tgz") bytes, the same together and alone"
done
echo PASS
