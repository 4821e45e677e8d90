#!/usr/bin/env bash
# test_sanitizers.sh — the suite really runs sanitized: $KBUNDLE carries ASan
# and UBSan, and LeakSanitizer works on this machine (it silently does not
# under ptrace or some seccomp setups, which would hide every leak).
set -euo pipefail
ASAN_OPTIONS=help=1 "$KBUNDLE" --version >"$TMPDIR/help" 2>&1 || true
grep -q detect_leaks "$TMPDIR/help" || { echo "$KBUNDLE is not built with AddressSanitizer"; exit 1; }
nm "$KBUNDLE" >"$TMPDIR/syms"
grep -q __ubsan_handle "$TMPDIR/syms" || { echo "$KBUNDLE is not built with UBSan"; exit 1; }
printf '#include <stdlib.h>\nvoid *volatile kb_p;\nint main(void) { kb_p = malloc(77); kb_p = 0; return 0; }\n' \
	>"$TMPDIR/leak.c"
cc -fsanitize=address -o "$TMPDIR/leak" "$TMPDIR/leak.c"
if ASAN_OPTIONS=detect_leaks=1 "$TMPDIR/leak" 2>"$TMPDIR/leak.log"; then
	echo "LeakSanitizer did not report a planted leak"; exit 1
fi
grep -q 'LeakSanitizer: detected memory leaks' "$TMPDIR/leak.log" ||
	{ cat "$TMPDIR/leak.log"; echo "LeakSanitizer is not working here"; exit 1; }
echo "ASan, UBSan and LeakSanitizer active"
