# tests/e2e/toolchain_lib.sh — helpers for build-root tests and benchmarks
# (sourced after lib.sh).
#
#   tc_apt_release CODENAME   a private apt configuration for a Debian release
#                   this machine's apt does not list, on the mirror apt uses
#                   (taken from apt itself, never written here), its lists
#                   cached in $KB_TEST_CACHE/apt-CODENAME; sets TC_APT_OPTS
#                   (an array of apt-get/apt-cache -o options). Call with the
#                   cache lock held. TC_APT_ARCHS="amd64 arm64" adds other
#                   architectures (their lists in $KB_TEST_CACHE/apt-CODENAME-amd64-arm64).
#   tc_fetch PKG…   download the candidate of each PKG (TC_APT_OPTS) into
#                   $KB_TEST_CACHE/debs once; sets TC_DEBS (their files).
#                   Call with the cache lock held.
#   tc_tree DIR DEB…  extract the packages into DIR and make the tree
#                   self-contained the way pack does, for a tree bound at its
#                   own path inside a root: absolute links and the Makefile's
#                   include point into DIR.

tc_apt_release() {
	local rel=$1 dir=$KB_TEST_CACHE/apt-$1${TC_APT_ARCHS:+-${TC_APT_ARCHS// /-}} uri suri a
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$2 !~ /-security$/ { print $1; exit }')
	suri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$2 ~ /-security$/ { print $1; exit }')
	[ -n "$uri" ] || { _kb_cache_unlock; kb_skip "apt has no Debian mirror configured"; }
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	{
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $rel main"
		[ -z "$suri" ] ||
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $suri $rel-security main"
	} >"$dir/sources.list"
	TC_APT_OPTS=(-o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" -o APT::Sandbox::User=root)
	for a in ${TC_APT_ARCHS:-}; do TC_APT_OPTS+=(-o APT::Architectures::="$a"); done
	if [ -z "$(find "$dir/lists" -name "*_${rel}_*Packages*" -mtime -7 2>/dev/null)" ]; then
		apt-get "${TC_APT_OPTS[@]}" -q=2 update >&2 ||
			{ _kb_cache_unlock; kb_skip "apt-get update ($rel) failed"; }
	fi
}

tc_fetch() {
	local p ver arch f
	mkdir -p "$KB_TEST_CACHE/debs"
	TC_DEBS=()
	for p in "$@"; do
		ver=$(apt-cache "${TC_APT_OPTS[@]}" show "$p" | awk '$1 == "Version:" { print $2; exit }')
		arch=$(apt-cache "${TC_APT_OPTS[@]}" show "$p" | awk '$1 == "Architecture:" { print $2; exit }')
		[ -n "$ver" ] || { _kb_cache_unlock; kb_skip "apt knows no $p"; }
		f=$KB_TEST_CACHE/debs/${p}_${ver//:/%3a}_$arch.deb
		if [ ! -f "$f" ]; then
			kb_log "downloading $p $ver"
			(cd "$KB_TMP" && apt-get "${TC_APT_OPTS[@]}" download -q=2 "$p=$ver") >&2 ||
				{ _kb_cache_unlock; kb_skip "apt-get download $p=$ver failed"; }
			mv -f "$KB_TMP/${p}_"*.deb "$f"
		fi
		TC_DEBS+=("$f")
	done
}

tc_tree() {
	local dir=$1 f l
	shift
	for f in "$@"; do dpkg-deb -x "$f" "$dir"; done
	find "$dir" -type l -lname '/*' | while read -r l; do ln -sfn "$dir$(readlink "$l")" "$l"; done
	for f in "$dir"/usr/src/linux-headers-*/Makefile; do
		sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$f"
	done
}
