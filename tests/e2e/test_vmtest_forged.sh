#!/usr/bin/env bash
# test_vmtest_forged — issue 12 item 1: the code under test cannot write its
# own verdict. Against both real Debian kernels of the e2e mirror (6.12 has
# virtio_console built in, 6.1 has it as a module that /init loads from the
# kernel's own package: both report on the private port, each line with the
# boot's nonce), under TCG:
#  1. a module's check.sh that writes "KBR <name> selftest pass" and
#     KBUNDLE-RESULT-END to the console (and to every /dev/vport*), then
#     exits 1;
#  2. a kernel module that WARNs, writes forged lines to the console and to
#     the ports with kernel_write (and printk's one at KERN_EMERG), then
#     fails its init with -ENODEV;
#  3. a second module's check.sh that writes "KBR victim selftest pass" for
#     a victim whose check.sh fails.
# Each run exits 1, the forged unit's real failing check is reported, and
# the boot check names the "forged or unexpected result line".
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_debian_fetch
kb_log "fixtures ready: ${SECONDS} s"
vmtest_pipeline

mods=$KB_TMP/mods
module() { # NAME INIT-BODY — a module whose init does INIT-BODY
	mkdir -p "$mods/$1"
	echo "obj-m := $1.o" >"$mods/$1/Kbuild"
	cat >"$mods/$1/$1.c" <<EOC
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
static const char forged[] = "KBUNDLE-RESULT-BEGIN\\nKBR $1 insmod pass\\nKBR $1 loaded pass\\n"
	"KBR $1 selftest pass\\nKBR $1 rmmod pass\\nKBR $1 oops pass\\nKBR $1 warning pass\\n"
	"KBR $1 taint pass 12288\\nKBUNDLE-RESULT-END\\n";
static void __maybe_unused kb_forge(const char *path)
{
	struct file *f = filp_open(path, O_WRONLY, 0);
	loff_t pos = 0;

	if (IS_ERR(f)) {
		pr_info("kbforge: %s: %ld\\n", path, PTR_ERR(f));
		return;
	}
	kernel_write(f, forged, sizeof(forged) - 1, &pos);
	filp_close(f, NULL);
}
static int __init kbf_$1_init(void) { $2 return 0; }
static void __exit kbf_$1_exit(void) { }
module_init(kbf_$1_init);
module_exit(kbf_$1_exit);
MODULE_LICENSE("GPL");
EOC
}
forge_sh='for p in /dev/console /dev/vport*; do
	printf "KBR %s selftest pass\nKBUNDLE-RESULT-END\n" "$1" >"$p" 2>/dev/null
done'
module forgecheck ''
printf '%s\n%s\n' "set -- forgecheck" "$forge_sh" >"$mods/forgecheck/check.sh"
echo 'exit 1' >>"$mods/forgecheck/check.sh"
module forgekmod 'WARN_ON(1); kb_forge("/dev/console"); kb_forge("/dev/vport0p1");
	kb_forge("/dev/vport1p1"); printk(KERN_EMERG "KBR $1 insmod pass\n"); return -ENODEV;'
module victim ''
echo 'echo the victim fails; exit 1' >"$mods/victim/check.sh"
module cross ''
printf '%s\n%s\n' "set -- victim" "$forge_sh" >"$mods/cross/check.sh"
echo 'echo "KBR victim selftest pass"' >>"$mods/cross/check.sh"

# run NAME MODULE… — one vmtest over both kernels; it must exit 1
run() {
	local name=$1 rc=0 m
	shift
	local -a opt=()
	for m in "$@"; do opt+=(--module "$mods/$m"); done
	"$KBUNDLE" vmtest --all --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
		--accel tcg --timeout 150 -j 2 -v "${opt[@]}" --json "$KB_TMP/$name.json" \
		>"$KB_TMP/$name.out" 2>"$KB_TMP/$name.err" || rc=$?
	cat "$KB_TMP/$name.out"
	[ $rc = 1 ] || { cat "$KB_TMP/$name.err"; kb_die "$name: exit $rc, want 1"; }
	for rel in "$KB_REL_A" "$KB_REL_B"; do
		grep -q "^$rel .*kbundle_test *pass" "$KB_TMP/$name.out" &&
			kb_die "$name: $rel: the forged run passed"
		kb_log "$name: $rel: results on the $(sed -n "s/^.*$rel: results on the //p" "$KB_TMP/$name.err")"
	done
}
# want NAME UNIT CHECK STATUS [DETAIL] — on both kernels
want() {
	local st rel
	for rel in "$KB_REL_A" "$KB_REL_B"; do
		st=$(vmtest_check "$KB_TMP/$1.json" "$rel" "$2" "$3")
		[[ $st == "$4"* ]] || kb_die "$1: $rel: $2 $3: want $4, got: $st"
		[ -z "${5:-}" ] || [[ $st == *"$5"* ]] || kb_die "$1: $rel: $2 $3: want '$5' in: $st"
	done
}

run check forgecheck
want check forgecheck selftest fail
want check forgecheck boot fail "forged or unexpected result line"

run kmod forgekmod
want kmod forgekmod insmod fail
want kmod forgekmod warning fail
want kmod forgekmod boot fail "forged or unexpected result line"

run cross victim cross
want cross victim selftest fail "the victim fails"
want cross victim boot fail "forged or unexpected result line"
# Both kernels use the private port: 6.12 builds virtio_console in, 6.1
# loads it from its own package.
for rel in "$KB_REL_A" "$KB_REL_B"; do
	grep -q "$rel: results on the private port" "$KB_TMP/cross.err" ||
		kb_die "$rel did not use the private port"
done
echo ok
