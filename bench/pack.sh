#!/usr/bin/env bash
# bench/pack.sh — kbundle pack beside the shell way, on the same cached
# packages, in the same run: `dpkg-deb -x` of each package (to tmpfs, its
# fastest), the Makefile fix-up, `tar --sort=name --dereference | gzip -6`.
# Prints wall time and bundle size of both and the ratios (targets: time
# <= 0.5x, size <= 0.75x), and checks that kbundle's bundle builds a module.
# Each side runs 3 times; the best time counts (these machines are noisy).
set -euo pipefail
export KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
export KBUNDLE=${KBUNDLE:-$KB_SRC/build/kbundle}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
kb_need dpkg-deb tar gzip make gcc modinfo nginx python3
kb_pipeline debian
wd=$KB_WORKDIR ups=$KB_UPSTREAMS
# fill the cache (not timed): both sides start from the same cached packages
"$KBUNDLE" -q pack --manifest "$KB_MANIFEST" --upstreams "$ups" --workdir "$wd"
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
		timed "$KB_TMP/kb.t" "$KBUNDLE" -q pack --manifest "$KB_MANIFEST" --upstreams "$ups" \
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
