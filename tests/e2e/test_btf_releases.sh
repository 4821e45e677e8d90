#!/usr/bin/env bash
# test_btf_releases — each kernel's BTF, on one real kernel of Debian 11
# (5.10), Debian 12 (6.1) and Debian 13 (6.12), from releases_lib.sh's
# signed mirror of real packages: `pack --btf` writes <id>.btf beside each
# bundle, the index lists it with its sha256 and size, bpftool reads it,
# a second extraction straight from the image package gives the same
# bytes; publish copies it to a signed store and `fetch --btf` gets it
# verified (and refuses a changed one); a CO-RE object compiled here
# against one kernel's vmlinux.h gets a min-core BTF of a few KB per kernel;
# BTF from DWARF (pahole -J) for kernels without any.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
. "$KB_SRC/tests/e2e/toolchain_lib.sh"
. "$KB_SRC/tests/e2e/releases_lib.sh"
kb_need nginx dpkg-deb apt-ftparchive python3 bpftool clang pahole gcc
[ -f /usr/include/bpf/bpf_helpers.h ] || kb_skip "no libbpf headers (install libbpf-dev)"
t0=$SECONDS

releases_pipeline
wd=$RL_WD ups=$RL_UPS man=$RL_MAN
rels=("$REL11" "$KB_REL_A" "$KB_D13_REL")
sel="^($(IFS='|'; echo "${rels[*]}" | sed 's/[.+]/\\&/g'))\$"

start=$SECONDS
"$KBUNDLE" -q pack --btf --manifest "$man" --upstreams "$ups" --workdir "$wd" -j 2 --release "$sel" ||
	kb_die "pack --btf failed"
kb_log "pack --btf of 3 kernels: $((SECONDS - start)) s"

# image package of a release, from the fixture's picks
image_of() { awk -F'\t' -v r="$1" '$5 == "image" && $6 == r { print $8; exit }' "$KB_TMP/picks.tsv"; }

for rel in "${rels[@]}"; do
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	btf=$wd/bundles/$id.btf
	[ -s "$btf" ] || kb_die "$rel: no $btf"
	(cd "$wd/bundles" && sha256sum -c --quiet "$id.btf.sha256") || kb_die "$rel: bad $id.btf.sha256"
	python3 - "$wd/bundles/index.json" "$rel" "$id" "$(kb_sha256 "$btf")" "$(stat -c %s "$btf")" <<'PY' ||
import json, sys
idx, rel, bid, sha, size = sys.argv[1:]
[b] = [b for b in json.load(open(idx))["bundles"] if b["uname"] == rel]
assert b["btf_path"] == bid + ".btf" and b["btf_sha256"] == sha and b["btf_size"] == int(size), b
assert "btf_missing" not in b, b
PY
		kb_die "$rel: index.json does not list its BTF: $(cat "$wd/bundles/index.json")"
	bpftool btf dump file "$btf" >"$KB_TMP/dump" || kb_die "$rel: bpftool cannot read $btf"
	n=$(grep -c '^\[' "$KB_TMP/dump")
	[ "$n" -gt 50000 ] || kb_die "$rel: only $n BTF types in $btf"
	grep -q "STRUCT 'task_struct'" "$KB_TMP/dump" || kb_die "$rel: no task_struct in $btf"
	# a second run, from the image package through a temp directory: same bytes
	img=$(image_of "$rel")
	[ -f "$img" ] || kb_die "$rel: no image package in the picks"
	"$KBUNDLE" -q btf extract --image "$img" -o "$KB_TMP/again.btf" || kb_die "$rel: btf extract failed"
	cmp -s "$btf" "$KB_TMP/again.btf" || kb_die "$rel: a second extraction gave other bytes"
	kb_log "$rel: BTF $(stat -c %s "$btf") bytes, $n types"
done

# publish to a signed store; fetch --btf verifies against the signed index
"$KBUNDLE" -q key generate -o "$KB_TMP/key" >/dev/null
"$KBUNDLE" -q publish --workdir "$wd" --to "$KB_TMP/store" --sign-key "$KB_TMP/key" || kb_die "publish failed"
id=$(pack_index_id "$wd/bundles/index.json" "$KB_REL_A")
cmp -s "$KB_TMP/store/$id.btf" "$wd/bundles/$id.btf" || kb_die "publish did not copy $id.btf"
"$KBUNDLE" -q fetch --btf --key "$KB_TMP/key.pub" --uname "$KB_REL_A" --arch amd64 --from "$KB_TMP/store" \
	-o "$KB_TMP/dl" --json "$KB_TMP/fetch.json" || kb_die "fetch --btf failed"
cmp -s "$KB_TMP/dl/$id.btf" "$wd/bundles/$id.btf" || kb_die "fetch --btf got other bytes"
(cd "$KB_TMP/dl" && sha256sum -c --quiet "$id.btf.sha256") || kb_die "fetch --btf: bad sidecar"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["btf"].endswith(sys.argv[2] + ".btf"), j' \
	"$KB_TMP/fetch.json" "$id" || kb_die "fetch --json does not name the BTF: $(cat "$KB_TMP/fetch.json")"
printf 'X' | dd of="$KB_TMP/store/$id.btf" bs=1 seek=100 conv=notrunc status=none
rc=0
"$KBUNDLE" fetch --btf --key "$KB_TMP/key.pub" --uname "$KB_REL_A" --arch amd64 --from "$KB_TMP/store" \
	-o "$KB_TMP/dl2" 2>"$KB_TMP/bad.err" || rc=$?
[ $rc -eq 1 ] || kb_die "fetch --btf of a changed BTF exited $rc, want 1"
grep -q "$id.btf: does not match the index" "$KB_TMP/bad.err" || kb_die "no clear error: $(cat "$KB_TMP/bad.err")"
[ ! -e "$KB_TMP/dl2/$id.btf" ] || kb_die "a changed BTF was kept"

# a CO-RE object against Debian 12's vmlinux.h; min-core BTF for each kernel
"$KBUNDLE" -q btf vmlinux-h --btf "$wd/bundles/$id.btf" -o "$KB_TMP/h" || kb_die "btf vmlinux-h failed"
grep -q 'struct task_struct {' "$KB_TMP/h/vmlinux.h" || kb_die "vmlinux.h has no struct task_struct"
cat >"$KB_TMP/core.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";
int seen_tgid, seen_ppid;
SEC("tracepoint/syscalls/sys_enter_getpid")
int kb_core(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	seen_tgid = BPF_CORE_READ(t, tgid);
	seen_ppid = BPF_CORE_READ(t, real_parent, tgid);
	return 0;
}
C
clang -target bpf -O2 -g -I "$KB_TMP/h" -c "$KB_TMP/core.bpf.c" -o "$KB_TMP/core.bpf.o" ||
	kb_die "the CO-RE sample does not compile against vmlinux.h"
"$KBUNDLE" -q btf min-core --bpf "$KB_TMP/core.bpf.o" --manifest "$man" --upstreams "$ups" --workdir "$wd" \
	--release "$sel" -o "$KB_TMP/min" || kb_die "btf min-core failed"
for rel in "${rels[@]}"; do
	f=$KB_TMP/min/amd64/$rel.btf
	[ -s "$f" ] || kb_die "$rel: no min-core BTF $f"
	size=$(stat -c %s "$f")
	[ "$size" -lt 8192 ] || kb_die "$rel: min-core BTF is $size bytes, not a few KB"
	bpftool btf dump file "$f" >"$KB_TMP/dump" || kb_die "$rel: bpftool cannot read $f"
	grep -q "STRUCT 'task_struct'" "$KB_TMP/dump" || kb_die "$rel: min-core BTF lacks task_struct"
	kb_log "$rel: min-core BTF $size bytes"
done
# a kernel built without BTF gets it from its DWARF (pahole -J); a vmlinux
# with DWARF is ~700 MB, so this checks the path on an object of gcc -g
printf 'struct kb_dwarf_point { int x; long y; struct kb_dwarf_point *next; };\n%s\n' \
	'struct kb_dwarf_point kb_dwarf_seed;' >"$KB_TMP/dw.c"
gcc -g -c "$KB_TMP/dw.c" -o "$KB_TMP/dw.o"
"$KBUNDLE" -q btf extract --dwarf "$KB_TMP/dw.o" -o "$KB_TMP/dw.btf" || kb_die "btf extract --dwarf failed"
bpftool btf dump file "$KB_TMP/dw.btf" >"$KB_TMP/dump" || kb_die "bpftool cannot read the BTF pahole made"
grep -q "STRUCT 'kb_dwarf_point' size=24 vlen=3" "$KB_TMP/dump" || kb_die "pahole's BTF: $(cat "$KB_TMP/dump")"
kb_log "total $((SECONDS - t0)) s"
echo ok
