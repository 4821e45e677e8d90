#!/usr/bin/env bash
# test_no_shell.sh — outside data never reaches a shell: no system(), popen()
# or exec of a shell in kbundle's C sources, and only lib/proc.c (kb_proc_run,
# argument vectors) starts processes at all, outside the tests.
set -euo pipefail
cd "$KB_SRC"
mapfile -t src < <(git ls-files '*.c' '*.cc' '*.h' 2>/dev/null || find . -name '*.[ch]' -o -name '*.cc')
fail=0
hit() { # label, then the matching lines
	local what=$1
	shift
	if [ $# -gt 0 ]; then
		printf "  $what: %s\n" "$@"
		fail=1
	fi
}
# comments and string literals may mention the words; calls may not
scan() { grep -nE "$1" "${src[@]}" | grep -vE '^[^:]+:[0-9]+:\s*(/?\*|//)' || true; }
mapfile -t h < <(scan '(^|[^_[:alnum:]])(system|popen|wordexp)\s*\(')
hit "shell call" ${h[@]+"${h[@]}"}
# (tests may fork: a lock test needs a second process; they handle no outside data)
mapfile -t h < <(scan '(^|[^_[:alnum:]])(exec[lv]p?e?|execvpe|posix_spawnp?|fork|vfork|clone)\s*\(' |
	grep -vE '^(lib/proc\.c:|tests/)')
hit "process start outside lib/proc.c" ${h[@]+"${h[@]}"}
# a shell as the program of an argv, outside the tests
mapfile -t h < <(scan '"(/bin/|/usr/bin/)?(ba|da|z)?sh"\s*,\s*"-c"' | grep -v '^tests/')
hit "shell argv" ${h[@]+"${h[@]}"}
[ ${#src[@]} -gt 10 ] || { echo "found only ${#src[@]} sources: the scan is broken"; exit 1; }
[ $fail -eq 0 ] && echo "no shell: ${#src[@]} C sources clean"
exit $fail
