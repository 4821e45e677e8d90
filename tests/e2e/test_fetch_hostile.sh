#!/usr/bin/env bash
# test_fetch_hostile — `kbundle fetch` against a server a hostile or broken
# party controls (issue 12, items 6, 8, 9, 10), with bundles made by
# store_fixture.py and nginx on 127.0.0.1:
#   * one kernel published under two ids (two packings): fetch takes the
#     newest and says which; --id (a prefix) takes either; format 1 indexes
#     are still read;
#   * a server trickling at 2 KB/s is stopped by --max-time, saying so;
#   * a redirect to file:// or gopher:// is refused by name, not "HTTP 302";
#   * a full disk (a small tmpfs, when this user may mount one) says ENOSPC;
#   * an entry name with terminal escapes is quoted escaped; a build
#     directory reached through a link to a name with a newline and ANSI
#     escapes, or a BUNDLE_BUILD_DIR naming a file, is refused, and nothing
#     is printed on stdout;
#   * --extract "dir with space" is refused before downloading, saying why.
# The fixture indexes are unsigned (--insecure-no-signature): these are the
# checks under the signature, which test_fetch_signed covers.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need python3 nginx curl
fx() { python3 "$KB_SRC/tests/e2e/store_fixture.py" "$@"; }
export KBUNDLE_HTTP_BACKOFF_MS=50
rel=9.9.9-two-amd64

# --- two packings of one kernel
pub=$KB_TMP/pub
mkdir -p "$pub"
old=$(fx id old) new=$(fx id new)
fx bundle "$pub/$old.tgz" "$old" "$rel"
fx bundle "$pub/$new.tgz" "$new" "$rel"
fx index "$pub" "$old@1@2026-01-01T00:00:00Z" "$new@1@2026-06-01T00:00:00Z"
rc=0
"$KBUNDLE" fetch --insecure-no-signature --uname "$rel" --arch amd64 --from "$pub" -o "$KB_TMP/dl1" \
	>"$KB_TMP/two.out" 2>"$KB_TMP/two.err" || rc=$?
[ $rc = 0 ] || { cat "$KB_TMP/two.err"; kb_die "two packings of one kernel: exit $rc, want 0"; }
[ -f "$KB_TMP/dl1/$new.tgz" ] && [ ! -e "$KB_TMP/dl1/$old.tgz" ] || kb_die "fetch did not take the newest packing"
grep -q "chose $new, the newest packing (packer format 1, packed 2026-06-01T00:00:00Z)" "$KB_TMP/two.err" ||
	{ cat "$KB_TMP/two.err"; kb_die "fetch did not say which packing it chose"; }
"$KBUNDLE" -q fetch --insecure-no-signature --id "${old:0:12}" --from "$pub" -o "$KB_TMP/dl2" || kb_die "fetch --id PREFIX failed"
[ -f "$KB_TMP/dl2/$old.tgz" ] || kb_die "fetch --id did not take the bundle it names"
"$KBUNDLE" -q fetch --insecure-no-signature --uname "$rel" --id "$new" --from "$pub" -o "$KB_TMP/dl3" || kb_die "fetch --uname --id failed"
[ -f "$KB_TMP/dl3/$new.tgz" ] || kb_die "fetch --uname --id took another bundle"
# a newer packer format wins over a later date; an old index (format 1) still reads
fx index "$pub" "$old@2@2025-01-01T00:00:00Z" "$new@1@2026-06-01T00:00:00Z"
"$KBUNDLE" -q fetch --insecure-no-signature --uname "$rel" --arch amd64 --from "$pub" -o "$KB_TMP/dl4" || kb_die "fetch (formats) failed"
[ -f "$KB_TMP/dl4/$old.tgz" ] || kb_die "a newer packer format did not win"
fx index "$pub" --v1
"$KBUNDLE" -q fetch --insecure-no-signature --uname "$rel" --arch amd64 --from "$pub" -o "$KB_TMP/dl5" || kb_die "a format 1 index is not read"
kb_log "two packings of $rel: the newest taken and named; --id takes either"

# --- the server: slow, redirecting, and big enough to fill a small disk
srv=$KB_TMP/srv
mkdir -p "$srv/slow" "$srv/big"
head -c 400000 /dev/urandom >"$srv/slow/index.json"
blob=$(fx id blob)
head -c 2000000 /dev/urandom >"$srv/big/$blob.tgz"
fx index "$srv/big" "$blob"
cat >"$KB_TMP/snippet.conf" <<CONF
location /slow/ { limit_rate 2k; }
location = /file/index.json { return 302 file:///etc/passwd; }
location = /gopher/index.json { return 302 gopher://127.0.0.1/x; }
CONF
kb_nginx_start "$srv" "$KB_TMP/snippet.conf"
url=$KB_NGINX_URL

t0=$(date +%s)
rc=0
timeout 120 "$KBUNDLE" fetch --insecure-no-signature --uname x --from "$url/slow" --max-time 2 -o "$KB_TMP/dl6" \
	2>"$KB_TMP/slow.err" || rc=$?
secs=$(($(date +%s) - t0))
[ $rc = 1 ] || { cat "$KB_TMP/slow.err"; kb_die "trickling server: exit $rc, want 1"; }
[ $secs -lt 30 ] || kb_die "trickling server: fetch took $secs s despite --max-time 2"
grep -q "not done after 2 s.*--max-time" "$KB_TMP/slow.err" ||
	{ cat "$KB_TMP/slow.err"; kb_die "trickling server: the deadline is not named"; }
kb_log "a server trickling 2 KB/s: stopped after $secs s (3 attempts of --max-time 2)"

for scheme in file gopher; do
	rc=0
	"$KBUNDLE" fetch --insecure-no-signature --uname x --from "$url/$scheme" -o "$KB_TMP/dl-$scheme" 2>"$KB_TMP/$scheme.err" || rc=$?
	[ $rc = 1 ] || { cat "$KB_TMP/$scheme.err"; kb_die "redirect to $scheme://: exit $rc, want 1"; }
	grep -q "302 redirect to $scheme://.* refused" "$KB_TMP/$scheme.err" ||
		{ cat "$KB_TMP/$scheme.err"; kb_die "redirect to $scheme:// is not named"; }
done
kb_log "redirects to file:// and gopher://: refused by name"

small=$KB_TMP/small
mkdir -p "$small"
if mount -t tmpfs -o size=256k tmpfs "$small" 2>/dev/null; then
	kb_on_exit umount "$small"
	rc=0
	"$KBUNDLE" fetch --insecure-no-signature --uname 9.9.9-blob-amd64 --arch amd64 --from "$url/big" -o "$small/dl" \
		2>"$KB_TMP/nospc.err" || rc=$?
	[ $rc = 1 ] || { cat "$KB_TMP/nospc.err"; kb_die "full disk: exit $rc, want 1"; }
	grep -q "No space left on device" "$KB_TMP/nospc.err" ||
		{ cat "$KB_TMP/nospc.err"; kb_die "a full disk is not named"; }
	grep -q "HTTP 200" "$KB_TMP/nospc.err" && kb_die "a full disk reads as HTTP 200"
	[ -z "$(ls -A "$small/dl" 2>/dev/null)" ] || kb_die "full disk: left $(ls -A "$small/dl")"
	kb_log "full disk: $(grep -m1 'No space' "$KB_TMP/nospc.err")"
else
	kb_log "cannot mount a tmpfs here: the full-disk case is not run"
fi

# --- output that could lie to a terminal or a script
for kind in escape-entry builddir-link builddir-file; do
	d=$KB_TMP/pub-$kind
	mkdir -p "$d"
	id=$(fx id "$kind")
	case $kind in
	escape-entry) fx bundle "$d/$id.tgz" "$id" 9.9.9-e-amd64 usr/src/h escape-entry ;;
	builddir-link) fx bundle "$d/$id.tgz" "$id" 9.9.9-e-amd64 usr/src/k builddir-link ;;
	builddir-file) fx bundle "$d/$id.tgz" "$id" 9.9.9-e-amd64 BUNDLE_ARCH ;;
	esac
	fx index "$d"
	o=$(kb_fast_tmpdir)
	rc=0
	"$KBUNDLE" fetch --insecure-no-signature --id "$id" --from "$d" -o "$o/dl" --extract "$o/kb" \
		>"$KB_TMP/$kind.out" 2>"$KB_TMP/$kind.err" || rc=$?
	[ $rc = 1 ] || { cat "$KB_TMP/$kind.err"; kb_die "$kind: exit $rc, want 1"; }
	[ ! -s "$KB_TMP/$kind.out" ] || kb_die "$kind: printed $(od -c "$KB_TMP/$kind.out" | head -3)"
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$KB_TMP/$kind.err"; then
		kb_die "$kind: raw control characters in the message: $(od -c "$KB_TMP/$kind.err" | head -5)"
	fi
	case $kind in
	escape-entry) pat="entry 'usr/src/h/\\x1b[31mevil\\x1b[0m'" ;;
	builddir-link) pat="Kbuild cannot build in a path with a control character" ;;
	builddir-file) pat="BUNDLE_BUILD_DIR 'BUNDLE_ARCH' is not a directory inside the bundle" ;;
	esac
	grep -qF "$pat" "$KB_TMP/$kind.err" || { cat "$KB_TMP/$kind.err"; kb_die "$kind: no \"$pat\""; }
	[ ! -e "$o/kb" ] || kb_die "$kind: the refused tree was kept"
	kb_log "$kind: refused: $(grep -m1 -F "$pat" "$KB_TMP/$kind.err")"
done

o=$(kb_fast_tmpdir)
rc=0
"$KBUNDLE" fetch --insecure-no-signature --uname "$rel" --arch amd64 --from "$pub" -o "$o/dl" --extract "$o/dir with space" \
	>"$KB_TMP/space.out" 2>"$KB_TMP/space.err" || rc=$?
[ $rc = 2 ] || { cat "$KB_TMP/space.err"; kb_die "--extract 'dir with space': exit $rc, want 2"; }
grep -q "Kbuild cannot build in a path with a space" "$KB_TMP/space.err" ||
	{ cat "$KB_TMP/space.err"; kb_die "--extract 'dir with space': no reason given"; }
[ ! -e "$o/dl" ] && [ ! -e "$o/dir with space" ] || kb_die "--extract 'dir with space': something was written"
kb_log "--extract 'dir with space': $(cat "$KB_TMP/space.err")"
echo ok
