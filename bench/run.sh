#!/usr/bin/env bash
# bench/run.sh BUILD [NAME…] — run every benchmark: compiled ones
# (BUILD/bench/<name>, from bench/<name>.c) and scripts (bench/<name>.sh).
# Each prints its figures beside a baseline measured in the same run, as a
# ratio, because these machines are too noisy for absolute numbers.
set -u
build=${1:-build}
shift || true
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$top/$build" 2>/dev/null && pwd || { cd "$build" && pwd; })
export KBUNDLE=$build/kbundle KB_SRC=$top KB_BUILD=$build
export KB_TEST_CACHE=${KB_TEST_CACHE:-/var/cache/kbundle-tests}
rc=0
for b in "$build"/bench/* "$top"/bench/*.sh; do
	[ -e "$b" ] || continue
	case $b in *.sh) ;; *) [ -x "$b" ] && [ -f "$b" ] || continue ;; esac
	name=$(basename "$b" .sh)
	[ "$name" = run ] && continue
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	echo "== $name"
	case $b in
	*.sh) (cd "$top" && TMPDIR=$(mktemp -d) bash "$b") || rc=1 ;;
	*) [ -x "$b" ] && { (cd "$top" && "$b") || rc=1; } ;;
	esac
	echo
done
exit $rc
