#!/usr/bin/env bash
# bench/nightly.sh — a no-change nightly run (`kbundle update`) over every
# shipped upstream, beside the first full crawl of the same upstreams in the
# same run: wall time and body bytes downloaded (from nginx's access log).
# Target: the no-change run takes <= 5% of the first crawl's time and
# downloads zero index bytes.
#
# Then the same for debian-12 alone against a second nginx over the same
# mirror that sends no validators (tests/e2e/nginx_novalidators.conf): the
# no-change crawl, by content, downloads at most the InRelease files and
# takes <= 5% of the first crawl of debian-12; with one suite's amd64 index
# changed, that index and the InRelease files alone.
#
# The mirror is local and realistic in size: every suite of every shipped
# upstream (upstreams/*.yml, enabled or not, pointed at 127.0.0.1) serves
# the real Debian indexes this machine's apt holds (/var/lib/apt/lists: the
# big release index for a distro's first suite, the updates and security
# indexes for the others), re-signed with a throwaway key. Every repository
# of every shipped rpm-md upstream serves a createrepo_c repository (signed
# repomd.xml) holding the e2e kernel RPMs (tests/e2e/lib_rpm.sh) in its first
# repository, padded with synthetic packages to a distro-sized primary
# (KB_BENCH_RPM_PKGS per repository, default 20000); Amazon Linux's
# mirror.list names its repository on the same mirror.
set -euo pipefail
: "${KB_SRC:=$(cd "$(dirname "$0")/.." && pwd)}"
export KB_SRC
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/lib_rpm.sh"
kb_need gpg apt-ftparchive lz4 nginx python3 rpmbuild createrepo_c

W=$KB_TMP
apt_index() { # PATTERN — the decompressed apt list file matching *PATTERN*
	local f
	f=$(ls /var/lib/apt/lists/*"$1" 2>/dev/null | head -n 1)
	[ -n "$f" ] || kb_skip "no apt list *$1 (run apt-get update)"
	case $f in
	*.lz4) lz4 -dc "$f" ;;
	*.gz) gzip -dc "$f" ;;
	*.xz) xz -dc "$f" ;;
	*) cat "$f" ;;
	esac
}
# Three real indexes, gzip'd once, hard-linked wherever a suite needs one.
mkdir -p "$W/idx"
apt_index _bookworm_main_binary-amd64_Packages.lz4 | gzip -1n >"$W/idx/0.gz"
apt_index _bookworm-updates_main_binary-amd64_Packages.lz4 | gzip -1n >"$W/idx/1.gz"
apt_index _bookworm-security_main_binary-amd64_Packages.lz4 | gzip -1n >"$W/idx/2.gz"
for i in 0 1 2; do # the same, as arm64
	gzip -dc "$W/idx/$i.gz" | sed 's/^Architecture: amd64$/Architecture: arm64/' |
		gzip -1n >"$W/idx/$i-arm64.gz"
done

home=$(kb_gpg_key archive)
keyring=$home/keyring.gpg
mirror=$W/mirror
up=$W/upstreams
mkdir -p "$mirror" "$up"
kb_nginx_start "$mirror"

field() { # FILE KEY — the items of a one-line flow list "KEY: [a, b]"
	sed -n "s/^$2: *\[\(.*\)\]/\1/p" "$1" | tr -d '" ' | tr ',' ' '
}
n=0
for f in "$KB_SRC"/upstreams/*.yml; do
	name=$(basename "$f" .yml)
	grep -q '^family: apt' "$f" || continue
	n=$((n + 1))
	sed -e "s|^mirrors:.*|mirrors: [\"$KB_NGINX_URL\"]|" -e "s|^keyring:.*|keyring: $keyring|" \
		-e 's|^enabled:.*|enabled: true|' "$f" >"$up/$name.yml"
	i=0
	for suite in $(field "$f" suites); do
		for comp in $(field "$f" components); do
			for arch in $(field "$f" architectures); do
				d=$mirror/dists/$suite/$comp/binary-$arch
				mkdir -p "$d"
				src=$W/idx/$((i < 2 ? i : 2))$([ "$arch" = amd64 ] || echo -arm64).gz
				ln -f "$src" "$d/Packages.gz"
			done
		done
		i=$((i + 1))
	done
done
# rpm-md: three repositories, hard-linked wherever an upstream needs one:
# the RHEL-layout and SUSE-layout kernel RPMs, and padding only.
kb_rpm_build
pad() { # DIR — add KB_BENCH_RPM_PKGS synthetic (non-kernel) packages to DIR's primary
	kb_rpm_edit_primary "$1" "
n = int(os.environ.get('KB_BENCH_RPM_PKGS', '20000'))
desc = 'A synthetic package that pads the primary index to a distro size. ' * 6
pkgs = []
for i in range(n):
    h = hashlib.sha256(str(i).encode()).hexdigest()
    pkgs.append('<package type=\"rpm\"><name>pad-%d</name><arch>x86_64</arch><version epoch=\"0\" ver=\"1.%d\" rel=\"1.el9\"/>'
        '<checksum type=\"sha256\" pkgid=\"YES\">%s</checksum><summary>pad %d</summary><description>%s</description>'
        '<packager>bench</packager><url>https://example.invalid/</url><time file=\"1\" build=\"1\"/>'
        '<size package=\"4096\" installed=\"8192\" archive=\"8192\"/><location href=\"Packages/p/pad-%d.rpm\"/>'
        '<format><rpm:license>MIT</rpm:license><rpm:provides><rpm:entry name=\"pad-%d\" flags=\"EQ\" epoch=\"0\" ver=\"1.%d\" rel=\"1.el9\"/></rpm:provides>'
        '<rpm:requires><rpm:entry name=\"glibc\"/><rpm:entry name=\"libpad.so.%d()(64bit)\"/></rpm:requires></format></package>\n'
        % (i, i, h, i, desc, i, i, i, i % 97))
xml = xml.replace('</metadata>', ''.join(pkgs) + '</metadata>')"
	kb_rpm_sign_repomd "$1"
}
kb_rpm_repo "$W/rpm/el" gz "$KB_RPM_DEVEL" "$KB_RPM_CORE" && pad "$W/rpm/el"
kb_rpm_repo "$W/rpm/suse" gz "$KB_RPM_SUSE_SRC" "$KB_RPM_SUSE_OBJ" && pad "$W/rpm/suse"
mkdir -p "$W/rpm/pad/Packages"
createrepo_c --quiet --no-database "$W/rpm/pad" >/dev/null && pad "$W/rpm/pad"
nrpm=0
for f in "$KB_SRC"/upstreams/*.yml; do
	name=$(basename "$f" .yml)
	grep -q '^family: rpm-md' "$f" || continue
	n=$((n + 1)) nrpm=$((nrpm + 1))
	base=$KB_NGINX_URL/rpm/$name
	sed -e "s|^mirrors:.*|mirrors: [\"$base\"]|" -e "s|^keyring:.*|keyring: $keyring|" \
		-e 's|^enabled:.*|enabled: true|' "$f" >"$up/$name.yml"
	kind=el
	grep -q '^distro: opensuse' "$f" && kind=suse
	first=1
	for repo in $(sed -n '/^repos:/,/^[a-z]/s/^ *- *"\(.*\)"/\1/p' "$f"); do
		repo=${repo//\$arch/x86_64}
		d=$mirror/rpm/$name/$repo
		case $repo in
		*mirror.list)
			mkdir -p "$(dirname "$d")"
			echo "$base/${repo%/*}/guid/" >"$d"
			d=$mirror/rpm/$name/${repo%/*}/guid ;;
		esac
		src=$W/rpm/$([ $first = 1 ] && echo $kind || echo pad)
		mkdir -p "$d/repodata"
		for x in "$src"/repodata/*; do ln -f "$x" "$d/repodata/"; done
		first=0
	done
done

sign_suite() { # DIR — (re)write and sign DIR's Release over its indexes
	local d=$1 suite
	suite=$(basename "$d")
	(cd "$d" && apt-ftparchive -q=2 -o APT::FTPArchive::Release::Suite="$suite" \
		-o APT::FTPArchive::Release::Codename="$suite" release . >"../.$suite.Release")
	mv "$mirror/dists/.$suite.Release" "$d/Release"
	_kb_sign_release "$d"
}
for d in "$mirror"/dists/*; do sign_suite "$d"; done
indexes=$(find "$mirror" -name 'Packages.gz' -o -name '*-primary.xml.*' | wc -l)
index_bytes=$(find "$mirror" \( -name 'Packages.gz' -o -name '*-primary.xml.*' \) -printf '%s\n' | awk '{ s += $1 } END { print s }')

now() { date +%s%N; }
served() { awk '{ s += $8 } END { print s + 0 }' "$KB_NGINX_ACCESS_LOG"; }
index_served() { awk '$5 ~ /Packages|primary/ { s += $8 } END { print s + 0 }' "$KB_NGINX_ACCESS_LOG"; }
update() {
	"$KBUNDLE" -q update --no-pack --upstreams "$up" --lists "$W/lists" --workdir "$W/work" \
		--manifest "$W/manifest.yml" --json "$W/summary.json" || kb_die "kbundle update exited $?"
}

: >"$KB_NGINX_ACCESS_LOG"
t0=$(now)
update
t1=$(now)
first_ms=$(((t1 - t0) / 1000000))
first_bytes=$(served)
first_reqs=$(wc -l <"$KB_NGINX_ACCESS_LOG")

: >"$KB_NGINX_ACCESS_LOG"
t0=$(now)
update
t1=$(now)
again_ms=$(((t1 - t0) / 1000000))
again_bytes=$(served)
again_index=$(index_served)
again_reqs=$(wc -l <"$KB_NGINX_ACCESS_LOG")
python3 - "$W/summary.json" <<'EOF' || kb_die "the no-change run was not 'unchanged' everywhere"
import json, sys
s = json.load(open(sys.argv[1]))
assert all(u["status"] == "unchanged" for u in s["upstreams"]), s["upstreams"]
EOF

echo "upstreams: $n ($nrpm rpm-md), indexes: $indexes ($((index_bytes / 1048576)) MiB compressed)"
printf 'first full crawl (baseline): %6d ms  %10d bytes  %4d requests\n' "$first_ms" "$first_bytes" "$first_reqs"
printf 'no-change nightly run:       %6d ms  %10d bytes  %4d requests (index bytes: %d)\n' \
	"$again_ms" "$again_bytes" "$again_reqs" "$again_index"
ratio=$(awk -v a="$again_ms" -v b="$first_ms" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')
echo "time ratio: $ratio% of the first crawl (target <= 5%); index bytes: $again_index (target 0)"
[ "$again_index" -eq 0 ] || kb_die "the no-change run downloaded index bytes"

# debian-12 against nginx without validators: by content only.
kb_nginx_start "$mirror" "$KB_SRC/tests/e2e/nginx_novalidators.conf"
mkdir -p "$W/nv-up"
sed "s|^mirrors:.*|mirrors: [\"$KB_NGINX_URL\"]|" "$up/debian-12.yml" >"$W/nv-up/debian-12.yml"
nv_suites=$(field "$W/nv-up/debian-12.yml" suites)
nv_update() {
	: >"$KB_NGINX_ACCESS_LOG"
	t0=$(now)
	"$KBUNDLE" -q update --no-pack --upstreams "$W/nv-up" --lists "$W/nv-lists" \
		--workdir "$W/nv-work" --manifest "$W/nv-manifest.yml" --json "$W/nv-summary.json" ||
		kb_die "kbundle update (no validators) exited $?"
	t1=$(now)
	nv_ms=$(((t1 - t0) / 1000000))
	nv_bytes=$(served)
	nv_reqs=$(wc -l <"$KB_NGINX_ACCESS_LOG")
	nv_status=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["upstreams"][0]["status"])' \
		"$W/nv-summary.json")
}
inrelease_bytes=0
for s in $nv_suites; do
	inrelease_bytes=$((inrelease_bytes + $(stat -c %s "$mirror/dists/$s/InRelease")))
done
nv_update
nvfirst_ms=$nv_ms nvfirst_bytes=$nv_bytes nvfirst_reqs=$nv_reqs
nv_update
[ "$nv_status" = unchanged ] || kb_die "debian-12 without validators, no change: '$nv_status', not 'unchanged'"
nv_index=$(index_served)
echo
echo "debian-12 against nginx without validators (ETag, Last-Modified off):"
printf 'first crawl (baseline):      %6d ms  %10d bytes  %4d requests\n' "$nvfirst_ms" "$nvfirst_bytes" "$nvfirst_reqs"
printf 'no-change crawl:             %6d ms  %10d bytes  %4d requests (InRelease files: %d bytes)\n' \
	"$nv_ms" "$nv_bytes" "$nv_reqs" "$inrelease_bytes"
ratio=$(awk -v a="$nv_ms" -v b="$nvfirst_ms" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')
echo "time ratio: $ratio% of the first crawl (target <= 5%); bytes: $nv_bytes (target <= $inrelease_bytes)"
[ "$nv_index" -eq 0 ] && [ "$nv_bytes" -le "$inrelease_bytes" ] ||
	kb_die "the no-change crawl without validators downloaded more than the InRelease files"

# One suite's amd64 index changes (a package stanza more): that index alone.
set -- $nv_suites
d=$mirror/dists/$2/main/binary-amd64
gzip -dc "$d/Packages.gz" >"$W/changed"
printf '\nPackage: kb-bench-extra\nVersion: 1\nArchitecture: amd64\n' >>"$W/changed"
rm -f "$d/Packages.gz" && gzip -1n <"$W/changed" >"$d/Packages.gz"
sleep 1
sign_suite "$mirror/dists/$2"
inrelease_bytes=0
for s in $nv_suites; do
	inrelease_bytes=$((inrelease_bytes + $(stat -c %s "$mirror/dists/$s/InRelease")))
done
changed_bytes=$(stat -c %s "$d/Packages.gz")
nv_update
nv_index_reqs=$(awk '$5 ~ /Packages|primary/' "$KB_NGINX_ACCESS_LOG" | wc -l)
printf 'one suite changed (%s):  %6d ms  %10d bytes  %4d requests (its index %d + InRelease files %d bytes)\n' \
	"$2" "$nv_ms" "$nv_bytes" "$nv_reqs" "$changed_bytes" "$inrelease_bytes"
[ "$nv_index_reqs" -eq 1 ] && [ "$nv_bytes" -le $((changed_bytes + inrelease_bytes)) ] ||
	kb_die "one suite changed: $nv_index_reqs index downloads, $nv_bytes bytes; want that index alone"
