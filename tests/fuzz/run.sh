#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD SECONDS [TARGET…] — run each libFuzzer target in
# BUILD/fuzz/ for SECONDS on its corpus, one after the other (niced: a shared
# machine). Corpus dirs, in libFuzzer's order: BUILD/corpus/<t> (grows, kept
# between runs), the committed tests/fuzz/corpus/<t>, and real-file seeds from
# tests/fuzz/seeds.sh (BUILD/seeds/<t>). A crash leaves its input in
# BUILD/crashes/ and fails the run; each target's log is BUILD/logs/<t>.log.
# KB_FUZZ_OUT moves corpus, crashes and logs elsewhere (the smoke test's
# fresh dir); KB_FUZZ_SEEDS the seeds.
set -uo pipefail
build=${1:?usage: run.sh BUILD SECONDS [TARGET...]}
secs=${2:?usage: run.sh BUILD SECONDS [TARGET...]}
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$build" && pwd)
out=${KB_FUZZ_OUT:-$build}
seeds=${KB_FUZZ_SEEDS:-$build/seeds}
mkdir -p "$out/corpus" "$out/crashes" "$out/logs"
# Seeds are made once per version of seeds.sh (rm -r BUILD/seeds to remake them).
[ "$(cat "$seeds/.done" 2>/dev/null)" = "$(sha256sum <"$top/tests/fuzz/seeds.sh" | cut -d' ' -f1)" ] ||
	"$top/tests/fuzz/seeds.sh" "$seeds" ||
	echo "warning: some seeds could not be made" >&2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for b in "$build"/fuzz/fuzz_*; do [ -x "$b" ] && targets+=("${b##*/fuzz_}"); done
fi
failed=()
for t in "${targets[@]}"; do
	bin=$build/fuzz/fuzz_$t
	[ -x "$bin" ] || { echo "no fuzz target $t" >&2; failed+=("$t"); continue; }
	dirs=("$out/corpus/$t")
	mkdir -p "${dirs[0]}"
	for d in "$top/tests/fuzz/corpus/$t" "$seeds/$t"; do [ -d "$d" ] && dirs+=("$d"); done
	dict=() opts=()
	[ -f "$top/tests/fuzz/$t.dict" ] && dict=("-dict=$top/tests/fuzz/$t.dict")
	# <t>.options: extra libFuzzer flags for one target, one line
	[ -f "$top/tests/fuzz/$t.options" ] && read -ra opts <"$top/tests/fuzz/$t.options"
	nice -n 10 "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 -max_len=262144 \
		-print_final_stats=1 -artifact_prefix="$out/crashes/$t-" ${dict[@]+"${dict[@]}"} ${opts[@]+"${opts[@]}"} \
		"${dirs[@]}" >"$out/logs/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/logs/$t.log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "fuzz $t: ${secs}s, ${execs:-?} executions, no crash"
	else
		echo "fuzz $t: FAILED (exit $rc) after ${execs:-?} executions; log: $out/logs/$t.log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$out/logs/$t.log" | head -n 5 | sed 's/^/    /'
		failed+=("$t")
	fi
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz failures: ${failed[*]}"; exit 1; }
