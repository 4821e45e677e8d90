#!/usr/bin/env bash
# test_manifest_broken — a manifest.yml that does not parse is a
# configuration error: exit 2 from every command that loads it (pack,
# vmtest, cache gc), naming the file and line (issue 12, item 10). A YAML
# document over the node limit names --max-yaml-nodes, and that flag is
# accepted (it was advised, but no command took it).
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
bad=$KB_TMP/manifest.yml
printf 'format: kbundle-manifest 2\nbundles: [\n' >"$bad"
run() { # WHAT ARGS... — must exit 2 naming the manifest
	local what=$1 rc=0
	shift
	"$KBUNDLE" "$@" >"$KB_TMP/out" 2>"$KB_TMP/err" || rc=$?
	[ $rc = 2 ] || { cat "$KB_TMP/err"; kb_die "$what with a broken manifest: exit $rc, want 2"; }
	grep -qF "$bad" "$KB_TMP/err" || { cat "$KB_TMP/err"; kb_die "$what: the manifest is not named"; }
	kb_log "$what: exit 2: $(head -n 1 "$KB_TMP/err")"
}
run pack pack --manifest "$bad" --upstreams "$KB_TMP" --workdir "$KB_TMP/wd"
run vmtest vmtest --manifest "$bad" --upstreams "$KB_TMP" --workdir "$KB_TMP/wd"
run "cache gc" cache gc --manifest "$bad" --workdir "$KB_TMP/wd"

# a valid document with more nodes than allowed
big=$KB_TMP/big.yml
{ echo 'format: kbundle-manifest 2'; echo 'bundles:'; for i in $(seq 20); do echo "- {id: x$i}"; done; } >"$big"
rc=0
"$KBUNDLE" pack --all --manifest "$big" --upstreams "$KB_TMP" --workdir "$KB_TMP/wd" --max-yaml-nodes 10 \
	>"$KB_TMP/out" 2>"$KB_TMP/err" || rc=$?
[ $rc = 2 ] || { cat "$KB_TMP/err"; kb_die "over --max-yaml-nodes: exit $rc, want 2"; }
grep -q "more than 10 YAML nodes (--max-yaml-nodes)" "$KB_TMP/err" ||
	{ cat "$KB_TMP/err"; kb_die "the node limit is not named, or --max-yaml-nodes was not taken"; }
kb_log "over the node limit: $(head -n 1 "$KB_TMP/err")"
echo ok
