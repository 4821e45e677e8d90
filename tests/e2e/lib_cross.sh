# tests/e2e/lib_cross.sh — real Debian 13 (and 12) kernel headers of other
# architectures for the cross-build tests and benchmark (sourced after
# lib.sh and pack_lib.sh, and toolchain_lib.sh for kb_cross12_fetch; lib.sh
# sources lib_debian13.sh): the kernel of lib_debian13.sh's KB_D13_ABI
# (the newest 6.12.*+deb13 of trixie-security) for each architecture asked
# for, through the same private apt configuration with those architectures
# added. The -common package (arch all) and the amd64 linux-kbuild package
# of the same version are KB_D13_PICKS's. Picks are kept in
# $KB_TEST_CACHE/picks like the others.
#
#   kb_cross_fetch ARCH[/FLAVOUR]…   (arm64, arm64/arm64-16k, riscv64,
#                          ppc64el/powerpc64le, s390x; FLAVOUR defaults to ARCH)
#                          pick + download once; sets
#     KB_X_PICKS           TSV in KB_DEB_PICKS's format: KB_D13_PICKS's 6.12
#                          lines (amd64 headers, -common, amd64 kbuild) and, per
#                          argument, linux-headers-<abi>-<FLAVOUR> and its
#                          linux-kbuild-<abi> for ARCH
#     KB_X_REL_<FLAVOUR>   uname -r of that kernel (6.12.118+deb13-arm64-16k in
#                          KB_X_REL_arm64_16k: '-' is '_' in the name)
#   kb_cross12_fetch       Debian 12's kernel of lib.sh's release A (6.1, built by
#                          gcc-12, the host's) for arm64 too: sets KB_X12_PICKS
#                          (release A's amd64 headers, -common and kbuild, and
#                          linux-headers-<KB_ABI_A>-arm64 with its arm64 kbuild)
#                          and KB_X12_REL (the arm64 kernel's uname -r)
#   kb_cross_pipeline [PICKS RELEASE SUITE…]  (default: KB_X_PICKS 13 trixie-security)
#                          PICKS behind a signed mirror and nginx, one upstream
#                          (debian RELEASE, every architecture picked), crawled,
#                          grouped and packed (-j 2), the build roots the shared
#                          $KB_TEST_CACHE/toolchain-work ones; sets X_UPS X_MAN
#                          X_WD (upstreams, manifest, work directory)
#   kb_cross_bundle UNAME  the packed bundle of that kernel

kb_cross_fetch() {
	kb_debian13_fetch
	local x a fl archs=() pf picks=$KB_TMP/cross-picks.tsv hdr kb
	awk -F'\t' -v h="$KB_D13_HDR" -v c="$KB_D13_COMMON" -v k="$KB_D13_KBUILD" \
		'$2 == h || $2 == c || $2 == k' "$KB_D13_PICKS" >"$picks"
	for x in "$@"; do archs+=("${x%%/*}"); done
	for x in "$@"; do
		a=${x%%/*} fl=${x#*/}
		pf=$KB_TEST_CACHE/picks/cross-1-$a-$fl-$KB_D13_ABI.tsv
		if [ ! -f "$pf" ]; then
			if [ -z "${KB_X_APT:-}" ]; then
				KB_D13_ARCHS="${archs[*]}" _kb_d13_apt_setup
				KB_X_APT=1
			fi
			hdr=linux-headers-$KB_D13_ABI-$fl
			kb=$(_kb_d13_dep "$hdr:$a" linux-kbuild-)
			[ -n "$(_kb_d13_field "$hdr:$a" Filename)" ] && [ -n "$kb" ] ||
				kb_skip "trixie-security has no $hdr for $a (or its Depends name no linux-kbuild-*)"
			{
				_kb_d13_line trixie-security "$hdr:$a" headers "$KB_D13_ABI-$fl"
				_kb_d13_line trixie-security "$kb:$a" kbuild "$KB_D13_ABI"
			} | sed "s/^\([^\t]*\t[^\t]*\):$a\t/\1\t/" >"$KB_TMP/cross-$fl.tsv"
			_kb_fetch_picks "$KB_TMP/cross-$fl.tsv"
			mkdir -p "${pf%/*}"
			cp "$KB_TMP/cross-$fl.tsv" "$pf.$$" && mv -f "$pf.$$" "$pf"
		fi
		_kb_fetch_picks "$pf"
		# one line per package file (arm64 and arm64-16k share their kbuild)
		awk -F'\t' 'NR == FNR { seen[$8] = 1; next } !seen[$8]++' "$picks" "$pf" >>"$picks.new"
		cat "$picks.new" >>"$picks" && rm -f "$picks.new"
		printf -v "KB_X_REL_${fl//-/_}" '%s' "$KB_D13_ABI-$fl"
		export "KB_X_REL_${fl//-/_}"
	done
	KB_X_PICKS=$picks
	export KB_X_PICKS
}

kb_cross_pipeline() {
	local picks=${1:-$KB_X_PICKS} rel=${2:-13} mirror=$KB_TMP/mirror lists=$KB_TMP/lists archs
	shift 2 || true
	[ $# -gt 0 ] || set -- trixie-security
	X_UPS=$KB_TMP/upstreams X_MAN=$KB_TMP/manifest.yml X_WD=$KB_TMP/work
	archs=$(awk -F'\t' '$4 != "all" { print $4 }' "$picks" | sort -u | paste -sd, | sed 's/,/, /g')
	_kb_mirror_from_picks "$mirror" "$picks"
	kb_nginx_start "$mirror"
	KB_UPSTREAM_RELEASE=$rel KB_UPSTREAM_ARCHS=$archs \
		kb_upstream_file "$X_UPS" "debian-$rel-e2e" debian "$KB_NGINX_URL" "$KB_KEYRING" "$@"
	"$KBUNDLE" -q crawl --upstreams "$X_UPS" --lists "$lists" --workdir "$X_WD" || kb_die "crawl failed"
	"$KBUNDLE" -q manifest --upstreams "$X_UPS" --lists "$lists" -o "$X_MAN" || kb_die "manifest failed"
	mkdir -p "$X_WD" "$KB_TEST_CACHE/toolchain-work/toolchains"
	ln -sfn "$KB_TEST_CACHE/toolchain-work/toolchains" "$X_WD/toolchains"
	"$KBUNDLE" -q pack --all --manifest "$X_MAN" --upstreams "$X_UPS" --workdir "$X_WD" -j 2 ||
		kb_die "pack failed"
}

kb_cross12_fetch() {
	kb_debian_fetch
	local pf=$KB_TEST_CACHE/picks/cross12-1-$KB_ABI_A.tsv suite hdr kb
	KB_X12_PICKS=$KB_TMP/cross12-picks.tsv KB_X12_REL=$KB_ABI_A-arm64
	awk -F'\t' -v h="$KB_HDR_A" -v c="$KB_COMMON_A" -v k="$KB_KBUILD_A" -v kv="$KB_KBUILD_VER_A" \
		'$2 == h || $2 == c || ($2 == k && $3 == kv)' "$KB_DEB_PICKS" >"$KB_X12_PICKS"
	suite=$(awk -F'\t' -v h="$KB_HDR_A" '$2 == h { print $1; exit }' "$KB_DEB_PICKS")
	if [ ! -f "$pf" ]; then
		_kb_cache_lock
		TC_APT_ARCHS="amd64 arm64" tc_apt_release bookworm
		KB_APT_OPTS=("${TC_APT_OPTS[@]}")
		hdr=linux-headers-$KB_ABI_A-arm64
		kb=$(_kb_d13_dep "$hdr:arm64" linux-kbuild-)
		[ -n "$kb" ] || { _kb_cache_unlock; kb_skip "bookworm has no $hdr for arm64 (or its Depends name no kbuild)"; }
		{
			_kb_d13_line "$suite" "$hdr:arm64" headers "$KB_X12_REL"
			_kb_d13_line "$suite" "$kb:arm64" kbuild "${kb#linux-kbuild-}"
		} | sed "s/^\([^\t]*\t[^\t]*\):arm64\t/\1\t/" >"$KB_TMP/cross12.tsv"
		_kb_cache_unlock
		_kb_fetch_picks "$KB_TMP/cross12.tsv"
		mkdir -p "${pf%/*}"
		cp "$KB_TMP/cross12.tsv" "$pf.$$" && mv -f "$pf.$$" "$pf"
	fi
	_kb_fetch_picks "$pf"
	# the host tools are the amd64 kbuild of the arm64 kernel's kbuild version
	[ "$(awk -F'\t' '$5 == "kbuild" { print $3 }' "$pf")" = "$KB_KBUILD_VER_A" ] ||
		kb_skip "bookworm's arm64 kbuild is not $KB_KBUILD_VER_A, the amd64 one release A uses"
	cat "$pf" >>"$KB_X12_PICKS"
	export KB_X12_PICKS KB_X12_REL
}

kb_cross_bundle() { echo "$X_WD/bundles/$(pack_index_id "$X_WD/bundles/index.json" "$1").tgz"; }
