#!/usr/bin/env bash
# test_hostile.sh — a corpus of hostile inputs, built here at test time (the
# list below says what each is), served from a signed mirror on nginx or
# given as upstream files: each is refused by `kbundle crawl` with the
# expected error, quickly, writing nothing. Hostile archives (.deb/.tgz:
# bogus ar sizes, traversal, truncation, bombs) are refused in test_hostile.c.
#   YAML: alias bomb, deep nesting, huge scalar (upstream files)
#   apt: xz and gzip bombs, truncated xz, overlong line, malformed stanza,
#        Release with a bad SHA256 line, a huge size, an overflowing size
#   rpm-md: malformed repomd.xml, billion laughs, external entities (file
#        and network: never fetched), billion laughs in primary.xml
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx gpgv gpg apt-ftparchive xz gzip sha256sum
m=$KB_TMP/mirror up=$KB_TMP/up
mkdir -p "$m" "$up"
KB_KEYRING=$(kb_gpg_key archive)/keyring.gpg

# A small real Packages: apt's own kernel-header stanzas (a synthetic one
# when this machine has no lists).
mapfile -t idx < <(apt-get indextargets --format '$(FILENAME)' 'Identifier: Packages' 2>/dev/null || true)
for f in ${idx[@]+"${idx[@]}"}; do /usr/lib/apt/apt-helper cat-file "$f"; done |
	awk 'BEGIN { RS = ""; ORS = "\n\n" } /(^|\n)Package: linux-headers-/ && n++ < 20' >"$KB_TMP/real"
[ -s "$KB_TMP/real" ] || printf 'Package: linux-headers-6.1.0-1-amd64\nVersion: 6.1.1-1\nArchitecture: amd64\nFilename: pool/main/l/linux/linux-headers-6.1.0-1-amd64_6.1.1-1_amd64.deb\nSize: 10\nSHA256: %064d\n\n' 0 >"$KB_TMP/real"

# apt_suite SUITE < Packages — a signed suite serving that index (.xz, .gz).
apt_suite() {
	local d=$m/dists/$1/main/binary-amd64
	mkdir -p "$d"
	cat >"$d/Packages"
	kb_apt_finish_suite "$m" "$1"
}
# apt_release SUITE — rewrite Release over the files now in the suite (after
# swapping an index for a hostile one) and sign it; stdin, when given, is
# the Release text itself, signed as is.
apt_release() {
	local d=$m/dists/$1
	if [ -t 0 ] || [ "${2:-}" != raw ]; then
		(cd "$d" && apt-ftparchive -q=2 -o APT::FTPArchive::Release::Suite="$1" \
			-o APT::FTPArchive::Release::Codename="$1" release . >../.Release.tmp)
		mv -f "$m/dists/.Release.tmp" "$d/Release"
	else
		cat >"$d/Release"
	fi
	_kb_sign_release "$d" archive
}
# Each upstream file in a directory of its own: crawl loads every file there.
upfile() { mkdir -p "$up/$1"; echo "$up/$1/$1.yml"; }
upstream_apt() { # NAME SUITE
	printf 'distro: debian\nfamily: apt\nrelease: "12"\narchitectures: [amd64]\nmirrors: ["%s"]\nsuites: [%s]\ncomponents: [main]\nkeyring: %s\n' \
		"$KB_NGINX_URL" "$2" "$KB_KEYRING" >"$(upfile "$1")"
}
upstream_rpm() { # NAME REPO
	printf 'distro: almalinux\nfamily: rpm-md\nrelease: "9"\narchitectures: [x86_64]\nmirrors: ["%s"]\nrepos: ["%s"]\nkeyring: none\n' \
		"$KB_NGINX_URL" "$2" >"$(upfile "$1")"
}
n=0
refused() { # refused NAME EXIT PATTERN — crawl only that upstream
	n=$((n + 1))
	local lists=$KB_TMP/lists$n wd=$KB_TMP/wd$n rc=0 t0 t1
	mkdir -p "$lists"
	t0=$(date +%s)
	timeout 60 "$KBUNDLE" crawl --upstreams "$up/$1" --lists "$lists" --workdir "$wd" \
		>"$KB_TMP/out" 2>"$KB_TMP/err" || rc=$?
	t1=$(date +%s)
	[ $rc -eq "$2" ] || { cat "$KB_TMP/err"; kb_die "$1: exit $rc, want $2"; }
	grep -qE -- "$3" "$KB_TMP/err" || { cat "$KB_TMP/err"; kb_die "$1: no error matching '$3'"; }
	[ -z "$(ls -A "$lists")" ] || kb_die "$1: wrote $(ls -A "$lists")"
	[ ! -d "$wd/tmp" ] || [ -z "$(ls -A "$wd/tmp")" ] || kb_die "$1: left $(ls -A "$wd/tmp")"
	[ $((t1 - t0)) -lt 20 ] || kb_die "$1: took $((t1 - t0)) s to refuse"
	kb_log "refused $1: $(grep -m1 -E -- "$3" "$KB_TMP/err")"
}

# ---- build the corpus
apt_suite good <"$KB_TMP/real"
# decompression bombs: 64 MiB of blank lines as the index (xz ~10 KiB, gzip
# ~64 KiB): valid to the parser, so only the ratio can stop them
apt_suite xzbomb <"$KB_TMP/real"
head -c 64M /dev/zero | tr '\0' '\n' | xz -T1 -0 >"$m/dists/xzbomb/main/binary-amd64/Packages.xz"
apt_release xzbomb
apt_suite gzbomb <"$KB_TMP/real"
rm "$m/dists/gzbomb/main/binary-amd64/Packages.xz"
head -c 64M /dev/zero | tr '\0' '\n' | gzip -1 >"$m/dists/gzbomb/main/binary-amd64/Packages.gz"
apt_release gzbomb
# a truncated xz (the signed Release lists the truncated file)
apt_suite truncated <"$KB_TMP/real"
p=$m/dists/truncated/main/binary-amd64/Packages.xz
head -c $(($(stat -c %s "$p") / 2)) "$p" >"$p.cut" && mv "$p.cut" "$p"
apt_release truncated
# an overlong line (2 MiB, random so that no ratio trips first) and a line
# that is no field
{ cat "$KB_TMP/real"; printf 'Package: x\nDescription: '; head -c 1600K /dev/urandom | base64 -w0; printf '\n\n'; } |
	apt_suite longline
{ cat "$KB_TMP/real"; printf 'Package: y\nthis line has no colon\n\n'; } | apt_suite badstanza
# Release files: a bad SHA256 line, a huge size, a size that overflows 64 bits
sha=$(sha256sum "$m/dists/good/main/binary-amd64/Packages.xz" | cut -c1-64)
apt_suite badsha <"$KB_TMP/real"
printf 'Suite: badsha\nCodename: badsha\nSHA256:\n %s 12 main/binary-amd64/Packages.xz\n' "zz${sha:2}" |
	apt_release badsha raw
apt_suite hugesize <"$KB_TMP/real"
printf 'Suite: hugesize\nCodename: hugesize\nSHA256:\n %s 99999999999999 main/binary-amd64/Packages.xz\n' "$sha" |
	apt_release hugesize raw
apt_suite overflow <"$KB_TMP/real"
printf 'Suite: overflow\nCodename: overflow\nSHA256:\n %s 184467440737095516160 main/binary-amd64/Packages.xz\n' "$sha" |
	apt_release overflow raw

# rpm-md
repomd() { # repomd REPO < repomd.xml
	mkdir -p "$m/$1/repodata"
	cat >"$m/$1/repodata/repomd.xml"
}
printf '<?xml version="1.0"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo">\n<data type="primary">\n<location href="repodata/p.xml.gz"/>\n</repomd>\n' |
	repomd malformed
lol='<!DOCTYPE repomd [
<!ENTITY lol "lol"><!ENTITY l1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY l2 "&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;"><!ENTITY l3 "&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;">
<!ENTITY l4 "&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;"><!ENTITY l5 "&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;">
<!ENTITY l6 "&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;"><!ENTITY l7 "&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;">
<!ENTITY l8 "&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;"><!ENTITY l9 "&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;">]>'
printf '<?xml version="1.0"?>\n%s\n<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary"><checksum type="sha256">%s</checksum><location href="repodata/&l9;.xml.gz"/></data></repomd>\n' \
	"$lol" "$sha" | repomd laughs
printf '<?xml version="1.0"?>\n<!DOCTYPE repomd [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary"><checksum type="sha256">%s</checksum><location href="repodata/&x;"/></data></repomd>\n' \
	"$sha" | repomd xxefile
kb_nginx_start "$m"
printf '<?xml version="1.0"?>\n<!DOCTYPE repomd SYSTEM "%s/evil.dtd">\n<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary"><checksum type="sha256">%s</checksum><location href="repodata/&x;"/></data></repomd>\n' \
	"$KB_NGINX_URL" "$sha" | repomd xxenet
printf '<!ENTITY x SYSTEM "%s/evil-entity">\n' "$KB_NGINX_URL" >"$m/evil.dtd"
# billion laughs in primary.xml, under a repomd.xml that checks out
mkdir -p "$m/plaughs/repodata"
printf '<?xml version="1.0"?>\n%s\n<metadata xmlns="http://linux.duke.edu/metadata/common" packages="1"><package type="rpm"><name>kernel-devel&l9;</name></package></metadata>\n' \
	"${lol//repomd/metadata}" | gzip -9n >"$m/plaughs/repodata/primary.xml.gz"
psha=$(sha256sum "$m/plaughs/repodata/primary.xml.gz" | cut -c1-64)
psize=$(stat -c %s "$m/plaughs/repodata/primary.xml.gz")
printf '<?xml version="1.0"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary"><checksum type="sha256">%s</checksum><location href="repodata/primary.xml.gz"/><size>%s</size></data></repomd>\n' \
	"$psha" "$psize" | repomd plaughs

for s in good xzbomb gzbomb truncated longline badstanza badsha hugesize overflow; do upstream_apt "$s" "$s"; done
for r in malformed laughs xxefile xxenet plaughs; do upstream_rpm "$r" "$r"; done
printf 'distro: &a debian\nfamily: apt\nrelease: *a\n' >"$(upfile yamlalias)"
{ printf 'distro: debian\nfamily: apt\nx: '; for i in $(seq 2000); do printf '['; done; echo; } >"$(upfile yamldeep)"
{ printf 'family: apt\ndistro: '; head -c 4M /dev/zero | tr '\0' a; echo; } >"$(upfile yamlhuge)"

# ---- each refused (or, for the control, accepted)
"$KBUNDLE" crawl --upstreams "$up/good" --lists "$KB_TMP/goodlists" --workdir "$KB_TMP/goodwd" 2>"$KB_TMP/err" ||
	{ cat "$KB_TMP/err"; kb_die "the control suite was refused"; }
if [ -n "${KB_HOSTILE_DISCOVER:-}" ]; then	# print what each gives
	for d in "$up"/*; do
		s=${d##*/} rc=0
		"$KBUNDLE" crawl --upstreams "$d" --lists "$KB_TMP/l-$s" --workdir "$KB_TMP/w-$s" >"$KB_TMP/d" 2>&1 || rc=$?
		echo "== $s: exit $rc"; head -5 "$KB_TMP/d"
	done
	exit 0
fi
url='http://127\.0\.0\.1:[0-9]+'
refused xzbomb 1 "^error: $url/dists/xzbomb/main/binary-amd64/Packages.xz: decompresses more than 200 times its [0-9]+ bytes \(--max-ratio\)"
refused gzbomb 1 "^error: $url/dists/gzbomb/main/binary-amd64/Packages.gz: decompresses more than 200 times its [0-9]+ bytes \(--max-ratio\)"
refused truncated 1 "^error: $url/dists/truncated/main/binary-amd64/Packages.xz: .*malformed input"
refused longline 1 "^error: $url/dists/longline/main/binary-amd64/Packages.xz:[0-9]+: line too long \(--max-line\)"
refused badstanza 1 "^error: $url/dists/badstanza/main/binary-amd64/Packages.xz:[0-9]+: "
refused badsha 1 "^error: $url/dists/badsha/InRelease:4: bad sha256"
refused hugesize 1 'the Release says 99999999999999 bytes, more than 1073741824 \(--max-index-size\)'
refused overflow 1 "^error: $url/dists/overflow/InRelease:4: bad size"
refused malformed 1 'repomd.xml:5: malformed XML: Opening and ending tag mismatch'
refused laughs 1 'repomd.xml:[0-9]+: malformed XML: Detected an entity reference loop'
refused plaughs 1 "$url/plaughs/repodata/primary.xml.gz:[0-9]+: malformed XML: Detected an entity reference loop"
refused xxefile 1 "repomd.xml:3: malformed XML: Attribute references external entity 'x'"
refused xxenet 1 "repomd.xml:3: malformed XML: Entity 'x' not defined"
! grep -q evil "$KB_NGINX_ACCESS_LOG" || kb_die "the external DTD or entity was fetched (XML_PARSE_NONET?)"
refused yamlalias 2 'yamlalias.yml:1: YAML anchors are not allowed'
refused yamldeep 2 'yamldeep.yml:3: YAML nested deeper than 8 levels \(--max-yaml-depth\)'
refused yamlhuge 2 'yamlhuge.yml:2: distro must be a non-empty value of at most 1024 bytes'
echo "hostile: $n inputs refused, nothing written, nothing fetched"
