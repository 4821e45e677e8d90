# tests/e2e/lib_debian13.sh — real Debian 13 kernel packages for the e2e
# tests, sourced by lib.sh. This machine's apt lists bookworm only, so the
# packages come through a private apt configuration (its own sources, lists
# and cache under KB_TMP) whose URIs are the ones apt is configured with for
# the Debian and the Debian-security archives, with the suites swapped. The
# picks and the .deb files are kept in $KB_TEST_CACHE like lib.sh's: the
# network is used once, and never again while the cache holds them.
#
#   kb_debian13_fetch   pick + download (once); sets
#     KB_D13_REL / KB_D13_ABI / KB_D13_VER   newest 6.12.*+deb13 amd64 kernel of
#                                            trixie-security (e.g. 6.12.118+deb13-amd64)
#     KB_D13_HDR KB_D13_COMMON KB_D13_KBUILD  its headers, -common, linux-kbuild-<abi>
#     KB_D7_REL / KB_D7_ABI / KB_D7_VER      newest 7.* amd64 kernel of trixie-backports
#     KB_D7_HDR KB_D7_COMMON KB_D7_KBUILD    (linux-kbuild-<abi>: the name Debian 13 uses)
#     KB_D7_IMAGE KB_D7_BINARY               linux-image-<rel> (a small package that
#                                            depends on the kernel) and linux-binary-<rel>
#     KB_D13_PICKS                            TSV in KB_DEB_PICKS's format
#     KB_D13_SUITES=(trixie-security trixie-backports)
#   kb_debian13_modules_fetch   also (once) the 7.x kernel's modules package,
#                               ~100 MB, for the tests that load in-tree modules:
#     KB_D7_MODULES                          linux-modules-<rel>, as linux-image-<rel>'s
#                                            Depends names it
#     KB_D7_MODPICKS                         its picks line (a TSV of its own)

# _kb_d13_uri security|main — the URI apt is configured with for that archive
# (deb822 .sources and one-line .list files).
_kb_d13_uri() {
	local want=$1 f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		case $f in
		*.sources) awk 'BEGIN { RS = "" } /(^|\n)Types:[^\n]*deb/ {
				u = ""; s = ""; n = split($0, l, "\n")
				for (i = 1; i <= n; i++) {
					if (l[i] ~ /^URIs:/) { u = l[i]; sub(/^URIs:[ \t]*/, "", u); sub(/[ \t].*/, "", u) }
					if (l[i] ~ /^Suites:/) { s = l[i]; sub(/^Suites:[ \t]*/, "", s) }
				}
				if (u != "") print u, s }' "$f" ;;
		*) awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++; print $i, $(i + 1) }' "$f" ;;
		esac
	done | awk -v w="$want" '{ sec = ($2 ~ /-security/) } (w == "security") == sec { sub(/\/+$/, "", $1); print $1; exit }'
}

_kb_d13_apt_setup() {
	local d=$KB_TMP/apt13 main sec
	main=$(_kb_d13_uri main) sec=$(_kb_d13_uri security)
	[ -n "$main" ] && [ -n "$sec" ] || kb_skip "apt has no Debian and Debian-security sources to derive trixie's from"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/sources.list.d" "$d/preferences.d"
	cat >"$d/sources.list.d/trixie.sources" <<SRC
Types: deb
URIs: $sec
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $main
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	# KB_D13_MAIN: trixie itself too (busybox-static lives there)
	[ -z "${KB_D13_MAIN:-}" ] || printf '\nTypes: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' \
		"$main" /usr/share/keyrings/debian-archive-keyring.gpg >>"$d/sources.list.d/trixie.sources"
	KB_APT_OPTS=(-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$d/sources.list.d"
		-o Dir::Etc::preferencesparts="$d/preferences.d" -o Dir::State::Lists="$d/lists"
		-o Dir::Cache="$d/cache" -o Dir::State::status=/dev/null -o APT::Architecture=amd64
		-o APT::Architectures::=amd64 -o Acquire::Languages=none -o APT::Sandbox::User=root)
	local a
	for a in ${KB_D13_ARCHS:-}; do KB_APT_OPTS+=(-o APT::Architectures::="$a"); done
	apt-get -q=2 "${KB_APT_OPTS[@]}" update >&2 || kb_skip "apt-get update of trixie-security/-backports failed"
}

# _kb_d13_field PKG FIELD — FIELD of PKG's candidate in the private configuration
_kb_d13_field() {
	apt-cache "${KB_APT_OPTS[@]}" show --no-all-versions "$1" 2>/dev/null |
		awk -v f="$2" 'index($0, f ": ") == 1 { print substr($0, length(f) + 3); exit }'
}

# _kb_d13_dep PKG PREFIX — the first package PKG's Depends names that starts with PREFIX
_kb_d13_dep() {
	_kb_d13_field "$1" Depends | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' | grep -m1 "^$2" || true
}

_kb_d13_line() { # SUITE NAME KIND RELEASE
	local fn ver arch
	fn=$(_kb_d13_field "$2" Filename) ver=$(_kb_d13_field "$2" Version) arch=$(_kb_d13_field "$2" Architecture)
	[ -n "$fn" ] || kb_skip "the private apt configuration has no $2"
	fn=${fn/#pool\/updates\//pool\/}
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$ver" "$arch" "$3" "$4" "$fn" \
		"$KB_TEST_CACHE/debs/${fn##*/}"
}

_KB_D13_VARS="KB_D13_REL KB_D13_ABI KB_D13_VER KB_D13_HDR KB_D13_COMMON KB_D13_KBUILD
	KB_D7_REL KB_D7_ABI KB_D7_VER KB_D7_HDR KB_D7_COMMON KB_D7_KBUILD KB_D7_IMAGE KB_D7_BINARY"

kb_debian13_fetch() {
	[ -n "${KB_D13_PICKS:-}" ] && return 0
	kb_need apt-get apt-cache dpkg-deb apt-ftparchive
	local pf=$KB_TEST_CACHE/picks/debian13-1 picks=$KB_TMP/debian13-picks.tsv v ok=1 f
	KB_D13_SUITES=(trixie-security trixie-backports)
	if [ -f "$pf.env" ] && [ -f "$pf.tsv" ]; then
		while IFS=$'\t' read -r _ _ _ _ _ _ _ f; do
			[ -f "$f" ] && [ -f "$f.stanza" ] || ok=
		done <"$pf.tsv"
		if [ -n "$ok" ]; then
			. "$pf.env"
			export $_KB_D13_VARS
			cp "$pf.tsv" "$picks"
			KB_D13_PICKS=$picks
			export KB_D13_PICKS
			return 0
		fi
	fi
	_kb_d13_apt_setup
	KB_D13_HDR=$(apt-cache "${KB_APT_OPTS[@]}" pkgnames linux-headers-6.12. |
		grep -E '^linux-headers-6\.12\.[0-9]+\+deb13(\.[0-9]+)?-amd64$' | sort -V | tail -n 1)
	KB_D7_HDR=$(apt-cache "${KB_APT_OPTS[@]}" pkgnames linux-headers-7. |
		grep -E '^linux-headers-7\.[0-9]+\.[0-9]+\+deb13-amd64$' | sort -V | tail -n 1)
	[ -n "$KB_D13_HDR" ] && [ -n "$KB_D7_HDR" ] || kb_skip "no 6.12+deb13 / 7.x amd64 headers in trixie-security / trixie-backports"
	KB_D13_REL=${KB_D13_HDR#linux-headers-} KB_D7_REL=${KB_D7_HDR#linux-headers-}
	KB_D13_ABI=${KB_D13_REL%-amd64} KB_D7_ABI=${KB_D7_REL%-amd64}
	KB_D13_VER=$(_kb_d13_field "$KB_D13_HDR" Version) KB_D7_VER=$(_kb_d13_field "$KB_D7_HDR" Version)
	# the names the real Depends fields give, not guessed
	KB_D13_COMMON=$(_kb_d13_dep "$KB_D13_HDR" linux-headers-) KB_D13_KBUILD=$(_kb_d13_dep "$KB_D13_HDR" linux-kbuild-)
	KB_D7_COMMON=$(_kb_d13_dep "$KB_D7_HDR" linux-headers-) KB_D7_KBUILD=$(_kb_d13_dep "$KB_D7_HDR" linux-kbuild-)
	KB_D7_IMAGE=linux-image-$KB_D7_REL
	KB_D7_BINARY=$(_kb_d13_dep "$KB_D7_IMAGE" linux-binary-)
	for v in KB_D13_COMMON KB_D13_KBUILD KB_D7_COMMON KB_D7_KBUILD KB_D7_BINARY; do
		[ -n "${!v}" ] || kb_die "$v: the Depends fields name no such package"
	done
	{
		_kb_d13_line trixie-security "$KB_D13_HDR" headers "$KB_D13_REL"
		_kb_d13_line trixie-security "$KB_D13_COMMON" headers-common "$KB_D13_ABI"
		_kb_d13_line trixie-security "$KB_D13_KBUILD" kbuild "$KB_D13_ABI"
		_kb_d13_line trixie-backports "$KB_D7_HDR" headers "$KB_D7_REL"
		_kb_d13_line trixie-backports "$KB_D7_COMMON" headers-common "$KB_D7_ABI"
		_kb_d13_line trixie-backports "$KB_D7_KBUILD" kbuild "$KB_D7_ABI"
		_kb_d13_line trixie-backports "$KB_D7_IMAGE" image "$KB_D7_REL"
		_kb_d13_line trixie-backports "$KB_D7_BINARY" image "$KB_D7_REL"
		# Depended on by both, recognised by neither: holds no header file
		_kb_d13_line trixie-backports "$(_kb_d13_dep "$KB_D7_HDR" "linux-base-$KB_D7_ABI")" - -
	} >"$picks"
	_kb_fetch_picks "$picks"
	KB_D13_PICKS=$picks
	export KB_D13_PICKS $_KB_D13_VARS
	mkdir -p "${pf%/*}"
	for v in $_KB_D13_VARS; do printf '%s=%q\n' "$v" "${!v}"; done >"$pf.env.$$"
	cp "$picks" "$pf.tsv.$$"
	mv -f "$pf.tsv.$$" "$pf.tsv"
	mv -f "$pf.env.$$" "$pf.env"
}

kb_debian13_modules_fetch() {
	kb_debian13_fetch
	local pf=$KB_TEST_CACHE/picks/debian13-modules-1 picks=$KB_TMP/debian13-modpicks.tsv f rel
	if [ -f "$pf.tsv" ] && IFS=$'\t' read -r _ _ _ _ _ rel _ f <"$pf.tsv" &&
		[ "$rel" = "$KB_D7_REL" ] && [ -f "$f" ] && [ -f "$f.stanza" ]; then
		cp "$pf.tsv" "$picks"
	else
		[ -n "${KB_APT_OPTS+x}" ] || _kb_d13_apt_setup
		KB_D7_MODULES=$(_kb_d13_dep "$KB_D7_IMAGE" linux-modules-)
		[ -n "$KB_D7_MODULES" ] || kb_die "$KB_D7_IMAGE: its Depends name no linux-modules-*"
		_kb_d13_line trixie-backports "$KB_D7_MODULES" modules "$KB_D7_REL" >"$picks"
		_kb_fetch_picks "$picks"
		mkdir -p "${pf%/*}"
		cp "$picks" "$pf.tsv.$$"
		mv -f "$pf.tsv.$$" "$pf.tsv"
	fi
	KB_D7_MODULES=$(cut -f2 "$picks")
	KB_D7_MODPICKS=$picks
	export KB_D7_MODULES KB_D7_MODPICKS
}
