# tests/e2e/lib_archvm.sh — what booting Debian 13 kernels of other
# architectures needs beside lib_cross.sh's headers (sourced after it): for
# each architecture the kernel image package of the same kernel
# (linux-image-<abi>-<arch>-unsigned, or linux-image-<abi>-<arch> where
# Debian has no unsigned one) and Debian's busybox-static for that
# architecture, from trixie. Picks are kept in $KB_TEST_CACHE/picks.
#
#   kb_archvm_fetch ARCH…   pick + download once; sets
#     KB_AV_PICKS           KB_X_PICKS's lines and, per ARCH, its image
#                           (suite trixie-security) and busybox-static (suite
#                           trixie, kind "-": no crawler keeps it)

kb_archvm_fetch() {
	kb_cross_fetch "$@"
	local a pf img picks=$KB_TMP/archvm-picks.tsv
	cp "$KB_X_PICKS" "$picks"
	for a in "$@"; do
		pf=$KB_TEST_CACHE/picks/archvm-1-$a-$KB_D13_ABI.tsv
		if [ ! -f "$pf" ]; then
			if [ -z "${KB_AV_APT:-}" ]; then
				KB_D13_MAIN=1 KB_D13_ARCHS="$*" _kb_d13_apt_setup
				KB_AV_APT=1
			fi
			img=linux-image-$KB_D13_ABI-$a-unsigned
			[ -n "$(_kb_d13_field "$img:$a" Filename)" ] || img=linux-image-$KB_D13_ABI-$a
			{
				_kb_d13_line trixie-security "$img:$a" image "$KB_D13_ABI-$a"
				_kb_d13_line trixie "busybox-static:$a" - -
			} | sed "s/^\([^\t]*\t[^\t]*\):$a\t/\1\t/" >"$KB_TMP/archvm-$a.tsv"
			_kb_fetch_picks "$KB_TMP/archvm-$a.tsv"
			mkdir -p "${pf%/*}"
			cp "$KB_TMP/archvm-$a.tsv" "$pf.$$" && mv -f "$pf.$$" "$pf"
		fi
		_kb_fetch_picks "$pf"
		cat "$pf" >>"$picks"
	done
	KB_AV_PICKS=$picks
	export KB_AV_PICKS
}
