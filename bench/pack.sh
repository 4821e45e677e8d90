#!/usr/bin/env bash
# bench/pack.sh — kbundle pack beside the shell way, on the same cached
# packages, in the same run: `dpkg-deb -x` of each package (to tmpfs, its
# fastest), the Makefile fix-up, `tar --sort=name --dereference | gzip -6`.
# Prints wall time and bundle size of both and the ratios (targets: time
# <= 0.5x, size <= 0.75x), and checks that kbundle's bundle builds a module.
# Each side runs 3 times; the best time counts (these machines are noisy).
# Then every Debian 12 amd64 bundle in one run beside today's kbundle (below).
set -euo pipefail
export KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
export KBUNDLE=${KBUNDLE:-$KB_SRC/build/kbundle}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
kb_need dpkg-deb tar gzip make gcc modinfo nginx python3 lz4 git
kb_pipeline debian
wd=$KB_WORKDIR ups=$KB_UPSTREAMS
# fill the cache (not timed): both sides start from the same cached packages
"$KBUNDLE" -q pack --all --manifest "$KB_MANIFEST" --upstreams "$ups" --workdir "$wd"
scratch=$(kb_fast_tmpdir)
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
# timed FILE CMD… — run CMD; append "wall cpu" (cpu = user+sys, children too)
TIMEFORMAT='%R %U %S'
timed() {
	local out=$1 t
	shift
	t=$( { time "$@" >/dev/null 2>&1; } 2>&1 )
	awk '{ printf "%s %.3f\n", $1, $2 + $3 }' <<<"$t" >>"$out"
}
shell_way() { # DIR ABI REL OUT DEB…
	local x=$1 abi=$2 rel=$3 out=$4 d
	shift 4
	for d in "$@"; do dpkg-deb -x "$d" "$x"; done
	sed -i "s|^include /usr/src/linux-headers-$abi-common/Makefile|include ../linux-headers-$abi-common/Makefile|" \
		"$x/usr/src/linux-headers-$rel/Makefile"
	(tar -C "$x" --sort=name --dereference -cf - . 2>/dev/null || true) | gzip -6 >"$out"
}

printf '%-22s %7s %7s %6s | %7s %7s %6s | %6s %6s %6s\n' release shell_s kb_s wall shell_cpu kb_cpu cpu \
	shell_MB kb_MB size
for s in A B; do
	rel=KB_REL_$s rel=${!rel} abi=KB_ABI_$s abi=${!abi}
	debs=()
	for n in "KB_HDR_$s" "KB_COMMON_$s" "KB_KBUILD_$s"; do
		v=VER; [ "$n" = "KB_KBUILD_$s" ] && v=KBUILD_VER
		vv=KB_${v}_$s
		debs+=("$(awk -F'\t' -v n="${!n}" -v v="${!vv}" '$2 == n && $3 == v { print $8 }' "$KB_DEB_PICKS")")
	done
	: >"$KB_TMP/shell.t"
	: >"$KB_TMP/kb.t"
	for try in 1 2 3; do
		rm -rf "$scratch/x" && mkdir -p "$scratch/x"
		timed "$KB_TMP/shell.t" shell_way "$scratch/x" "$abi" "$rel" "$scratch/shell.tgz" "${debs[@]}"
		rm -rf "$wd/bundles" "$wd/cache/bundles"
		timed "$KB_TMP/kb.t" "$KBUNDLE" -q pack --all --manifest "$KB_MANIFEST" --upstreams "$ups" \
			--workdir "$wd" --release "^${rel//+/\\+}\$" -j 2
	done
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	ks=$(stat -c %s "$wd/bundles/$id.tgz") ss=$(stat -c %s "$scratch/shell.tgz")
	st=$(best $(cut -d' ' -f1 "$KB_TMP/shell.t")) kt=$(best $(cut -d' ' -f1 "$KB_TMP/kb.t"))
	sc=$(best $(cut -d' ' -f2 "$KB_TMP/shell.t")) kc=$(best $(cut -d' ' -f2 "$KB_TMP/kb.t"))
	[ -f "$wd/bundles/$id.tgz" ] || kb_die "kbundle pack made no bundle for $rel"
	vm=$(pack_build_module "$wd/bundles/$id.tgz" "$scratch/mod-$s")
	case "$vm" in "$rel "*) ;; *) kb_die "$rel: the bundle built a module with vermagic '$vm'" ;; esac
	printf '%-22s %7.2f %7.2f %5.2fx | %7.2f %7.2f %5.2fx | %6.1f %6.1f %5.2fx\n' "$rel" "$st" "$kt" \
		"$(echo "$kt / $st" | bc -l)" "$sc" "$kc" "$(echo "$kc / $sc" | bc -l)" \
		"$(echo "$ss / 1000000" | bc -l)" "$(echo "$ks / 1000000" | bc -l)" "$(echo "$ks / $ss" | bc -l)"
	rm -rf "$scratch/mod-$s" "$scratch/x"
done
echo "(wall and cpu (user+sys) seconds, best of 3; a module was built against every kbundle"
echo " bundle; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"

# --- Every Debian 12 amd64 bundle, packed in one run with -j 2: each header
# package read once (pipeline/pack_run.c, packer/pack_inputs.c), beside
# the kbundle from before that (the parent of the commit that added
# packer/pack_inputs.c, or KB_BENCH_PACK_BASE; built here) on the same warm
# cache in the same run; the bundles must be byte-identical.
# Targets: <= 0.4x today's wall time; one bundle alone <= 1.0 s.
# The packages are the real ones this machine's apt lists in bookworm,
# bookworm-updates and bookworm-security (every concrete amd64, cloud-amd64
# and rt-amd64 headers package and the -common, -common-rt and kbuild of
# its version), downloaded once into $KB_TEST_CACHE.
apt_packages() { # SUITE — its decompressed amd64 Packages from apt's lists, or nothing
	local f
	f=$(ls /var/lib/apt/lists/*_dists_"$1"_main_binary-amd64_Packages* 2>/dev/null | head -n 1)
	case $f in
	'') ;;
	*.lz4) lz4 -dc "$f" ;;
	*.gz) gzip -dc "$f" ;;
	*.xz) xz -dc "$f" ;;
	*) cat "$f" ;;
	esac
}
all=$KB_TMP/all
mkdir -p "$all"
for s in bookworm bookworm-updates bookworm-security; do
	apt_packages "$s" | awk -v suite="$s" -v cache="$KB_TEST_CACHE/debs" 'BEGIN { RS = "" } {
		n = split($0, l, "\n"); p = v = a = fn = d = ""
		for (i = 1; i <= n; i++) {
			if (l[i] ~ /^Package: /) p = substr(l[i], 10)
			if (l[i] ~ /^Version: /) v = substr(l[i], 10)
			if (l[i] ~ /^Architecture: /) a = substr(l[i], 15)
			if (l[i] ~ /^Filename: /) fn = substr(l[i], 11)
			if (l[i] ~ /^Depends: /) d = substr(l[i], 10)
		}
		if (p !~ /^linux-(headers|kbuild)-/) next
		sub(/^pool\/updates\//, "pool/", fn)
		f = fn; sub(/.*\//, "", f)
		print suite "\t" p "\t" v "\t" a "\t-\t-\t" fn "\t" cache "/" f "\t" d
	}'
done >"$all/candidates.tsv"
# the headers, and what each depends on at its own version
awk -F'\t' '
	{ have[$2 "=" $3] = $0 }
	$2 ~ /^linux-headers-[0-9].*-(amd64|cloud-amd64|rt-amd64)$/ { hdr[++n] = $0 }
	END {
		for (i = 1; i <= n; i++) {
			split(hdr[i], h, "\t"); print hdr[i]
			m = split(h[9], deps, /[,|]/)
			for (k = 1; k <= m; k++) {
				name = deps[k]; sub(/^ +/, "", name); sub(/ .*$/, "", name)
				if (name ~ /^linux-(headers|kbuild)-/ && (name "=" h[3]) in have) print have[name "=" h[3]]
			}
		}
	}' "$all/candidates.tsv" | cut -f1-8 | sort -u >"$all/picks.tsv"
[ -s "$all/picks.tsv" ] || kb_skip "apt lists no bookworm amd64 kernel headers (run apt-get update)"
_kb_fetch_picks "$all/picks.tsv"
_kb_mirror_from_picks "$all/mirror" "$all/picks.tsv"
kb_nginx_start "$all/mirror"
kb_upstream_file "$all/up" debian-12 debian "$KB_NGINX_URL" "$KB_KEYRING" $(cut -f1 "$all/picks.tsv" | sort -u)
"$KBUNDLE" -q crawl --upstreams "$all/up" --lists "$all/lists" --workdir "$all/w"
"$KBUNDLE" -q manifest --upstreams "$all/up" --lists "$all/lists" -o "$all/manifest.yml"
nb=$(grep -c '^- id: ' "$all/manifest.yml")
# the kbundle of before, from its sources
base=${KB_BENCH_PACK_BASE:-$(git -C "$KB_SRC" log --diff-filter=A --format=%H -1 -- packer/pack_inputs.c)^}
base=$(git -C "$KB_SRC" rev-parse --verify "$base^{commit}") || kb_die "no base commit to compare with"
mkdir -p "$all/base"
git -C "$KB_SRC" archive "$base" | tar -x -C "$all/base"
# under this binary's version string: bundle.json names the kbundle version
make -s -C "$all/base" -j 2 VERSION="$("$KBUNDLE" --version | sed -n '1s/^kbundle //p')" build/kbundle \
	>"$all/base.log" 2>&1 || { cat "$all/base.log"; kb_die "building $base failed"; }
pack() { # KBUNDLE OUT.t [ARGS…] — a pack from the warm cache (no bundles yet): "wall cpu maxrss_KiB"
	local bin=$1 out=$2
	shift 2
	rm -rf "$all/w/bundles" "$all/w/cache/bundles"
	/usr/bin/time -f '%e %U %S %M' -o "$out.one" "$bin" -v pack --manifest "$all/manifest.yml" \
		--upstreams "$all/up" --workdir "$all/w" -j 2 "$@" 2>"$out.log" ||
		{ tail "$out.log"; kb_die "$bin pack $* failed"; }
	awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 }' "$out.one" >>"$out"
}
pack "$KBUNDLE" "$all/warm.t" # fills WORKDIR/cache (not counted)
: >"$all/base.t" && : >"$all/new.t" && : >"$all/one.t"
for try in 1 2; do
	pack "$all/base/build/kbundle" "$all/base.t"
	(cd "$all/w/bundles" && sha256sum *.tgz) >"$all/base.sums"
	pack "$KBUNDLE" "$all/new.t"
	(cd "$all/w/bundles" && sha256sum *.tgz) >"$all/new.sums"
	cmp -s "$all/base.sums" "$all/new.sums" || { diff "$all/base.sums" "$all/new.sums" >&2; kb_die "the bundles differ from today's"; }
done
rel=$(sed -n 's/^ *release: "\{0,1\}\([^"]*-amd64\)"\{0,1\}$/\1/p' "$all/manifest.yml" | grep -v -e -cloud- -e -rt- | sort -V | tail -n 1)
for try in 1 2 3; do pack "$KBUNDLE" "$all/one.t" --release "^${rel//+/\\+}\$"; done
bt=$(best $(cut -d' ' -f1 "$all/base.t")) nt=$(best $(cut -d' ' -f1 "$all/new.t")) ot=$(best $(cut -d' ' -f1 "$all/one.t"))
bc=$(best $(cut -d' ' -f2 "$all/base.t")) nc=$(best $(cut -d' ' -f2 "$all/new.t"))
bm=$(best $(cut -d' ' -f3 "$all/base.t")) nm=$(best $(cut -d' ' -f3 "$all/new.t"))
echo
echo "all $nb Debian 12 amd64 bundles, -j 2, warm cache ($(du -sm "$all/w/cache" | cut -f1) MB of packages), best of 2:"
printf '%-28s %8s %8s %10s\n' "" wall_s cpu_s peak_MiB
printf '%-28s %8.2f %8.2f %10.0f\n' "before (${base:0:10})" "$bt" "$bc" "$(echo "$bm / 1024" | bc -l)"
printf '%-28s %8.2f %8.2f %10.0f\n' "each package read once" "$nt" "$nc" "$(echo "$nm / 1024" | bc -l)"
printf 'ratio: %.2fx wall (target <= 0.4x), %.2fx cpu, %.2fx peak memory; bundles byte-identical\n' \
	"$(echo "$nt / $bt" | bc -l)" "$(echo "$nc / $bc" | bc -l)" "$(echo "$nm / $bm" | bc -l)"
printf 'one bundle alone (%s): %.2f s wall, best of 3 (target <= 1.0 s)\n' "$rel" "$ot"
grep -h 'header packages:' "$all/new.t.log" "$all/one.t.log" | sed 's/^/kbundle -v: /' ||
	kb_die "no 'header packages' line in kbundle -v pack"
echo "($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
