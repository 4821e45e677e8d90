#!/usr/bin/env bash
# bench/nightly.sh — a no-change nightly run (`kbundle update`) over every
# shipped upstream, beside the first full crawl of the same upstreams in the
# same run: wall time and body bytes downloaded (from nginx's access log).
# Target: the no-change run takes <= 5% of the first crawl's time and
# downloads zero index bytes.
#
# The mirror is local and realistic in size: every suite of every shipped
# upstream (upstreams/*.yml, enabled or not, pointed at 127.0.0.1) serves
# the real Debian indexes this machine's apt holds (/var/lib/apt/lists: the
# big release index for a distro's first suite, the updates and security
# indexes for the others), re-signed with a throwaway key.
set -euo pipefail
: "${KB_SRC:=$(cd "$(dirname "$0")/.." && pwd)}"
export KB_SRC
. "$KB_SRC/tests/e2e/lib.sh"
kb_need gpg apt-ftparchive lz4 nginx python3

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
for d in "$mirror"/dists/*; do
	suite=$(basename "$d")
	(cd "$d" && apt-ftparchive -q=2 -o APT::FTPArchive::Release::Suite="$suite" \
		-o APT::FTPArchive::Release::Codename="$suite" release . >"../.$suite.Release")
	mv "$mirror/dists/.$suite.Release" "$d/Release"
	_kb_sign_release "$d"
done
indexes=$(find "$mirror/dists" -name 'Packages.gz' | wc -l)
index_bytes=$(find "$mirror/dists" -name 'Packages.gz' -printf '%s\n' | awk '{ s += $1 } END { print s }')

now() { date +%s%N; }
served() { awk '{ s += $8 } END { print s + 0 }' "$KB_NGINX_ACCESS_LOG"; }
index_served() { awk '$5 ~ /Packages/ { s += $8 } END { print s + 0 }' "$KB_NGINX_ACCESS_LOG"; }
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

echo "upstreams: $n, indexes: $indexes ($((index_bytes / 1048576)) MiB compressed)"
printf 'first full crawl (baseline): %6d ms  %10d bytes  %4d requests\n' "$first_ms" "$first_bytes" "$first_reqs"
printf 'no-change nightly run:       %6d ms  %10d bytes  %4d requests (index bytes: %d)\n' \
	"$again_ms" "$again_bytes" "$again_reqs" "$again_index"
ratio=$(awk -v a="$again_ms" -v b="$first_ms" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')
echo "time ratio: $ratio% of the first crawl (target <= 5%); index bytes: $again_index (target 0)"
[ "$again_index" -eq 0 ] || kb_die "the no-change run downloaded index bytes"
