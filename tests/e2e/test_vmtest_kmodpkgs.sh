#!/usr/bin/env bash
# test_vmtest_kmodpkgs — in-tree dependencies from a separate modules
# package, on the real 7.x kernel of trixie-backports: its linux-image-R
# depends on linux-binary-R (the kernel) and linux-modules-R (~100 MB, every
# module, .ko.xz). Through crawl, manifest and pack (the 7.x entry's images
# are the binary and the modules package), then two vmtest runs:
#  1. a module that depends on nothing: it loads, and the modules package
#     is NOT downloaded (not in the work directory's cache);
#  2. tests/modules/vdep (videodev's exports): the modules package is
#     fetched through the cache, videodev and mc are taken from it,
#     decompressed on the host, loaded first; the initramfs holds those two
#     and no other module of the kernel's.
# The kernel was built by gcc-14: the modules are built in the cached trixie
# build root by hand (kbundle toolchain exec, as test_toolchain_root.sh) and
# handed to vmtest as DKMS trees whose MAKE[0] copies the prebuilt .ko.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_need mmdebstrap bwrap cpio modinfo
kb_debian13_modules_fetch
kb_log "fixtures ready: ${SECONDS} s ($KB_D7_REL, $KB_D7_MODULES)"

mirror=$KB_TMP/mirror ups=$KB_TMP/upstreams wd=$KB_TMP/wd man=$KB_TMP/manifest.yml
cat "$KB_D13_PICKS" "$KB_D7_MODPICKS" >"$KB_TMP/picks.tsv"
_kb_mirror_from_picks "$mirror" "$KB_TMP/picks.tsv"
kb_nginx_start "$mirror"
KB_UPSTREAM_RELEASE=13 kb_upstream_file "$ups" debian-13-e2e debian "$KB_NGINX_URL" "$KB_KEYRING" \
	"${KB_D13_SUITES[@]}"
"$KBUNDLE" -q crawl --upstreams "$ups" --lists "$KB_TMP/lists" --workdir "$wd" debian-13-e2e
"$KBUNDLE" -q manifest --upstreams "$ups" --lists "$KB_TMP/lists" -o "$man"
sel=(--manifest "$man" --upstreams "$ups" --workdir "$wd" --release "^${KB_D7_REL//+/\\+}\$")
python3 - "$man" <<'PY' || kb_die "the 7.x entry's images are not the binary and the modules package"
import os, sys, yaml
b = [x for x in yaml.safe_load(open(sys.argv[1]))["bundles"] if x["release"] == os.environ["KB_D7_REL"]][0]
imgs = sorted((p["name"], p["kind"]) for p in b["images"])
assert imgs == sorted([(os.environ["KB_D7_BINARY"], "image"), (os.environ["KB_D7_MODULES"], "modules")]), imgs
PY
"$KBUNDLE" -q pack "${sel[@]}"
modsha=$(awk -F'\t' '{ print $8 }' "$KB_D7_MODPICKS" | xargs sha256sum | cut -d' ' -f1)
modobj=$wd/cache/objects/${modsha:0:2}/$modsha

# The modules, built with the kernel's compiler in the cached trixie root.
tree=$(kb_fast_tmpdir)
tar -xzf "$wd/bundles/$(pack_index_id "$wd/bundles/index.json" "$KB_D7_REL").tgz" -C "$tree"
[ "$(cat "$tree/BUNDLE_COMPILER")" = gcc-14 ] || kb_die "BUNDLE_COMPILER is $(cat "$tree/BUNDLE_COMPILER")"
bdir=$tree/$(cat "$tree/BUNDLE_BUILD_DIR")
mods=$(kb_fast_tmpdir)
kb_test_module "$mods/nodep" kbnodep
cp -r "$KB_SRC/tests/modules/vdep" "$mods/vdep"
for m in nodep vdep; do
	"$KBUNDLE" toolchain --workdir "$KB_TEST_CACHE/toolchain-work" exec --root --bind "$tree" \
		--bind "$mods/$m" gcc-14 -- make -C "$bdir" M="$mods/$m" modules >"$KB_TMP/build-$m.log" 2>&1 ||
		{ cat "$KB_TMP/build-$m.log" >&2; kb_die "$m: the build in the trixie root failed"; }
done
[ "$(modinfo -F depends "$mods/vdep/vdep.ko")" = videodev ] ||
	kb_die "vdep.ko depends on '$(modinfo -F depends "$mods/vdep/vdep.ko")', want videodev"
[ -z "$(modinfo -F depends "$mods/nodep/kbnodep.ko")" ] || kb_die "kbnodep.ko depends on something"
# dkms_unit NAME KO [CHECK] — a DKMS tree whose MAKE[0] copies the prebuilt KO
dkms_unit() {
	local d=$KB_TMP/units/$1 ko=${2##*/}
	mkdir -p "$d/prebuilt"
	cp "$2" "$d/prebuilt/"
	[ -z "${3:-}" ] || cp "$3" "$d/check.sh"
	cat >"$d/dkms.conf" <<EOF
PACKAGE_NAME="$1"
PACKAGE_VERSION="1"
MAKE[0]="cp prebuilt/$ko ."
BUILT_MODULE_NAME[0]="${ko%.ko}"
DEST_MODULE_LOCATION[0]="/updates/dkms"
EOF
	echo "$d"
}
u_nodep=$(dkms_unit kbnodep "$mods/nodep/kbnodep.ko")
u_vdep=$(dkms_unit vdep "$mods/vdep/vdep.ko" "$KB_SRC/tests/modules/vdep/check.sh")

# run N UNIT… — vmtest over the 7.x entry with these units; sets rc, out, tree
run() {
	local n=$1 u args=()
	shift
	for u in "$@"; do args+=(--module "$u"); done
	rc=0
	start=$SECONDS
	"$KBUNDLE" -v vmtest "${sel[@]}" --accel tcg --timeout 300 --keep "${args[@]}" \
		--json "$KB_TMP/r$n.json" >"$KB_TMP/out$n.txt" 2>"$KB_TMP/err$n.txt" || rc=$?
	secs=$((SECONDS - start))
	cat "$KB_TMP/out$n.txt"
	tree=$(sed -n 's/.*keeping the work tree \(.*\)$/\1/p' "$KB_TMP/err$n.txt" | head -n 1)
	[ -n "$tree" ] && kb_on_exit rm -rf "$tree"
	[ -d "$tree" ] || { cat "$KB_TMP/err$n.txt"; kb_die "run $n: no kept work tree (exit $rc)"; }
	# The built-in module is built on the host (gcc-12) until vmtest builds in
	# build roots: its failure is the only one allowed.
	[ $rc = 0 ] || { [ $rc = 1 ] && [[ $(vmtest_check "$KB_TMP/r$n.json" "$KB_D7_REL" kbundle_test build) == fail* ]]; } ||
		{ cat "$KB_TMP/err$n.txt"; kb_die "run $n: vmtest exit $rc"; }
	kb_log "run $n: built-in module: $(vmtest_check "$KB_TMP/r$n.json" "$KB_D7_REL" kbundle_test build | cut -c1-160)"
}
all_pass() { # RUN UNIT
	local chk st
	for chk in build vermagic boot insmod loaded selftest rmmod oops warning taint; do
		st=$(vmtest_check "$KB_TMP/r$1.json" "$KB_D7_REL" "$2" $chk)
		case $chk:${st%%$'\t'*} in
		*:pass | selftest:skip) ;;
		*) cat "$KB_TMP/err$1.txt" >&2; kb_die "run $1: $2: check $chk is not pass: $st" ;;
		esac
	done
}
kernel_mods() { cpio -it <"$1" 2>/dev/null | grep '^k/' | LC_ALL=C sort | tr '\n' ' '; }

# 1. Nothing to depend on: the 100 MB package stays on the mirror.
run 1 "$u_nodep"
all_pass 1 kbnodep
[ ! -e "$modobj" ] || kb_die "run 1: $KB_D7_MODULES was downloaded for a module that depends on nothing"
[ -z "$(kernel_mods "$tree"/k0/initrd.cpio)" ] || kb_die "run 1: kernel modules in the initramfs"
kb_log "run 1: $(stat -c %s "$tree"/k0/initrd.cpio)-byte initramfs, ${secs} s, modules package not fetched"

# 2. vdep: videodev and mc from linux-modules-R.
run 2 "$u_nodep" "$u_vdep"
all_pass 2 kbnodep
all_pass 2 vdep
[ "$(vmtest_check "$KB_TMP/r2.json" "$KB_D7_REL" vdep selftest | cut -f1)" = pass ] ||
	kb_die "run 2: vdep's check.sh did not pass"
[ -f "$modobj" ] || kb_die "run 2: $KB_D7_MODULES is not in the cache"
grep -q "the kernel's modules packages: 1 in the cache, 1 downloaded" "$KB_TMP/err2.txt" ||
	kb_die "run 2: the log does not say the modules package was fetched"
ks=$(kernel_mods "$tree"/k0/initrd.cpio)
[ "$ks" = "k/mc.ko k/videodev.ko " ] || kb_die "run 2: the kernel's modules in the initramfs: '$ks'"
for k in mc videodev; do
	f=$wd/cache/kernels/$(ls "$wd/cache/kernels")/kmods-$KB_D7_REL/$k.ko
	[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || kb_die "$f: not decompressed to ELF"
done
kb_log "run 2: $(stat -c %s "$tree"/k0/initrd.cpio)-byte initramfs (run 1: see above), ${secs} s;" \
	"$(grep -o 'dependencies ready.*' "$KB_TMP/err2.txt" | head -n 1)"
grep -E 'modules of .* indexed|modules packages' "$KB_TMP/err2.txt" >&2 || true
echo ok
