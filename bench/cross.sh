#!/usr/bin/env bash
# bench/cross.sh — a cross module build beside the native build of the same
# module in the same run: `kbundle build` of the test module for the arm64
# Debian 13 kernel (aarch64-linux-gnu-gcc-14 in its trixie root, this
# machine's kbuild programs laid over the private copy) and for the amd64
# kernel of the same version (gcc-14 in the trixie root). Both include the
# bundle's extraction to tmpfs and the checks; the roots are the shared
# cached ones (made the first time). Each figure is the median of
# $KB_BENCH_REPEAT runs (default 3), the two kinds interleaved.
set -euo pipefail
KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/bench/lib/timing.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/lib_cross.sh"
kb_need bwrap mmdebstrap bc
kb_cross_fetch arm64
kb_cross_pipeline
repeat=${KB_BENCH_REPEAT:-3}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work)"
mod=$KB_TMP/mod
kb_test_module "$mod"
# build UNAME — one `kbundle build` of the module for that kernel, in seconds
build() {
	local t0
	t0=$(now)
	"$KBUNDLE" -q build --manifest "$X_MAN" --upstreams "$X_UPS" --workdir "$X_WD" --module "$mod" \
		--release "^${1//+/\\+}\$" -o "$KB_TMP/out" >"$KB_TMP/build.log" 2>&1 ||
		{ cat "$KB_TMP/build.log" >&2; kb_die "kbundle build $1 failed"; }
	echo "$(now) - $t0" | bc
}
build "$KB_X_REL_arm64" >/dev/null	# warm: the roots, the page cache
build "$KB_D13_REL" >/dev/null
# interleaved, so that the load of a shared machine falls on both alike
: >"$KB_TMP/cross.t" && : >"$KB_TMP/native.t"
for ((i = 0; i < repeat; i++)); do
	build "$KB_X_REL_arm64" >>"$KB_TMP/cross.t"
	build "$KB_D13_REL" >>"$KB_TMP/native.t"
done
t_cross=$(median <"$KB_TMP/cross.t") t_native=$(median <"$KB_TMP/native.t")
printf 'module build: arm64 cross %.2f s, amd64 native %.2f s (same kernel version, gcc-14 roots): %sx\n' \
	"$t_cross" "$t_native" "$(ratio "$t_cross" "$t_native")"
