#!/usr/bin/env bash
# test_nightly_vanished.sh — a kernel whose packages disappear from the
# upstream index stays in the list marked gone (present=0, last_seen kept),
# is reported as "left", keeps its manifest entry and keeps its bundle.
# --dry-run shows the same change first without writing anything.
set -euo pipefail
. "$KB_SRC/tests/e2e/lib.sh"
kb_need gpgv

W=$KB_TMP
kb_mirror_debian "$W/mirror"
kb_nginx_start "$W/mirror"
kb_upstream_file "$W/up" debian-12 debian "$KB_NGINX_URL" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}"
nightly() { # DATE [more options]
	local d=$1
	shift
	"$KBUNDLE" update --upstreams "$W/up" --lists "$W/lists" --workdir "$W/work" \
		--manifest "$W/manifest.yml" --json "$W/summary.json" --date "$d" "$@"
}
list=$W/lists/debian-12.list
row() { awk -F'\t' -v n="$1" '$1 == n' "$list"; }

pack=()
"$KBUNDLE" --help | grep -q '^  pack ' || pack=(--no-pack)
nightly 2026-01-01 "${pack[@]}"
row "$KB_HDR_B" | grep -q . || kb_die "$KB_HDR_B not in the first list"
bundles_before=$(ls "$W/work/bundles" 2>/dev/null | sort || true)
bundle_b=
if [ ${#pack[@]} -eq 0 ]; then
	id_b=$(awk -v rel="$KB_REL_B" '/^- id:/ { id = $3 } $1 == "release:" && $2 == rel { print id }' \
		"$W/manifest.yml" | head -n 1)
	bundle_b=$W/work/bundles/$id_b.tgz
	[ -s "$bundle_b" ] || kb_die "no bundle packed for $KB_REL_B ($bundle_b)"
	sha_b=$(kb_sha256 "$bundle_b")
fi

# Release B's headers leave bookworm-security.
sleep 1
kb_apt_index_remove "$W/mirror" bookworm-security "$KB_HDR_B"

# --dry-run reports the change and writes nothing the next run reads.
cp "$list" "$W/before.list"
cp "$W/manifest.yml" "$W/before.manifest"
state_before=$(cd "$W/work" && find state -type f -exec sha256sum {} + | sort)
nightly 2026-01-02 --dry-run --json "$W/dry.json" >"$W/dry.out"
cat "$W/dry.out"
cmp "$list" "$W/before.list" || kb_die "--dry-run changed the list"
cmp "$W/manifest.yml" "$W/before.manifest" || kb_die "--dry-run changed the manifest"
[ "$state_before" = "$(cd "$W/work" && find state -type f -exec sha256sum {} + | sort)" ] ||
	kb_die "--dry-run changed the HTTP state"
grep -q "$KB_REL_B" "$W/dry.out" || kb_die "--dry-run does not show $KB_REL_B leaving"
python3 - "$W/dry.json" "$KB_REL_B" <<'PY' || kb_die "--dry-run summary wrong"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["dry_run"] is True
assert [k["release"] for k in s["gone_kernels"]] == [sys.argv[2]], s["gone_kernels"]
PY
[ -z "$(ls -A "$W/work/tmp" 2>/dev/null)" ] || kb_die "--dry-run left scratch files: $(ls -A "$W/work/tmp")"

nightly 2026-01-02 "${pack[@]}"
r=$(row "$KB_HDR_B")
[ -n "$r" ] || kb_die "$KB_HDR_B was deleted from the list"
[ "$(cut -f12 <<<"$r")" = 0 ] || kb_die "$KB_HDR_B not marked gone: $r"
[ "$(cut -f11 <<<"$r")" = 2026-01-01 ] || kb_die "$KB_HDR_B last_seen moved: $r"
[ "$(cut -f10 <<<"$r")" = 2026-01-01 ] || kb_die "$KB_HDR_B first_seen moved: $r"
[ "$(row "$KB_HDR_A" | cut -f11)" = 2026-01-02 ] || kb_die "$KB_HDR_A last_seen not updated"
python3 - "$W/summary.json" "$KB_REL_B" <<'PY' || kb_die "summary does not report $KB_REL_B as gone"
import json, sys
s = json.load(open(sys.argv[1]))
assert [k["release"] for k in s["gone_kernels"]] == [sys.argv[2]], s["gone_kernels"]
assert s["upstreams"][0]["packages_gone"] == 1, s["upstreams"]
PY
grep -q "$KB_REL_B" "$W/manifest.yml" || kb_die "the manifest dropped $KB_REL_B"
bundles_after=$(ls "$W/work/bundles" 2>/dev/null | sort || true)
[ "$bundles_before" = "$bundles_after" ] || kb_die "bundles changed: $bundles_before -> $bundles_after"
[ -z "$bundle_b" ] || [ "$(kb_sha256 "$bundle_b")" = "$sha_b" ] || kb_die "the bundle of $KB_REL_B changed"
echo PASS
