# tests/e2e/releases_lib.sh — one real kernel of each Debian release behind
# one signed mirror, crawled, grouped and packed (sourced after lib.sh,
# pack_lib.sh, vmtest_lib.sh and toolchain_lib.sh): Debian 11 (the newest
# 5.10 of bullseye-security), Debian 12 (lib.sh's release A, 6.1), Debian 13
# (lib_debian13.sh's 6.12.*+deb13 with its image) and the newest 7.x of
# trixie-backports. Packages come from the mirror apt uses through private
# apt configurations, cached in $KB_TEST_CACHE; the work directory's
# toolchains/ is the shared, key-addressed $KB_TEST_CACHE/toolchain-work/
# toolchains, so build roots are made once, never per run.
#
#   releases_pipeline   sets REL11 (uname of the Debian 11 kernel) and RL_UPS,
#                       RL_MAN, RL_WD (upstreams, manifest, work directory);
#                       KB_REL_A, KB_D13_REL, KB_D7_REL name the other three.

releases_pipeline() {
	local t0=$SECONDS picks more pf hdr11 abi11 common11 kbuild11 img11 img13 mirror lists
	# Debian 12 (release A: 6.1) and Debian 13 / backports (lib_debian13.sh).
	kb_debian_fetch
	kb_debian13_fetch
	picks=$KB_TMP/picks.tsv
	awk -F'\t' -v h="$KB_HDR_A" -v c="$KB_COMMON_A" -v k="$KB_KBUILD_A" -v i="$KB_IMAGE_A" \
		'$1 == "bookworm" && ($2 == h || $2 == c || $2 == k || $2 == i)' "$KB_DEB_PICKS" >"$picks"
	cat "$KB_D13_PICKS" >>"$picks"

	# The Debian 13 kernel's image and one Debian 11 kernel, through private
	# apt configurations of trixie and bullseye (+ -security); the picks are
	# kept in $KB_TEST_CACHE/picks for a day (apt-cache costs ~0.6 s a call).
	more=$KB_TMP/more.tsv pf=$KB_TEST_CACHE/picks/releases-1
	if [ -n "$(find "$pf.tsv" -mtime -1 2>/dev/null)" ] && [ -f "$pf.env" ] &&
		grep -qF "$KB_D13_REL" "$pf.tsv"; then
		. "$pf.env"
		cp "$pf.tsv" "$more.all"
		_kb_fetch_picks "$more.all"
	else
		_kb_cache_lock
		tc_apt_release trixie
		KB_APT_OPTS=("${TC_APT_OPTS[@]}")
		img13=linux-image-$KB_D13_REL-unsigned
		[ -n "$(_kb_d13_field "$img13" Filename)" ] || img13=linux-image-$KB_D13_REL
		_kb_d13_line trixie-security "$img13" image "$KB_D13_REL" >"$more.13"
		_kb_cache_unlock
		_kb_fetch_picks "$more.13"
		_kb_cache_lock
		tc_apt_release bullseye
		KB_APT_OPTS=("${TC_APT_OPTS[@]}")
		hdr11=$(apt-cache "${KB_APT_OPTS[@]}" pkgnames linux-headers-5.10.0- |
			grep -E '^linux-headers-5\.10\.0-[0-9]+-amd64$' | sort -V | tail -n 1)
		[ -n "$hdr11" ] || { _kb_cache_unlock; kb_skip "apt knows no bullseye linux-headers-5.10.0-*-amd64"; }
		REL11=${hdr11#linux-headers-} abi11=${REL11%-amd64}
		common11=$(_kb_d13_dep "$hdr11" linux-headers-) kbuild11=$(_kb_d13_dep "$hdr11" linux-kbuild-)
		img11=linux-image-$REL11-unsigned
		[ -n "$(_kb_d13_field "$img11" Filename)" ] || img11=linux-image-$REL11
		{
			_kb_d13_line bullseye-security "$hdr11" headers "$REL11"
			_kb_d13_line bullseye-security "$common11" headers-common "$abi11"
			_kb_d13_line bullseye-security "$kbuild11" kbuild 5.10
			_kb_d13_line bullseye-security "$img11" image "$REL11"
		} >"$more.11"
		_kb_cache_unlock
		_kb_fetch_picks "$more.11"
		cat "$more.13" "$more.11" >"$more.all"
		mkdir -p "${pf%/*}"
		printf 'REL11=%q\n' "$REL11" >"$pf.env.$$" && mv -f "$pf.env.$$" "$pf.env"
		cp "$more.all" "$pf.tsv.$$" && mv -f "$pf.tsv.$$" "$pf.tsv"
	fi
	cat "$more.all" >>"$picks"
	kb_log "fixtures ready: $((SECONDS - t0)) s ($REL11, $KB_REL_A, $KB_D13_REL, $KB_D7_REL)"

	mirror=$KB_TMP/mirror RL_UPS=$KB_TMP/upstreams lists=$KB_TMP/lists RL_WD=$KB_TMP/work RL_MAN=$KB_TMP/manifest.yml
	_kb_mirror_from_picks "$mirror" "$picks"
	kb_nginx_start "$mirror"
	KB_UPSTREAM_RELEASE=11 kb_upstream_file "$RL_UPS" debian-11-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" bullseye-security
	KB_UPSTREAM_RELEASE=12 kb_upstream_file "$RL_UPS" debian-12-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" bookworm
	KB_UPSTREAM_RELEASE=13 kb_upstream_file "$RL_UPS" debian-13-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" \
		trixie-security trixie-backports
	"$KBUNDLE" -q crawl --upstreams "$RL_UPS" --lists "$lists" --workdir "$RL_WD"
	"$KBUNDLE" -q manifest --upstreams "$RL_UPS" --lists "$lists" -o "$RL_MAN"
	# The shared, key-addressed build roots.
	mkdir -p "$RL_WD" "$KB_TEST_CACHE/toolchain-work/toolchains"
	ln -sfn "$KB_TEST_CACHE/toolchain-work/toolchains" "$RL_WD/toolchains"
	"$KBUNDLE" -q pack --all --manifest "$RL_MAN" --upstreams "$RL_UPS" --workdir "$RL_WD" -j 2
	kb_log "packed: $((SECONDS - t0)) s"
}
