#!/usr/bin/env bash
# test_man_pages — docs/man/ holds kbundle(1) and one kbundle-CMD(1) for each
# command `kbundle --help` lists, and each page names exactly the options
# its command's --help names (every -x and --long word, both ways): a new
# option without `make man`, or a page left behind by a removed one, fails.
# The pages are valid man(7): groff renders them without a warning.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"
kb_need groff
man=$KB_SRC/docs/man

opts() { # opts: the option words on stdin, one a line, sorted
	grep -oE -- '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[^-]*//' | sort -u
}
page_text() { # page_text PAGE: the page's words with roff's escapes undone
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(em/-/g' "$1"
}
check() { # check NAME PAGE HELP-CMD…
	local name=$1 page=$2
	shift 2
	[ -f "$page" ] || kb_die "$name: no man page $page (make man)"
	"$@" >"$KB_TMP/help"
	opts <"$KB_TMP/help" >"$KB_TMP/want"
	page_text "$page" | opts >"$KB_TMP/got"
	if ! cmp -s "$KB_TMP/want" "$KB_TMP/got"; then
		diff "$KB_TMP/want" "$KB_TMP/got" | sed 's/^</  only in --help:/; s/^>/  only in the page:/' | grep only >&2 || true
		kb_die "$name: $page and '$*' name different options (run make man)"
	fi
	LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>"$KB_TMP/groff"
	[ ! -s "$KB_TMP/groff" ] || kb_die "$page: groff warns: $(cat "$KB_TMP/groff")"
}

check kbundle "$man/kbundle.1" "$KBUNDLE" --help
mapfile -t cmds < <("$KBUNDLE" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
[ ${#cmds[@]} -ge 10 ] || kb_die "kbundle --help lists ${#cmds[@]} commands"
for c in "${cmds[@]}"; do
	check "$c" "$man/kbundle-$c.1" "$KBUNDLE" "$c" --help
	grep -q "kbundle-$c (1)" "$man/kbundle.1" || kb_die "kbundle.1 does not refer to kbundle-$c(1)"
done
# no page for a command that is gone
for p in "$man"/kbundle-*.1; do
	c=${p##*/kbundle-} && c=${c%.1}
	printf '%s\n' "${cmds[@]}" | grep -qx "$c" || kb_die "$p: kbundle has no command $c"
done
kb_log "${#cmds[@]} command pages + kbundle(1) agree with --help"
echo ok
