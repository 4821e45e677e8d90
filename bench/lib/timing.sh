# bench/lib/timing.sh — the timing helpers the benchmark scripts share
# (sourced; not a benchmark itself: bench/run.sh runs bench/*.sh only).
#   now               seconds since the epoch, with nanoseconds
#   median            the median of the numbers on stdin, one a line
#   timeit CMD…       seconds CMD takes, the median of $repeat runs (default
#                     $KB_BENCH_REPEAT or 3); CMD must succeed
#   ratio A B         A / B with two decimals
now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
timeit() {
	local i t0
	for ((i = 0; i < ${repeat:-${KB_BENCH_REPEAT:-3}}; i++)); do
		t0=$(now)
		"$@" >/dev/null 2>&1 || kb_die "failed: $*"
		echo "$(now) - $t0" | bc
	done | median
}
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
