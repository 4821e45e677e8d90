#!/usr/bin/env bash
# test_toolchain_root.sh — a module built inside a build root: the real
# Debian 13 (trixie) headers of the newest 6.12 kernel, whose .config names
# gcc-14, which this Debian 12 host does not have. kbundle makes (once) a
# trixie root with mmdebstrap from the mirror apt uses and runs make in it
# through bubblewrap; the module's .comment must say Debian's gcc 14 and
# its vermagic the trixie kernel. Also: the compiler parsed from the headers
# is gcc-14, a compiler no release ships is refused by name, a bad release
# is a usage error, list shows the root, gc removes a killed run's leftover.
#
# The root is cached in $KB_TEST_CACHE/toolchain-work (its name carries a
# hash of its package set, so a changed set makes a new one); the trixie
# packages in $KB_TEST_CACHE/debs, apt's trixie lists in
# $KB_TEST_CACHE/apt-trixie (toolchain_lib.sh). First run: ~6 min (the
# root); after: ~30 s.
set -euo pipefail
. "$KB_SRC/tests/e2e/lib.sh"
kb_need mmdebstrap bwrap apt-get dpkg-deb readelf modinfo
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"

. "$KB_SRC/tests/e2e/toolchain_lib.sh"
work=$KB_TEST_CACHE/toolchain-work

# The newest trixie 6.12 headers, from the mirror apt uses.
_kb_cache_lock
tc_apt_release trixie
hdr=$(apt-cache "${TC_APT_OPTS[@]}" pkgnames linux-headers-6.12. |
	grep -E '^linux-headers-6\.12\.[0-9]+\+deb13-amd64$' | sort -V | tail -n 1)
[ -n "$hdr" ] || { _kb_cache_unlock; kb_skip "apt knows no trixie linux-headers-6.12.*+deb13-amd64"; }
abi=${hdr#linux-headers-}; abi=${abi%-amd64}
tc_fetch "$hdr" "linux-headers-$abi-common" "linux-kbuild-$abi"
_kb_cache_unlock

# The tree, made self-contained by hand (what pack does), bound at its own
# path inside the root.
tree=$(kb_fast_tmpdir)
tc_tree "$tree" "${TC_DEBS[@]}"
bdir=$tree/usr/src/linux-headers-$abi-amd64

# The compiler, as the packer reads it: gcc-14 (the unit tests parse the
# same lines; here they come from the real package).
grep -qx 'CONFIG_CC_IS_GCC=y' "$bdir/.config" || kb_die "$hdr: .config has no CONFIG_CC_IS_GCC=y"
grep -qE '^CONFIG_GCC_VERSION=14[0-9]{4}$' "$bdir/.config" || kb_die "$hdr: not built by gcc 14"

# A compiler no release ships: refused by name, nothing built.
set +e
"$KBUNDLE" toolchain --workdir "$KB_TMP/w" prepare gcc-9 2>"$KB_TMP/err"
rc=$?
set -e
[ $rc -eq 1 ] || kb_die "prepare gcc-9: exit $rc, want 1"
grep -q 'gcc-9' "$KB_TMP/err" || kb_die "prepare gcc-9: the error does not name gcc-9: $(cat "$KB_TMP/err")"
set +e
"$KBUNDLE" toolchain --workdir "$KB_TMP/w" prepare --release hamm gcc-14 2>"$KB_TMP/err"
rc=$?
set -e
[ $rc -eq 2 ] || kb_die "prepare --release hamm: exit $rc, want 2"

# The root (made once, then cached) and the module built inside it.
start=$(date +%s)
"$KBUNDLE" toolchain --workdir "$work" prepare --root gcc-14 >"$KB_TMP/prep" ||
	kb_die "toolchain prepare gcc-14 failed"
read -r spec rel root <"$KB_TMP/prep"
[ "$spec" = gcc-14 ] && [ "$rel" = trixie ] && [ -d "$root" ] || kb_die "prepare said: $(cat "$KB_TMP/prep")"
kb_log "trixie root ready in $(($(date +%s) - start)) s: $root ($(du -sm "$root" | cut -f1) MB)"
[ -x "$root/usr/bin/pahole" ] || kb_die "the root has no pahole"

mod=$(kb_fast_tmpdir)
kb_test_module "$mod"
"$KBUNDLE" toolchain --workdir "$work" exec --root --bind "$tree" --bind "$mod" gcc-14 -- \
	make -C "$bdir" M="$mod" modules >"$KB_TMP/build.log" 2>&1 ||
	{ cat "$KB_TMP/build.log" >&2; kb_die "module build in the trixie root failed"; }
readelf -p .comment "$mod/kbtest.ko" >"$KB_TMP/comment"
grep -q 'GCC: (Debian 14\.' "$KB_TMP/comment" || kb_die "kbtest.ko .comment is not Debian's gcc 14: $(cat "$KB_TMP/comment")"
! grep -q 'GCC: (Debian 12\.' "$KB_TMP/comment" || kb_die "kbtest.ko holds code from the host's gcc 12"
vm=$(modinfo -F vermagic "$mod/kbtest.ko")
case "$vm" in "$abi-amd64 "*) ;; *) kb_die "vermagic '$vm' is not $abi-amd64" ;; esac
kb_log "kbtest.ko built in the trixie root: vermagic $vm; $(grep -o 'GCC: .*' "$KB_TMP/comment" | sort -u)"

# No network inside, and the root is read-only.
! "$KBUNDLE" toolchain --workdir "$work" exec --root gcc-14 -- touch /usr/kb-write 2>/dev/null ||
	kb_die "a command wrote into the cached root"

"$KBUNDLE" toolchain --workdir "$work" list >"$KB_TMP/list"
grep -qE "^trixie +gcc-14 .* $root\$" "$KB_TMP/list" || kb_die "list does not show the root: $(cat "$KB_TMP/list")"

# gc on a private work directory: a killed creation's leftover goes, and
# the cached root above is never touched.
mkdir -p "$KB_TMP/w/toolchains/.tmp-trixie-gcc-14-000000000000/usr"
"$KBUNDLE" toolchain --workdir "$KB_TMP/w" gc >"$KB_TMP/gc"
grep -q '^removed 1 roots' "$KB_TMP/gc" || kb_die "gc: $(cat "$KB_TMP/gc")"
[ ! -e "$KB_TMP/w/toolchains/.tmp-trixie-gcc-14-000000000000" ] || kb_die "gc left the temp root"
[ -d "$root" ] || kb_die "the cached root vanished"
