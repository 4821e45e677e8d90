# tests/e2e/lib_rpm.sh — rpm-md fixtures for the end-to-end tests: kernel
# RPMs built at test time with rpmbuild, in the distros' real layouts, filled
# with a real kernel (Debian's 6.1 headers, kbuild and vmlinuz from
# tests/e2e/lib.sh's apt-get download cache), published with createrepo_c.
# Source it after lib.sh:
#
#   . "$KB_SRC/tests/e2e/lib.sh"; . "$KB_SRC/tests/e2e/lib_rpm.sh"
#
#   kb_rpm_build           build (once, into $KB_TEST_CACHE/rpms/<key>/ under the
#                          cache lock) and set:
#     KB_RPM_UNAME         the real Debian uname (6.1.0-N-amd64): kept, so the
#                          kernel and a module's vermagic agree (its two '-' make
#                          rpmbuild warn in the uname provides: real RHEL unames
#                          have one; createrepo_c splits it at the last '-')
#     KB_RPM_VER/KB_RPM_REL  rpm version and release of the RHEL-layout pair
#     KB_RPM_DEVEL, KB_RPM_CORE   RHEL layout: kernel-devel (the full tree in
#                          usr/src/kernels/<uname>, zstd payload) and kernel-core
#                          (vmlinuz in lib/modules/<uname>/, xz payload), both
#                          providing kernel-*-uname-r = <uname>
#     KB_RPM_SUSE_SRC, KB_RPM_SUSE_OBJ   SUSE layout (gzip payloads): kernel-devel
#                          noarch (usr/src/linux-<v>-<r>: the source tree) and
#                          kernel-default-devel (usr/src/linux-<v>-<r>-obj/
#                          x86_64/default, whose Makefile includes the source
#                          tree's, and lib/modules/<suse uname>/build)
#     KB_RPM_SUSE_UNAME    the release kbundle derives for that pair
#   kb_rpm_build_modules   also (once, into $KB_TEST_CACHE/rpms/<key>-modules/) set
#     KB_RPM_MODCORE       RHEL layout: kernel-modules-core, the Debian 6.1 image's
#                          mc.ko and videodev.ko as lib/modules/<uname>/kernel/…/*.ko.xz
#                          (RHEL's shape), providing kernel-modules-core-uname-r = <uname>
#   kb_rpm_repo DIR COMPRESS RPM…  copy RPMs into DIR/Packages and run
#                          createrepo_c with --general-compress-type COMPRESS
#                          (gz, xz, bz2; zstd: gz recompressed, see below)
#   kb_rpm_edit_primary DIR CODE   run python CODE on DIR's primary.xml (gz) as
#                          the str `xml` (`repo` = DIR; `re`, `os`, `hashlib`
#                          imported), write it back and update repomd.xml's
#                          checksums and sizes to match
#   kb_rpm_sign_repomd DIR [KEYNAME]  detached armored repomd.xml.asc with the
#                          throwaway key (lib.sh kb_gpg_key); its binary keyring
#                          is $(kb_gpg_key KEYNAME)/keyring.gpg
#   kb_rpm_upstream_file DIR NAME DISTRO URL KEYRING REPO…  write DIR/NAME.yml
#                          (family rpm-md, x86_64; KEYRING "" = none)

KB_RPM_FIXTURE_VERSION=1

# Kernel trees are ~16,000 small files: stage them on tmpfs when there is one
# (creating files on these disks costs ~0.5 ms each).
_kb_rpm_scratch() { # sets _KB_RPM_SCRATCH (lib.sh's tmpfs, removed when the test exits)
	_KB_RPM_SCRATCH=$(kb_fast_tmpdir)
}

# _kb_rpm_spec NAME VERSION RELEASE ARCH ROOT PROVIDES REQUIRES PAYLOAD FILE…
_kb_rpm_build_one() {
	local name=$1 ver=$2 rel=$3 arch=$4 root=$5 prov=$6 req=$7 payload=$8 out=$9 work spec
	work=$(mktemp -d "$_KB_RPM_SCRATCH/rpmbuild.XXXXXX")
	spec=$work/$name.spec
	{
		echo "Name: $name"; echo "Version: $ver"; echo "Release: $rel"
		echo "Summary: kbundle test fixture shaped like $name"; echo "License: GPL-2.0-only"
		echo "BuildArch: $arch"; echo "AutoReqProv: no"
		[ -z "$prov" ] || echo "Provides: $prov"
		[ -z "$req" ] || echo "Requires: $req"
		echo "%description"; echo "Test fixture: a real Debian kernel laid out like $name."
		echo "%install"
		echo "cp -a $root/. %{buildroot}/"
		echo "%files"
		(cd "$root" && find . -mindepth 1 -maxdepth 1 | sed 's,^\.,/,; s,^//,/,')
	} >"$spec"
	rpmbuild -bb --quiet --define "_topdir $work/top" --define "_build_id_links none" \
		--define "debug_package %{nil}" --define "__spec_install_post %{nil}" \
		--define "__os_install_post %{nil}" --define "_binary_payload $payload" \
		--define "_source_payload $payload" \
		--define "_wrong_version_format_terminate_build 0" \
		--define "_binaries_in_noarch_packages_terminate_build 0" --target "$arch" "$spec" >"$work/log" 2>&1 ||
		{ tail -n 30 "$work/log" >&2; kb_die "rpmbuild $name failed"; }
	mv -f "$work"/top/RPMS/*/*.rpm "$out/"
	rm -rf "$work"
}

# The Debian 6.1 kernel, unpacked: flavour tree, -common tree, kbuild, image.
_kb_rpm_unpack_debian() {
	local d=$1 f
	kb_debian_fetch
	mkdir -p "$d"
	while IFS=$'\t' read -r suite name ver arch kind rel pool file; do
		case "$name=$ver" in
		"$KB_HDR_A=$KB_VER_A" | "$KB_COMMON_A=$KB_VER_A" | "$KB_KBUILD_A=$KB_KBUILD_VER_A")
			dpkg-deb -x "$file" "$d" ;;
		"$KB_IMAGE_A=$KB_VER_A")	# only boot/: the modules are not needed
			dpkg-deb --fsys-tarfile "$file" | tar -x -C "$d" ./boot ;;
		esac
	done <"$KB_DEB_PICKS"
	for f in "usr/src/linux-headers-$KB_REL_A/Makefile" "usr/src/linux-headers-$KB_ABI_A-common/Makefile" \
		"usr/lib/$KB_KBUILD_A/scripts" "boot/vmlinuz-$KB_REL_A"; do
		[ -e "$d/$f" ] || kb_die "the Debian packages lack $f"
	done
}

# _kb_rpm_objtree SRC DEST — Debian's flavour tree as a real objtree: its
# scripts/ and tools/ links into kbuild replaced by kbuild's files.
_kb_rpm_objtree() {
	local deb=$1 dest=$2 flav=$1/usr/src/linux-headers-$KB_REL_A kb=$1/usr/lib/$KB_KBUILD_A e
	mkdir -p "$dest"
	for e in "$flav"/* "$flav"/.[!.]*; do
		case ${e##*/} in scripts | tools) ;; *) cp -a "$e" "$dest/" ;; esac
	done
	cp -a "$kb/scripts" "$dest/scripts"
	cp -a "$kb/tools" "$dest/tools"
	[ ! -d "$kb/certs" ] || cp -a "$kb/certs" "$dest/"
}

# RHEL: one complete tree where srctree = objtree: -common, kbuild's built
# scripts and tools over it, the flavour's generated files on top, and the
# real top Makefile (not the flavour's one-line include).
_kb_rpm_rhel_tree() {
	local deb=$1 dest=$2 common=$1/usr/src/linux-headers-$KB_ABI_A-common
	mkdir -p "$dest"
	cp -a "$common/." "$dest/"
	rm -rf "$dest/scripts" "$dest/tools"	# links into kbuild, or its sources: kbuild has both
	_kb_rpm_objtree "$deb" "$_KB_RPM_SCRATCH/rhel-obj"
	cp -a "$_KB_RPM_SCRATCH/rhel-obj/." "$dest/"
	cp -a "$common/Makefile" "$dest/Makefile"
	rm -rf "$_KB_RPM_SCRATCH/rhel-obj"
}

kb_rpm_build() {
	[ -n "${KB_RPM_DEVEL:-}" ] && return 0
	kb_need rpmbuild createrepo_c dpkg-deb
	kb_debian_pick
	local key dir deb u=$KB_REL_A v r sv sr sdir
	KB_RPM_UNAME=$u
	# 6.1.0-56-amd64 → version 6.1.0, release 56.1.el9 (a RHEL-like EVR)
	v=${KB_ABI_A%-*} r=${KB_ABI_A##*-}
	KB_RPM_VER=$v KB_RPM_REL=$r.1.el9
	sv=$v sr=$r.1 sdir=linux-$sv-$r
	KB_RPM_SUSE_UNAME=$sv-$r-default
	key=$u-$KB_VER_A-f$KB_RPM_FIXTURE_VERSION
	dir=$KB_TEST_CACHE/rpms/$key
	KB_RPM_DEVEL=$dir/kernel-devel-$v-$KB_RPM_REL.x86_64.rpm
	KB_RPM_CORE=$dir/kernel-core-$v-$KB_RPM_REL.x86_64.rpm
	KB_RPM_SUSE_SRC=$dir/kernel-devel-$sv-$sr.noarch.rpm
	KB_RPM_SUSE_OBJ=$dir/kernel-default-devel-$sv-$sr.x86_64.rpm
	export KB_RPM_UNAME KB_RPM_VER KB_RPM_REL KB_RPM_DEVEL KB_RPM_CORE KB_RPM_SUSE_SRC \
		KB_RPM_SUSE_OBJ KB_RPM_SUSE_UNAME
	[ -f "$dir/.complete" ] && return 0
	_kb_cache_lock
	if [ ! -f "$dir/.complete" ]; then
		kb_log "building kernel RPMs for $u (once; cached in $dir)"
		_kb_rpm_scratch
		local build=$_KB_RPM_SCRATCH/roots
		deb=$_KB_RPM_SCRATCH/debian
		_kb_rpm_unpack_debian "$deb"
		rm -rf "$dir" && mkdir -p "$dir.tmp"
		# RHEL kernel-devel: usr/src/kernels/<uname>; zstd payload.
		_kb_rpm_rhel_tree "$deb" "$build/devel/usr/src/kernels/$u"
		_kb_rpm_build_one kernel-devel "$v" "$KB_RPM_REL" x86_64 "$build/devel" \
			"kernel-devel-uname-r = $u" "" w3.zstdio "$dir.tmp"
		# RHEL kernel-core: lib/modules/<uname>/vmlinuz (+ config, System.map); xz payload.
		mkdir -p "$build/core/lib/modules/$u"
		cp "$deb/boot/vmlinuz-$u" "$build/core/lib/modules/$u/vmlinuz"
		cp "$deb/boot/config-$u" "$build/core/lib/modules/$u/config"
		cp "$deb/boot/System.map-$u" "$build/core/lib/modules/$u/System.map"
		_kb_rpm_build_one kernel-core "$v" "$KB_RPM_REL" x86_64 "$build/core" \
			"kernel-uname-r = $u" "" w2.xzdio "$dir.tmp"
		# SUSE: the source tree (noarch) and the -obj tree (arch); gzip payloads.
		mkdir -p "$build/suse-src/usr/src"
		cp -a "$deb/usr/src/linux-headers-$KB_ABI_A-common" "$build/suse-src/usr/src/$sdir"
		rm -rf "$build/suse-src/usr/src/$sdir/scripts" "$build/suse-src/usr/src/$sdir/tools"
		cp -a "$deb/usr/lib/$KB_KBUILD_A/scripts" "$deb/usr/lib/$KB_KBUILD_A/tools" \
			"$build/suse-src/usr/src/$sdir/"
		_kb_rpm_build_one kernel-devel "$sv" "$sr" noarch "$build/suse-src" "" "" w1.gzdio "$dir.tmp"
		_kb_rpm_objtree "$deb" "$build/suse-obj/usr/src/$sdir-obj/x86_64/default"
		printf '# Automatically generated by /usr/src/%s/Makefile: don'"'"'t edit\ninclude /usr/src/%s/Makefile\n' \
			"$sdir" "$sdir" >"$build/suse-obj/usr/src/$sdir-obj/x86_64/default/Makefile"
		mkdir -p "$build/suse-obj/lib/modules/$KB_RPM_SUSE_UNAME"
		ln -s "/usr/src/$sdir-obj/x86_64/default" "$build/suse-obj/lib/modules/$KB_RPM_SUSE_UNAME/build"
		ln -s "/usr/src/$sdir" "$build/suse-obj/lib/modules/$KB_RPM_SUSE_UNAME/source"
		_kb_rpm_build_one kernel-default-devel "$sv" "$sr" x86_64 "$build/suse-obj" "" \
			"kernel-devel = $sv-$sr" w1.gzdio "$dir.tmp"
		rm -rf "$build" "$deb"
		touch "$dir.tmp/.complete"
		mv "$dir.tmp" "$dir"
	fi
	_kb_cache_unlock
	local f
	for f in "$KB_RPM_DEVEL" "$KB_RPM_CORE" "$KB_RPM_SUSE_SRC" "$KB_RPM_SUSE_OBJ"; do
		[ -f "$f" ] || kb_die "fixture RPM $f was not built"
	done
}

kb_rpm_build_modules() {
	kb_rpm_build
	kb_debian_fetch
	local dir=${KB_RPM_CORE%/*}-modules root img
	KB_RPM_MODCORE=$dir/kernel-modules-core-$KB_RPM_VER-$KB_RPM_REL.x86_64.rpm
	export KB_RPM_MODCORE
	[ -f "$dir/.complete" ] && return 0
	_kb_cache_lock
	if [ ! -f "$dir/.complete" ]; then
		_kb_rpm_scratch
		root=$_KB_RPM_SCRATCH/modcore
		img=$(kb_deb_file "$KB_IMAGE_A" "$KB_VER_A")
		mkdir -p "$root"
		dpkg-deb --fsys-tarfile "$img" | tar -x -C "$root" --wildcards \
			"./lib/modules/$KB_RPM_UNAME/kernel/drivers/media/mc/mc.ko" \
			"./lib/modules/$KB_RPM_UNAME/kernel/drivers/media/v4l2-core/videodev.ko"
		find "$root" -name '*.ko' -exec xz --check=crc32 {} +
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		_kb_rpm_build_one kernel-modules-core "$KB_RPM_VER" "$KB_RPM_REL" x86_64 "$root" \
			"kernel-modules-core-uname-r = $KB_RPM_UNAME" "" w2.xzdio "$dir.tmp"
		rm -rf "$root"
		touch "$dir.tmp/.complete"
		mv "$dir.tmp" "$dir"
	fi
	_kb_cache_unlock
	[ -f "$KB_RPM_MODCORE" ] || kb_die "fixture RPM $KB_RPM_MODCORE was not built"
}

kb_rpm_repo() {
	local dir=$1 comp=$2 native=$2
	shift 2
	mkdir -p "$dir/Packages"
	cp "$@" "$dir/Packages/"
	# Debian 12's createrepo_c (0.17) predates zstd metadata (Fedora's default
	# since 40): make gzip and recompress primary the way newer ones write it.
	[ "$comp" = zstd ] && native=gz
	createrepo_c --quiet --no-database --general-compress-type "$native" "$dir" >/dev/null ||
		kb_die "createrepo_c failed on $dir"
	[ "$comp" = zstd ] && _kb_rpm_primary_zstd "$dir"
	return 0
}

# Replace DIR's primary.xml.gz by a .zst and update repomd.xml to match.
_kb_rpm_primary_zstd() {
	kb_need zstd
	python3 - "$1" <<'EOP' || kb_die "could not recompress $1's primary with zstd"
import hashlib, os, subprocess, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
ns = {"r": "http://linux.duke.edu/metadata/repo"}
ET.register_namespace("", ns["r"])
ET.register_namespace("rpm", "http://linux.duke.edu/metadata/rpm")
tree = ET.parse(os.path.join(d, "repodata/repomd.xml"))
for data in tree.getroot().findall("r:data", ns):
    if data.get("type") != "primary":
        continue
    loc = data.find("r:location", ns)
    old = os.path.join(d, loc.get("href"))
    raw = subprocess.run(["gzip", "-dc", old], check=True, capture_output=True).stdout
    z = subprocess.run(["zstd", "-q", "-19", "-c"], input=raw, check=True, capture_output=True).stdout
    sha = hashlib.sha256(z).hexdigest()
    href = "repodata/%s-primary.xml.zst" % sha
    open(os.path.join(d, href), "wb").write(z)
    os.unlink(old)
    loc.set("href", href)
    data.find("r:checksum", ns).text = sha
    data.find("r:size", ns).text = str(len(z))
tree.write(os.path.join(d, "repodata/repomd.xml"), xml_declaration=True, encoding="UTF-8")
EOP
}

kb_rpm_edit_primary() {
	python3 - "$1" "$2" <<'EOP' || kb_die "could not edit $1's primary"
import gzip, hashlib, os, re, sys
repo, code = sys.argv[1], sys.argv[2]
repomd = open(repo + "/repodata/repomd.xml").read()
ppath = repo + "/" + re.search(r'<data type="primary">.*?<location href="([^"]+)"', repomd, re.S).group(1)
env = {"xml": gzip.open(ppath).read().decode(), "repo": repo, "re": re, "os": os, "hashlib": hashlib}
exec(code, env)
raw = env["xml"].encode()
z = gzip.compress(raw)
open(ppath, "wb").write(z)
def sub(tag, val, s):
    return re.sub(r'(<data type="primary">.*?<%s[^>]*>)[^<]*' % tag, r'\g<1>' + val, s, count=1, flags=re.S)
for tag, val in (("checksum", hashlib.sha256(z).hexdigest()), ("open-checksum", hashlib.sha256(raw).hexdigest()),
                 ("size", str(len(z))), ("open-size", str(len(raw)))):
    repomd = sub(tag, val, repomd)
open(repo + "/repodata/repomd.xml", "w").write(repomd)
EOP
}

kb_rpm_sign_repomd() {
	local dir=$1 home
	home=$(kb_gpg_key "${2:-archive}")
	gpg --homedir "$home" --batch --quiet --yes --detach-sign --armor \
		-o "$dir/repodata/repomd.xml.asc" "$dir/repodata/repomd.xml"
}

kb_rpm_upstream_file() { # lib.sh's kb_upstream_file, for rpm-md on x86_64
	local dir=$1 name=$2 distro=$3 url=$4 keyring=${5:-none}
	shift 5
	KB_UPSTREAM_FAMILY=rpm-md KB_UPSTREAM_ARCHS=x86_64 \
		kb_upstream_file "$dir" "$name" "$distro" "$url" "$keyring" "$@"
}
