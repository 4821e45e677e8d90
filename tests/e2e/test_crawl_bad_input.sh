#!/usr/bin/env bash
# test_crawl_bad_input — hostile or broken mirrors: a tampered Packages
# (checksum mismatch), a bad signature (another key; an edited InRelease), a
# truncated or garbage index that the signed Release vouches for, missing
# files (404). Each gives one clear error naming the URL, exit status 1, and
# leaves the previous list byte-for-byte unchanged; a healthy upstream in the
# same run is still updated.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx gpgv python3 xz
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"

m=$KB_TMP/mirror up=$KB_TMP/upstreams lists=$KB_TMP/lists
kb_mirror_debian "$m"
kb_nginx_start "$m"
# The upstream under attack, and a healthy one (another suite of the mirror).
kb_upstream_file "$up" debian-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}"
kb_upstream_file "$up" debian-base debian "$KB_NGINX_URL" "$KB_KEYRING" bookworm
# Each crawl gets a fresh work directory: with the HTTP validators of an
# earlier crawl, an unchanged InRelease (304) rightly means "nothing to
# fetch", and the attack below it would never be read.
crawl() {
	"$KBUNDLE" crawl --upstreams "$up" --lists "$lists" --workdir "$(mktemp -d "$KB_TMP/work.XXXXXX")" \
		--date "$1" "${@:2}"
}
crawl 2026-01-01 debian-e2e debian-base
cp "$lists/debian-e2e.list" "$KB_TMP/saved.list"
sec=$m/dists/bookworm-security idx=$m/dists/bookworm-security/main/binary-amd64

reset_mirror() { rm -rf "$m/dists"; kb_mirror_debian "$m"; }

# A run where one upstream fails and another is updated exits with the
# status crawl --help documents for it: 3 ("partial", cli/cli.h) once the
# command says so, 1 before.
partial=1
"$KBUNDLE" crawl --help | grep -q '3.*partial\|partial.*3' && partial=3

# expect_fail NAME URL_PATH — crawling the attacked upstream alone fails
# (exit 1) with one error naming URL_PATH and leaves its list untouched;
# crawling it beside a healthy one fails it again, updates the other.
n=0
expect_fail() {
	local name=$1 url=$KB_NGINX_URL/$2 rc=0 errs day
	n=$((n + 1))
	day=2026-02-$(printf %02d $n)
	crawl "$day" debian-e2e >"$KB_TMP/out" 2>"$KB_TMP/err" || rc=$?
	errs=$(grep -c '^error: ' "$KB_TMP/err" || true)
	sed "s/^/    [$name] /" "$KB_TMP/err" >&2
	[ $rc -eq 1 ] || kb_die "$name: exit status $rc, want 1"
	grep -qF "$url" "$KB_TMP/err" || kb_die "$name: no error naming $url"
	[ "$errs" -eq 1 ] || kb_die "$name: $errs error lines, want one"
	cmp "$KB_TMP/saved.list" "$lists/debian-e2e.list" || kb_die "$name: the list of the failed upstream changed"
	[ "$(ls -A "$lists" | tr '\n' ' ')" = "debian-base.list debian-e2e.list " ] ||
		kb_die "$name: leftovers in the lists folder: $(ls -A "$lists")"
	rc=0
	crawl "$day" debian-e2e debian-base >"$KB_TMP/out" 2>"$KB_TMP/err" || rc=$?
	[ $rc -eq $partial ] || kb_die "$name, beside a healthy upstream: exit status $rc, want $partial"
	cmp "$KB_TMP/saved.list" "$lists/debian-e2e.list" || kb_die "$name: the list of the failed upstream changed"
	awk -F'\t' -v d="$day" '!/^#/ && $11 != d { exit 1 }' "$lists/debian-base.list" ||
		kb_die "$name: the healthy upstream was not updated"
	kb_log "$name: refused with one error, list unchanged, the healthy upstream updated"
	reset_mirror
}

# 1. Tampered index: Packages.xz no longer matches the signed Release.
xz -dc "$idx/Packages.xz" | sed "s/^Version: $KB_VER_B\$/Version: 99:$KB_VER_B/" | xz -T1 -c >"$idx/Packages.xz.new"
mv "$idx/Packages.xz.new" "$idx/Packages.xz"
expect_fail "tampered Packages.xz" dists/bookworm-security/main/binary-amd64/Packages.xz

# 2a. A good signature, by a key the upstream does not trust.
kb_apt_release "$m" bookworm-security intruder
expect_fail "signed by another key" dists/bookworm-security/InRelease

# 2b. An edited InRelease (a checksum line changed after signing).
python3 - "$sec/InRelease" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
i = t.index("SHA256:")
j = t.index(" ", t.index("\n", i) + 2)  # first hash digit of the first SHA256 line
t = t[:j + 1] + ("0" if t[j + 1] != "0" else "1") + t[j + 2:]
open(p, "w").write(t)
PY
rm -f "$sec/Release" "$sec/Release.gpg"
expect_fail "edited InRelease" dists/bookworm-security/InRelease

# 3a. Truncated Packages.xz, vouched for by a freshly signed Release (the
# only index of the suite, so nothing else can stand in for it).
head -c "$(($(stat -c %s "$idx/Packages.xz") / 2))" "$idx/Packages.xz" >"$idx/Packages.xz.new"
mv "$idx/Packages.xz.new" "$idx/Packages.xz"
rm -f "$idx/Packages" "$idx/Packages.gz"
kb_apt_release "$m" bookworm-security
expect_fail "truncated Packages.xz" dists/bookworm-security/main/binary-amd64/Packages.xz

# 3b. Garbage that is not xz at all, signed the same way.
head -c 4096 /dev/urandom >"$idx/Packages.xz"
rm -f "$idx/Packages" "$idx/Packages.gz"
kb_apt_release "$m" bookworm-security
expect_fail "garbage Packages.xz" dists/bookworm-security/main/binary-amd64/Packages.xz

# 3c. A valid xz stream whose content is not a Packages file.
head -c 65536 /dev/urandom | base64 -w 0 | xz -T1 -c >"$idx/Packages.xz"
rm -f "$idx/Packages" "$idx/Packages.gz"
kb_apt_release "$m" bookworm-security
expect_fail "binary junk in Packages.xz" dists/bookworm-security/main/binary-amd64/Packages.xz

# 4a. The index the Release lists is missing (404).
rm -f "$idx/Packages" "$idx/Packages.gz" "$idx/Packages.xz"
expect_fail "missing Packages (404)" dists/bookworm-security/main/binary-amd64/Packages

# 4b. No InRelease, no Release (404).
rm -f "$sec/InRelease" "$sec/Release" "$sec/Release.gpg"
expect_fail "missing InRelease and Release (404)" dists/bookworm-security/

# 5. Release + Release.gpg without InRelease is a valid mirror: the crawl
# succeeds; with a detached signature from another key it fails.
rm -f "$sec/InRelease"
crawl 2026-03-01 debian-e2e || kb_die "Release + Release.gpg (no InRelease) was refused"
cmp <(cut -f1-10 "$KB_TMP/saved.list") <(cut -f1-10 "$lists/debian-e2e.list") ||
	kb_die "Release + Release.gpg: the list's packages changed"
cp "$lists/debian-e2e.list" "$KB_TMP/saved.list"
home=$(kb_gpg_key intruder)
gpg --homedir "$home" --batch --quiet --yes --detach-sign --armor -o "$sec/Release.gpg" "$sec/Release"
rm -f "$sec/InRelease"
expect_fail "Release.gpg by another key" dists/bookworm-security/Release
echo "ok"
