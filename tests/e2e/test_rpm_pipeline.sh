#!/usr/bin/env bash
# test_rpm_pipeline — the whole pipeline on rpm-md repositories built at test
# time from a real kernel (tests/e2e/lib_rpm.sh): a RHEL-layout repository
# (kernel-devel + kernel-core, gzip metadata, repomd.xml signed and checked
# with gpgv) and a SUSE-layout one (kernel-devel noarch + kernel-default-devel,
# zstd metadata), and an Amazon Linux 2023 layout (mirror.list naming the
# repository, packages in a shared blobstore behind '../' hrefs, crawled only).
# crawl → manifest → pack: both bundles build a module; the
# SUSE pair becomes one tree. vmtest boots the vmlinuz that kernel-core keeps
# in lib/modules/<uname>/ and loads the module built against the RHEL bundle.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/lib_rpm.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
kb_need rpmbuild createrepo_c nginx gpg gpgv make gcc modinfo python3
kb_rpm_build
u=$KB_RPM_UNAME su=$KB_RPM_SUSE_UNAME

M=$KB_TMP/mirror
kb_rpm_repo "$M/el/x86_64/os" gz "$KB_RPM_DEVEL" "$KB_RPM_CORE"
kb_rpm_sign_repomd "$M/el/x86_64/os"
kb_rpm_repo "$M/suse/repo/oss" zstd "$KB_RPM_SUSE_SRC" "$KB_RPM_SUSE_OBJ"
A=$M/al2023/core/guids/0a1b2c3d/x86_64
kb_rpm_repo "$A" gz "$KB_RPM_DEVEL"
kb_rpm_edit_primary "$A" "
for name in os.listdir(repo + '/Packages'):
    sha = hashlib.sha256(open(repo + '/Packages/' + name, 'rb').read()).hexdigest()
    blob = repo + '/../../../../blobstore/' + sha
    os.makedirs(blob)
    os.rename(repo + '/Packages/' + name, blob + '/' + name)
    xml = xml.replace('href=\"Packages/' + name, 'href=\"../../../../blobstore/' + sha + '/' + name)"
kb_nginx_start "$M"
mkdir -p "$M/al2023/core/mirrors/latest/x86_64"
echo "$KB_NGINX_URL/al2023/core/guids/0a1b2c3d/x86_64/" >"$M/al2023/core/mirrors/latest/x86_64/mirror.list"
UPS=$KB_TMP/upstreams WD=$KB_TMP/wd LISTS=$KB_TMP/lists
kb_rpm_upstream_file "$KB_TMP/al-up" al-test amazonlinux "$KB_NGINX_URL" "" 'al2023/core/mirrors/latest/$arch/mirror.list'
"$KBUNDLE" -q crawl --upstreams "$KB_TMP/al-up" --lists "$KB_TMP/al-lists" --workdir "$WD" || kb_die "crawling the Amazon Linux layout failed"
sha=$(kb_sha256 "$KB_RPM_DEVEL")
grep -qF "al2023/blobstore/$sha/${KB_RPM_DEVEL##*/}" "$KB_TMP/al-lists/al-test.list" ||
	{ cat "$KB_TMP/al-lists/al-test.list"; kb_die "the Amazon Linux list lacks the blobstore path"; }
curl -sf -o /dev/null "$KB_NGINX_URL/al2023/blobstore/$sha/${KB_RPM_DEVEL##*/}" || kb_die "the listed path is not on the mirror"

kb_rpm_upstream_file "$UPS" el-test centos "$KB_NGINX_URL" "$(kb_gpg_key)/keyring.gpg" 'el/$arch/os'
kb_rpm_upstream_file "$UPS" suse-test opensuse "$KB_NGINX_URL" "" 'suse/repo/oss'

# crawl: the signature and the primary in each compression were fetched
"$KBUNDLE" -q crawl --upstreams "$UPS" --lists "$LISTS" --workdir "$WD" || kb_die "crawl failed"
grep -q '"GET /el/x86_64/os/repodata/repomd.xml.asc ' "$KB_NGINX_ACCESS_LOG" || kb_die "repomd.xml.asc not fetched"
grep -qE '"GET /el/x86_64/os/repodata/[0-9a-f]{64}-primary.xml.gz ' "$KB_NGINX_ACCESS_LOG" || kb_die "no gzip primary fetched"
grep -qE '"GET /suse/repo/oss/repodata/[0-9a-f]{64}-primary.xml.zst ' "$KB_NGINX_ACCESS_LOG" || kb_die "no zstd primary fetched"
list_has() { # LIST NAME ARCH KIND RELEASE
	awk -F'\t' -v n="$2" -v a="$3" -v k="$4" -v r="$5" '$1 == n && $3 == a && $4 == k && $5 == r && $12 == 1 { f = 1 } END { exit !f }' \
		"$LISTS/$1.list" || { cat "$LISTS/$1.list"; kb_die "$1.list lacks $2 $3 $4 $5"; }
}
list_has el-test kernel-devel x86_64 devel "$u"
list_has el-test kernel-core x86_64 image "$u"
list_has suse-test kernel-default-devel x86_64 devel "$su"
list_has suse-test kernel-devel noarch headers-common "${su%-default}"
[ "$(grep -c . "$LISTS/el-test.list")" -eq 3 ] && [ "$(grep -c . "$LISTS/suse-test.list")" -eq 3 ] ||
	kb_die "the lists hold other packages than the four kernel packages"

# manifest: one bundle each; SUSE's has both halves
"$KBUNDLE" -q manifest --upstreams "$UPS" --lists "$LISTS" -o "$KB_TMP/manifest.yml" || kb_die "manifest failed"
python3 - "$KB_TMP/manifest.yml" "$u" "$su" <<'EOP' || kb_die "the manifest does not group the rpm packages as expected"
import sys, yaml
m = yaml.safe_load(open(sys.argv[1]))
b = {x["release"]: x for x in m["bundles"]}
assert set(b) == {sys.argv[2], sys.argv[3]}, b.keys()
el, su = b[sys.argv[2]], b[sys.argv[3]]
assert [h["name"] for h in el["headers"]] == ["kernel-devel"], el
assert [i["name"] for i in el["images"]] == ["kernel-core"], el
assert sorted(h["name"] for h in su["headers"]) == ["kernel-default-devel", "kernel-devel"], su
EOP

# pack: each bundle is rooted at usr/src/kernels/<uname> and builds a module
"$KBUNDLE" -q pack --all --manifest "$KB_TMP/manifest.yml" --upstreams "$UPS" --workdir "$WD" -j 2 ||
	kb_die "pack failed"
bundle_of() { # RELEASE — its .tgz, from index.json
	python3 - "$WD/bundles" "$1" <<'EOP'
import json, sys
for b in json.load(open(sys.argv[1] + "/index.json"))["bundles"]:
    if b.get("uname", b.get("release")) == sys.argv[2]:
        print(sys.argv[1] + "/" + b["id"] + ".tgz")
        break
else:
    sys.exit("index.json lists no bundle for " + sys.argv[2])
EOP
}
S=$(kb_fast_tmpdir)
for rel in "$u" "$su"; do
	tgz=$(bundle_of "$rel")
	vm=$(pack_build_module "$tgz" "$S/$rel")
	[ "$(cat "$S/$rel/root/BUNDLE_BUILD_DIR")" = "usr/src/kernels/$rel" ] ||
		kb_die "$rel: BUNDLE_BUILD_DIR is $(cat "$S/$rel/root/BUNDLE_BUILD_DIR")"
	[ "$(cat "$S/$rel/root/BUNDLE_UNAME")" = "$rel" ] || kb_die "$rel: BUNDLE_UNAME is wrong"
	[ "${vm%% *}" = "$u" ] || kb_die "$rel: the module's vermagic is '$vm', not for $u"
	# self-contained: no absolute or escaping symlink, nothing but the tree and meta files
	(cd "$S/$rel/root" && find . -type l -lname '/*' | grep -q .) && kb_die "$rel: absolute symlinks"
	extra=$(cd "$S/$rel/root" && ls -A | grep -vE '^(BUNDLE_[A-Z_]+|bundle\.json|usr)$' || true)
	[ -z "$extra" ] || kb_die "$rel: unexpected top-level entries: $extra"
	rm -rf "$S/$rel"
done

# vmtest: boot RHEL's kernel-core vmlinuz, load the module
if [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 && command -v qemu-system-x86_64 >/dev/null; then
	"$KBUNDLE" vmtest --all --manifest "$KB_TMP/manifest.yml" --upstreams "$UPS" --workdir "$WD" \
		--accel tcg --timeout 150 --release "^${u//./\\.}\$" --json "$KB_TMP/r.json" \
		--junit "$KB_TMP/r.xml" >"$KB_TMP/vm.txt" 2>&1 ||
		{ cat "$KB_TMP/vm.txt"; kb_die "vmtest failed on the RHEL-layout kernel"; }
	cat "$KB_TMP/vm.txt"
	for chk in build vermagic boot insmod loaded rmmod; do
		st=$(vmtest_check "$KB_TMP/r.json" "$u" kbundle_test $chk)
		[ "${st%%$'\t'*}" = pass ] || kb_die "vmtest check $chk is not pass: $st"
	done
else
	kb_log "no static busybox or qemu: vmtest part not run"
fi
echo ok
