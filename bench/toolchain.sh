#!/usr/bin/env bash
# bench/toolchain.sh — build roots. (1) Creating one: `kbundle toolchain
# prepare --root gcc-12` in a fresh work directory, beside a bare
# `mmdebstrap --variant=essential` root of the same release from the same
# mirror (what any root costs), in the same run. (2) A module build inside
# the cached root beside the same build on the host, with the same compiler
# (bookworm's gcc-12 is the host's): what the root itself adds. Target:
# <= 1.10x. Each build figure is the median of $KB_BENCH_REPEAT runs
# (default 3). KB_BENCH_CREATE=0 skips (1) and builds in a bookworm root
# kept in $KB_TEST_CACHE/toolchain-work (made there the first time).
set -euo pipefail
KB_SRC=${KB_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
. "$KB_SRC/tests/e2e/lib.sh"
. "$KB_SRC/bench/lib/timing.sh"
. "$KB_SRC/tests/e2e/toolchain_lib.sh"
kb_need mmdebstrap bwrap bc dpkg-deb gcc-12
kb_debian_fetch
repeat=${KB_BENCH_REPEAT:-3}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared with other work)"

work=$KB_TEST_CACHE/toolchain-work
if [ "${KB_BENCH_CREATE:-1}" != 0 ]; then
	work=$KB_TMP/work
	t0=$(now)
	"$KBUNDLE" -q toolchain --workdir "$work" prepare --root gcc-12 >/dev/null ||
		kb_die "toolchain prepare --root gcc-12 failed"
	t_create=$(echo "$(now) - $t0" | bc)
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk '$2 == "bookworm" { print $1; exit }')
	t0=$(now)
	mmdebstrap -q --variant=essential --format=directory bookworm "$KB_TMP/bare" "deb $uri bookworm main" ||
		kb_die "bare mmdebstrap failed"
	t_bare=$(echo "$(now) - $t0" | bc)
	root=$("$KBUNDLE" -q toolchain --workdir "$work" prepare --root --release bookworm gcc-12 | cut -f3)
	printf 'create: bookworm gcc-12 root %.1f s, %s MB; bare essential root %.1f s, %s MB: %sx\n' \
		"$t_create" "$(du -sm "$root" | cut -f1)" "$t_bare" "$(du -sm "$KB_TMP/bare" | cut -f1)" \
		"$(ratio "$t_create" "$t_bare")"
	rm -rf "$KB_TMP/bare"
fi

# The Debian 12 kernel's headers (gcc-12), self-contained on tmpfs.
tree=$(kb_fast_tmpdir)
tc_tree "$tree" "$(kb_deb_file "$KB_HDR_A" "$KB_VER_A")" "$(kb_deb_file "$KB_COMMON_A" "$KB_VER_A")" \
	"$(kb_deb_file "$KB_KBUILD_A" "$KB_KBUILD_VER_A")"
bdir=$tree/usr/src/linux-headers-$KB_REL_A
mod=$(kb_fast_tmpdir)
kb_test_module "$mod"
# build [exec-prefix…] — one clean module build, in seconds
build() {
	rm -f "$mod"/*.o "$mod"/*.ko "$mod"/*.mod* "$mod"/.*.cmd "$mod"/Module.symvers "$mod"/modules.order
	local t0
	t0=$(now)
	"$@" make -s -C "$bdir" M="$mod" modules >"$KB_TMP/build.log" 2>&1 ||
		{ cat "$KB_TMP/build.log" >&2; kb_die "module build failed: $*"; }
	echo "$(now) - $t0" | bc
}
in_root=("$KBUNDLE" -q toolchain --workdir "$work" exec --root --release bookworm --bind "$tree" \
	--bind "$mod" gcc-12 --)
build "${in_root[@]}" >/dev/null # warm the page cache of the root
t_root=$(for ((i = 0; i < repeat; i++)); do build "${in_root[@]}"; done | median)
grep -q 'GCC: (Debian 12\.' <(readelf -p .comment "$mod/kbtest.ko") || kb_die "root build: not gcc 12"
build env >/dev/null
t_host=$(for ((i = 0; i < repeat; i++)); do build env; done | median)
printf 'module build: in the cached root %.2f s, on the host %.2f s: %sx (target <= 1.10x)\n' \
	"$t_root" "$t_host" "$(ratio "$t_root" "$t_host")"
