#!/usr/bin/env bash
# test_fuzz_smoke.sh — build every libFuzzer target (make fuzz-build) and run
# each for a few seconds on its corpus — about 30 s in all — failing on any
# crash, leak, UB or timeout. `make fuzz FUZZ_SECONDS=600` is the long run.
set -euo pipefail
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n'`
	`'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$TMPDIR/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$TMPDIR/probe" "$TMPDIR/probe.c" 2>"$TMPDIR/probe.log"; then
	cat "$TMPDIR/probe.log"
	echo "clang's libFuzzer runtime is missing (install clang and libclang-rt-14-dev)"
	exit 77
fi
unset MAKEFLAGS MFLAGS MAKELEVEL
make -C "$KB_SRC" --no-print-directory -j2 fuzz-build
n=$(ls "$KB_SRC"/build/fuzz/fuzz/fuzz_* | grep -vc '\.d$')
secs=$((30 / n))
[ $secs -ge 2 ] || secs=2
# a fresh corpus and crash dir here; the seeds are made once per build dir
KB_FUZZ_OUT=$TMPDIR/fuzz KB_FUZZ_SEEDS=$KB_SRC/build/fuzz/seeds \
	"$KB_SRC/tests/fuzz/run.sh" "$KB_SRC/build/fuzz" "$secs"
