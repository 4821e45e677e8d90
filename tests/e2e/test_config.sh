#!/usr/bin/env bash
# test_config — the config file: $XDG_CONFIG_HOME/kbundle/config.yml, else
# ~/.config/kbundle/config.yml, else /etc/kbundle/config.yml (lib/config.c)
# gives the defaults of --workdir, -j/--jobs, fetch's --from and --key, and
# publish's --to; the command line wins. A wrong file is exit 2 naming
# FILE:LINE and what is wrong ("did you mean workdir?"), before any work.
# No network: pack --dry-run and fetch from a directory that has no store.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"
cd "$KB_TMP"
export XDG_CONFIG_HOME=$KB_TMP/xdg HOME=$KB_TMP/home
cfg=$XDG_CONFIG_HOME/kbundle/config.yml
mkdir -p "${cfg%/*}" "$HOME/.config/kbundle"
sel=(--manifest "$KB_SRC/manifest.yml" --upstreams "$KB_SRC/upstreams" --upstream debian-12 --latest)
pack_json() { # pack_json KEY [ARG…]: that field of pack --dry-run's JSON
	local key=$1
	shift
	"$KBUNDLE" pack "${sel[@]}" --dry-run --json - "$@" 2>/dev/null |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$key"
}
workdir_of() { pack_json workdir "$@"; }

[ "$(workdir_of)" = .kbundle ] || kb_die "no config: workdir is not .kbundle"
[ "$(pack_json jobs)" = 2 ] || kb_die "no config: jobs is not 2"
printf 'workdir: %s/from-home\n' "$KB_TMP" >"$HOME/.config/kbundle/config.yml"
unset XDG_CONFIG_HOME
[ "$(workdir_of)" = "$KB_TMP/from-home" ] || kb_die "~/.config/kbundle/config.yml not read"
export XDG_CONFIG_HOME=$KB_TMP/xdg
cat >"$cfg" <<YML
# set once
workdir: $KB_TMP/from-config
jobs: 3
store: $KB_TMP/no-store
trusted_keys: [store.pub]
YML
[ "$(workdir_of)" = "$KB_TMP/from-config" ] || kb_die "config.yml's workdir not used"
[ "$(workdir_of --workdir "$KB_TMP/cli")" = "$KB_TMP/cli" ] || kb_die "--workdir does not win"
[ ! -e "$KB_TMP/from-config" ] || kb_die "a dry run made the config's workdir"
[ "$(pack_json jobs)" = 3 ] || kb_die "config.yml's jobs not used"
[ "$(pack_json jobs -j 1)" = 1 ] || kb_die "-j does not win over config.yml's jobs"

# fetch: the store and the trusted key come from the config file
rc=0
"$KBUNDLE" fetch --uname 1.0 2>"$KB_TMP/err" || rc=$?
[ $rc -ne 0 ] && grep -q "store.pub" "$KB_TMP/err" || kb_die "fetch did not take trusted_keys: $(cat "$KB_TMP/err")"
"$KBUNDLE" -q key generate -o "${cfg%/*}/store" >/dev/null
rc=0
"$KBUNDLE" fetch --uname 1.0 2>"$KB_TMP/err" || rc=$?
[ $rc -eq 1 ] && grep -q "$KB_TMP/no-store/index.json" "$KB_TMP/err" ||
	kb_die "fetch did not use the config's store (exit $rc): $(cat "$KB_TMP/err")"
kb_log "workdir, jobs, store and trusted_keys from the file; the command line wins"

bad() { # bad PATTERN YAML: exit 2 and PATTERN, for any command
	local pat=$1 rc=0
	printf '%s\n' "$2" >"$cfg"
	"$KBUNDLE" pack "${sel[@]}" --dry-run >/dev/null 2>"$KB_TMP/err" || rc=$?
	[ $rc -eq 2 ] || kb_die "config '$2': exit $rc, want 2"
	grep -qE -- "$pat" "$KB_TMP/err" || kb_die "config '$2': stderr lacks '$pat': $(cat "$KB_TMP/err")"
}
bad "$cfg:2: unknown setting 'wrkdir'; did you mean workdir\?" $'jobs: 2\nwrkdir: /x'
bad "$cfg:1: jobs wants a number from 1 to 256" 'jobs: 0'
bad "$cfg:1: jobs wants a number from 1 to 256" 'jobs: many'
bad "$cfg:3: a trusted key is not a file name" $'trusted_keys:\n  - a.pub\n  - [b]'
bad "$cfg:1: want a map of settings" '- workdir'
bad "$cfg:[0-9]+: did not find expected" 'workdir: [unclosed'
kb_log "a wrong file: exit 2 with FILE:LINE"
echo ok
