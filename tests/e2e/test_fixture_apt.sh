#!/usr/bin/env bash
# test_fixture_apt — the e2e mirrors are real: apt itself (not kbundle)
# fetches them from nginx, checks their signatures against the test keyring,
# and sees every package; a mirror signed by another key is refused.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need apt-get nginx gpgv

# _apt_root NAME URL KEYRING SUITE… — a private apt configuration (state,
# cache, sources) so nothing of the host's apt is read or written.
apt_root() {
	local r=$KB_TMP/apt-$1 url=$2 keyring=$3 s
	shift 3
	mkdir -p "$r/state/lists/partial" "$r/cache/archives/partial" "$r/etc/preferences.d" "$r/etc/trusted.gpg.d"
	: >"$r/state/status"
	for s in "$@"; do
		echo "deb [arch=amd64 signed-by=$keyring] $url $s main"
	done >"$r/etc/sources.list"
	echo "$r"
}
apt_in() { # apt_in ROOT CMD ARG…
	local r=$1
	shift
	"$@" -o Dir::State="$r/state" -o Dir::State::status="$r/state/status" \
		-o Dir::Cache="$r/cache" -o Dir::Etc::SourceList="$r/etc/sources.list" \
		-o Dir::Etc::SourceParts=- -o Dir::Etc::Preferences="$r/etc/preferences" \
		-o Dir::Etc::PreferencesParts="$r/etc/preferences.d" -o Dir::Etc::Trusted="$r/etc/trusted.gpg" \
		-o Dir::Etc::TrustedParts="$r/etc/trusted.gpg.d" -o APT::Architecture=amd64 \
		-o Acquire::Languages=none -o APT::Sandbox::User=root -o Debug::NoLocking=1
}
check_apt_sees() { # ROOT NAME VERSION
	local got
	got=$(apt_in "$1" apt-cache show --no-all-versions "$2=$3" | awk '$1 == "Version:" { print $2 }')
	[ "$got" = "$3" ] || kb_die "apt does not see $2 $3 in the mirror"
}

# Debian
kb_mirror_debian "$KB_TMP/debian"
kb_nginx_start "$KB_TMP/debian"
r=$(apt_root debian "$KB_NGINX_URL" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}")
apt_in "$r" apt-get update -q >"$KB_TMP/update.log" 2>&1 || { cat "$KB_TMP/update.log"; kb_die "apt-get update failed on the Debian mirror"; }
! grep -E '^(W|E):' "$KB_TMP/update.log" || kb_die "apt-get update warned on the Debian mirror"
while IFS=$'\t' read -r suite name ver arch kind rel pool file; do
	check_apt_sees "$r" "$name" "$ver"
done <"$KB_DEB_PICKS"
# apt fetched the signed InRelease and the xz index, from our nginx.
grep -q '"GET /dists/bookworm/InRelease ' "$KB_NGINX_ACCESS_LOG"
grep -q '"GET /dists/bookworm-security/main/binary-amd64/Packages.xz ' "$KB_NGINX_ACCESS_LOG"
# apt downloads a package from the pool and checks it against the index.
(cd "$KB_TMP" && apt_in "$r" apt-get download -q=2 "$KB_KBUILD_A=$KB_KBUILD_VER_A")
cmp "$KB_TMP/${KB_KBUILD_A}_${KB_KBUILD_VER_A}_amd64.deb" \
	"$(awk -F'\t' -v n="$KB_KBUILD_A" -v v="$KB_KBUILD_VER_A" '$2 == n && $3 == v { print $8 }' "$KB_DEB_PICKS")"
kb_log "Debian mirror: apt verified and listed $(wc -l <"$KB_DEB_PICKS") packages"

# A mirror signed by a key apt does not trust is refused.
other=$(kb_gpg_key other)
r2=$(apt_root other "$KB_NGINX_URL" "$other/keyring.gpg" bookworm)
if apt_in "$r2" apt-get update -q >"$KB_TMP/update2.log" 2>&1 &&
	! grep -qE 'NO_PUBKEY|not signed|signatures were invalid|EXPKEYSIG|BADSIG' "$KB_TMP/update2.log"; then
	cat "$KB_TMP/update2.log"
	kb_die "apt accepted the mirror with a foreign keyring"
fi
kb_log "foreign keyring refused"

# Ubuntu
if declare -F kb_mirror_ubuntu >/dev/null; then
	kb_mirror_ubuntu "$KB_TMP/ubuntu"
	kb_nginx_start "$KB_TMP/ubuntu"
	r=$(apt_root ubuntu "$KB_NGINX_URL" "$KB_KEYRING" "${KB_UBUNTU_SUITES[@]}")
	apt_in "$r" apt-get update -q >"$KB_TMP/update3.log" 2>&1 || { cat "$KB_TMP/update3.log"; kb_die "apt-get update failed on the Ubuntu mirror"; }
	! grep -E '^(W|E):' "$KB_TMP/update3.log" || kb_die "apt-get update warned on the Ubuntu mirror"
	while IFS=$'\t' read -r suite name ver arch kind rel pool file; do
		check_apt_sees "$r" "$name" "$ver"
	done <"$KB_UBU_PICKS"
	kb_log "Ubuntu mirror: apt verified and listed $(wc -l <"$KB_UBU_PICKS") packages"

	# Installed as Ubuntu installs them, the headers build a module whose
	# vermagic is the Ubuntu release; nothing but the build link is absolute.
	if command -v make >/dev/null && command -v gcc >/dev/null; then
		root=$(kb_fast_tmpdir)
		for x in A B; do
			rel=KB_UREL_$x hdr=KB_UHDR_$x ind=KB_UINDEP_$x
			dpkg-deb -x "$(kb_deb_file "${!ind}")" "$root"
			dpkg-deb -x "$(kb_deb_file "${!hdr}")" "$root"
			[ "$(readlink "$root/lib/modules/${!rel}/build")" = "/usr/src/linux-headers-${!rel}" ] ||
				kb_die "${!hdr}: no /lib/modules/${!rel}/build link"
			abs=$(find "$root/usr/src" -type l -lname '/*' | head -n 3)
			[ -z "$abs" ] || kb_die "${!hdr}: absolute symlinks: $abs"
			[ -f "$root/usr/src/linux-headers-${!rel}/scripts/mod/modpost" ] || kb_die "${!hdr}: no scripts/mod/modpost"
			[ -L "$root/usr/src/linux-headers-${!rel}/Makefile" ] || kb_die "${!hdr}: Makefile is not a link into ${!ind}"
			kb_test_module "$root/mod-$x"
			make -s -C "$root/usr/src/linux-headers-${!rel}" M="$root/mod-$x" modules >"$KB_TMP/build-$x.log" 2>&1 ||
				{ cat "$KB_TMP/build-$x.log"; kb_die "module build against ${!hdr} failed"; }
			vm=$(modinfo -F vermagic "$root/mod-$x/kbtest.ko" 2>/dev/null || strings "$root/mod-$x/kbtest.ko" | sed -n 's/^vermagic=//p')
			[ "${vm%% *}" = "${!rel}" ] || kb_die "module built against ${!hdr}: vermagic '$vm', want ${!rel}"
			kb_log "Ubuntu ${!rel}: a module builds against the installed headers, vermagic ${vm%% *}"
		done
	fi
fi
echo "ok"
