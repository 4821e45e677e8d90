# tests/e2e/lib_cross.sh — real Debian 13 kernel headers of other
# architectures for the cross-build tests (sourced after lib.sh, which
# sources lib_debian13.sh): the kernel of lib_debian13.sh's KB_D13_ABI
# (the newest 6.12.*+deb13 of trixie-security) for each architecture asked
# for, through the same private apt configuration with those architectures
# added. The -common package (arch all) and the amd64 linux-kbuild package
# of the same version are KB_D13_PICKS's. Picks are kept in
# $KB_TEST_CACHE/picks like the others.
#
#   kb_cross_fetch ARCH…   (arm64, riscv64, …) pick + download once; sets
#     KB_X_PICKS           TSV in KB_DEB_PICKS's format: KB_D13_PICKS's 6.12
#                          lines (amd64 headers, -common, amd64 kbuild) and, per
#                          ARCH, linux-headers-<abi>-<ARCH> and its
#                          linux-kbuild-<abi> for ARCH
#     KB_X_REL_<ARCH>      uname -r of the ARCH kernel (6.12.118+deb13-arm64)

kb_cross_fetch() {
	kb_debian13_fetch
	local a pf picks=$KB_TMP/cross-picks.tsv hdr kb line
	awk -F'\t' -v h="$KB_D13_HDR" -v c="$KB_D13_COMMON" -v k="$KB_D13_KBUILD" \
		'$2 == h || $2 == c || $2 == k' "$KB_D13_PICKS" >"$picks"
	for a in "$@"; do
		pf=$KB_TEST_CACHE/picks/cross-1-$a-$KB_D13_ABI.tsv
		if [ ! -f "$pf" ]; then
			if [ -z "${KB_X_APT:-}" ]; then
				KB_D13_ARCHS="$*" _kb_d13_apt_setup
				KB_X_APT=1
			fi
			hdr=linux-headers-$KB_D13_ABI-$a
			kb=$(_kb_d13_dep "$hdr:$a" linux-kbuild-)
			[ -n "$(_kb_d13_field "$hdr:$a" Filename)" ] && [ -n "$kb" ] ||
				kb_skip "trixie-security has no $hdr for $a (or its Depends name no linux-kbuild-*)"
			{
				_kb_d13_line trixie-security "$hdr:$a" headers "$KB_D13_ABI-$a"
				_kb_d13_line trixie-security "$kb:$a" kbuild "$KB_D13_ABI"
			} | sed "s/^\([^\t]*\t[^\t]*\):$a\t/\1\t/" >"$KB_TMP/cross-$a.tsv"
			_kb_fetch_picks "$KB_TMP/cross-$a.tsv"
			mkdir -p "${pf%/*}"
			cp "$KB_TMP/cross-$a.tsv" "$pf.$$" && mv -f "$pf.$$" "$pf"
		fi
		_kb_fetch_picks "$pf"
		cat "$pf" >>"$picks"
		printf -v "KB_X_REL_$a" '%s' "$KB_D13_ABI-$a"
		export "KB_X_REL_$a"
	done
	KB_X_PICKS=$picks
	export KB_X_PICKS
}
