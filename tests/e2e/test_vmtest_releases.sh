#!/usr/bin/env bash
# test_vmtest_releases — one real kernel of each Debian release, each built
# with the compiler that built it: Debian 11 (5.10, gcc-10: a bullseye
# build root), Debian 12 (6.1, gcc-12: the host's), Debian 13 (6.12.*+deb13,
# gcc-14: a trixie build root) and the newest 7.x of trixie-backports
# (gcc-14, the same root; its kernel is linux-binary-R, at
# usr/lib/modules/R/vmlinuz). All four go through crawl → manifest → pack
# → vmtest under TCG: the test module builds, its vermagic and its
# .comment's compiler match the bundle (BUNDLE_UNAME, BUNDLE_COMPILER), the
# kernel boots and loads it. Then `kbundle build` writes the same modules
# to OUTDIR/<arch>/<uname>/ with build.json; the .ko's .comment (readelf)
# names the major version BUNDLE_COMPILER names.
#
# Packages come from the mirror apt uses through private apt configurations
# (lib_debian13.sh, toolchain_lib.sh), cached in $KB_TEST_CACHE. The build
# roots are the shared cached ones ($KB_TEST_CACHE/toolchain-work/toolchains,
# key-addressed: release, compiler and a hash of the package set), made
# once (~3-15 min each) and never per run.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
. "$KB_SRC/tests/e2e/toolchain_lib.sh"
. "$KB_SRC/tests/e2e/releases_lib.sh"
vmtest_need
kb_need mmdebstrap bwrap readelf
t0=$SECONDS

releases_pipeline
rel11=$REL11 ups=$RL_UPS wd=$RL_WD man=$RL_MAN

declare -A want=([$rel11]=gcc-10 [$KB_REL_A]=gcc-12 [$KB_D13_REL]=gcc-14 [$KB_D7_REL]=gcc-14)
declare -A where=([$rel11]=bullseye [$KB_REL_A]=host [$KB_D13_REL]=trixie [$KB_D7_REL]=trixie)
for rel in "${!want[@]}"; do
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	cc=$(tar -xzOf "$wd/bundles/$id.tgz" BUNDLE_COMPILER)
	[ "$cc" = "${want[$rel]}" ] || kb_die "$rel: BUNDLE_COMPILER is '$cc', want ${want[$rel]}"
done

# vmtest: every check of every kernel passes; the log says which compiler
# from where.
start=$SECONDS
rc=0
"$KBUNDLE" vmtest --all --manifest "$man" --upstreams "$ups" --workdir "$wd" --accel tcg --timeout 300 \
	-j 2 --json "$KB_TMP/r.json" >"$KB_TMP/out.txt" 2>"$KB_TMP/err.txt" || rc=$?
cat "$KB_TMP/out.txt"
[ $rc -eq 0 ] || { cat "$KB_TMP/err.txt" "$KB_TMP/r.json" >&2; kb_die "vmtest exited $rc"; }
kb_log "vmtest of 4 kernels: $((SECONDS - start)) s"
for rel in "${!want[@]}"; do
	for chk in build vermagic boot insmod loaded selftest rmmod oops warning taint; do
		st=$(vmtest_check "$KB_TMP/r.json" "$rel" kbundle_test $chk)
		[ "${st%%$'\t'*}" = pass ] || kb_die "$rel: check $chk is not pass: $st"
	done
	if [ "${where[$rel]}" = host ]; then
		grep -q "$rel: building with ${want[$rel]} from the host" "$KB_TMP/err.txt" ||
			kb_die "$rel: not built with the host's ${want[$rel]}: $(grep "$rel" "$KB_TMP/err.txt")"
	else
		grep -F "$rel: building with ${want[$rel]} from " "$KB_TMP/err.txt" |
			grep -qF "/toolchains/${where[$rel]}-${want[$rel]}-" ||
			kb_die "$rel: not built in the ${where[$rel]} root: $(grep "$rel" "$KB_TMP/err.txt")"
	fi
done
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["passed"] is True; assert len(r["kernels"]) == 4; assert all(k["guest_release"] == k["release"] for k in r["kernels"])' "$KB_TMP/r.json" ||
	kb_die "the JSON report does not say all four kernels booted their own release"

# kbundle build: the same module into OUTDIR/<arch>/<uname>/ with build.json.
mod=$KB_TMP/kbmod
kb_test_module "$mod" kbtest
out=$KB_TMP/out
start=$SECONDS
"$KBUNDLE" -q build --manifest "$man" --upstreams "$ups" --workdir "$wd" --module "$mod" -o "$out" -j 2 \
	>"$KB_TMP/build.txt" || { cat "$KB_TMP/build.txt"; kb_die "kbundle build failed"; }
kb_log "build of 4 kernels: $((SECONDS - start)) s"
for rel in "${!want[@]}"; do
	d=$out/amd64/$rel
	[ -f "$d/kbtest.ko" ] && [ -f "$d/build.json" ] || kb_die "$rel: no $d/kbtest.ko and build.json"
	[ -z "$(find "$out" -name '.tmp-*' -o -name '.old-*')" ] || kb_die "temp directories left in $out"
	id=$(pack_index_id "$wd/bundles/index.json" "$rel")
	python3 - "$d/build.json" "$id" "$rel" "${want[$rel]}" "${where[$rel]}" "$(kb_sha256 "$d/kbtest.ko")" \
		"$(modinfo -F vermagic "$d/kbtest.ko")" <<'PY' || kb_die "$rel: build.json is wrong: $(cat "$d/build.json")"
import json, sys
f, bid, rel, cc, where, sha, vm = sys.argv[1:]
j = json.load(open(f))
assert j["bundle"] == bid and j["uname"] == rel and j["arch"] == "amd64", j
assert j["compiler"] == cc and j["passed"] is True and j["error"] is None, j
assert j["toolchain"] == ("host" if where == "host" else where + " root"), j
assert j["dir"] == "amd64/" + rel, j
[m] = j["modules"]
assert m["file"] == "kbtest.ko" and m["sha256"] == sha and m["vermagic"] == vm, m
assert vm.startswith(rel + " "), vm
PY
	major=${want[$rel]#gcc-}
	readelf -p .comment "$d/kbtest.ko" >"$KB_TMP/comment"
	grep -q "GCC: (Debian $major\." "$KB_TMP/comment" ||
		kb_die "$rel: kbtest.ko .comment is not Debian's gcc $major: $(cat "$KB_TMP/comment")"
	! grep 'GCC: ' "$KB_TMP/comment" | grep -qv "GCC: (Debian $major\." ||
		kb_die "$rel: kbtest.ko holds code of another compiler: $(cat "$KB_TMP/comment")"
done
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["format"] == 1 and len(j["kernels"]) == 4 and all(k["passed"] for k in j["kernels"])' \
	"$out/build.json" || kb_die "OUTDIR/build.json does not list four built kernels"
kb_log "total $((SECONDS - t0)) s"
echo ok
