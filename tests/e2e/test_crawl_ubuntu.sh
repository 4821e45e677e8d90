#!/usr/bin/env bash
# test_crawl_ubuntu — kbundle crawl and manifest against a signed
# Ubuntu-layout mirror (jammy, jammy-updates, jammy-security; packages built
# with dpkg-deb in Ubuntu's naming and layout from real kernels): exactly
# the expected packages and releases, the GA and the HWE kernel; re-crawls
# change only last_seen; a package that leaves every pocket stays, marked.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx gpgv python3
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"

m=$KB_TMP/mirror up=$KB_TMP/upstreams lists=$KB_TMP/lists wd=$KB_TMP/work
kb_mirror_ubuntu "$m"
kb_nginx_start "$m"
kb_upstream_file "$up" ubuntu-e2e ubuntu "$KB_NGINX_URL" "$KB_KEYRING" "${KB_UBUNTU_SUITES[@]}"
list=$lists/ubuntu-e2e.list
crawl() { "$KBUNDLE" crawl --upstreams "$up" --lists "$lists" --workdir "$wd" --date "$1" ubuntu-e2e; }
manifest() { "$KBUNDLE" manifest --upstreams "$up" --lists "$lists" -o "$1"; }
col() { awk -F'\t' -v n="$1" -v v="$2" -v c="$3" '$1 == n && $2 == v { print $c }' "$list"; }

# 1. Exactly the kernel packages, once each although A's are in two pockets;
# not the meta package, linux-tools-common or hello.
crawl 2026-01-01
kb_pick_rows "$KB_UBU_PICKS" >"$KB_TMP/want"
kb_list_rows "$list" >"$KB_TMP/got"
diff -u "$KB_TMP/want" "$KB_TMP/got" || kb_die "the list is not the expected packages"
for n in linux-headers-generic linux-tools-common hello; do
	! cut -f1 "$list" | grep -qxF "$n" || kb_die "$n must not be listed"
done
awk -F'\t' '!/^#/ && ($10 != "2026-01-01" || $11 != "2026-01-01" || $12 != "1") { exit 1 }' "$list" ||
	kb_die "first crawl: want first_seen = last_seen = 2026-01-01, present = 1"
col "$KB_UHDR_B" "$KB_UVER_B" 9 | grep -qF "$KB_UINDEP_B" ||
	kb_die "$KB_UHDR_B: depends column lacks $KB_UINDEP_B: $(col "$KB_UHDR_B" "$KB_UVER_B" 9)"
kb_log "list: $(grep -vc '^#' "$list") packages, as expected"

# 2. Manifest: the two releases, flavour + all-arch headers, image + modules.
manifest "$KB_TMP/m1.yml"
row() { grep -P "^\Q$1\E\t\Q$2\E\t" "$KB_TMP/want"; }
for x in A B; do
	rel=KB_UREL_$x ver=KB_UVER_$x
	for p in KB_UHDR_$x KB_UINDEP_$x; do row "${!p}" "${!ver}" | cut -f1,2,4,6- | sed "s/^/${!rel}\theaders\t/"; done
	for p in KB_UIMAGE_$x KB_UMODULES_$x; do row "${!p}" "${!ver}" | cut -f1,2,4,6- | sed "s/^/${!rel}\timages\t/"; done
done | LC_ALL=C sort >"$KB_TMP/want-m"
kb_manifest_rows "$KB_TMP/m1.yml" >"$KB_TMP/got-m"
diff -u "$KB_TMP/want-m" "$KB_TMP/got-m" || kb_die "the manifest is not the expected bundles"
grep -q '^  distro: ubuntu$' "$KB_TMP/m1.yml" || kb_die "bundles not marked distro: ubuntu"
kb_log "manifest: $KB_UREL_A and $KB_UREL_B, as expected"

# 3. Re-crawls: same day, same bytes; next day, only last_seen moves.
cp "$list" "$KB_TMP/list1"
crawl 2026-01-01
cmp "$KB_TMP/list1" "$list" || kb_die "a re-crawl on the same date changed the list"
crawl 2026-01-02
diff <(cut -f1-10,12 "$KB_TMP/list1") <(cut -f1-10,12 "$list") || kb_die "a re-crawl changed more than last_seen"
manifest "$KB_TMP/m2.yml"
cmp "$KB_TMP/m1.yml" "$KB_TMP/m2.yml" || kb_die "the manifest changed although the packages did not"

# 4. A's headers leave jammy-updates but stay in jammy-security: still
# present. Then they leave jammy-security too: kept, marked gone. (sleep:
# nginx's ETag is mtime-size, and a re-signed InRelease of the same size in
# the same second would rightly get a 304.)
sleep 1
kb_apt_index_remove "$m" jammy-updates "$KB_UHDR_A"
crawl 2026-01-03
[ "$(col "$KB_UHDR_A" "$KB_UVER_A" 12)" = 1 ] || kb_die "$KB_UHDR_A is still in jammy-security: want present = 1"
sleep 1
kb_apt_index_remove "$m" jammy-security "$KB_UHDR_A"
crawl 2026-01-04
[ "$(col "$KB_UHDR_A" "$KB_UVER_A" 12)" = 0 ] || kb_die "$KB_UHDR_A: want present = 0"
[ "$(col "$KB_UHDR_A" "$KB_UVER_A" 11)" = 2026-01-03 ] || kb_die "$KB_UHDR_A: want last_seen = 2026-01-03"
kb_list_rows "$list" >"$KB_TMP/got"
diff -u "$KB_TMP/want" "$KB_TMP/got" || kb_die "the vanished package changed the list's rows"
echo "ok"
