#!/usr/bin/env bash
# test_vmtest_bpf — vmtest --bpf on one real kernel of Debian 11 (5.10),
# Debian 12 (6.1) and Debian 13 (6.12), from releases_lib.sh's signed
# mirror: tests/bpf's samples (XDP, kprobe, net tracepoint, TC, CO-RE
# task_struct) compile CO-RE and non-CO-RE, validate, load, attach and run
# in each guest; reject_oob is refused by each verifier, with its log, and
# fails that case only; verified_insns is reported where the kernel keeps
# it (5.16+). --no-btf makes the CO-RE sample fail for want of BTF, and
# --min-core hands it a min-core BTF (btf_custom_path) that lets it load
# again, from the object the run before built and cached. Each bundle's last
# verdict is in the work index, kept by a repack and published. A prebuilt object
# that is not BPF is refused before any VM boots.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
. "$KB_SRC/tests/e2e/toolchain_lib.sh"
. "$KB_SRC/tests/e2e/releases_lib.sh"
kb_need nginx dpkg-deb apt-ftparchive python3 clang busybox
vmtest_need
[ -f /usr/include/bpf/bpf_helpers.h ] || kb_skip "no libbpf headers (install libbpf-dev)"
[ -x "$(dirname "$KBUNDLE")/kbundle-bpfload" ] || kb_die "no kbundle-bpfload beside $KBUNDLE"
t0=$SECONDS

# a prebuilt object that is not BPF: refused before anything is packed or booted
mkdir -p "$KB_TMP/bad"
cp /bin/true "$KB_TMP/bad/host.bpf.o"
rc=0
"$KBUNDLE" vmtest --bpf "$KB_TMP/bad" --all --workdir "$KB_TMP/none" 2>"$KB_TMP/bad.err" || rc=$?
[ $rc -eq 2 ] || kb_die "vmtest with a non-BPF object exited $rc, want 2: $(cat "$KB_TMP/bad.err")"
grep -q "host.bpf.o: an ELF file for machine 62, not EM_BPF" "$KB_TMP/bad.err" ||
	kb_die "no clear error for a non-BPF object: $(cat "$KB_TMP/bad.err")"
[ ! -e "$KB_TMP/none" ] || kb_die "vmtest wrote $KB_TMP/none before refusing"

releases_pipeline
wd=$RL_WD ups=$RL_UPS man=$RL_MAN
rels=("$REL11" "$KB_REL_A" "$KB_D13_REL")
sel="^($(IFS='|'; echo "${rels[*]}" | sed 's/[.+]/\\&/g'))\$"
"$KBUNDLE" -q pack --manifest "$man" --upstreams "$ups" --workdir "$wd" -j 2 --release "$sel" ||
	kb_die "pack failed"

start=$SECONDS
rc=0
"$KBUNDLE" vmtest --manifest "$man" --upstreams "$ups" --workdir "$wd" -j 2 --release "$sel" \
	--bpf "$KB_SRC/tests/bpf" --json "$KB_TMP/r.json" --junit "$KB_TMP/r.xml" \
	>"$KB_TMP/table" 2>"$KB_TMP/err" || rc=$?
kb_log "vmtest --bpf of 3 kernels: $((SECONDS - start)) s"
[ $rc -eq 1 ] || kb_die "vmtest --bpf exited $rc, want 1 (reject_oob fails): $(cat "$KB_TMP/table" "$KB_TMP/err")"
python3 - "$KB_TMP/r.json" "$REL11" <<'PY' || kb_die "report: $(cat "$KB_TMP/table")"
import json, sys
r = json.load(open(sys.argv[1]))
old = sys.argv[2]
want = {"xdp_count-core", "xdp_count-noncore", "kprobe_getpid-core", "kprobe_getpid-noncore",
        "net_xmit-core", "net_xmit-noncore", "tc_count-core", "tc_count-noncore",
        "task_core-core", "reject_oob-core", "reject_oob-noncore"}
assert len(r["kernels"]) == 3, r["kernels"]
for k in r["kernels"]:
    units = {u["name"]: u for u in k["modules"] if u.get("kind") == "bpf"}
    assert set(units) == want, (k["release"], sorted(units))
    for name, u in units.items():
        c = u["checks"]
        assert set(c) == {"bpf-build", "bpf-validate", "boot", "bpf-load", "bpf-attach",
                          "bpf-run", "oops", "warning", "taint"}, (name, sorted(c))
        assert u["insns"] > 0, (k["release"], name, u)
        if name.startswith("reject_oob"):
            assert not u["passed"], (k["release"], name, u)
            assert c["bpf-load"]["status"] == "fail", (k["release"], name, c)
            d = c["bpf-load"]["detail"]
            assert "invalid access to map value" in d or "value_size=8 off=8" in d, d
            assert u["why"].startswith("bpf-load:"), u["why"]
            for x in ("bpf-build", "bpf-validate", "boot", "oops", "taint"):
                assert c[x]["status"] == "pass", (name, x, c[x])
            continue
        assert u["passed"], (k["release"], name, u["why"], c)
        for x in c:
            assert c[x]["status"] == "pass", (k["release"], name, x, c[x])
        if k["release"] == old:
            assert u["verified_insns"] is None, (name, u)
        else:
            assert u["verified_insns"] > 0, (k["release"], name, u)
    mod = [u for u in k["modules"] if u.get("kind") != "bpf"]
    assert mod and all(u["passed"] for u in mod), mod
PY
n=$(grep -c '<testcase ' "$KB_TMP/r.xml")
[ "$n" -eq 36 ] || kb_die "JUnit has $n test cases, want 3 kernels x (11 BPF + 1 module)"
[ "$(grep -c '<failure ' "$KB_TMP/r.xml")" -eq 6 ] || kb_die "JUnit: want 6 failures (reject_oob x 2 x 3)"

# --no-btf: the CO-RE sample fails for want of BTF; --min-core gives it back
mkdir -p "$KB_TMP/core"
cp "$KB_SRC/tests/bpf/task_core.bpf.c" "$KB_SRC/tests/bpf/kb_runs.h" "$KB_SRC/tests/bpf/bpf.yml" "$KB_TMP/core/"
one="^$(echo "$KB_REL_A" | sed 's/[.+]/\\&/g')\$"
rc=0
"$KBUNDLE" vmtest --manifest "$man" --upstreams "$ups" --workdir "$wd" --release "$one" \
	--bpf "$KB_TMP/core" --no-btf --json "$KB_TMP/nobtf.json" >"$KB_TMP/table" 2>&1 || rc=$?
[ $rc -eq 1 ] || kb_die "vmtest --no-btf exited $rc, want 1: $(cat "$KB_TMP/table")"
python3 - "$KB_TMP/nobtf.json" <<'PY' || kb_die "--no-btf report: $(cat "$KB_TMP/table")"
import json, sys
[k] = json.load(open(sys.argv[1]))["kernels"]
[u] = [u for u in k["modules"] if u["name"] == "task_core-core"]
assert u["checks"]["bpf-load"]["status"] == "fail", u
assert "no BTF" in u["why"], u["why"]
PY
"$KBUNDLE" -q vmtest --manifest "$man" --upstreams "$ups" --workdir "$wd" --release "$one" \
	--bpf "$KB_TMP/core" --no-btf --min-core --json "$KB_TMP/min.json" >"$KB_TMP/table" 2>&1 ||
	kb_die "vmtest --no-btf --min-core failed: $(cat "$KB_TMP/table")"
python3 - "$KB_TMP/min.json" <<'PY' || kb_die "--min-core report: $(cat "$KB_TMP/table")"
import json, sys
[k] = json.load(open(sys.argv[1]))["kernels"]
[u] = [u for u in k["modules"] if u["name"] == "task_core-core"]
assert u["passed"] and u["checks"]["bpf-run"]["status"] == "pass", u
assert "min-core BTF" in u["checks"]["bpf-load"]["detail"], u
assert u["checks"]["bpf-build"]["detail"] == "built before: cached", u  # the --no-btf run's object
PY

# each bundle's last verdict is in the work index (the 6.1 kernel's last
# run passed, the others' failed on reject_oob); a pack keeps it, and
# publish carries it into the store's index
verdicts() {
	python3 -c 'import json, sys
for b in json.load(open(sys.argv[1]))["bundles"]: print(b["uname"], b["vmtest"])' "$1"
}
has_verdicts() { # INDEX WHAT
	local got
	got=$(verdicts "$1")	# not piped into grep -q: it may close the pipe early
	for l in "$REL11 failed" "$KB_REL_A passed" "$KB_D13_REL failed"; do
		grep -qxF "$l" <<<"$got" || kb_die "$2 lacks '$l': $got"
	done
}
has_verdicts "$wd/bundles/index.json" "the work index"
"$KBUNDLE" -q pack --manifest "$man" --upstreams "$ups" --workdir "$wd" --release "$sel" || kb_die "repack failed"
has_verdicts "$wd/bundles/index.json" "the work index after a pack"
"$KBUNDLE" -q key generate -o "$KB_TMP/key" >/dev/null
"$KBUNDLE" -q publish --workdir "$wd" --to "$KB_TMP/store" --sign-key "$KB_TMP/key" || kb_die "publish failed"
has_verdicts "$KB_TMP/store/index.json" "the store's index"
kb_log "total $((SECONDS - t0)) s"
echo ok
