#!/usr/bin/env bash
# test_vmtest_rpm_kmods — in-tree dependencies in the RHEL layout: the
# kernel in kernel-core (lib/modules/<uname>/vmlinuz), its modules in
# kernel-modules-core (lib/modules/<uname>/kernel/…/*.ko.xz), both built at
# test time from the real Debian 6.1 kernel (tests/e2e/lib_rpm.sh). Through
# crawl, manifest (the entry's images: kernel-core, kind image, and
# kernel-modules-core, kind modules) and pack; vmtest then loads
# tests/modules/vdep, whose videodev and mc come from kernel-modules-core,
# fetched through the cache and decompressed on the host. The initramfs
# holds those two and no other module of the kernel's.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/lib_rpm.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_need rpmbuild createrepo_c gpg gpgv modinfo cpio xz
kb_rpm_build_modules
u=$KB_RPM_UNAME
M=$KB_TMP/mirror UPS=$KB_TMP/upstreams WD=$KB_TMP/wd LISTS=$KB_TMP/lists
kb_rpm_repo "$M/el/x86_64/os" gz "$KB_RPM_DEVEL" "$KB_RPM_CORE" "$KB_RPM_MODCORE"
kb_rpm_sign_repomd "$M/el/x86_64/os"
kb_nginx_start "$M"
kb_rpm_upstream_file "$UPS" el-test centos "$KB_NGINX_URL" "$(kb_gpg_key)/keyring.gpg" 'el/$arch/os'
"$KBUNDLE" -q crawl --upstreams "$UPS" --lists "$LISTS" --workdir "$WD" || kb_die "crawl failed"
"$KBUNDLE" -q manifest --upstreams "$UPS" --lists "$LISTS" -o "$KB_TMP/manifest.yml"
python3 - "$KB_TMP/manifest.yml" <<'PY' || kb_die "the entry's images are not kernel-core + kernel-modules-core"
import sys, yaml
b = yaml.safe_load(open(sys.argv[1]))["bundles"][0]
imgs = [(p["name"], p["kind"]) for p in b["images"]]
assert imgs == [("kernel-core", "image"), ("kernel-modules-core", "modules")], imgs
PY
rc=0
"$KBUNDLE" -v vmtest --all --manifest "$KB_TMP/manifest.yml" --upstreams "$UPS" --workdir "$WD" \
	--accel tcg --timeout 200 --keep --module "$KB_SRC/tests/modules/vdep" \
	--json "$KB_TMP/r.json" >"$KB_TMP/out.txt" 2>"$KB_TMP/err.txt" || rc=$?
cat "$KB_TMP/out.txt"
tree=$(sed -n 's/.*keeping the work tree \(.*\)$/\1/p' "$KB_TMP/err.txt" | head -n 1)
[ -n "$tree" ] && kb_on_exit rm -rf "$tree"
[ $rc = 0 ] || { cat "$KB_TMP/err.txt"; kb_die "vmtest: exit $rc"; }
for m in kbundle_test vdep; do
	for chk in build vermagic boot insmod loaded selftest rmmod oops warning taint; do
		st=$(vmtest_check "$KB_TMP/r.json" "$u" $m $chk)
		case $chk:${st%%$'\t'*} in
		*:pass | selftest:skip) ;;
		*) kb_die "$m: check $chk is not pass: $st" ;;
		esac
	done
done
[ "$(vmtest_check "$KB_TMP/r.json" "$u" vdep selftest | cut -f1)" = pass ] || kb_die "vdep's check.sh did not pass"
grep -q "the kernel's modules packages: 1 in the cache, 1 downloaded" "$KB_TMP/err.txt" ||
	kb_die "the log does not say kernel-modules-core was fetched"
ks=$(cpio -it <"$tree"/k0/initrd.cpio 2>/dev/null | grep '^k/' | LC_ALL=C sort | tr '\n' ' ')
[ "$ks" = "k/mc.ko k/videodev.ko " ] || kb_die "the kernel's modules in the initramfs: '$ks'"
kb_log "$u: $(stat -c %s "$tree"/k0/initrd.cpio)-byte initramfs; kernel modules in it: $ks"
echo ok
