#!/usr/bin/env bash
# test_crawl_debian — kbundle crawl and manifest against a signed
# Debian-layout mirror of real packages behind nginx: exactly the expected
# packages and releases; a re-crawl changes nothing but last_seen; a package
# that leaves the index stays, marked, and comes back when it returns.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx gpgv python3
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"

m=$KB_TMP/mirror up=$KB_TMP/upstreams lists=$KB_TMP/lists wd=$KB_TMP/work
kb_mirror_debian "$m"
kb_nginx_start "$m"
kb_upstream_file "$up" debian-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}"
list=$lists/debian-e2e.list
crawl() { "$KBUNDLE" crawl --upstreams "$up" --lists "$lists" --workdir "$wd" --date "$1" debian-e2e; }
manifest() { "$KBUNDLE" manifest --upstreams "$up" --lists "$lists" -o "$1"; }
col() { awk -F'\t' -v n="$1" -v v="$2" -v c="$3" '$1 == n && $2 == v { print $c }' "$list"; }

# 1. First crawl: exactly the kernel packages, none of the others.
crawl 2026-01-01
kb_pick_rows "$KB_DEB_PICKS" >"$KB_TMP/want"
kb_list_rows "$list" >"$KB_TMP/got"
diff -u "$KB_TMP/want" "$KB_TMP/got" || kb_die "the list is not the expected packages"
for n in linux-headers-amd64 linux-libc-dev hello; do
	! cut -f1 "$list" | grep -qxF "$n" || kb_die "$n must not be listed"
done
awk -F'\t' '!/^#/ && ($10 != "2026-01-01" || $11 != "2026-01-01" || $12 != "1") { exit 1 }' "$list" ||
	kb_die "first crawl: want first_seen = last_seen = 2026-01-01, present = 1"
col "$KB_HDR_A" "$KB_VER_A" 9 | grep -qF "$KB_COMMON_A (= $KB_VER_A)" ||
	kb_die "$KB_HDR_A: depends column lacks $KB_COMMON_A (= $KB_VER_A): $(col "$KB_HDR_A" "$KB_VER_A" 9)"
head -n 1 "$list" | grep -q '^#kbundle-list 1	name	version' || kb_die "list header line"
kb_log "list: $(grep -vc '^#' "$list") packages, as expected"

# 2. Manifest: exactly releases A and B, each with its headers, the kbuild
# the headers need (not the older one in the same suite) and its image.
manifest "$KB_TMP/m1.yml"
row() { grep -P "^\Q$1\E\t\Q$2\E\t" "$KB_TMP/want"; }
for x in A B; do
	rel=KB_REL_$x hdr=KB_HDR_$x com=KB_COMMON_$x kb=KB_KBUILD_$x kbv=KB_KBUILD_VER_$x img=KB_IMAGE_$x ver=KB_VER_$x
	for p in "${!hdr} ${!ver}" "${!com} ${!ver}" "${!kb} ${!kbv}"; do
		row $p | cut -f1,2,4,6- | sed "s/^/${!rel}\theaders\t/"
	done
	row "${!img}" "${!ver}" | cut -f1,2,4,6- | sed "s/^/${!rel}\timages\t/"
done | LC_ALL=C sort >"$KB_TMP/want-m"
kb_manifest_rows "$KB_TMP/m1.yml" >"$KB_TMP/got-m"
diff -u "$KB_TMP/want-m" "$KB_TMP/got-m" || kb_die "the manifest is not the expected bundles"
[ "$(grep -c '^- id: ' "$KB_TMP/m1.yml")" -eq 2 ] || kb_die "want exactly 2 bundles"
kb_log "manifest: $KB_REL_A and $KB_REL_B, as expected"

# 3. Crawl again: the same day gives the same bytes; the next day changes
# last_seen only.
cp "$list" "$KB_TMP/list1"
crawl 2026-01-01
cmp "$KB_TMP/list1" "$list" || kb_die "a re-crawl on the same date changed the list"
crawl 2026-01-02
diff <(cut -f1-10,12 "$KB_TMP/list1") <(cut -f1-10,12 "$list") ||
	kb_die "a re-crawl changed more than last_seen"
awk -F'\t' '!/^#/ && $11 != "2026-01-02" { exit 1 }' "$list" || kb_die "last_seen not moved to 2026-01-02"
manifest "$KB_TMP/m2.yml"
cmp "$KB_TMP/m1.yml" "$KB_TMP/m2.yml" || kb_die "the manifest changed although the packages did not"

# 4. A package leaves the index: it stays, marked not present, last seen
# the day before.
# (sleep: nginx's ETag is mtime-size; a re-signed InRelease of the same size in
# the same second would rightly get a 304.)
sleep 1
kb_apt_index_remove "$m" bookworm-security "$KB_HDR_B"
crawl 2026-01-03
[ "$(col "$KB_HDR_B" "$KB_VER_B" 12)" = 0 ] || kb_die "$KB_HDR_B: want present = 0"
[ "$(col "$KB_HDR_B" "$KB_VER_B" 11)" = 2026-01-02 ] || kb_die "$KB_HDR_B: want last_seen = 2026-01-02"
[ "$(col "$KB_HDR_B" "$KB_VER_B" 10)" = 2026-01-01 ] || kb_die "$KB_HDR_B: want first_seen kept"
kb_list_rows "$list" >"$KB_TMP/got"
diff -u "$KB_TMP/want" "$KB_TMP/got" || kb_die "the vanished package changed the list's rows"
[ "$(awk -F'\t' '!/^#/ && $12 == 1' "$list" | wc -l)" -eq $(($(wc -l <"$KB_TMP/want") - 1)) ] ||
	kb_die "want every other package still present"
manifest "$KB_TMP/m3.yml"
kb_log "manifest with $KB_HDR_B gone from the index: $(grep -c '^- id: ' "$KB_TMP/m3.yml") bundle(s)"

# 5. It comes back: present again, first_seen kept.
rm -rf "$m/dists/bookworm-security"
kb_mirror_debian "$m"
crawl 2026-01-04
[ "$(col "$KB_HDR_B" "$KB_VER_B" 12)" = 1 ] || kb_die "$KB_HDR_B: want present = 1 after it returned"
[ "$(col "$KB_HDR_B" "$KB_VER_B" 10)" = 2026-01-01 ] || kb_die "$KB_HDR_B: want first_seen kept"
echo "ok"
