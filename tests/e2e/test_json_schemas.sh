#!/usr/bin/env bash
# test_json_schemas — every reporting command's --json output, from a real
# run on the e2e Debian mirror, validates against its schema in
# docs/schema/ (python3-jsonschema): crawl, manifest, pack (a run and a
# --dry-run), cache list and gc, publish, fetch, toolchain list, vmtest's
# --dry-run preview, update; and index.json, as packed and as published
# and signed. On the published store, fetch's mistakes: a release it lacks
# names the nearest ones, no --uname is the running kernel's, an unknown
# --distro is exit 2 with "did you mean". ('-' is stdout and only the JSON is there.) vmtest.json is
# checked on a real boot's report by test_vmtest_debian. Every schema file
# is a valid 2020-12 schema and is used by one of the two.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx python3
python3 -c 'import jsonschema' 2>/dev/null || kb_die "no python3-jsonschema (apt-get install python3-jsonschema)"
kb_debian_fetch
kb_pipeline debian
wd=$KB_WORKDIR j=$KB_TMP/json
mkdir -p "$j"
check() { # check SCHEMA FILE…
	python3 "$KB_SRC/tests/e2e/schema_check.py" "$@" || kb_die "$2 does not fit docs/schema/$1.json"
	checked+=("$1")
}
stdout_json() { # stdout_json OUT CMD…: CMD's stdout into OUT, which must be JSON alone
	local out=$1
	shift
	"$KBUNDLE" "$@" >"$out" 2>"$KB_TMP/err" || { cat "$KB_TMP/err"; kb_die "kbundle $*: exit $?"; }
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out" ||
		kb_die "kbundle $*: stdout is not JSON alone: $(head -c 300 "$out")"
}
checked=()
common=(--upstreams "$KB_UPSTREAMS" --workdir "$wd")
re="^$(printf '%s' "$KB_REL_A" | sed 's/[.+]/\\&/g')\$"

"$KBUNDLE" -q crawl "${common[@]}" --lists "$KB_LISTS" --json "$j/crawl.json" "$KB_UPSTREAM"
check crawl "$j/crawl.json"
stdout_json "$j/manifest.json" manifest --upstreams "$KB_UPSTREAMS" --lists "$KB_LISTS" \
	--manifest "$KB_TMP/m2.yml" --json -
check manifest "$j/manifest.json"
cmp -s "$KB_TMP/m2.yml" "$KB_MANIFEST" || kb_die "manifest --json changed the manifest"
stdout_json "$j/pack-dry.json" pack --manifest "$KB_MANIFEST" "${common[@]}" --dry-run --json -
stdout_json "$j/pack.json" -q pack --manifest "$KB_MANIFEST" "${common[@]}" --release "$re" --json -
check pack "$j/pack-dry.json" "$j/pack.json"
python3 -c 'import json, sys
d, r = (json.load(open(f)) for f in sys.argv[1:])
assert d["dry_run"] and d["bundles"] >= 2 and d["download_bytes"] > 0, d
assert not r["dry_run"] and r["selected"] == 1 and r["packed"] == 1 and r["failed"] == 0, r' \
	"$j/pack-dry.json" "$j/pack.json" || kb_die "pack --json: wrong figures"
check index "$wd/bundles/index.json"
stdout_json "$j/cache-list.json" cache list --workdir "$wd" --manifest "$KB_MANIFEST" --json -
stdout_json "$j/cache-gc.json" cache gc --workdir "$wd" --manifest "$KB_MANIFEST" --dry-run --json -
check cache-list "$j/cache-list.json"
check cache-gc "$j/cache-gc.json"
"$KBUNDLE" -q key generate -o "$KB_TMP/store" >/dev/null
stdout_json "$j/publish.json" -q publish --workdir "$wd" --to "$KB_TMP/pub" --sign-key "$KB_TMP/store" --json -
check publish "$j/publish.json"
check index "$KB_TMP/pub/index.json"
stdout_json "$j/fetch.json" -q fetch --from "$KB_TMP/pub" --key "$KB_TMP/store.pub" --uname "$KB_REL_A" \
	--arch amd64 -o "$KB_TMP/dl" --json -
check fetch "$j/fetch.json"
# fetch's mistakes, on the same store: a release it lacks names the nearest
# ones; no --uname means the running kernel's; an unknown distro is exit 2
fetch_err() { # fetch_err WANT_EXIT PATTERN ARG…
	local want=$1 pat=$2 rc=0
	shift 2
	"$KBUNDLE" fetch --from "$KB_TMP/pub" --key "$KB_TMP/store.pub" --arch amd64 -o "$KB_TMP/dl" "$@" \
		2>"$KB_TMP/err" >/dev/null || rc=$?
	[ $rc -eq "$want" ] || kb_die "fetch $*: exit $rc, want $want: $(cat "$KB_TMP/err")"
	grep -qE -- "$pat" "$KB_TMP/err" || kb_die "fetch $*: stderr lacks '$pat': $(cat "$KB_TMP/err")"
}
fetch_err 1 "no bundle for uname '${KB_REL_A%-*}-99'.*; nearest in the index: $KB_REL_A" --uname "${KB_REL_A%-*}-99"
fetch_err 1 "no bundle for uname '$(uname -r)'"
fetch_err 2 "--distro 'debain': no bundle in the index has it; did you mean debian\?" --distro debain --uname "$KB_REL_A"
kb_log "fetch: nearest releases, the running kernel by default, did you mean"
stdout_json "$j/toolchain.json" toolchain list --workdir "$wd" --json -
check toolchain-list "$j/toolchain.json"
stdout_json "$j/vmtest-dry.json" vmtest --manifest "$KB_MANIFEST" "${common[@]}" --dry-run --json -
check vmtest-preview "$j/vmtest-dry.json"
"$KBUNDLE" -q update "${common[@]}" --lists "$KB_LISTS" --manifest "$KB_MANIFEST" --no-pack \
	--json "$j/update.json" "$KB_UPSTREAM"
check update "$j/update.json"
kb_log "validated: ${checked[*]}"

# every schema is valid and used (vmtest.json by test_vmtest_debian)
for s in "$KB_SRC"/docs/schema/*.json; do
	n=$(basename "$s" .json)
	python3 -c 'import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$s" || kb_die "$s is not a valid schema"
	[ "$n" = vmtest ] && grep -q 'schema_check.py" vmtest ' "$KB_SRC/tests/e2e/test_vmtest_debian.sh" && continue
	printf '%s\n' "${checked[@]}" | grep -qx "$n" || kb_die "docs/schema/$n.json is checked by no test"
done
echo ok
