#!/usr/bin/env bash
# tests/golden/console/capture.sh OUTDIR — make the REAL serial console logs
# the console cases parse: the e2e Debian mirror's 6.1 kernel booted under
# TCG by `kbundle vmtest`, once per behaviour (a clean pass, a module that
# oopses, one that warns, one that hangs until the host's timeout, one that
# panics, and the 6.1 bundle's module loaded into the 6.12 kernel). Each
# run's console log (WORKDIR/reports/vmtest-*/<id>.log) is copied to
# OUTDIR/<case>.log beside its JSON report, with the private result port's
# lines as <case>.result (when the kernel had the port) and the boot's nonce
# as <case>.nonce (for the case's `--nonce`). Not part of `make test` (a few
# minutes of TCG); run it by hand, then copy the logs into the cases:
#   KBUNDLE=build/kbundle tests/golden/console/capture.sh /tmp/logs
set -euo pipefail
out=$(mkdir -p "${1:?usage: capture.sh OUTDIR}" && cd "$1" && pwd)
KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/../../.." && pwd)}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_debian_fetch
relA="^${KB_REL_A//./\\.}\$"
vmtest_pipeline --release "$relA"

mods=$KB_TMP/mods
module() { # NAME INIT-BODY — a module whose init does INIT-BODY
	mkdir -p "$mods/$1"
	echo "obj-m := $1.o" >"$mods/$1/Kbuild"
	cat >"$mods/$1/$1.c" <<EOC
#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/module.h>
static unsigned long where;
module_param(where, ulong, 0444);
static int __init kbg_$1_init(void) { $2 return 0; }
static void __exit kbg_$1_exit(void) { }
module_init(kbg_$1_init);
module_exit(kbg_$1_exit);
MODULE_LICENSE("GPL");
EOC
}
module oops '*(volatile int *)where = 1;'
module warn 'WARN_ON(where == 0);'
module hang 'for (;;) msleep(100);'
module panic 'panic("kbundle golden: planted panic");'

# run CASE [VMTEST-OPTION…] — one boot; its console log becomes CASE.log
run() {
	local name=$1 log
	shift
	rm -rf "$VM_WD"/reports/vmtest-*
	"$KBUNDLE" vmtest --workdir "$VM_WD" --accel tcg --json "$out/$name.json" "$@" \
		>"$out/$name.out" 2>&1 || true
	log=$(ls "$VM_WD"/reports/vmtest-*/*.log)
	cp "$log" "$out/$name.log"
	# The private port's lines (a kernel with virtio_console), the case's
	# `result` file; the boot's nonce goes in the case's args (--nonce).
	[ -s "${log%.log}.result" ] && cp "${log%.log}.result" "$out/$name.result"
	grep -aho -m1 'KBV [0-9a-f]* ' "${log%.log}.result" "$log" 2>/dev/null | head -n1 |
		cut -d' ' -f2 >"$out/$name.nonce" || true
	kb_log "$name: $(wc -c <"$out/$name.log") bytes, nonce $(cat "$out/$name.nonce")"
}
sel=(--manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --release "$relA")
run pass "${sel[@]}" --timeout 150
run oops "${sel[@]}" --timeout 150 --module "$mods/oops"
run warn "${sel[@]}" --timeout 150 --module "$mods/warn"
run timeout "${sel[@]}" --timeout 30 --module "$mods/hang"
run panic "${sel[@]}" --timeout 150 --module "$mods/panic"
run wrong-kernel --bundle "$(vmtest_bundle "$KB_REL_A")" --image "$(vmtest_deb "$KB_IMAGE_B")" --timeout 150
echo "A=$KB_REL_A B=$KB_REL_B" >"$out/releases"
