# tests/e2e/lib_archvm.sh — what booting Debian 13 kernels of other
# architectures needs beside lib_cross.sh's headers (sourced after it): for
# each architecture the kernel image package of the same kernel
# (linux-image-<abi>-<arch>-unsigned, or linux-image-<abi>-<arch> where
# Debian has no unsigned one) and Debian's busybox-static for that
# architecture, from trixie. Picks are kept in $KB_TEST_CACHE/picks.
# KB_AV_REL_<FLAVOUR> (- as _): uname -r of each flavour's kernel.
#
#   kb_archvm_fetch FLAVOUR…   (amd64, arm64, arm64-16k, riscv64: the architecture is
#                           the part before the first "-") pick + download once; sets
#     KB_AV_PICKS           KB_X_PICKS's lines and, per FLAVOUR, its image
#                           (suite trixie-security), its headers when it is not
#                           lib_cross.sh's (arm64-16k), and its architecture's
#                           busybox-static (suite trixie, kind "-": no crawler
#                           keeps it)

kb_archvm_fetch() {
	local f a pf img archs picks=$KB_TMP/archvm-picks.tsv
	# amd64's headers are lib_debian13.sh's already
	archs=$(printf '%s\n' "${@%%-*}" | grep -vx amd64 | sort -u | tr '\n' ' ')
	kb_cross_fetch $archs
	cp "$KB_X_PICKS" "$picks"
	for f in "$@"; do
		a=${f%%-*} pf=$KB_TEST_CACHE/picks/archvm-1-$f-$KB_D13_ABI.tsv
		if [ ! -f "$pf" ]; then
			if [ -z "${KB_AV_APT:-}" ]; then
				KB_D13_MAIN=1 KB_D13_ARCHS="$archs" _kb_d13_apt_setup
				KB_AV_APT=1
			fi
			img=linux-image-$KB_D13_ABI-$f-unsigned
			[ -n "$(_kb_d13_field "$img:$a" Filename)" ] || img=linux-image-$KB_D13_ABI-$f
			{
				_kb_d13_line trixie-security "$img:$a" image "$KB_D13_ABI-$f"
				[ "$f" = "$a" ] || _kb_d13_line trixie-security \
					"linux-headers-$KB_D13_ABI-$f:$a" headers "$KB_D13_ABI-$f"
				grep -q "	busybox-static	.*	$a	" "$picks" ||
					_kb_d13_line trixie "busybox-static:$a" - -
			} | sed "s/^\([^\t]*\t[^\t]*\):$a\t/\1\t/" >"$KB_TMP/archvm-$f.tsv"
			_kb_fetch_picks "$KB_TMP/archvm-$f.tsv"
			mkdir -p "${pf%/*}"
			cp "$KB_TMP/archvm-$f.tsv" "$pf.$$" && mv -f "$pf.$$" "$pf"
		fi
		_kb_fetch_picks "$pf"
		cat "$pf" >>"$picks"
		printf -v "KB_AV_REL_${f//-/_}" '%s' "$KB_D13_ABI-$f"
		export "KB_AV_REL_${f//-/_}"
	done
	KB_AV_PICKS=$picks
	export KB_AV_PICKS
}
