# tests/e2e/lib.sh — shared fixtures for the end-to-end tests: real Debian
# kernel packages from apt, signed Debian- and Ubuntu-layout mirrors, nginx on
# a free loopback port. Source it from a test (bash, set -euo pipefail):
#
#   . "$KB_SRC/tests/e2e/lib.sh"
#
# Environment (tests/run.sh sets these; defaults for running a test by hand):
#   KB_SRC, KBUNDLE, KB_TEST_CACHE (shared download cache, default
#   /var/cache/kbundle-tests), TMPDIR (fresh per test). KB_TMP is a private
#   scratch directory under TMPDIR.
#
# General
#   kb_need CMD…            exit 77 (skip, reason on the last line) when a tool is missing
#   kb_skip REASON          print "SKIP: REASON" and exit 77
#   kb_die MSG              print "FAIL: MSG" and exit 1
#   kb_on_exit CMD [ARG…]   run CMD ARG… when the test exits (last registered runs
#                           first). lib.sh owns the EXIT trap: use this, not trap.
#   kb_sha256 FILE          print FILE's sha256
#   kb_unshare FILE         replace a pool hard link by a private copy: do this
#                           before modifying a .deb in place (pool files are hard
#                           links into the shared cache)
#
# Real Debian packages (picked with apt-cache at run time, never hard-coded)
#   kb_debian_pick          set the KB_* names below (no download)
#   kb_debian_fetch         kb_debian_pick + download every picked .deb into
#                           $KB_TEST_CACHE/debs (under flock, once; reused after)
#     Release A = newest ABI of the 6.1 series, B = newest of the 6.12 series:
#     KB_REL_A / KB_REL_B        uname -r, e.g. 6.1.0-56-amd64, 6.12.117+deb12-amd64
#     KB_ABI_A / KB_ABI_B        e.g. 6.1.0-56, 6.12.117+deb12
#     KB_VER_A / KB_VER_B        package version, e.g. 6.1.192-2
#     KB_HDR_X, KB_COMMON_X, KB_KBUILD_X, KB_IMAGE_X  package names (X = A or B)
#     KB_KBUILD_VER_X            the kbuild version the headers depend on
#     KB_KBUILD_OLD_VER_A        an older linux-kbuild-6.1 that does NOT satisfy
#                                the headers ("" when apt knows none)
#     KB_DEB_PICKS               TSV file, one picked package a line:
#       suite name version arch kind release pool_path cache_file
#       (kind/release: what a crawler must report; kind "-" = must NOT be
#        recognised: the linux-headers-amd64 meta package, linux-libc-dev, hello)
#     KB_DEBIAN_SUITES=(bookworm bookworm-security)
#
# Mirrors (both signed with one throwaway ed25519 key per test; KB_KEYRING is
# the exported public keyring for gpgv / apt signed-by)
#   kb_mirror_debian DIR [SUITE]   Debian layout: release A, the older kbuild,
#                   the meta and non-kernel packages in bookworm; release B in
#                   bookworm-security (or everything in SUITE when given).
#                   pool/main/l/<source>/…, dists/<suite>/main/binary-amd64/
#                   Packages{,.gz,.xz}, dists/<suite>/{Release,InRelease,Release.gpg}
#   kb_mirror_ubuntu DIR           Ubuntu layout (see the Ubuntu section below)
#   kb_apt_index_remove DIR SUITE PKG   drop PKG's stanza from a suite and re-sign
#   kb_apt_finish_suite DIR SUITE       recompress Packages, rewrite and re-sign
#                   Release (call after editing dists/SUITE/main/binary-*/Packages)
#   kb_gpg_key NAME         make (once) a throwaway key NAME; prints its home
#                           directory; its keyring is HOME/keyring.gpg
#
# Servers
#   kb_nginx_start ROOT [SNIPPET]   nginx serving ROOT on 127.0.0.1:<free port>;
#                   SNIPPET = file of extra directives inside server { }.
#                   Exports KB_NGINX_URL, KB_NGINX_ACCESS_LOG, KB_NGINX_ERROR_LOG,
#                   KB_NGINX_DIR, KB_NGINX_PID; stopped when the test exits.
#                   May be called several times (the variables name the last).
#   kb_nginx_stop [DIR]     stop one early (default: the last started)
#
# kbundle inputs
#   kb_upstream_file DIR NAME DISTRO URL KEYRING SUITE…  write DIR/NAME.yml
#                   (family apt, amd64, component main; KB_UPSTREAM_RELEASE
#                   overrides the release field)

if [ -n "${KB_E2E_LIB_LOADED:-}" ]; then return 0; fi
KB_E2E_LIB_LOADED=1

: "${KB_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${KBUNDLE:=$KB_SRC/kbundle}"
: "${KB_TEST_CACHE:=/var/cache/kbundle-tests}"
: "${TMPDIR:=/tmp}"
export KB_SRC KBUNDLE KB_TEST_CACHE TMPDIR
KB_TMP=$(mktemp -d "$TMPDIR/kb-e2e.XXXXXX")
KB_ARCH=amd64

kb_log() { echo "e2e: $*" >&2; }
kb_skip() { echo "SKIP: $*"; exit 77; }
kb_die() { echo "FAIL: $*" >&2; exit 1; }

kb_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || kb_skip "$c not installed (see scripts/deps.apt)"
	done
}

# Cleanups run in reverse order of registration; the test's exit status is
# kept. Each entry is a command line quoted with printf %q, so arguments with
# spaces survive.
_kb_cleanups=()
kb_on_exit() { _kb_cleanups+=("$(printf '%q ' "$@")"); }
_kb_run_cleanups() {
	local rc=$? i
	for ((i = ${#_kb_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_kb_cleanups[i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$KB_TMP"
	exit $rc
}
trap _kb_run_cleanups EXIT
# Name the failing command and line, so a log says where a test stopped.
set -E
trap 'kb_log "command failed (status $?) at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR

kb_sha256() { sha256sum "$1" | cut -d' ' -f1; }
kb_unshare() { cp -p "$1" "$1.kb-unshare" && mv -f "$1.kb-unshare" "$1"; }

# ---------------------------------------------------------------- the cache
# One lock for the whole shared cache: other helpers' tests download into it
# too. Held only while something is added; readers need no lock because
# entries appear by rename.
_kb_cache_lock() {
	mkdir -p "$KB_TEST_CACHE" 2>/dev/null || kb_skip "cannot create KB_TEST_CACHE=$KB_TEST_CACHE"
	[ -w "$KB_TEST_CACHE" ] || kb_skip "KB_TEST_CACHE=$KB_TEST_CACHE is not writable"
	exec {_kb_lock_fd}>"$KB_TEST_CACHE/.lock"
	flock "$_kb_lock_fd"
}
_kb_cache_unlock() { exec {_kb_lock_fd}>&-; }

# _kb_apt_field PKG[=VER] FIELD — FIELD of one version (the candidate unless
# =VER is given).
_kb_apt_field() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		awk -v f="$2:" '$1 == f { sub(/^[^:]*: */, ""); print; exit }'
}
_kb_apt_versions() { # all versions apt knows of PKG, newest first
	apt-cache show "$1" 2>/dev/null | awk '$1 == "Version:" { print $2 }' | sort -Vr
}

# ------------------------------------------------------- picking real packages
kb_debian_pick() {
	[ -n "${KB_REL_A:-}" ] && return 0
	kb_need apt-cache apt-get
	local s name
	# A: the newest ABI of the 6.1 series; B: the newest of 6.12.
	name=$(apt-cache pkgnames linux-headers-6.1.0- | grep -E '^linux-headers-6\.1\.0-[0-9]+-amd64$' |
		sort -V | tail -n 1)
	[ -n "$name" ] || kb_skip "apt knows no linux-headers-6.1.0-*-amd64 (run apt-get update)"
	KB_ABI_A=${name#linux-headers-}; KB_ABI_A=${KB_ABI_A%-amd64}
	name=$(apt-cache pkgnames linux-headers-6.12. | grep -E '^linux-headers-6\.12\.[0-9]+\+deb[0-9]+-amd64$' |
		sort -V | tail -n 1)
	[ -n "$name" ] || kb_skip "apt knows no linux-headers-6.12.*-amd64 (run apt-get update)"
	KB_ABI_B=${name#linux-headers-}; KB_ABI_B=${KB_ABI_B%-amd64}
	for s in A B; do
		local abi=KB_ABI_$s
		abi=${!abi}
		local hdr=linux-headers-$abi-amd64 ver dep kb kbver img imgu
		ver=$(_kb_apt_field "$hdr" Version)
		[ -n "$ver" ] || kb_skip "apt has no candidate for $hdr"
		# The kbuild the headers depend on, in the version built with them.
		dep=$(_kb_apt_field "$hdr=$ver" Depends)
		kb=$(grep -oE 'linux-kbuild-[^ ,]+' <<<"$dep" | head -n 1)
		[ -n "$kb" ] || kb_die "$hdr $ver depends on no linux-kbuild: $dep"
		if _kb_apt_versions "$kb" | grep -qxF "$ver"; then kbver=$ver
		else kbver=$(_kb_apt_versions "$kb" | head -n 1); fi
		# The image: signed or -unsigned, whichever is smaller.
		img=linux-image-$abi-amd64 imgu=linux-image-$abi-amd64-unsigned
		if [ -n "$(_kb_apt_field "$imgu=$ver" Size)" ] &&
			{ [ -z "$(_kb_apt_field "$img=$ver" Size)" ] ||
			  [ "$(_kb_apt_field "$imgu=$ver" Size)" -lt "$(_kb_apt_field "$img=$ver" Size)" ]; }; then
			img=$imgu
		fi
		[ -n "$(_kb_apt_field "$img=$ver" Size)" ] || kb_skip "apt has no $img $ver"
		printf -v "KB_REL_$s" '%s' "$abi-amd64"
		printf -v "KB_VER_$s" '%s' "$ver"
		printf -v "KB_HDR_$s" '%s' "$hdr"
		printf -v "KB_COMMON_$s" '%s' "linux-headers-$abi-common"
		printf -v "KB_KBUILD_$s" '%s' "$kb"
		printf -v "KB_KBUILD_VER_$s" '%s' "$kbver"
		printf -v "KB_IMAGE_$s" '%s' "$img"
	done
	KB_KBUILD_OLD_VER_A=$(_kb_apt_versions "$KB_KBUILD_A" | grep -vxF "$KB_KBUILD_VER_A" |
		while read -r v; do dpkg --compare-versions "$v" lt "$KB_KBUILD_VER_A" && echo "$v"; done |
		head -n 1 || true)
	KB_DEBIAN_SUITES=(bookworm bookworm-security)
	export KB_REL_A KB_REL_B KB_ABI_A KB_ABI_B KB_VER_A KB_VER_B KB_HDR_A KB_HDR_B \
		KB_COMMON_A KB_COMMON_B KB_KBUILD_A KB_KBUILD_B KB_KBUILD_VER_A KB_KBUILD_VER_B \
		KB_IMAGE_A KB_IMAGE_B KB_KBUILD_OLD_VER_A
}

# _kb_pick_line SUITE NAME VERSION KIND RELEASE — one KB_DEB_PICKS line; the
# pool path is Debian's own (security's pool/updates/ folded into pool/).
_kb_pick_line() {
	local suite=$1 name=$2 ver=$3 kind=$4 rel=$5 fn arch
	fn=$(_kb_apt_field "$name=$ver" Filename)
	arch=$(_kb_apt_field "$name=$ver" Architecture)
	[ -n "$fn" ] || kb_skip "apt has no $name $ver"
	fn=${fn/#pool\/updates\//pool\/}
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$suite" "$name" "$ver" "$arch" "$kind" "$rel" \
		"$fn" "$KB_TEST_CACHE/debs/${fn##*/}"
}

kb_debian_fetch() {
	[ -n "${KB_DEB_PICKS:-}" ] && return 0
	kb_debian_pick
	kb_need dpkg-deb apt-ftparchive
	local picks=$KB_TMP/debian-picks.tsv sa=bookworm sb=bookworm-security v
	{
		_kb_pick_line $sa "$KB_HDR_A" "$KB_VER_A" headers "$KB_REL_A"
		_kb_pick_line $sa "$KB_COMMON_A" "$KB_VER_A" headers-common "$KB_ABI_A"
		_kb_pick_line $sa "$KB_KBUILD_A" "$KB_KBUILD_VER_A" kbuild "${KB_KBUILD_A#linux-kbuild-}"
		_kb_pick_line $sa "$KB_IMAGE_A" "$KB_VER_A" image "$KB_REL_A"
		[ -z "$KB_KBUILD_OLD_VER_A" ] ||
			_kb_pick_line $sa "$KB_KBUILD_A" "$KB_KBUILD_OLD_VER_A" kbuild "${KB_KBUILD_A#linux-kbuild-}"
		v=$(_kb_apt_field linux-headers-amd64 Version)
		_kb_pick_line $sa linux-headers-amd64 "$v" - -
		_kb_pick_line $sa linux-libc-dev "$(_kb_apt_field linux-libc-dev Version)" - -
		_kb_pick_line $sa hello "$(_kb_apt_field hello Version)" - -
		_kb_pick_line $sb "$KB_HDR_B" "$KB_VER_B" headers "$KB_REL_B"
		_kb_pick_line $sb "$KB_COMMON_B" "$KB_VER_B" headers-common "$KB_ABI_B"
		_kb_pick_line $sb "$KB_KBUILD_B" "$KB_KBUILD_VER_B" kbuild "${KB_KBUILD_B#linux-kbuild-}"
		_kb_pick_line $sb "$KB_IMAGE_B" "$KB_VER_B" image "$KB_REL_B"
	} >"$picks"
	_kb_fetch_picks "$picks"
	KB_DEB_PICKS=$picks
	export KB_DEB_PICKS
}

# Download what the cache lacks, and make each .deb's Packages stanza (for its
# pool path) once, so building a mirror later hashes nothing.
_kb_fetch_picks() {
	local picks=$1 suite name ver arch kind rel pool file want=() dl
	while IFS=$'\t' read -r suite name ver arch kind rel pool file; do
		[ -f "$file" ] && [ -f "$file.stanza" ] || want+=("$name=$ver")
	done <"$picks"
	[ ${#want[@]} -eq 0 ] && return 0
	_kb_cache_lock
	mkdir -p "$KB_TEST_CACHE/debs"
	dl=$(mktemp -d "$KB_TEST_CACHE/debs/.dl.XXXXXX")
	chmod 755 "$dl" # apt's _apt user writes here
	while IFS=$'\t' read -r suite name ver arch kind rel pool file; do
		if [ ! -f "$file" ]; then
			kb_log "downloading $name $ver"
			(cd "$dl" && apt-get download -q=2 -o APT::Sandbox::User=root "$name=$ver") >&2 ||
				{ rm -rf "$dl"; _kb_cache_unlock; kb_skip "apt-get download $name=$ver failed"; }
			mv -f "$dl/${name}_"*.deb "$file"
		fi
		if [ ! -f "$file.stanza" ]; then
			mkdir -p "$dl/st/${pool%/*}"
			ln -f "$file" "$dl/st/$pool"
			(cd "$dl/st" && apt-ftparchive -q=2 packages "$pool") >"$dl/stanza"
			grep -q '^SHA256: ' "$dl/stanza" || kb_die "apt-ftparchive made no stanza for $file"
			mv -f "$dl/stanza" "$file.stanza"
			rm -f "$dl/st/$pool"
		fi
	done <"$picks"
	rm -rf "$dl"
	_kb_cache_unlock
}

# ---------------------------------------------------------------------- gpg
kb_gpg_key() {
	local name=${1:-archive} home=$KB_TMP/gpg-${1:-archive}
	if [ ! -f "$home/keyring.gpg" ]; then
		kb_need gpg gpgv gpgconf
		mkdir -p "$home" && chmod 700 "$home"
		kb_on_exit gpgconf --homedir "$home" --kill gpg-agent
		gpg --homedir "$home" --batch --quiet --passphrase '' \
			--quick-gen-key "kbundle test $name <$name@kbundle.invalid>" ed25519 sign never 2>/dev/null
		gpg --homedir "$home" --batch --quiet --export >"$home/keyring.gpg"
	fi
	echo "$home"
}

# _kb_sign_release SUITEDIR [KEYNAME]
_kb_sign_release() {
	local d=$1 home
	home=$(kb_gpg_key "${2:-archive}")
	rm -f "$d/InRelease" "$d/Release.gpg"
	gpg --homedir "$home" --batch --quiet --yes --digest-algo SHA512 --clearsign \
		-o "$d/InRelease.tmp" "$d/Release"
	gpg --homedir "$home" --batch --quiet --yes --digest-algo SHA512 --detach-sign --armor \
		-o "$d/Release.gpg.tmp" "$d/Release"
	mv -f "$d/InRelease.tmp" "$d/InRelease"
	mv -f "$d/Release.gpg.tmp" "$d/Release.gpg"
}

# ------------------------------------------------------------ apt mirrors
# Release fields per suite, as the real archives write them.
_kb_release_fields() {
	local suite=$1
	case $suite in
	bookworm) echo "Debian|Debian|stable|bookworm|12.12|Debian 12.12 Released" ;;
	bookworm-updates) echo "Debian|Debian|stable-updates|bookworm-updates||Debian 12 - Updates" ;;
	bookworm-security) echo "Debian|Debian-Security|stable-security|bookworm-security|12|Debian 12 - Security" ;;
	jammy) echo "Ubuntu|Ubuntu|jammy|jammy|22.04|Ubuntu Jammy 22.04" ;;
	jammy-updates) echo "Ubuntu|Ubuntu|jammy-updates|jammy-updates|22.04|Ubuntu Jammy Updates" ;;
	jammy-security) echo "Ubuntu|Ubuntu|jammy-security|jammy-security|22.04|Ubuntu Jammy Security" ;;
	*) echo "Test|Test|$suite|$suite||Test suite $suite" ;;
	esac
}

# kb_apt_finish_suite DIR SUITE [KEYNAME] — compress each component's
# Packages, write Release (MD5Sum/SHA1/SHA256/SHA512) and sign it.
kb_apt_finish_suite() {
	local dir=$1 suite=$2 key=${3:-archive} d p origin label asuite codename version descr comps archs
	d=$dir/dists/$suite
	for p in "$d"/*/binary-*/Packages; do
		gzip -9nc "$p" >"$p.gz.tmp" && mv -f "$p.gz.tmp" "$p.gz"
		xz -T1 -6c "$p" >"$p.xz.tmp" && mv -f "$p.xz.tmp" "$p.xz"
	done
	IFS='|' read -r origin label asuite codename version descr <<<"$(_kb_release_fields "$suite")"
	comps=$(cd "$d" && ls -d */ | tr -d / | tr '\n' ' ')
	archs=$(cd "$d" && ls -d */binary-* | sed 's,.*/binary-,,' | sort -u | tr '\n' ' ')
	(cd "$d" && apt-ftparchive -q=2 \
		-o APT::FTPArchive::Release::Origin="$origin" \
		-o APT::FTPArchive::Release::Label="$label" \
		-o APT::FTPArchive::Release::Suite="$asuite" \
		-o APT::FTPArchive::Release::Codename="$codename" \
		${version:+-o APT::FTPArchive::Release::Version="$version"} \
		-o APT::FTPArchive::Release::Architectures="${archs% }" \
		-o APT::FTPArchive::Release::Components="${comps% }" \
		-o APT::FTPArchive::Release::Description="$descr" \
		release . >"../.Release.$suite.tmp")
	mv -f "$d/../.Release.$suite.tmp" "$d/Release"
	_kb_sign_release "$d" "$key"
}

# _kb_apt_write_packages DIR SUITE COMPONENT ARCH STANZA_FILE… — write one Packages
# from ready stanzas (sorted by package name, as archive tools do).
_kb_apt_write_packages() {
	local dir=$1 suite=$2 comp=$3 arch=$4 out f
	shift 4
	out=$dir/dists/$suite/$comp/binary-$arch
	mkdir -p "$out"
	# Sorting stanzas with sort(1) needs one line each: join with \x1e.
	for f in "$@"; do cat "$f"; echo; done |
		awk 'BEGIN { RS = ""; } { gsub(/\n/, "\036"); print }' |
		LC_ALL=C sort | awk '{ gsub(/\036/, "\n"); print; print "" }' >"$out/Packages.tmp"
	mv -f "$out/Packages.tmp" "$out/Packages"
	printf 'Archive: %s\nOrigin: %s\nLabel: %s\nComponent: %s\nArchitecture: %s\n' \
		"$suite" "$(_kb_release_fields "$suite" | cut -d'|' -f1)" \
		"$(_kb_release_fields "$suite" | cut -d'|' -f2)" "$comp" "$arch" >"$out/Release"
}

kb_mirror_debian() {
	kb_debian_fetch
	_kb_mirror_from_picks "$1" "$KB_DEB_PICKS" "${2:-}"
}

# kb_apt_index_remove DIR SUITE PKG — the package leaves the index (its file
# stays in the pool, as on a real mirror).
kb_apt_index_remove() {
	local dir=$1 suite=$2 pkg=$3 p
	for p in "$dir/dists/$suite"/*/binary-*/Packages; do
		awk -v pkg="$pkg" 'BEGIN { RS = ""; ORS = "\n\n" } { split($0, l, "\n") } l[1] != "Package: " pkg' \
			"$p" >"$p.tmp"
		mv -f "$p.tmp" "$p"
	done
	kb_apt_finish_suite "$dir" "$suite"
}

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
KB_UBUNTU_RECIPE=1
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
			# A header tree is ~10,000 small files: build it on tmpfs when we can.
			if [ -w /dev/shm ]; then work=$(mktemp -d /dev/shm/kb-ubuntu.XXXXXX)
			else work=$(mktemp -d "$KB_TMP/ubuntu-work.XXXXXX"); fi
			kb_on_exit rm -rf "$work" "$b"
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
			mv "$b" "$dir" 2>/dev/null || rm -rf "$b" # another run won the race
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

# _kb_mirror_from_picks DIR PICKS [SUITE] — pool hard links, Packages per
# suite from the cached stanzas, signed Release.
_kb_mirror_from_picks() {
	local dir=$1 picks=$2 one=${3:-} suite name ver arch kind rel pool file s
	local -A stanzas=()
	mkdir -p "$dir"
	while IFS=$'\t' read -r suite name ver arch kind rel pool file; do
		mkdir -p "$dir/${pool%/*}"
		[ -e "$dir/$pool" ] || ln -f "$file" "$dir/$pool" 2>/dev/null || cp "$file" "$dir/$pool"
		s=${one:-$suite}
		stanzas[$s]+="$file.stanza"$'\n'
	done <"$picks"
	for s in "${!stanzas[@]}"; do
		mapfile -t files < <(printf '%s' "${stanzas[$s]}" | sort -u)
		_kb_apt_write_packages "$dir" "$s" main amd64 "${files[@]}"
		kb_apt_finish_suite "$dir" "$s"
	done
	KB_KEYRING=$(kb_gpg_key archive)/keyring.gpg
	export KB_KEYRING
}

# ------------------------------------------------------------------- nginx
kb_nginx_start() {
	local root=$1 snippet=${2:-} d port try user=
	kb_need nginx python3 curl
	root=$(cd "$root" && pwd)
	d=$(mktemp -d "$KB_TMP/nginx.XXXXXX")
	[ "$(id -u)" -ne 0 ] || user="user root root;"
	for try in 1 2 3 4 5; do
		# A free port now; if another process takes it before nginx binds,
		# nginx fails and we pick again.
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		cat >"$d/nginx.conf" <<EOF
$user
daemon on;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 256; }
http {
	log_format kb '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
		'"\$http_range" "\$http_if_none_match" "\$http_if_modified_since"';
	access_log $d/access.log kb;
	client_body_temp_path $d/body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	default_type application/octet-stream;
	sendfile on;
	keepalive_timeout 30;
	server {
		listen 127.0.0.1:$port;
		server_name localhost;
		root $root;
		autoindex on;
		${snippet:+include $snippet;}
	}
}
EOF
		if nginx -q -e "$d/error.log" -p "$d" -c "$d/nginx.conf" 2>>"$d/start.log"; then
			local i
			for i in $(seq 50); do
				[ -s "$d/nginx.pid" ] && curl -s -o /dev/null "http://127.0.0.1:$port/" && break
				sleep 0.1
			done
			KB_NGINX_DIR=$d KB_NGINX_PID=$(cat "$d/nginx.pid")
			KB_NGINX_URL=http://127.0.0.1:$port
			KB_NGINX_ACCESS_LOG=$d/access.log KB_NGINX_ERROR_LOG=$d/error.log
			export KB_NGINX_DIR KB_NGINX_PID KB_NGINX_URL KB_NGINX_ACCESS_LOG KB_NGINX_ERROR_LOG
			kb_on_exit kb_nginx_stop "$d"
			return 0
		fi
	done
	cat "$d/start.log" "$d/error.log" >&2 2>/dev/null || true
	kb_die "nginx did not start"
}

kb_nginx_stop() {
	local d=${1:-$KB_NGINX_DIR} pid i
	[ -s "$d/nginx.pid" ] || return 0
	pid=$(cat "$d/nginx.pid")
	kill "$pid" 2>/dev/null || true
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$d/nginx.pid"
}

# ----------------------------------------------------------- kbundle inputs
kb_upstream_file() {
	local dir=$1 name=$2 distro=$3 url=$4 keyring=$5 rel
	shift 5
	case $distro in debian) rel=12 ;; ubuntu) rel=22.04 ;; *) rel=1 ;; esac
	rel=${KB_UPSTREAM_RELEASE:-$rel}
	mkdir -p "$dir"
	{
		echo "distro: $distro"
		echo "family: apt"
		echo "release: \"$rel\""
		echo "enabled: true"
		echo "architectures: [amd64]"
		echo "mirrors: [\"$url\"]"
		echo "suites: [$(IFS=,; echo "$*" | sed 's/,/, /g')]"
		echo "components: [main]"
		[ -z "$keyring" ] || echo "keyring: $keyring"
	} >"$dir/$name.yml"
}
