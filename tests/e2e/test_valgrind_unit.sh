#!/usr/bin/env bash
# test_valgrind_unit.sh — every unit test, built WITHOUT sanitizers (valgrind
# and ASan do not mix) into build/plain, runs under valgrind with zero errors
# and no definite leaks.
set -euo pipefail
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 77; }
unset MAKEFLAGS MFLAGS MAKELEVEL	# a fresh make, not the jobserver of `make test`
make -C "$KB_SRC" --no-print-directory -j2 BUILD=build/plain unit-bins
fail=0 n=0
for t in "$KB_SRC"/build/plain/tests/test_*; do
	[ -x "$t" ] && [ -f "$KB_SRC/tests/unit/${t##*/}.c" ] || continue
	n=$((n + 1))
	log=$TMPDIR/${t##*/}.valgrind
	if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite "$t" >"$log" 2>&1; then
		echo "valgrind ok: ${t##*/}"
	else
		echo "valgrind FAILED: ${t##*/} (exit $?)"
		grep -E '^==[0-9]+==' "$log" | head -n 40 || tail -n 40 "$log"
		fail=1
	fi
done
[ $n -gt 0 ] || { echo "no unit test binaries in build/plain"; exit 1; }
exit $fail
