#!/usr/bin/env bash
# tests/run.sh BUILD [unit|golden|e2e|NAME…] — run the unit tests (cmocka
# binaries in BUILD/tests), the golden-file cases (tests/golden/<area>/<case>/,
# each one test, run by tests/golden/run.sh) and the end-to-end tests
# (tests/e2e/test_*.sh), each logged to BUILD/test-logs/, and finish with one
# "N passed, N failed, N skipped" line.
# An e2e test exits 0 to pass, 77 to skip (with its reason on the last line).
set -u
build=${1:?usage: tests/run.sh BUILD [unit|golden|e2e|NAME...]}
shift
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$top" && cd "$build" && pwd)
logs=$build/test-logs
mkdir -p "$logs"
export KBUNDLE=$build/kbundle KB_SRC=$top
export KB_TEST_CACHE=${KB_TEST_CACHE:-/var/cache/kbundle-tests}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

tests=()
want() { # is test $1 selected by the arguments?
	[ ${#sel[@]} -eq 0 ] && return 0
	for w in "${sel[@]}"; do
		case $w in unit) [[ $1 == unit/* ]] && return 0 ;; e2e) [[ $1 == e2e/* ]] && return 0 ;;
		golden) [[ $1 == golden/* ]] && return 0 ;;
		*) [[ $1 == *"$w"* ]] && return 0 ;; esac
	done
	return 1
}
sel=("$@")
for t in "$build"/tests/test_*; do
	[ -x "$t" ] && want "unit/${t##*/}" && tests+=("unit/${t##*/}")
done
for a in "$top"/tests/golden/*/*/args; do
	[ -f "$a" ] || continue
	t=${a%/args} && t=golden/${t#"$top"/tests/golden/}
	want "$t" && tests+=("$t")
done
for t in "$top"/tests/e2e/test_*.sh; do
	[ -f "$t" ] && want "e2e/$(basename "$t" .sh)" && tests+=("e2e/$(basename "$t" .sh)")
done

pass=0 fail=0 skip=0 failed=()
for t in "${tests[@]}"; do
	log=$logs/${t//\//_}.log
	start=$(date +%s.%N)
	case $t in
	unit/*) "$build/tests/${t#unit/}" >"$log" 2>&1 ;;
	golden/*) "$top/tests/golden/run.sh" "$build" "${t#golden/}" >"$log" 2>&1 ;;
	e2e/*) (cd "$top" && TMPDIR=$(mktemp -d) bash "tests/e2e/${t#e2e/}.sh") >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $t (${secs}s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP $t: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed+=("$t"); echo "FAIL $t (${secs}s, exit $rc; log: $log)"
		tail -n 40 "$log" | sed 's/^/    /'
	fi
done
echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
