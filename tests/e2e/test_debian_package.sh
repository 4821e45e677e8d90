#!/usr/bin/env bash
# test_debian_package — debian/ builds a real package with
# `dpkg-buildpackage -us -uc -b`, lintian finds no error or warning in it,
# and the package works unpacked into a scratch root (dpkg-deb -x, nothing
# installed on this machine): --version, crawl -h, the shipped upstreams
# found from the installed tree outside any checkout, the man pages and the
# bash completion. `make install DESTDIR= PREFIX=` gives the same layout.
#
# The package is built in a copy of the source kept in the test build
# directory (BUILD/deb/src), re-synced each run with unchanged files keeping
# their times, and built without the pre-clean (-nc): a second run
# recompiles only what changed.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need dpkg-buildpackage dh lintian dpkg-deb
deb=$(dirname "$KBUNDLE")/deb
src=$deb/src
mkdir -p "$src"

# Sync the source (tracked and new files) into the build copy; drop files
# the source no longer has, so a removed .c is not compiled from the copy.
git -C "$KB_SRC" ls-files -co --exclude-standard -z >"$KB_TMP/files"
tar -C "$KB_SRC" -c --null -T "$KB_TMP/files" | tar -C "$src" -x
tr '\0' '\n' <"$KB_TMP/files" | sort >"$KB_TMP/want"
(cd "$src" && find . -path ./build -prune -o -path ./debian/kbundle -prune -o \
	-path ./debian/kbundle-dbgsym -prune -o -path ./debian/.debhelper -prune -o -type f -print |
	sed 's|^\./||' | sort) >"$KB_TMP/have"
comm -13 "$KB_TMP/want" "$KB_TMP/have" >"$KB_TMP/stale"
while read -r f; do
	[[ $f =~ ^(kbundle|debian/(files|debhelper-build-stamp|.*substvars))$ ]] || rm -f "$src/$f"
done <"$KB_TMP/stale"

rm -f "$deb"/kbundle_* "$deb"/kbundle-dbgsym_*
(cd "$src" && dh_clean && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -us -uc -b -nc) \
	>"$KB_TMP/build.log" 2>&1 || { tail -n 30 "$KB_TMP/build.log"; kb_die "dpkg-buildpackage failed"; }
pkg=$(ls "$deb"/kbundle_*_*.deb)
kb_log "built ${pkg##*/}"

lintian --fail-on error,warning "$deb"/kbundle_*.changes >"$KB_TMP/lintian" 2>&1 ||
	{ cat "$KB_TMP/lintian"; kb_die "lintian: errors or warnings"; }
! grep -E '^[EW]: ' "$KB_TMP/lintian" || kb_die "lintian: errors or warnings"
kb_log "lintian: clean at the default level"

# The package, unpacked into a scratch root, run outside any checkout.
root=$KB_TMP/root
dpkg-deb -x "$pkg" "$root"
kb=$root/usr/bin/kbundle
mkdir "$KB_TMP/elsewhere" && cd "$KB_TMP/elsewhere"
"$kb" --version | grep -q '^kbundle 0\.' || kb_die "kbundle --version: $("$kb" --version)"
"$kb" crawl -h | grep -q '^usage: kbundle crawl' || kb_die "kbundle crawl -h: no usage"
installed_upstreams() { # installed_upstreams KBUNDLE PREFIX: crawl names the shipped upstreams
	local rc=0
	"$1" crawl debian12 >"$KB_TMP/out" 2>"$KB_TMP/err" || rc=$?
	[ $rc -eq 2 ] || kb_die "$1 crawl debian12: exit $rc, want 2"
	grep -qF "no $2/share/kbundle/upstreams/debian12.yml); did you mean debian-12?" "$KB_TMP/err" ||
		kb_die "$1: the shipped upstreams were not found: $(cat "$KB_TMP/err")"
}
installed_upstreams "$kb" "$root/usr"
for m in kbundle kbundle-crawl kbundle-pack kbundle-fetch; do
	[ -s "$root/usr/share/man/man1/$m.1.gz" ] || kb_die "package lacks $m(1)"
done
comp=$root/usr/share/bash-completion/completions/kbundle
[ -s "$comp" ] || kb_die "package lacks the bash completion"
if [ -f /usr/share/bash-completion/bash_completion ]; then
	got=$(PATH=$root/usr/bin:$PATH bash -c '. /usr/share/bash-completion/bash_completion; . "$1"
		COMP_WORDS=(kbundle pa); COMP_CWORD=1; COMP_LINE="kbundle pa"; COMP_POINT=${#COMP_LINE}
		_kbundle kbundle pa kbundle; echo "${COMPREPLY[*]}"
		COMP_WORDS=(kbundle pack --lat); COMP_CWORD=2; COMP_LINE="kbundle pack --lat"; COMP_POINT=${#COMP_LINE}
		_kbundle kbundle --lat pack; echo "${COMPREPLY[*]}"' _ "$comp")
	[ "$got" = $'pack\n--latest' ] || kb_die "completion: got '$got', want pack / --latest"
else
	kb_die "no /usr/share/bash-completion/bash_completion (apt-get install bash-completion)"
fi
kb_log "unpacked package: --version, crawl -h, shipped upstreams, man pages, completion"

# make install with DESTDIR and PREFIX: the same tree, found the same way.
make -C "$src" --no-print-directory -s install DESTDIR="$KB_TMP/inst" PREFIX=/opt/kb >/dev/null
installed_upstreams "$KB_TMP/inst/opt/kb/bin/kbundle" "$KB_TMP/inst/opt/kb"
for f in share/man/man1/kbundle.1 share/man/man1/kbundle-vmtest.1 share/bash-completion/completions/kbundle \
	share/kbundle/upstreams/debian-12.yml; do
	[ -s "$KB_TMP/inst/opt/kb/$f" ] || kb_die "make install: no $f"
done
kb_log "make install DESTDIR PREFIX: binary, upstreams, man pages, completion"
echo ok
