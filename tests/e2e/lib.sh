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
#   kb_fast_tmpdir          print a fresh tmpfs directory (KB_FAST; removed on exit)
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
#   kb_mirror_ubuntu DIR [SUITE]   Ubuntu layout, packages built with dpkg-deb from
#                   the real Debian kernels (lib_ubuntu.sh): GA 5.15.0-91-generic in
#                   jammy-updates + jammy-security, HWE 6.8.0-40-generic in
#                   jammy-updates, meta/tools/hello that must not match.
#                   KB_UREL_X KB_UABI_X KB_UVER_X KB_UHDR_X KB_UINDEP_X KB_UIMAGE_X
#                   KB_UMODULES_X (X = A, B), KB_UBU_PICKS, KB_UBUNTU_SUITES
#   kb_apt_index_remove DIR SUITE PKG   drop PKG's stanza from a suite and re-sign
#   kb_apt_finish_suite DIR SUITE [KEY] recompress Packages, rewrite and re-sign
#                   Release (call after editing dists/SUITE/main/binary-*/Packages)
#   kb_apt_release DIR SUITE [KEY]      rewrite and re-sign Release over the
#                   files as they are (e.g. a truncated Packages.xz that the
#                   signed Release then vouches for); KEY = a kb_gpg_key name
#   kb_gpg_key NAME         make (once) a throwaway key NAME; prints its home
#                           directory; its keyring is HOME/keyring.gpg
#
# Servers
#   kb_nginx_start ROOT [SNIPPET]   nginx serving ROOT on 127.0.0.1:<free port>;
#                   SNIPPET = file of extra directives inside server { }.
#                   Exports KB_NGINX_URL, KB_NGINX_ACCESS_LOG, KB_NGINX_ERROR_LOG,
#                   KB_NGINX_DIR, KB_NGINX_PID; stopped when the test exits.
#                   May be called several times (the variables name the last).
#                   Call it in the test's own shell (it exports), not in $(…).
#   kb_nginx_stop [DIR]     stop one early (default: the last started)
#
# Expected results (for exact assertions)
#   kb_pick_rows PICKS      recognised picks as list columns 1-8, sorted
#   kb_list_rows LIST       a kbundle list's columns 1-8, sorted
#   kb_manifest_rows FILE   manifest as "release role name version kind path
#                           size sha256" lines (role: headers|images), sorted
#
# kbundle inputs
#   kb_upstream_file DIR NAME DISTRO URL KEYRING SUITE…  write DIR/NAME.yml
#                   (family apt, amd64, component main; KB_UPSTREAM_RELEASE,
#                   KB_UPSTREAM_ARCHS override; KB_UPSTREAM_FAMILY=rpm-md
#                   makes the SUITE… arguments repos)
#   kb_pipeline debian|ubuntu  mirror + nginx + upstream + crawl + manifest;
#                   sets KB_MIRROR KB_UPSTREAMS KB_LISTS KB_WORKDIR KB_MANIFEST
#                   KB_UPSTREAM for the stage under test (pack, vmtest, …)
#   kb_test_module DIR [NAME]  a minimal out-of-tree module (Kbuild + NAME.c)
#   kb_deb_file NAME [VERSION] the cached .deb of a picked package
#
# Note for VM tests: the Ubuntu fixture's kernels are Debian's renamed, so a
# module built against an Ubuntu bundle says <abi>-generic while the booted
# kernel (Debian's vmlinuz) calls itself the Debian release: insmod refuses
# it. Boot-and-load tests use the Debian fixture; the Ubuntu one serves
# crawl, manifest and pack (a module builds, vermagic = BUNDLE_UNAME).

if [ -n "${KB_E2E_LIB_LOADED:-}" ]; then return 0; fi
KB_E2E_LIB_LOADED=1

: "${KB_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${KBUNDLE:=$KB_SRC/kbundle}"
: "${KB_TEST_CACHE:=/var/cache/kbundle-tests}"
: "${TMPDIR:=/tmp}"
export KB_SRC KBUNDLE KB_TEST_CACHE TMPDIR
KB_TMP=$(mktemp -d "$TMPDIR/kb-e2e.XXXXXX")
# Scratch space on tmpfs when there is one (header trees are ~10,000 small
# files: 0.3 s there, 8 s on these disks); removed with KB_TMP on exit.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then KB_FAST=$(mktemp -d /dev/shm/kb-e2e.XXXXXX)
else KB_FAST=$KB_TMP/fast && mkdir -p "$KB_FAST"; fi
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
# spaces survive. kb_on_exit only works in the test's own shell, not inside
# $(…): lib.sh's helpers that may run there (kb_fast_tmpdir, kb_gpg_key)
# leave their cleanup to _kb_run_cleanups instead. A signal still runs it.
_kb_cleanups=()
kb_on_exit() { _kb_cleanups+=("$(printf '%q ' "$@")"); }
_kb_run_cleanups() {
	local rc=$? i h
	trap - EXIT INT TERM HUP
	for ((i = ${#_kb_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_kb_cleanups[i]}" >/dev/null 2>&1 || true
	done
	for h in "$KB_TMP"/gpg-*; do
		[ ! -d "$h" ] || gpgconf --homedir "$h" --kill gpg-agent >/dev/null 2>&1 || true
	done
	rm -rf "$KB_TMP" "$KB_FAST"
	exit $rc
}
trap _kb_run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# Name the failing command and line, so a log says where a test stopped.
set -E
trap 'kb_log "command failed (status $?) at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR

kb_sha256() { sha256sum "$1" | cut -d' ' -f1; }
# kb_fast_tmpdir — a fresh directory under KB_FAST (tmpfs), removed on exit.
kb_fast_tmpdir() { mktemp -d "$KB_FAST/d.XXXXXX"; }
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

# apt-cache costs ~0.6 s a call here, so the picker asks once for many
# packages (_kb_apt_dump, every version) and reads the answers from that dump.
_kb_apt_dump() { apt-cache show "$@" >>"$KB_TMP/apt.dump" 2>/dev/null || true; }
# _kb_apt_field PKG[=VER] FIELD — FIELD of one version (without =VER: the
# first apt lists, its candidate).
_kb_apt_field() {
	local pkg=${1%%=*} ver=
	[[ $1 != *=* ]] || ver=${1#*=}
	grep -qxF "Package: $pkg" "$KB_TMP/apt.dump" 2>/dev/null || _kb_apt_dump "$pkg"
	awk -v p="$pkg" -v v="$ver" -v f="$2" 'BEGIN { RS = "" }
		{
			n = split($0, l, "\n"); pk = ""; vv = ""; val = ""
			for (i = 1; i <= n; i++) {
				if (l[i] ~ /^Package: /) pk = substr(l[i], 10)
				if (l[i] ~ /^Version: /) vv = substr(l[i], 10)
				if (index(l[i], f ": ") == 1) val = substr(l[i], length(f) + 3)
			}
			if (pk == p && (v == "" || vv == v)) { print val; exit }
		}' "$KB_TMP/apt.dump"
}
_kb_apt_versions() { # all versions apt knows of PKG, newest first
	grep -qxF "Package: $1" "$KB_TMP/apt.dump" 2>/dev/null || _kb_apt_dump "$1"
	awk -v p="$1" 'BEGIN { RS = "" } {
		n = split($0, l, "\n"); pk = ""
		for (i = 1; i <= n; i++) { if (l[i] ~ /^Package: /) pk = substr(l[i], 10); if (l[i] ~ /^Version: /) vv = substr(l[i], 10) }
		if (pk == p) print vv }' "$KB_TMP/apt.dump" | sort -Vr | uniq
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
	for s in "$KB_ABI_A" "$KB_ABI_B"; do
		set -- "$@" "linux-headers-$s-amd64" "linux-headers-$s-common" "linux-image-$s-amd64" \
			"linux-image-$s-amd64-unsigned"
	done
	_kb_apt_dump "$@" linux-headers-amd64 linux-libc-dev hello
	_kb_apt_dump $(_kb_apt_field "linux-headers-$KB_ABI_A-amd64" Depends |
		grep -oE 'linux-kbuild-[^ ,]+') $(_kb_apt_field "linux-headers-$KB_ABI_B-amd64" Depends |
		grep -oE 'linux-kbuild-[^ ,]+')
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

# Picking asks apt-cache ~50 questions (0.6 s each here): remember the
# answer for as long as apt's package lists are unchanged.
_KB_PICK_VARS="KB_REL_A KB_REL_B KB_ABI_A KB_ABI_B KB_VER_A KB_VER_B KB_HDR_A KB_HDR_B
	KB_COMMON_A KB_COMMON_B KB_KBUILD_A KB_KBUILD_B KB_KBUILD_VER_A KB_KBUILD_VER_B
	KB_IMAGE_A KB_IMAGE_B KB_KBUILD_OLD_VER_A"
_kb_pick_key() {
	{ echo "picks 1"; stat -c '%s %Y' /var/lib/apt/lists/*Packages* /var/lib/apt/lists/*Release 2>/dev/null; } |
		sha256sum | cut -c1-16
}

kb_debian_fetch() {
	[ -n "${KB_DEB_PICKS:-}" ] && return 0
	kb_need dpkg-deb apt-ftparchive
	local picks=$KB_TMP/debian-picks.tsv sa=bookworm sb=bookworm-security v pf
	pf=$KB_TEST_CACHE/picks/debian-$(_kb_pick_key)
	if [ -f "$pf.env" ] && [ -f "$pf.tsv" ]; then
		. "$pf.env"
		export $_KB_PICK_VARS
		KB_DEBIAN_SUITES=(bookworm bookworm-security)
		cp "$pf.tsv" "$picks"
		_kb_fetch_picks "$picks"
		KB_DEB_PICKS=$picks
		export KB_DEB_PICKS
		return 0
	fi
	kb_debian_pick
	{
		_kb_pick_line $sa "$KB_HDR_A" "$KB_VER_A" headers "$KB_REL_A"
		_kb_pick_line $sa "$KB_COMMON_A" "$KB_VER_A" headers-common "$KB_ABI_A"
		_kb_pick_line $sa "$KB_KBUILD_A" "$KB_KBUILD_VER_A" kbuild "${KB_KBUILD_A#linux-kbuild-}"
		_kb_pick_line $sa "$KB_IMAGE_A" "$KB_VER_A" image "$KB_REL_A"
		[ -z "$KB_KBUILD_OLD_VER_A" ] ||
			_kb_pick_line $sa "$KB_KBUILD_A" "$KB_KBUILD_OLD_VER_A" kbuild "${KB_KBUILD_A#linux-kbuild-}"
		for v in linux-headers-amd64 linux-libc-dev hello; do
			_kb_pick_line $sa $v "$(_kb_apt_versions $v | head -n 1)" - -
		done
		_kb_pick_line $sb "$KB_HDR_B" "$KB_VER_B" headers "$KB_REL_B"
		_kb_pick_line $sb "$KB_COMMON_B" "$KB_VER_B" headers-common "$KB_ABI_B"
		_kb_pick_line $sb "$KB_KBUILD_B" "$KB_KBUILD_VER_B" kbuild "${KB_KBUILD_B#linux-kbuild-}"
		_kb_pick_line $sb "$KB_IMAGE_B" "$KB_VER_B" image "$KB_REL_B"
	} >"$picks"
	_kb_fetch_picks "$picks"
	KB_DEB_PICKS=$picks
	export KB_DEB_PICKS
	mkdir -p "${pf%/*}"
	for v in $_KB_PICK_VARS; do printf '%s=%q\n' "$v" "${!v}"; done >"$pf.env.$$"
	cp "$picks" "$pf.tsv.$$"
	mv -f "$pf.tsv.$$" "$pf.tsv"
	mv -f "$pf.env.$$" "$pf.env"
}

# Download what the cache lacks, and make each .deb's Packages stanza (for its
# pool path) once, so building a mirror later hashes nothing. KB_APT_OPTS (an
# array of apt -o options, e.g. lib_debian13.sh's private configuration) is
# passed to apt-get download when set.
_kb_fetch_picks() {
	local picks=$1 suite name ver arch kind rel pool file want=() dl spec
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
			kb_log "downloading $name $ver ($arch)"
			# name:arch, for packages of another architecture than apt's own
			spec=$name
			case $arch in '' | all) ;; *) spec=$name:$arch ;; esac
			(cd "$dl" && apt-get download -q=2 -o APT::Sandbox::User=root \
				${KB_APT_OPTS[@]+"${KB_APT_OPTS[@]}"} "$spec=$ver") >&2 ||
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
	local dir=$1 suite=$2 key=${3:-archive} d p
	d=$dir/dists/$suite
	for p in "$d"/*/binary-*/Packages; do
		gzip -9nc "$p" >"$p.gz.tmp" && mv -f "$p.gz.tmp" "$p.gz"
		xz -T1 -6c "$p" >"$p.xz.tmp" && mv -f "$p.xz.tmp" "$p.xz"
	done
	kb_apt_release "$dir" "$suite" "$key"
}

# kb_apt_release DIR SUITE [KEYNAME] — (re)write Release over the files the
# suite holds now, as they are, and sign it (InRelease, Release.gpg).
kb_apt_release() {
	local dir=$1 suite=$2 key=${3:-archive} d origin label asuite codename version descr comps archs
	d=$dir/dists/$suite
	rm -f "$d/Release" "$d/InRelease" "$d/Release.gpg"
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

# _kb_mirror_from_picks DIR PICKS [SUITE] — pool hard links, Packages per
# suite from the cached stanzas, signed Release.
_kb_mirror_from_picks() {
	local dir=$1 picks=$2 one=${3:-} suite name ver arch kind rel pool file s
	local -A stanzas=()
	mkdir -p "$dir"
	local -A archs=() alls=()
	while IFS=$'\t' read -r suite name ver arch kind rel pool file; do
		mkdir -p "$dir/${pool%/*}"
		[ -e "$dir/$pool" ] || ln -f "$file" "$dir/$pool" 2>/dev/null || cp "$file" "$dir/$pool"
		s=${one:-$suite}
		# binary-<arch>/Packages; an "all" package is in every one of its suite
		if [ "$arch" = all ]; then alls[$s]+="$file.stanza"$'\n'
		else stanzas[$s/$arch]+="$file.stanza"$'\n' archs[$s]+=" $arch"; fi
	done <"$picks"
	for s in "${!alls[@]}"; do [ -n "${archs[$s]:-}" ] || archs[$s]=" amd64"; done
	for s in "${!archs[@]}"; do
		for a in $(printf '%s\n' ${archs[$s]} | sort -u); do
			mapfile -t files < <(printf '%s' "${stanzas[$s/$a]:-}${alls[$s]:-}" | sort -u)
			_kb_apt_write_packages "$dir" "$s" main "$a" "${files[@]}"
		done
		kb_apt_finish_suite "$dir" "$s"
	done
	KB_KEYRING=$(kb_gpg_key archive)/keyring.gpg
	export KB_KEYRING
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

# ------------------------------------------------------ expected results
# kb_pick_rows PICKS — the packages a crawler must list (kind ≠ "-"), once
# each, as list columns 1–8: name version arch kind release path size sha256
# (sorted, C locale).
kb_pick_rows() {
	local suite name ver arch kind rel pool file
	while IFS=$'\t' read -r suite name ver arch kind rel pool file; do
		[ "$kind" != - ] || continue
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$ver" "$arch" "$kind" "$rel" "$pool" \
			"$(awk '$1 == "Size:" { print $2 }' "$file.stanza")" \
			"$(awk '$1 == "SHA256:" { print $2 }' "$file.stanza")"
	done <"$1" | LC_ALL=C sort -u
}
# kb_list_rows LIST — a kbundle list's columns 1–8, sorted, no header.
kb_list_rows() { grep -v '^#' "$1" | cut -f1-8 | LC_ALL=C sort; }
# kb_manifest_rows MANIFEST — one line per package of each bundle:
#   release role(headers|images) name version kind path size sha256
kb_manifest_rows() {
	python3 - "$1" <<'PY' | LC_ALL=C sort
import sys, yaml
m = yaml.safe_load(open(sys.argv[1]))
for b in m.get("bundles") or []:
    for role in ("headers", "images"):
        for p in b.get(role) or []:
            print("\t".join(str(x) for x in (b["release"], role, p["name"], p["version"],
                  p["kind"], p["path"], p["size"], p["sha256"])))
PY
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
	local dir=$1 name=$2 distro=$3 url=$4 keyring=$5 rel family=${KB_UPSTREAM_FAMILY:-apt}
	shift 5
	case $distro in debian) rel=12 ;; ubuntu) rel=22.04 ;; *) rel=1 ;; esac
	rel=${KB_UPSTREAM_RELEASE:-$rel}
	mkdir -p "$dir"
	{
		echo "distro: $distro"
		echo "family: $family"
		echo "release: \"$rel\""
		echo "enabled: true"
		echo "architectures: [${KB_UPSTREAM_ARCHS:-amd64}]"
		echo "mirrors: [\"$url\"]"
		if [ "$family" = apt ]; then
			echo "suites: [$(IFS=,; echo "$*" | sed 's/,/, /g')]"
			echo "components: [main]"
		else
			echo "repos: [$(printf '"%s", ' "$@" | sed 's/, $//')]"
		fi
		[ -z "$keyring" ] || echo "keyring: $keyring"
	} >"$dir/$name.yml"
}

# kb_pipeline DISTRO — the common start of a stage test: the DISTRO
# (debian|ubuntu) mirror behind nginx, an upstream file, a crawl and a
# manifest. Sets KB_MIRROR, KB_UPSTREAMS, KB_LISTS, KB_WORKDIR, KB_MANIFEST
# (all under KB_TMP) and KB_UPSTREAM (the upstream's name: DISTRO-e2e).
kb_pipeline() {
	local distro=$1
	[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"
	KB_MIRROR=$KB_TMP/mirror-$distro KB_UPSTREAMS=$KB_TMP/upstreams KB_LISTS=$KB_TMP/lists
	KB_WORKDIR=$KB_TMP/work KB_MANIFEST=$KB_TMP/manifest.yml KB_UPSTREAM=$distro-e2e
	export KB_MIRROR KB_UPSTREAMS KB_LISTS KB_WORKDIR KB_MANIFEST KB_UPSTREAM
	case $distro in
	debian)
		kb_mirror_debian "$KB_MIRROR"
		kb_nginx_start "$KB_MIRROR"
		kb_upstream_file "$KB_UPSTREAMS" "$KB_UPSTREAM" debian "$KB_NGINX_URL" "$KB_KEYRING" \
			"${KB_DEBIAN_SUITES[@]}"
		;;
	ubuntu)
		kb_mirror_ubuntu "$KB_MIRROR"
		kb_nginx_start "$KB_MIRROR"
		kb_upstream_file "$KB_UPSTREAMS" "$KB_UPSTREAM" ubuntu "$KB_NGINX_URL" "$KB_KEYRING" \
			"${KB_UBUNTU_SUITES[@]}"
		;;
	*) kb_die "kb_pipeline: unknown distro $distro" ;;
	esac
	"$KBUNDLE" -q crawl --upstreams "$KB_UPSTREAMS" --lists "$KB_LISTS" --workdir "$KB_WORKDIR" \
		"$KB_UPSTREAM" || kb_die "kbundle crawl $KB_UPSTREAM failed"
	"$KBUNDLE" -q manifest --upstreams "$KB_UPSTREAMS" --lists "$KB_LISTS" -o "$KB_MANIFEST" ||
		kb_die "kbundle manifest failed"
}

# kb_test_module DIR [NAME] — a minimal out-of-tree module (Kbuild + NAME.c,
# default kbtest) that logs on load and unload.
kb_test_module() {
	local dir=$1 name=${2:-kbtest}
	mkdir -p "$dir"
	echo "obj-m := $name.o" >"$dir/Kbuild"
	cat >"$dir/$name.c" <<EOF
// $name — built by kbundle's e2e tests against a bundle.
#include <linux/init.h>
#include <linux/module.h>
static int __init ${name}_init(void) { pr_info("$name: loaded\\n"); return 0; }
static void __exit ${name}_exit(void) { pr_info("$name: unloaded\\n"); }
module_init(${name}_init);
module_exit(${name}_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbundle e2e test module");
EOF
}

# kb_deb_file NAME [VERSION] — the cached .deb of a picked package (Debian or
# Ubuntu picks), for tests that reshape real content (e.g. into RPMs).
kb_deb_file() {
	local f
	f=$(cat "${KB_DEB_PICKS:-/dev/null}" "${KB_UBU_PICKS:-/dev/null}" |
		awk -F'\t' -v n="$1" -v v="${2:-}" '$2 == n && (v == "" || $3 == v) { print $8; exit }')
	[ -n "$f" ] && [ -f "$f" ] || kb_die "kb_deb_file: no picked package $1 ${2:-}"
	echo "$f"
}

# The Ubuntu-layout mirror lives in its own file (size).
. "$KB_SRC/tests/e2e/lib_ubuntu.sh"
# Debian 13 (trixie-security, trixie-backports) through a private apt configuration.
. "$KB_SRC/tests/e2e/lib_debian13.sh"
