#!/usr/bin/env bash
# test_rpm_bad_input — hostile rpm-md input is refused with a clear error and
# nothing is written: a primary whose checksum does not match repomd.xml, a
# primary that is malformed XML (with matching checksums), a repomd.xml.asc
# by another key (the list stays as it was, byte for byte); a truncated RPM
# and an RPM whose payload escapes its root, and an unsigned RPM where the
# upstream names a package_key (no bundle is written); the same RPM signed
# with that key packs.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/lib_rpm.sh"
kb_need rpmbuild createrepo_c nginx gpg gpgv python3
kb_rpm_build
u=$KB_RPM_UNAME

M=$KB_TMP/mirror R=$KB_TMP/mirror/el/x86_64/os
kb_rpm_repo "$R" gz "$KB_RPM_DEVEL" "$KB_RPM_CORE"
kb_nginx_start "$M"
UPS=$KB_TMP/upstreams WD=$KB_TMP/wd LISTS=$KB_TMP/lists
kb_rpm_upstream_file "$UPS" el-test centos "$KB_NGINX_URL" "" 'el/$arch/os'
# Each case edits the repository behind an unchanged repomd.xml at times: drop
# the stored validators so every crawl fetches and checks everything (the
# conditional path is test_rpm_conditional's).
crawl() { rm -rf "$WD/state"; "$KBUNDLE" crawl --upstreams "$UPS" --lists "$LISTS" --workdir "$WD" "$@" 2>"$KB_TMP/err"; }
crawl el-test || { cat "$KB_TMP/err"; kb_die "the good repository does not crawl"; }
cp "$LISTS/el-test.list" "$KB_TMP/good.list"

# reindex REPO PKGFILE — primary and repomd.xml describe PKGFILE as it now is
reindex() {
	kb_rpm_edit_primary "$1" "
data = open('$2', 'rb').read()
href = 'Packages/' + os.path.basename('$2')
b = re.search(r'<package type=\"rpm\">(?:(?!</package>).)*?<location href=\"%s\"/>.*?</package>' % re.escape(href), xml, re.S).group(0)
b2 = re.sub(r'(<checksum type=\"sha256\" pkgid=\"YES\">)[0-9a-f]{64}', r'\\g<1>' + hashlib.sha256(data).hexdigest(), b)
b2 = re.sub(r'package=\"\\d+\"', 'package=\"%d\"' % len(data), b2)
xml = xml.replace(b, b2)"
}
refused() { # WHAT PATTERN — the last crawl failed, said PATTERN, left the list alone
	grep -qE "$2" "$KB_TMP/err" || { cat "$KB_TMP/err"; kb_die "$1: the error does not say /$2/"; }
	cmp -s "$LISTS/el-test.list" "$KB_TMP/good.list" || kb_die "$1: the list changed"
	[ -z "$(ls "$LISTS" | grep -v '^el-test\.list$')" ] || kb_die "$1: something else was written to lists/"
	kb_log "$1: refused: $(grep -E "$2" "$KB_TMP/err" | head -n 1)"
}
cp -a "$R/repodata" "$KB_TMP/repodata.good"
restore() { rm -rf "$R/repodata" && cp -a "$KB_TMP/repodata.good" "$R/repodata"; }

# 1. the primary does not match repomd.xml
p=$(ls "$R"/repodata/*-primary.xml.gz)
printf 'x' >>"$p"
crawl el-test && kb_die "a primary that does not match repomd.xml was accepted"
refused "checksum mismatch" "primary.xml.gz: (size|sha256) mismatch"
restore

# 2. malformed XML (checksums made to match: only the parser can catch it)
printf '<?xml version="1.0"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common">\n<package type="rpm">\n<name>kernel-devel</name>\n<arch>x86_64</nam>\n' \
	>"$KB_TMP/bad.xml"
kb_rpm_edit_primary "$R" "xml = open('$KB_TMP/bad.xml').read()"
crawl el-test && kb_die "malformed primary XML was accepted"
refused "malformed XML" "primary.xml.gz:5: malformed XML: Opening and ending tag mismatch"
restore

# 3. repomd.xml signed by a key the upstream does not name
kb_rpm_upstream_file "$UPS" el-test centos "$KB_NGINX_URL" "$(kb_gpg_key archive)/keyring.gpg" 'el/$arch/os'
kb_rpm_sign_repomd "$R" other
crawl el-test && kb_die "a repomd.xml signed by another key was accepted"
refused "foreign signature" "repomd.xml.asc: signature check failed"
rm -f "$R/repodata/repomd.xml.asc"
crawl el-test && kb_die "an unsigned repomd.xml was accepted though the upstream names a keyring"
refused "missing signature" "no repomd.xml.asc"
kb_rpm_upstream_file "$UPS" el-test centos "$KB_NGINX_URL" "" 'el/$arch/os'

# 4. pack: a truncated RPM (the index describes the truncated file, so the
# download checks pass and the rpm reader must notice)
T=$M/trunc/x86_64/os
kb_rpm_repo "$T" gz "$KB_RPM_DEVEL"
head -c $(($(stat -c %s "$KB_RPM_DEVEL") / 2)) "$KB_RPM_DEVEL" >"$T/Packages/${KB_RPM_DEVEL##*/}"
reindex "$T" "$T/Packages/${KB_RPM_DEVEL##*/}"
# 5. pack: a payload that escapes its root (a symlink out of usr/src/kernels)
E=$M/escape/x86_64/os
mkdir -p "$KB_TMP/evil/usr/src/kernels/6.1.0-99-evil"
echo 'all:' >"$KB_TMP/evil/usr/src/kernels/6.1.0-99-evil/Makefile"
ln -s ../../../../../etc/passwd "$KB_TMP/evil/usr/src/kernels/6.1.0-99-evil/passwd"
mkdir -p "$KB_TMP/evil-out"
_kb_rpm_scratch
_kb_rpm_build_one kernel-devel 6.1.0 99.1.el9 x86_64 "$KB_TMP/evil" "kernel-devel-uname-r = 6.1.0-99-evil" "" \
	w2.xzdio "$KB_TMP/evil-out"
kb_rpm_repo "$E" gz "$KB_TMP"/evil-out/*.rpm
U2=$KB_TMP/up2
kb_rpm_upstream_file "$U2" trunc centos "$KB_NGINX_URL" "" 'trunc/$arch/os'
kb_rpm_upstream_file "$U2" escape centos "$KB_NGINX_URL" "" 'escape/$arch/os'
"$KBUNDLE" -q crawl --upstreams "$U2" --lists "$KB_TMP/l2" --workdir "$WD" || kb_die "crawling the bad-package repositories failed"
"$KBUNDLE" -q manifest --upstreams "$U2" --lists "$KB_TMP/l2" -o "$KB_TMP/m2.yml" || kb_die "manifest failed"
for case in trunc escape; do
	if "$KBUNDLE" pack --manifest "$KB_TMP/m2.yml" --upstreams "$U2" --workdir "$WD" --distro centos \
		--release "$([ $case = trunc ] && echo "^${u//./\\.}\$" || echo '^6\.1\.0-99-evil$')" 2>"$KB_TMP/err"; then
		kb_die "$case: pack accepted a bad package"
	fi
	case $case in
	trunc) pat='not a readable rpm|truncated|payload' ;;
	escape) pat='passwd.*(leaves|escape|outside)|(leaves|escape|outside).*passwd' ;;
	esac
	grep -qiE "$pat" "$KB_TMP/err" || { cat "$KB_TMP/err"; kb_die "$case: the error does not say /$pat/"; }
	kb_log "$case: refused: $(grep -iE "$pat" "$KB_TMP/err" | head -n 1)"
	[ -z "$(ls "$WD/bundles" 2>/dev/null | grep '\.tgz$' || true)" ] || kb_die "$case: a bundle was written"
done

# 6. package signatures (package_key): unsigned refused, signed packed
home=$(kb_gpg_key rpmkey)
gpg --homedir "$home" --batch --quiet --yes --armor --output "$KB_TMP/RPM-GPG-KEY-test" --export
mkdir -p "$KB_TMP/signed"
cp "$KB_RPM_DEVEL" "$KB_TMP/signed/"
rpmsign --addsign --define "_gpg_path $home" --define "_gpg_name kbundle test rpmkey" \
	--define "__gpg /usr/bin/gpg" "$KB_TMP/signed/${KB_RPM_DEVEL##*/}" >/dev/null 2>&1 ||
	kb_die "rpmsign failed"
kb_rpm_repo "$M/signed/x86_64/os" gz "$KB_TMP/signed/${KB_RPM_DEVEL##*/}"
U3=$KB_TMP/up3
for name in signed unsigned; do
	kb_rpm_upstream_file "$U3" $name centos "$KB_NGINX_URL" "" "$([ $name = signed ] && echo 'signed/$arch/os' || echo 'el/$arch/os')"
	echo "package_key: $KB_TMP/RPM-GPG-KEY-test" >>"$U3/$name.yml"
done
"$KBUNDLE" -q crawl --upstreams "$U3" --lists "$KB_TMP/l3" --workdir "$WD" || kb_die "crawling the signature repositories failed"
"$KBUNDLE" -q manifest --upstreams "$U3" --lists "$KB_TMP/l3" -o "$KB_TMP/m3.yml" || kb_die "manifest failed"
rm -rf "$WD/bundles"
id_of() { awk -v up="$1" '$1 == "-" && $2 == "id:" { id = $3 } $1 == "upstream:" && $2 == up { print id; exit }' "$KB_TMP/m3.yml"; }
"$KBUNDLE" pack --manifest "$KB_TMP/m3.yml" --upstreams "$U3" --workdir "$WD" --id "$(id_of unsigned)" 2>"$KB_TMP/err" &&
	kb_die "an unsigned rpm was packed though the upstream names a package_key"
grep -q "not signed: refused" "$KB_TMP/err" || { cat "$KB_TMP/err"; kb_die "unsigned: unclear error"; }
kb_log "unsigned: refused: $(grep "not signed" "$KB_TMP/err" | head -n 1)"
[ -z "$(ls "$WD/bundles" 2>/dev/null | grep '\.tgz$' || true)" ] || kb_die "unsigned: a bundle was written"
"$KBUNDLE" -q pack --manifest "$KB_TMP/m3.yml" --upstreams "$U3" --workdir "$WD" --id "$(id_of signed)" ||
	kb_die "the rpm signed with the package_key was not packed"
ls "$WD/bundles/$(id_of signed).tgz" >/dev/null || kb_die "no bundle for the signed rpm"
echo ok
