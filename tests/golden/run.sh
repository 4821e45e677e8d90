#!/usr/bin/env bash
# tests/golden/run.sh BUILD [AREA/CASE…] — the golden-file tier: each case
# is a directory tests/golden/<area>/<case>/ holding
#   args        the command, one line (lines starting with # describe the
#               case); its first word is a program from the table below,
#               every path in it is relative to a scratch copy of the case
#   …           the input files the command reads (upstreams/, lists/, a
#               console log, …), copied as they are
#   expected/   what the run must produce: every file the command writes
#               into out/, plus out/stdout, out/stderr and out/status (the
#               exit status)
# A case passes when out/ and expected/ are the same, byte for byte; a
# failure prints the diff. With KB_GOLDEN_UPDATE=1 the runner instead
# rewrites expected/ from out/, so a change of output is reviewed as a diff
# of the expected files (`make test TESTS=golden KB_GOLDEN_UPDATE=1`).
# Without CASEs every case runs. Exit 0 when all passed (or were updated).
set -uo pipefail
build=${1:?usage: tests/golden/run.sh BUILD [AREA/CASE...]}
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && cd "$build" && pwd) || exit 2
gold=$top/tests/golden

# The programs a case may run: the real binary, and the drivers built from
# tests/golden/*.c for library parts no command prints (make golden-bins).
kb_golden_prog() {
	case $1 in
	kbundle) echo "$build/kbundle" ;;
	vm_console) echo "$build/tests/golden/vm_console" ;;
	*) return 1 ;;
	esac
}

# kb_golden_case AREA/CASE — run one case; 0 pass/updated, 1 fail
kb_golden_case() {
	local c=$1 dir=$gold/$1 tmp line prog rc
	local -a argv
	[ -f "$dir/args" ] || { echo "$c: no args file in $dir"; return 1; }
	line=$(grep -v '^#' "$dir/args" | grep -m1 .) || { echo "$c: $dir/args names no command"; return 1; }
	read -ra argv <<<"$line"
	prog=$(kb_golden_prog "${argv[0]}") || { echo "$c: unknown program '${argv[0]}' in $dir/args"; return 1; }
	[ -x "$prog" ] || { echo "$c: $prog is not built"; return 1; }
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/kb-golden.XXXXXX")
	# A scratch copy, so the command sees relative paths (and its messages
	# name them), and nothing it writes lands in the source tree.
	(cd "$dir" && tar --exclude=./expected --exclude=./args -cf - .) | (cd "$tmp" && tar -xf -)
	mkdir -p "$tmp/out"
	(cd "$tmp" && exec "$prog" "${argv[@]:1}") >"$tmp/out/stdout" 2>"$tmp/out/stderr"
	rc=$?
	echo "$rc" >"$tmp/out/status"
	if [ "${KB_GOLDEN_UPDATE:-}" = 1 ]; then
		rm -rf "$dir/expected"
		cp -r "$tmp/out" "$dir/expected"
		echo "$c: expected/ rewritten"
		rc=0
	elif diff -ruN "$dir/expected" "$tmp/out" >"$tmp/diff"; then
		echo "$c: ok"
		rc=0
	else
		echo "$c: output differs from $dir/expected (- expected, + got):"
		sed "s|$tmp/out|got|g" "$tmp/diff" | head -n 200
		rc=1
	fi
	rm -rf "$tmp"
	return $rc
}

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for a in "$gold"/*/*/args; do
		[ -f "$a" ] || continue
		a=${a%/args}
		cases+=("${a#"$gold"/}")
	done
fi
failed=0
for c in "${cases[@]}"; do
	kb_golden_case "$c" || failed=$((failed + 1))
done
echo "golden: ${#cases[@]} case(s), $failed failed"
[ $failed -eq 0 ]
