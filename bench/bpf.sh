#!/usr/bin/env bash
# bench/bpf.sh — what `vmtest --bpf tests/bpf` adds to a vmtest run of one
# cached Debian 12 kernel under TCG: the same run with modules only is the
# baseline, measured in the same run. The samples but reject_oob (the run
# must pass to be timed): 4 programs built CO-RE and non-CO-RE and one
# CO-RE only, 9 units compiled, checked, loaded, attached and run in the
# guest. Target: <= 1.5 s on top. Each figure is the median of
# $KB_BENCH_REPEAT runs (default 3).
set -euo pipefail
KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/bench/lib/timing.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_need clang bc
kb_debian_fetch
vmtest_pipeline >/dev/null 2>&1
repeat=${KB_BENCH_REPEAT:-3}
mkdir -p "$KB_TMP/bpf"
cp "$KB_SRC"/tests/bpf/* "$KB_TMP/bpf/"
rm "$KB_TMP/bpf/reject_oob.bpf.c"

vmtest() {
	"$KBUNDLE" -q vmtest --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
		--accel tcg --timeout 300 --release "^${KB_REL_A//./\\.}\$" "$@"
}
vmtest >/dev/null	# warm: bundle, kernel and module in the caches
vmtest --bpf "$KB_TMP/bpf" >/dev/null

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work)"
t_mod=$(timeit vmtest)
t_bpf=$(timeit vmtest --bpf "$KB_TMP/bpf")
t_build=$(timeit sh -c 'for f in "$0"/*.bpf.c; do
	clang -target bpf -O2 -g -DKBUNDLE_BPF_CORE=0 -c "$f" -o /dev/null -I/tmp/kb-none 2>/dev/null || :
done' "$KB_TMP/bpf")
printf 'vmtest, 1 kernel, modules only (baseline)    %6.2f s\n' "$t_mod"
printf 'vmtest, 1 kernel, + 9 BPF units              %6.2f s  %sx  +%.2f s  (target <= +1.5 s)\n' \
	"$t_bpf" "$(ratio "$t_bpf" "$t_mod")" "$(echo "$t_bpf - $t_mod" | bc)"
printf '  of which clang for 5 sources, once (host)  %6.2f s\n' "$t_build"
