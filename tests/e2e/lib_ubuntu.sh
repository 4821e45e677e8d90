# tests/e2e/lib_ubuntu.sh — the Ubuntu-layout e2e mirror; sourced by lib.sh
# (source lib.sh, not this file). Its functions use lib.sh's picking, cache,
# signing and mirror helpers.

# ------------------------------------------------------------ Ubuntu mirror
# Two Ubuntu kernels built with dpkg-deb from the real Debian ones (A → the
# GA kernel 5.15.0-91-generic, B → the HWE kernel 6.8.0-40-generic): Ubuntu's
# names, versions, dependencies, pool paths and file layout (ubuntu_tree.py),
# Debian's real header content underneath, its release string rewritten.
# Built once per input set into $KB_TEST_CACHE/ubuntu/<key>/ (temp dir + mv).
#   KB_UREL_A=5.15.0-91-generic  KB_UREL_B=6.8.0-40-generic (uname -r)
#   KB_UABI_A / KB_UABI_B, KB_UVER_A / KB_UVER_B, KB_UHDR_X (…-generic),
#   KB_UINDEP_X (all-arch headers), KB_UIMAGE_X, KB_UMODULES_X
#   KB_UBU_PICKS: TSV as KB_DEB_PICKS (A's packages appear twice: in
#   jammy-updates and jammy-security, like real security kernels)
#   KB_UBUNTU_SUITES=(jammy jammy-updates jammy-security)
KB_UBUNTU_RECIPE=1 # bump when what lib_ubuntu.sh builds changes: it keys the cache
KB_UABI_A=5.15.0-91 KB_UVER_A=5.15.0-91.101 KB_USRC_A=linux
KB_UABI_B=6.8.0-40 KB_UVER_B=6.8.0-40.40~22.04.3 KB_USRC_B=linux-hwe-6.8
KB_UREL_A=$KB_UABI_A-generic KB_UREL_B=$KB_UABI_B-generic
KB_UHDR_A=linux-headers-$KB_UREL_A KB_UHDR_B=linux-headers-$KB_UREL_B
KB_UINDEP_A=linux-headers-$KB_UABI_A KB_UINDEP_B=linux-hwe-6.8-headers-$KB_UABI_B
KB_UIMAGE_A=linux-image-unsigned-$KB_UREL_A KB_UIMAGE_B=linux-image-unsigned-$KB_UREL_B
KB_UMODULES_A=linux-modules-$KB_UREL_A KB_UMODULES_B=linux-modules-$KB_UREL_B
KB_UBUNTU_SUITES=(jammy jammy-updates jammy-security)
export KB_UABI_A KB_UABI_B KB_UVER_A KB_UVER_B KB_UREL_A KB_UREL_B KB_UHDR_A KB_UHDR_B \
	KB_UINDEP_A KB_UINDEP_B KB_UIMAGE_A KB_UIMAGE_B KB_UMODULES_A KB_UMODULES_B

# _kb_udeb ROOT OUTDIR NAME VERSION ARCH SOURCE SECTION DEPENDS DESCRIPTION
_kb_udeb() {
	local root=$1 outdir=$2 name=$3 ver=$4 arch=$5 src=$6 section=$7 deps=$8 descr=$9 size
	mkdir -p "$root/DEBIAN"
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	{
		echo "Package: $name"
		[ "$src" = "$name" ] || echo "Source: $src"
		echo "Version: $ver"
		echo "Architecture: $arch"
		echo "Maintainer: Ubuntu Kernel Team <kernel-team@lists.ubuntu.com>"
		echo "Installed-Size: $size"
		[ -z "$deps" ] || echo "Depends: $deps"
		echo "Section: $section"
		echo "Priority: optional"
		echo "Description: $descr"
		echo " Built for kbundle's end-to-end tests in Ubuntu's layout."
	} >"$root/DEBIAN/control"
	dpkg-deb --root-owner-group -Zzstd -z3 --build "$root" "$outdir/${name}_${ver}_$arch.deb" >/dev/null
}

# _kb_ubuntu_kernel WORK OUT X — build release X's four packages into OUT.
_kb_ubuntu_kernel() {
	local work=$1 out=$2 x=$3 f t
	local abi=KB_UABI_$x ver=KB_UVER_$x src=KB_USRC_$x indep=KB_UINDEP_$x
	abi=${!abi} ver=${!ver} src=${!src} indep=${!indep}
	local rel=$abi-generic up=${abi%%-*}
	t=$work/$x
	mkdir -p "$t/x"
	for f in KB_HDR_$x KB_COMMON_$x KB_KBUILD_$x; do
		dpkg-deb -x "$(awk -F'\t' -v n="${!f}" '$2 == n { print $8; exit }' "$KB_DEB_PICKS")" "$t/x"
	done
	f=KB_IMAGE_$x
	python3 "$KB_SRC/tests/e2e/ubuntu_tree.py" "$t/x" "$t/out" "$abi" "$indep" generic \
		"$(awk -F'\t' -v n="${!f}" '$2 == n { print $8; exit }' "$KB_DEB_PICKS")"
	_kb_udeb "$t/out/indep" "$out" "$indep" "$ver" all "$src" devel \
		"coreutils | fileutils (>= 4.0)" "Header files related to Linux kernel version $up"
	_kb_udeb "$t/out/gen" "$out" "linux-headers-$rel" "$ver" amd64 "$src" devel \
		"$indep, libc6 (>= 2.34), libelf1 (>= 0.142), libssl3 (>= 3.0.0~~alpha1), zlib1g (>= 1:1.2.3.3)" \
		"Linux kernel headers for version $up on 64 bit x86 SMP"
	_kb_udeb "$t/out/mod" "$out" "linux-modules-$rel" "$ver" amd64 "$src" kernel \
		"" "Linux kernel extra modules for version $up on 64 bit x86 SMP"
	_kb_udeb "$t/out/img" "$out" "linux-image-unsigned-$rel" "$ver" amd64 "$src" kernel \
		"linux-modules-$rel" "Linux kernel image for version $up on 64 bit x86 SMP"
	rm -rf "$t"
}

kb_ubuntu_fetch() {
	[ -n "${KB_UBU_PICKS:-}" ] && return 0
	kb_debian_fetch
	kb_need python3 dpkg-deb zstd
	local key dir b work picks=$KB_TMP/ubuntu-picks.tsv
	key=$( { echo "recipe $KB_UBUNTU_RECIPE"; cut -f8 "$KB_DEB_PICKS" | xargs -n1 basename
		cat "$KB_SRC/tests/e2e/ubuntu_tree.py"; } | sha256sum | cut -c1-16)
	dir=$KB_TEST_CACHE/ubuntu/$key
	if [ ! -f "$dir/picks.tsv" ]; then
		_kb_cache_lock
		if [ ! -f "$dir/picks.tsv" ]; then
			kb_log "building the Ubuntu-layout packages (once per input set)"
			mkdir -p "$KB_TEST_CACHE/ubuntu"
			b=$(mktemp -d "$KB_TEST_CACHE/ubuntu/.build.XXXXXX")
			# A header tree is ~10,000 small files: build it on tmpfs.
			work=$(kb_fast_tmpdir)
			kb_on_exit rm -rf "$b"
			_kb_ubuntu_kernel "$work" "$b" A
			_kb_ubuntu_kernel "$work" "$b" B
			# Not kernel packages: the meta package, tools, a plain program.
			mkdir -p "$work/meta" "$work/tools/usr/share/doc/linux-tools-common"
			_kb_udeb "$work/meta" "$b" linux-headers-generic 5.15.0.91.88 amd64 linux-meta devel \
				"linux-headers-$KB_UREL_A" "Generic Linux kernel headers (meta package)"
			echo "linux-tools-common" >"$work/tools/usr/share/doc/linux-tools-common/README"
			_kb_udeb "$work/tools" "$b" linux-tools-common 5.15.0-25.25 all linux admin \
				"" "Linux kernel version specific tools"
			cp "$(awk -F'\t' '$2 == "hello" { print $8; exit }' "$KB_DEB_PICKS")" "$b/"
			_kb_ubuntu_picks "$b" >"$b/picks.tsv.in"
			_kb_stanzas "$b/picks.tsv.in" "$b"
			mv "$b/picks.tsv.in" "$b/picks.tsv"
			rm -rf "$work"
			rm -rf "$dir" # no picks.tsv: a leftover, never a finished build
			mv "$b" "$dir"
		fi
		_kb_cache_unlock
	fi
	sed "s|@DIR@|$dir|" "$dir/picks.tsv" >"$picks"
	KB_UBU_PICKS=$picks
	export KB_UBU_PICKS
}

# _kb_ubuntu_picks DIR — the pick lines (cache_file as @DIR@/file).
_kb_ubuntu_picks() {
	local x s pool kinds name kind rel ver src suites
	for x in A B; do
		local abi=KB_UABI_$x v=KB_UVER_$x sr=KB_USRC_$x ind=KB_UINDEP_$x
		abi=${!abi} ver=${!v} src=${!sr}
		suites=jammy-updates
		[ "$x" = B ] || suites="jammy-updates jammy-security"
		for s in $suites; do
			pool=pool/main/l/$src
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
				"$s" "${!ind}" "$ver" all headers-common "$abi" "$pool/${!ind}_${ver}_all.deb" "@DIR@/${!ind}_${ver}_all.deb" \
				"$s" "linux-headers-$abi-generic" "$ver" amd64 headers "$abi-generic" \
				"$pool/linux-headers-$abi-generic_${ver}_amd64.deb" "@DIR@/linux-headers-$abi-generic_${ver}_amd64.deb" \
				"$s" "linux-image-unsigned-$abi-generic" "$ver" amd64 image "$abi-generic" \
				"$pool/linux-image-unsigned-$abi-generic_${ver}_amd64.deb" "@DIR@/linux-image-unsigned-$abi-generic_${ver}_amd64.deb" \
				"$s" "linux-modules-$abi-generic" "$ver" amd64 modules "$abi-generic" \
				"$pool/linux-modules-$abi-generic_${ver}_amd64.deb" "@DIR@/linux-modules-$abi-generic_${ver}_amd64.deb"
		done
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		jammy-updates linux-headers-generic 5.15.0.91.88 amd64 - - \
		pool/main/l/linux-meta/linux-headers-generic_5.15.0.91.88_amd64.deb "@DIR@/linux-headers-generic_5.15.0.91.88_amd64.deb" \
		jammy linux-tools-common 5.15.0-25.25 all - - \
		pool/main/l/linux/linux-tools-common_5.15.0-25.25_all.deb "@DIR@/linux-tools-common_5.15.0-25.25_all.deb"
	awk -F'\t' -v OFS='\t' '$2 == "hello" { $1 = "jammy"; $8 = "@DIR@/" $8; sub(/@DIR@\/.*\//, "@DIR@/", $8); print; exit }' "$KB_DEB_PICKS"
}

# _kb_stanzas PICKS DIR — a Packages stanza per .deb, for its pool path.
_kb_stanzas() {
	local picks=$1 dir=$2 suite name ver arch kind rel pool file st=$2/.st
	while IFS=$'\t' read -r suite name ver arch kind rel pool file; do
		file=${file/@DIR@/$dir}
		[ ! -f "$file.stanza" ] || continue
		mkdir -p "$st/${pool%/*}"
		ln -f "$file" "$st/$pool"
		(cd "$st" && apt-ftparchive -q=2 packages "$pool") >"$file.stanza.tmp"
		grep -q '^SHA256: ' "$file.stanza.tmp" || kb_die "apt-ftparchive made no stanza for $file"
		mv -f "$file.stanza.tmp" "$file.stanza"
		rm -f "$st/$pool"
	done <"$picks"
	rm -rf "$st"
}

kb_mirror_ubuntu() {
	kb_ubuntu_fetch
	_kb_mirror_from_picks "$1" "$KB_UBU_PICKS" "${2:-}"
}
