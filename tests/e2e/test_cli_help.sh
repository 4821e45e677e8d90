#!/usr/bin/env bash
# test_cli_help — every command kbundle --help lists answers -h and --help
# with its usage on stdout and exit 0 (stderr silent); an unknown option or
# command is a usage error (exit 2, message on stderr, stdout silent);
# --version names the version and the features built in. Like git's
# t0012-help.sh: a command added to the table is checked without editing
# this test.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"
out=$KB_TMP/out err=$KB_TMP/err

# The top level.
for h in -h --help; do
	"$KBUNDLE" $h >"$out" 2>"$err" || kb_die "kbundle $h: exit $?"
	grep -q '^usage: kbundle' "$out" || kb_die "kbundle $h: no usage on stdout"
	[ ! -s "$err" ] || kb_die "kbundle $h wrote to stderr: $(cat "$err")"
done
mapfile -t cmds < <(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }' "$out")
[ ${#cmds[@]} -ge 2 ] || kb_die "kbundle --help lists ${#cmds[@]} commands: ${cmds[*]}"
for c in crawl manifest; do
	printf '%s\n' "${cmds[@]}" | grep -qx "$c" || kb_die "kbundle --help does not list $c"
done

# Each command.
for c in "${cmds[@]}"; do
	for h in -h --help; do
		rc=0
		"$KBUNDLE" "$c" $h >"$out" 2>"$err" </dev/null || rc=$?
		[ $rc -eq 0 ] || kb_die "kbundle $c $h: exit $rc, want 0"
		grep -q "^usage: kbundle $c" "$out" || kb_die "kbundle $c $h: no 'usage: kbundle $c' on stdout"
		[ ! -s "$err" ] || kb_die "kbundle $c $h wrote to stderr: $(cat "$err")"
	done
	for bad in --no-such-option -Z; do
		rc=0
		"$KBUNDLE" "$c" $bad >"$out" 2>"$err" </dev/null || rc=$?
		[ $rc -eq 2 ] || kb_die "kbundle $c $bad: exit $rc, want 2"
		[ -s "$err" ] || kb_die "kbundle $c $bad: no message on stderr"
		[ ! -s "$out" ] || kb_die "kbundle $c $bad: wrote to stdout"
	done
	# The common options are accepted by every command.
	"$KBUNDLE" "$c" -q --help >/dev/null || kb_die "kbundle $c -q --help: exit $?"
	"$KBUNDLE" "$c" -v --help >/dev/null || kb_die "kbundle $c -v --help: exit $?"
	kb_log "$c: -h, --help, bad options ok"
done

# Usage errors at the top level.
for bad in "--no-such-option" "no-such-command" ""; do
	rc=0
	"$KBUNDLE" $bad >"$out" 2>"$err" </dev/null || rc=$?
	[ $rc -eq 2 ] || kb_die "kbundle '$bad': exit $rc, want 2"
	[ -s "$err" ] || kb_die "kbundle '$bad': no message on stderr"
done

# --version: the version and the features built in.
"$KBUNDLE" --version >"$out"
grep -q '^kbundle ' "$out" || kb_die "--version: no 'kbundle VERSION' line"
grep -q '^features: .*http(libcurl)' "$out" || kb_die "--version: features do not name http(libcurl): $(cat "$out")"
for f in sha256 archive yaml deb-version; do
	grep -q "^features: .*\b$f(" "$out" || kb_die "--version: feature $f missing: $(cat "$out")"
done
echo "ok"
